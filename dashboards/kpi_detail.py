"""The KPI detail page: the end of the drill-down from the dashboard."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dashboards import charts
from dashboards.selectors import kpi_detail as detail_selectors
from kpis import explain
from kpis import selectors as kpi_selectors
from kpis.models import KPI
from scorecard import selectors
from scorecard.page_support import (
    HtmxHttpRequest,
    object_or_refuse,
    period_from_request,
    scorecard_for_reading,
)

TEMPLATE = "dashboards/kpi_detail.html"


def kpi_for_reading(request: HtmxHttpRequest, slug: str, kpi_id: int) -> KPI:
    """The KPI of the unit's scorecard: 404 for one that is not on it, 403 for one the
    person may not read."""
    scorecard = scorecard_for_reading(request, slug)
    return object_or_refuse(
        request,
        detail_selectors.kpis_for_detail(scorecard_id=scorecard.pk),
        "kpis.view_kpi",
        pk=kpi_id,
    )


@require_GET
@login_required
def kpi_detail(request: HtmxHttpRequest, slug: str, kpi_id: int) -> HttpResponse:
    kpi = kpi_for_reading(request, slug, kpi_id)
    period = period_from_request(request, default=lambda: kpi_selectors.default_period(kpi=kpi))
    scorecard = kpi.objective.scorecard
    quarters = detail_selectors.kpi_quarters(kpi=kpi)
    history = detail_selectors.actual_history(kpi=kpi)
    # The explanation says where an imported actual came from; the history has it already.
    explanation = explain.explain(
        scorecard=scorecard, subject_type="kpi", subject_id=kpi.pk, period=period, provenance=False
    )
    explanation.provenance = detail_selectors.value_origin(history, period)
    context = {
        "kpi": kpi,
        "scorecard": scorecard,
        "period": period,
        "quarters": quarters,
        "figure": charts.kpi_history(quarters, unit=kpi.unit, decimals=kpi.decimals),
        "children": detail_selectors.rollup_children(kpi=kpi, period=period)
        if kpi.is_rollup
        else [],
        "history": history,
        "explanation": explanation,
        "periods": kpi_selectors.periods_for_switcher(around=period, kpi=kpi),
        "grains": selectors.switcher_grains(period),
    }
    if request.htmx:
        return render(request, f"{TEMPLATE}#kpi-quarter", context)
    return render(request, TEMPLATE, context)
