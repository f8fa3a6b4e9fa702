"""The quarterly pack of a scorecard: a print-ready page and the PDF made from it.

The PDF is the same template rendered by WeasyPrint, with the print stylesheet read from
the static files on disk (not fetched over HTTP: a single-threaded server would wait on
itself)."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET

from kpis import selectors as kpi_selectors
from reviews import selectors as review_selectors
from scorecard.models import Period, Scorecard
from scorecard.views import period_from_request, scorecard_for_reading

PACK_STYLESHEET = "css/pack.css"
FLAGGED = ("red", "amber")


@dataclass
class FlaggedKpi:
    objective_title: str
    row: kpi_selectors.KpiRow


def pack_context(*, scorecard: Scorecard, period: Period) -> dict:
    sheet = kpi_selectors.scorecard_sheet(scorecard=scorecard, period=period)
    flagged = [
        FlaggedKpi(objective_row.objective.title, kpi_row)
        for perspective_row in sheet.perspectives
        for objective_row in perspective_row.objectives
        for kpi_row in objective_row.kpis
        if kpi_row.status in FLAGGED
    ]
    # Red before amber, each in the order of the scorecard.
    flagged.sort(key=lambda item: FLAGGED.index(item.row.status))
    actions = review_selectors.open_action_items_in(Q(scorecard=scorecard))
    return {
        "scorecard": scorecard,
        "period": period,
        "sheet": sheet,
        "flagged": flagged,
        "actions": list(actions),
        "today": timezone.localdate(),
        "printed_at": timezone.now(),
    }


@require_GET
@login_required
def pack_page(request: HttpRequest, slug: str) -> HttpResponse:
    scorecard = scorecard_for_reading(request, slug)
    period = period_from_request(request)
    return render(
        request, "scorecard/dashboard_pack.html", pack_context(scorecard=scorecard, period=period)
    )


@require_GET
@login_required
def pack_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    # WeasyPrint loads pango through cffi; import it only when a PDF is asked for.
    from weasyprint import CSS, HTML

    scorecard = scorecard_for_reading(request, slug)
    period = period_from_request(request)
    context = {**pack_context(scorecard=scorecard, period=period), "for_pdf": True}
    html = render_to_string("scorecard/dashboard_pack.html", context, request=request)
    stylesheet = CSS(filename=finders.find(PACK_STYLESHEET))
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf(
        stylesheets=[stylesheet]
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"sightline-{scorecard.org_unit.slug}-{period.key}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
