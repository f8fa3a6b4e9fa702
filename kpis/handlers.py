"""The KPI layer's answers to signals from the layers below."""

from django.db import transaction

from kpis.scheduling import recompute_on_commit


def recompute_after_structure_change(sender, *, unit_ids, **kwargs) -> None:
    recompute_on_commit(unit_ids=unit_ids)


def recompute_opened_period(sender, *, period_id, **kwargs) -> None:
    _recompute_everything_on_commit([period_id])


def recompute_after_perspective_added(sender, *, created, **kwargs) -> None:
    if created:
        _recompute_everything_on_commit(None)


def recompute_after_perspective_removed(sender, **kwargs) -> None:
    _recompute_everything_on_commit(None)


def _recompute_everything_on_commit(period_ids: list[int] | None) -> None:
    from kpis import tasks

    transaction.on_commit(lambda: tasks.recompute_everything.delay(period_ids))
