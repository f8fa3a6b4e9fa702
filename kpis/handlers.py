"""The KPI layer's answers to signals from the layers below."""

from kpis.scheduling import recompute_on_commit


def recompute_after_structure_change(sender, *, unit_ids, **kwargs) -> None:
    recompute_on_commit(unit_ids=unit_ids)
