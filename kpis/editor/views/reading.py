"""Reading pages of the editor: each item's audit trail (managers), and for everyone who may
read the scorecard its health panel and the line of sight down the cascade."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from kpis.editor import selectors
from kpis.editor.views.sheet import fix_url, scorecard_for_editing
from kpis.models import KPI
from kpis.selectors import default_period
from reviews.health import health_summary, scorecard_health
from scorecard.page_support import HtmxHttpRequest, period_from_request, scorecard_for_reading
from scorecard.rules import may
from strategy.models import Objective


@require_GET
@login_required
def history(request: HtmxHttpRequest, slug: str, kind: str, item_id: int) -> HttpResponse:
    scorecard = scorecard_for_editing(request, slug)
    if kind == "objective":
        item: Objective | KPI = get_object_or_404(Objective, pk=item_id, scorecard=scorecard)
    elif kind == "kpi":
        item = get_object_or_404(KPI, pk=item_id, objective__scorecard=scorecard)
    else:
        raise PermissionDenied("Only objectives and KPIs have an audit trail here.")
    context = {"scorecard": scorecard, "item": item, "entries": selectors.audit_trail(item)}
    template = "editor/history.html"
    return render(request, f"{template}#history" if request.htmx else template, context)


@require_GET
@login_required
def health(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    scorecard = scorecard_for_reading(request, slug)
    period = period_from_request(request, default=lambda: default_period(scorecard=scorecard))
    findings = scorecard_health(scorecard=scorecard, period=period)
    may_edit = may(request.user, "strategy.change_objective", scorecard)
    context = {
        "scorecard": scorecard,
        "period": period,
        "findings": findings,
        "health": health_summary(findings),
        "health_rows": [
            (finding, fix_url(finding, scorecard) if may_edit else "") for finding in findings
        ],
    }
    # Asked by htmx, it is the scorecard page's one-line summary that opens on demand.
    template = "editor/health.html"
    return render(request, f"{template}#health-summary" if request.htmx else template, context)


@require_GET
@login_required
def line_of_sight(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    scorecard = scorecard_for_reading(request, slug)
    period = period_from_request(request, default=lambda: default_period(scorecard=scorecard))
    context = {
        "scorecard": scorecard,
        "period": period,
        "sight": selectors.line_of_sight(unit=scorecard.org_unit, period=period),
    }
    return render(request, "editor/line_of_sight.html", context)
