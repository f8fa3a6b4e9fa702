"""Pages of the core: the list of units and a unit's scorecard."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET
from django_htmx.middleware import HtmxDetails

from kpis import selectors as kpi_selectors
from kpis.selectors import Sheet
from reviews import selectors as review_selectors
from scorecard import selectors, services
from scorecard.models import Period, Perspective, Scorecard
from scorecard.rules import may


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def scorecard_for_reading(request: HttpRequest, slug: str) -> Scorecard:
    scorecard = get_object_or_404(Scorecard.objects.select_related("org_unit"), org_unit__slug=slug)
    if not may(request.user, "scorecard.view_scorecard", scorecard):
        raise PermissionDenied("You have no role on this unit or above it.")
    return scorecard


def period_from_request(request: HttpRequest) -> Period:
    """The quarter asked for in `?period=FY2026-Q3`, else the last quarter that has ended."""
    key = request.GET.get("period")
    if key:
        try:
            return services.period_for_key(key)
        except ValidationError as error:
            messages.error(request, error.message_dict["period"][0])
    return services.last_ended_period()


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    units = selectors.org_units_visible_to(request.user)
    return render(request, "scorecard/home.html", {"units": units})


@require_GET
@login_required
def scorecard_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    scorecard = scorecard_for_reading(request, slug)
    period = period_from_request(request)
    sheet = kpi_selectors.scorecard_sheet(scorecard=scorecard, period=period)
    mark_initiatives_and_gaps(sheet, scorecard)
    context = {"scorecard": scorecard, "period": period, "sheet": sheet}
    if request.htmx:
        return render(request, "scorecard/scorecard.html#scorecard-body", context)
    context["units"] = selectors.org_units_visible_to(request.user)
    context["periods"] = selectors.periods_for_switcher(around=period)
    return render(request, "scorecard/scorecard.html", context)


def mark_initiatives_and_gaps(sheet: Sheet, scorecard: Scorecard) -> None:
    """Put each objective's initiatives beside it (the scorecard's fourth column) and flag
    the red KPIs that nobody has an open action on. Two queries and one, whatever the size."""
    initiatives = review_selectors.initiatives_by_objective(scorecard)
    acted_on = review_selectors.kpi_ids_with_open_actions(scorecard)
    for perspective_row in sheet.perspectives:
        for objective_row in perspective_row.objectives:
            objective_row.initiatives = initiatives.get(objective_row.objective.pk, [])
            for kpi_row in objective_row.kpis:
                kpi_row.needs_action = kpi_row.status == "red" and kpi_row.kpi.pk not in acted_on


@require_GET
def perspective_css(request: HttpRequest) -> HttpResponse:
    """Perspective colours live in the database; our CSP allows no inline styles, so they
    reach the page as a small stylesheet."""
    rules = "\n".join(
        f".perspective-{p.pk} {{ --perspective-color: {p.color}; }}"
        for p in Perspective.objects.all()
    )
    response = HttpResponse(rules, content_type="text/css")
    response["Cache-Control"] = "max-age=300"
    return response


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers and compose healthchecks: answers once the database does."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
