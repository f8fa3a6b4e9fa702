"""A task through a real Celery worker on Redis, reading the real (PostgreSQL) database."""

import pytest

from scorecard.tasks import worker_health

pytestmark = pytest.mark.celery_worker


def test_it_runs_a_task_on_a_real_worker_against_the_database(real_worker, org):
    result = worker_health.delay()

    assert result.get(timeout=60) == {"database": "postgresql", "org_units": 5}
