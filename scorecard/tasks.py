"""Tasks of the core."""

import logging

from celery import shared_task
from django.db import connection

from scorecard.models import OrgUnit

logger = logging.getLogger(__name__)


@shared_task(name="scorecard.tasks.worker_health")
def worker_health() -> dict[str, object]:
    """Proves a worker reaches the broker and the database: answers with what it sees."""
    units = OrgUnit.objects.count()
    logger.info("worker health: %s units on %s", units, connection.vendor)
    return {"database": connection.vendor, "org_units": units}
