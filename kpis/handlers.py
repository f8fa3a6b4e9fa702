"""The KPI layer's answers to signals from the layers below."""

from kpis.scheduling import recompute_all_on_commit, recompute_on_commit


def recompute_after_structure_change(sender, *, unit_ids, **kwargs) -> None:
    recompute_on_commit(unit_ids=unit_ids)


def recompute_opened_period(sender, *, period_id, **kwargs) -> None:
    recompute_all_on_commit(period_ids=[period_id])


def recompute_after_perspective_added(sender, *, created, **kwargs) -> None:
    if created:
        recompute_all_on_commit()


def recompute_after_perspective_removed(sender, **kwargs) -> None:
    recompute_all_on_commit()
