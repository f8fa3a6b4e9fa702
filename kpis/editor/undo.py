"""The editor's undo slot: the last change made in a scorecard's editor, kept in the person's
session, and how to reverse it. Only one change is kept; making another replaces it."""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest

from kpis import services as kpi_services
from kpis.models import KPI
from scorecard.models import Scorecard
from strategy import services as strategy_services
from strategy.models import Objective


def undo_key(scorecard: Scorecard) -> str:
    return f"editor-undo-{scorecard.pk}"


def remember(request: HttpRequest, scorecard: Scorecard, **change: Any) -> None:
    request.session[undo_key(scorecard)] = change


def forget(request: HttpRequest, scorecard: Scorecard) -> dict[str, Any] | None:
    """Empty the slot, and say what it held."""
    return request.session.pop(undo_key(scorecard), None)


DECIMAL_FIELDS = ("weight", "tolerance_pct", "baseline")


def before_values(item: Objective | KPI, names: list[str]) -> dict[str, Any]:
    """The fields an edit may change, as they are before it (in a form the session can keep)."""
    values = {}
    for name in names:
        attname = getattr(item._meta.get_field(name), "attname", name)
        value = getattr(item, attname)
        values[attname] = str(value) if isinstance(value, Decimal) else value
    return values


def undo_change(scorecard: Scorecard, change: dict[str, Any]) -> None:
    """Reverse one remembered change: an added item is deleted (or archived, if something
    was added to it since), an archived one comes back, an edit gets its old values."""
    if change["kind"] == "objective":
        objective = Objective.objects.filter(pk=change["id"], scorecard=scorecard).first()
        if objective is not None:
            _undo_objective(objective, change)
    else:
        kpi = KPI.objects.filter(pk=change["id"], objective__scorecard=scorecard).first()
        if kpi is not None:
            _undo_kpi(kpi, change)


def _old_values(change: dict[str, Any]) -> dict[str, Any]:
    return {
        name: Decimal(value) if name in DECIMAL_FIELDS and value is not None else value
        for name, value in change["before"].items()
    }


def _undo_objective(objective: Objective, change: dict[str, Any]) -> None:
    if change["action"] == "create":
        try:
            strategy_services.objective_delete(objective=objective)
        except ValidationError:
            strategy_services.objective_archive(objective=objective)
    elif change["action"] == "archive":
        strategy_services.objective_update(objective=objective, archived_at=None)
    else:
        strategy_services.objective_update(objective=objective, **_old_values(change))


def _undo_kpi(kpi: KPI, change: dict[str, Any]) -> None:
    if change["action"] == "create":
        try:
            kpi_services.kpi_delete(kpi=kpi)
        except ValidationError:
            kpi_services.kpi_archive(kpi=kpi)
    elif change["action"] == "archive":
        kpi_services.kpi_update(kpi=kpi, archived_at=None)
    else:
        kpi_services.kpi_update(kpi=kpi, **_old_values(change))
