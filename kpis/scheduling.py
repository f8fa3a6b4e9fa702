"""Scheduling recomputes when data changes: after the transaction commits, gathered.

A service that changes an actual, a target or the structure calls `recompute_on_commit`;
opening a new quarter or changing the perspectives calls `recompute_all_on_commit`. Every
call adds to one pending batch per database connection, then registers a callback; the first
callback to run after the commit sends the whole batch (at most two tasks) and the others find
nothing left. The batch is filled before the callback is registered because outside an atomic
block Django runs the callback at once: it must find this call's work in the batch. So seeding
or importing a thousand actuals in one transaction queues one recompute, not a thousand. Work
left behind by a rolled-back transaction rides along with the next commit: an extra recompute
is harmless, and a period that vanished with the rollback is skipped.

With workers to share the work (Redis, not eager), a chain recompute does not travel in its
task's arguments: the batch's units and periods wait in Redis (kpis/waiting.py) and the task
takes all that waits when it starts. Under load, writes arrive faster than recomputes end, and the
writes that queued up behind a running recompute share the next one, which walks the top of
the tree once for all of them instead of once each."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction

from kpis import waiting
from scorecard.models import Period

_PENDING = "_sightline_pending_recompute"
EVERY_PERIOD = None


@dataclass
class _Batch:
    unit_ids: set[int] = field(default_factory=set)
    period_ids: set[int] = field(default_factory=set)
    full_period_ids: set[int] = field(default_factory=set)
    full_every_period: bool = False


def _batch() -> _Batch:
    connection = transaction.get_connection()
    return connection.__dict__.setdefault(_PENDING, _Batch())


def _send_after_commit() -> None:
    """Call once the batch holds this call's work: inside a transaction the batch goes out
    after the commit, outside one it goes out now."""
    transaction.on_commit(_send_pending)


def recompute_on_commit(
    *, unit_ids: Iterable[int], period_ids: Iterable[int] | None = None
) -> None:
    """Queue a recompute of the chains above these units, in these periods (None: every
    period, as a structural change needs), once the current transaction commits."""
    if period_ids is None:
        period_ids = Period.objects.values_list("pk", flat=True)
    batch = _batch()
    batch.unit_ids.update(unit_ids)
    batch.period_ids.update(period_ids)
    _send_after_commit()


def recompute_all_on_commit(*, period_ids: Iterable[int] | None = EVERY_PERIOD) -> None:
    """Queue a full recompute of these periods (None: all of them) after the commit."""
    batch = _batch()
    if period_ids is None:
        batch.full_every_period = True
    else:
        batch.full_period_ids.update(period_ids)
    _send_after_commit()


def _send_pending() -> None:
    from kpis import tasks

    connection = transaction.get_connection()
    batch = connection.__dict__.pop(_PENDING, None)
    if batch is None:
        return
    if batch.full_every_period:
        tasks.recompute_everything.delay(None)
        return
    if batch.full_period_ids:
        tasks.recompute_everything.delay(sorted(batch.full_period_ids))
    chain_periods = batch.period_ids - batch.full_period_ids
    if not (batch.unit_ids and chain_periods):
        return
    if tasks.shares_out():
        waiting.add(batch.unit_ids, chain_periods)
        tasks.recompute_waiting.delay()
    else:
        tasks.recompute_units.delay(sorted(batch.unit_ids), sorted(chain_periods))
