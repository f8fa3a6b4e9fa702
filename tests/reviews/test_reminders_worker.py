"""The reminder sweep once through a real Celery worker on Redis, as beat would run it."""

import pytest

from reviews.models import Notification, ReminderLog
from reviews.tasks import send_reminders

pytestmark = pytest.mark.celery_worker


def test_it_sweeps_through_a_real_worker_and_sends_nothing_twice(real_worker, north_sales_kpi):
    # 23 June 2026: seven days before FY2026 Q2 ends, and Q1's grace days are long over.
    # The North Sales KPI has no actual in either quarter: its owner hears that Q2 is due,
    # and North's manager that Q1 is missing.
    first = send_reminders.delay("2026-06-23").get(timeout=60)
    second = send_reminders.delay("2026-06-23").get(timeout=60)

    assert (first, second) == (2, 0)
    assert sorted(ReminderLog.objects.values_list("person__username", "period_key", "step")) == [
        ("north_manager", "FY2026-Q1", "escalation"),
        ("owner", "FY2026-Q2", "before_end"),
    ]
    assert Notification.objects.count() == 2
