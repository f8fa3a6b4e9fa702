"""An import's cron schedule: when it next runs, and when it counts as late.

One rule for lateness, read by the reminder that tells an import's owner and by the
dashboard's data-freshness panel: an enabled, scheduled import is late when it had no
successful run (or, never run, no run since it was saved) within twice its schedule's
interval."""

from datetime import datetime
from zoneinfo import ZoneInfo

from croniter import croniter
from django.conf import settings


def next_run(schedule: str, after: datetime) -> datetime | None:
    """The first time after `after` the cron schedule names, in the organization's time zone."""
    if not schedule.strip():
        return None
    local = after.astimezone(ZoneInfo(settings.TIME_ZONE))
    return croniter(schedule, local).get_next(datetime)


def late_since(
    *, schedule: str, last_success: datetime | None, created_at: datetime, now: datetime
) -> datetime | None:
    """The moment an import's lateness counts from (its last success, else its creation)
    when it is late at `now`; None when it is not, or has no schedule."""
    since = last_success or created_at
    first = next_run(schedule, since)
    second = next_run(schedule, first) if first else None
    if first is None or second is None or now - since <= 2 * (second - first):
        return None
    return since
