"""The KPI layer's API, one module per idea: KPIs, stored scores, actuals, bulk rows."""

from kpis.api.actuals import ActualViewSet
from kpis.api.bulk import actuals_bulk, targets_bulk
from kpis.api.kpis import KPIViewSet
from kpis.api.scores import ScoreViewSet
from kpis.api.targets import TargetViewSet

__all__ = [
    "ActualViewSet",
    "KPIViewSet",
    "ScoreViewSet",
    "TargetViewSet",
    "actuals_bulk",
    "targets_bulk",
]
