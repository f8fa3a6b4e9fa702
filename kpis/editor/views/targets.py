"""The editor's targets grid (a fiscal year of targets and red flags per KPI at its own
frequency — twelve months, four quarters or the year —, edited like a spreadsheet) and the
roll-forward of a year's targets into the next."""

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from kpis import services as kpi_services
from kpis.editor import selectors
from kpis.editor.forms import RollForwardForm
from kpis.editor.views.sheet import form_problems, scorecard_for_editing
from kpis.models import KPI
from scorecard import fiscal
from scorecard import selectors as core_selectors
from scorecard import services as core
from scorecard.page_support import HtmxHttpRequest, QueryForm

GRID_SAVED = "Saved the targets of FY{year}."
GRID_REFUSED = "Nothing was saved: fix the cells marked below."
ROLLED_FORWARD = "Rolled FY{year} forward: {created} targets created in FY{next}, {kept} kept."
YEAR_NOT_VALID = "Choose a fiscal year from {first} to {last}, like 2027."


class YearQuery(QueryForm):
    year = forms.IntegerField(required=False)


def year_from_request(request: HttpRequest) -> int:
    """The fiscal year asked for (`?year=2027`, or the form's `year` when it posts), if it is
    in the data window; else, said in a message, the one under way."""
    start_month = core.fiscal_start_month()
    first, last = core_selectors.data_window(start_month=start_month)
    source = request.GET if "year" in request.GET else request.POST
    query = YearQuery(source)
    year = query.values()["year"]
    if year is not None and first <= year <= last:
        return year
    if query.has_error("year") or year is not None:
        messages.error(request, YEAR_NOT_VALID.format(first=first, last=last))
    return fiscal.quarter_of(timezone.localdate(), start_month).fiscal_year


@require_http_methods(["GET", "POST"])
@login_required
def targets(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    scorecard = scorecard_for_editing(request, slug)
    year = year_from_request(request)
    start_month = core.fiscal_start_month()
    posted = None
    status = 200
    if request.method == "POST":
        rows = selectors.targets_grid(scorecard=scorecard, year=year, start_month=start_month)
        cells = grid_cells(request, rows)
        try:
            kpi_services.targets_grid_save(cells=cells)
        except kpi_services.GridErrors as refusal:
            posted = dict(request.POST.items()) | {
                f"error-{cell['key']}": refusal.errors[(cell["kpi"].pk, cell["period"].pk)]
                for cell in cells
                if (cell["kpi"].pk, cell["period"].pk) in refusal.errors
            }
            messages.error(request, GRID_REFUSED)
            status = 400
        else:
            messages.success(request, GRID_SAVED.format(year=year))
            return redirect(f"{reverse('editor:targets', args=[slug])}?year={year}")
    rows = selectors.targets_grid(
        scorecard=scorecard, year=year, start_month=start_month, posted=posted
    )
    context = {
        "scorecard": scorecard,
        "year": year,
        "years": range(year - 2, year + 3),
        "sections": selectors.grid_sections(rows, year=year, start_month=start_month),
        "rows": rows,
        "roll_forward": RollForwardForm(),
    }
    return render(request, "editor/targets.html", context, status=status)


def grid_cells(request: HttpRequest, rows: list[selectors.GridRow]) -> list[dict[str, Any]]:
    """The grid's cells as posted; only cells that differ from what is stored are written,
    so saving a grid does not rewrite (and re-audit) every unchanged target. A field the post
    does not carry is unchanged; one it carries empty is cleared (a pasted column, or a post
    of one cell, changes only what it names)."""
    cells = []
    for row in rows:
        band = row.kpi.target_type == KPI.TargetType.BAND
        for cell in row.cells:
            name = f"{row.kpi.pk}-{cell.key}"
            posted = {
                "value": posted_or_stored(request, f"target-{name}", cell.value),
                "red_flag": posted_or_stored(request, f"red-{name}", cell.red_flag),
            }
            if band:
                # Only a band has a high edge; any other KPI's cell carries none.
                posted["value_high"] = posted_or_stored(request, f"high-{name}", cell.value_high)
                posted["red_flag_high"] = posted_or_stored(
                    request, f"redhigh-{name}", cell.red_flag_high
                )
            if all(posted[field] == getattr(cell, field) for field in posted):
                continue
            # Read, not opened: saving the grid opens the periods it writes into (until then
            # a period's stand-in has an id of its own, which keys its cell's refusal).
            period = core_selectors.period_at(cell.period)
            cells.append({"key": name, "kpi": row.kpi, "period": period, **posted})
    return cells


def posted_or_stored(request: HttpRequest, name: str, stored: str) -> str:
    if name not in request.POST:
        return stored
    return request.POST[name].strip()


@require_POST
@login_required
def roll_forward(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    scorecard = scorecard_for_editing(request, slug)
    year = year_from_request(request)
    form = RollForwardForm(request.POST)
    if not form.is_valid():
        for problem in form_problems(form.errors):
            messages.error(request, problem)
        return redirect(f"{reverse('editor:targets', args=[slug])}?year={year}")
    created, kept = kpi_services.targets_roll_forward(
        scorecard=scorecard,
        fiscal_year=year,
        grow_pct=form.cleaned_data["grow_pct"] or Decimal("0"),
    )
    messages.success(
        request, ROLLED_FORWARD.format(year=year, next=year + 1, created=created, kept=kept)
    )
    return redirect(f"{reverse('editor:targets', args=[slug])}?year={year + 1}")
