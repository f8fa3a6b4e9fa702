"""The grid of "My updates": every row of the page (each KPI at its own frequency, so a
monthly KPI has a line per month) in one form, saved all or nothing or the valid rows only,
as the person chooses."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from kpis import services, updates
from kpis.forms import version_posted
from kpis.models import Actual
from kpis.services.numbers import kpi_value
from kpis.views.my_updates import due_period, period_to_write
from scorecard.page_support import HtmxHttpRequest

GRID_SAVED_ALL = "Saved {count} actuals."
GRID_SAVED_NONE = "Nothing was saved: {count} rows need fixing (see below)."
GRID_SAVED_SOME = "Saved {count} actuals; {failed} rows were not saved (see below)."


@require_http_methods(["GET", "POST"])
@login_required
def updates_grid(request: HtmxHttpRequest) -> HttpResponse:
    period = period_to_write(request) if request.method == "POST" else due_period(request)
    sheet = updates.updates_sheet(user=request.user, period=period)
    errors: dict[str, list[str]] = {}
    posted: dict[str, dict[str, str]] = {}
    if request.method == "POST":
        errors, posted = _grid_post(request, sheet)
        if not errors:
            return redirect(f"{request.path}?period={period.key}")
        period = period_to_write(request)  # stored now if the valid rows opened it
        sheet = updates.updates_sheet(user=request.user, period=period)
    lines = [
        {"row": row, "posted": posted.get(row.slot), "errors": errors.get(row.slot, [])}
        for row in sheet.rows
    ]
    return render(request, "kpis/updates_grid.html", {"period": period, "lines": lines})


def _grid_post(request: HttpRequest, sheet: updates.UpdatesSheet):
    """Read the grid's rows (a row without a value, or with the value and comment it
    already has, is left alone) and enter them as the person chose: all or nothing, or
    the valid rows only."""
    rows, indexes, errors, posted = [], [], {}, {}
    for row in sheet.rows:
        pk = row.slot
        value = request.POST.get(f"value-{pk}", "").strip()
        # A comment field the post does not carry keeps the stored comment; an empty one
        # clears it.
        stored_comment = row.actual.comment if row.actual else ""
        comment = request.POST.get(f"comment-{pk}", stored_comment).strip()
        posted[pk] = {"value": value, "comment": comment}
        if not value or row.locked:
            continue
        try:
            # A number, or an ordinal KPI's level name, read as every path reads it.
            number = kpi_value(row.kpi, value)
            # Django's form field refuses NUL characters, which PostgreSQL cannot store.
            comment = forms.CharField(required=False).clean(comment)
        except ValidationError as error:
            errors[pk] = error.messages
            continue
        if row.actual and number == row.actual.value and comment == row.actual.comment:
            continue
        rows.append(
            {
                "kpi": row.kpi,
                "period": row.period,
                "value": number,
                "comment": comment,
                "based_on_version": version_posted(request.POST.get(f"version-{pk}", "")),
            }
        )
        indexes.append(pk)
    all_or_nothing = request.POST.get("mode", "all") != "valid"
    outcome = services.actuals_enter_rows(
        rows=rows,
        by=request.user,
        source=Actual.Source.GRID,
        all_or_nothing=all_or_nothing,
        # Rows the form already refused make an all-or-nothing grid a check of the rest.
        check_only=all_or_nothing and bool(errors),
    )
    _note_failures(outcome, indexes, errors)
    saved = len(outcome.saved)
    if not errors:
        messages.success(request, GRID_SAVED_ALL.format(count=saved))
    elif saved:
        messages.warning(request, GRID_SAVED_SOME.format(count=saved, failed=len(errors)))
    else:
        messages.error(request, GRID_SAVED_NONE.format(count=len(errors)))
    return errors, posted


def _note_failures(outcome: services.RowsOutcome, indexes: list[str], errors: dict) -> None:
    for index, row_errors in outcome.errors.items():
        errors[indexes[index]] = [m for messages_ in row_errors.values() for m in messages_]
