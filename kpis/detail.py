"""The KPI detail page: the end of the drill-down from the dashboard."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kpis import dashboard_selectors, explain
from kpis.models import KPI
from scorecard import charts, selectors
from scorecard.rules import may
from scorecard.views import HtmxHttpRequest, period_from_request, scorecard_for_reading

NO_SUCH_KPI = "There is no such KPI on this scorecard."


def kpi_for_reading(request: HtmxHttpRequest, slug: str, kpi_id: int) -> KPI:
    scorecard = scorecard_for_reading(request, slug)
    kpi = dashboard_selectors.kpi_for_detail(kpi_id=kpi_id, scorecard_id=scorecard.pk)
    if kpi is None:
        raise Http404(NO_SUCH_KPI)
    if not may(request.user, "kpis.view_kpi", kpi):
        raise PermissionDenied("You have no role on this unit or above it.")
    return kpi


@require_GET
@login_required
def kpi_detail(request: HtmxHttpRequest, slug: str, kpi_id: int) -> HttpResponse:
    kpi = kpi_for_reading(request, slug, kpi_id)
    period = period_from_request(request)
    scorecard = kpi.objective.scorecard
    quarters = dashboard_selectors.kpi_quarters(kpi=kpi)
    context = {
        "kpi": kpi,
        "scorecard": scorecard,
        "period": period,
        "quarters": quarters,
        "figure": charts.kpi_history(quarters, unit=kpi.unit),
        "children": dashboard_selectors.rollup_children(kpi=kpi, period=period)
        if kpi.is_rollup
        else [],
        "history": dashboard_selectors.actual_history(kpi=kpi),
        "explanation": explain.explain(
            scorecard=scorecard, subject_type="kpi", subject_id=kpi.pk, period=period
        ),
        "periods": selectors.periods_for_switcher(around=period),
    }
    if request.htmx:
        return render(request, "kpis/kpi_detail.html#kpi-quarter", context)
    return render(request, "kpis/kpi_detail.html", context)
