"""Scheduling recomputes when data changes: after the transaction commits, gathered.

A service that changes an actual, a target or the structure calls `recompute_on_commit`.
Every call adds its units and periods to one pending set per database connection and
registers a callback; the first callback to run after the commit sends the whole set as a
single task and the others find nothing left. So seeding or importing a thousand actuals in
one transaction queues one recompute, not a thousand. Work left behind by a rolled-back
transaction rides along with the next commit: an extra recompute is harmless."""

from collections.abc import Iterable

from django.db import transaction

from scorecard.models import Period

_PENDING = "_sightline_pending_recompute"


def recompute_on_commit(
    *, unit_ids: Iterable[int], period_ids: Iterable[int] | None = None
) -> None:
    """Queue a recompute of the chains above these units, in these periods (None: every
    period, as a structural change needs), once the current transaction commits."""
    if period_ids is None:
        period_ids = Period.objects.values_list("pk", flat=True)
    connection = transaction.get_connection()
    units, periods = connection.__dict__.setdefault(_PENDING, (set(), set()))
    units.update(unit_ids)
    periods.update(period_ids)
    transaction.on_commit(_send_pending)


def _send_pending() -> None:
    from kpis import tasks

    connection = transaction.get_connection()
    units, periods = connection.__dict__.pop(_PENDING, (set(), set()))
    if units and periods:
        tasks.recompute_units.delay(sorted(units), sorted(periods))
