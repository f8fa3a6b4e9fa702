"""Tasks of the core."""

import logging

from celery import shared_task
from django.db import OperationalError, connection
from django.utils import timezone

from scorecard import fiscal, services
from scorecard.models import OrgUnit

logger = logging.getLogger(__name__)


@shared_task(name="scorecard.tasks.worker_health")
def worker_health() -> dict[str, object]:
    """Proves a worker reaches the broker and the database: answers with what it sees."""
    units = OrgUnit.objects.count()
    logger.info("worker health: %s units on %s", units, connection.vendor)
    return {"database": connection.vendor, "org_units": units}


@shared_task(
    name="scorecard.tasks.open_current_quarter",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def open_current_quarter() -> str:
    """Open the quarter under way (beat runs this daily), so that its snapshots exist from its
    first day even before anyone writes into it; the first write would open it too. Safe to
    run twice: an open quarter stays as it is. Returns its key."""
    quarter = fiscal.quarter_of(timezone.localdate(), services.fiscal_start_month())
    return services.period_open(quarter).key
