"""The quarterly pack of a scorecard: a print-ready page and the PDF made from it (by
`dashboards.pdf`, the renderer it shares with the review pack)."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from dashboards.pdf import pdf_download
from kpis import selectors as kpi_selectors
from reviews import selectors as review_selectors
from scorecard.models import Period, Scorecard
from scorecard.page_support import period_from_request, scorecard_for_reading
from scorecard.text import coded
from scorecard.throttling import rate_limited

TEMPLATE = "dashboards/dashboard_pack.html"
FLAGGED = ("red", "amber")


@dataclass
class FlaggedKpi:
    objective_title: str
    row: kpi_selectors.KpiRow


def pack_context(*, scorecard: Scorecard, period: Period) -> dict:
    sheet = kpi_selectors.scorecard_sheet(scorecard=scorecard, period=period)
    flagged = [
        FlaggedKpi(coded(objective_row.objective), kpi_row)
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
    period = period_from_request(
        request, default=lambda: kpi_selectors.default_period(scorecard=scorecard)
    )
    return render(request, TEMPLATE, pack_context(scorecard=scorecard, period=period))


@require_GET
@login_required
@rate_limited("pdf")
def pack_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    scorecard = scorecard_for_reading(request, slug)
    period = period_from_request(
        request, default=lambda: kpi_selectors.default_period(scorecard=scorecard)
    )
    return pdf_download(
        request,
        template=TEMPLATE,
        context=pack_context(scorecard=scorecard, period=period),
        filename=f"sightline-{scorecard.org_unit.slug}-{period.key}.pdf",
    )
