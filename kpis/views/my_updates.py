"""An owner's "My updates": the KPIs they enter around a quarter, each at its own frequency
(a monthly KPI for its months, a yearly one for its year: `updates.entry_periods`), each row
saved on its own (with htmx, or as a plain form), its freshness in the enterprise numbers,
and its history."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from kpis import services, updates
from kpis.forms import actual_form_for, version_posted
from kpis.models import KPI
from reviews.selectors import action_items_owned_by
from scorecard import fiscal
from scorecard.models import OrganizationSettings, Period
from scorecard.page_support import HtmxHttpRequest, object_or_refuse, period_from_request
from scorecard.selectors import period_at, period_lookup
from scorecard.text import coded

SAVED = "Saved {kpi} for {period}."
NOT_YOURS = "You may not enter actuals for this KPI."
SWITCHER_QUARTERS = 8


def kpi_for_entry(request: HttpRequest, kpi_id: int) -> KPI:
    """The KPI, if the person may enter its actuals; 404 if they cannot even see it, 403 if
    they see it but may not enter it."""
    return object_or_refuse(
        request,
        KPI.objects.select_related("objective__scorecard__org_unit"),
        "kpis.enter_actual",
        visible="kpis.view_kpi",
        refused=NOT_YOURS,
        pk=kpi_id,
    )


def kpi_for_reading(request: HttpRequest, kpi_id: int) -> KPI:
    """The KPI, if the person may see it; 404 otherwise, as if it did not exist."""
    return object_or_refuse(
        request,
        KPI.objects.select_related("objective__scorecard__org_unit"),
        "kpis.view_kpi",
        visible="kpis.view_kpi",
        pk=kpi_id,
    )


def period_to_write(request: HttpRequest) -> Period:
    """The period a write names in `?period=` (the row's own: a month, a quarter, a year).
    Unlike reading, a bad or missing one is refused: falling back to another period would
    save into the wrong one. It is read, not
    opened: the write opens it, and reading it again afterwards finds the stored row."""
    try:
        return period_lookup(request.GET.get("period", ""))
    except ValidationError as error:
        raise BadRequest(error.message_dict["period"][0]) from None


def due_period(request: HttpRequest) -> Period:
    """The quarter asked for in `?period=`, else the quarter that is due now."""
    if request.GET.get("period"):
        return period_from_request(request)
    settings = OrganizationSettings.load()
    return period_at(updates.due_period_quarter(timezone.localdate(), settings))


def switcher_periods() -> list[fiscal.FiscalQuarter]:
    """The quarter under way and the ones before it, newest first (no future quarters:
    they cannot take actuals)."""
    current = fiscal.quarter_of(
        timezone.localdate(), OrganizationSettings.load().fiscal_start_month
    )
    quarters = [current]
    while len(quarters) < SWITCHER_QUARTERS:
        quarters.append(quarters[-1].previous())
    return quarters


@require_GET
@login_required
def my_updates(request: HtmxHttpRequest) -> HttpResponse:
    period = due_period(request)
    context = {
        "period": period,
        "sheet": updates.updates_sheet(user=request.user, period=period),
        "action_items": action_items_owned_by(request.user),
        "today": timezone.localdate(),
    }
    if request.htmx and request.GET.get("part") == "progress":
        return render(request, "kpis/my_updates.html#progress", context)
    if request.htmx:
        return render(request, "kpis/my_updates.html#updates-body", context)
    context["periods"] = switcher_periods()
    return render(request, "kpis/my_updates.html", context)


def _row_response(request: HttpRequest, row: updates.UpdateRow, **extra) -> HttpResponse:
    settings = OrganizationSettings.load()
    context = {"row": row, "period": row.period, "red_needs_comment": settings.red_needs_comment}
    return render(request, "kpis/my_updates.html#update-row", {**context, **extra})


@require_POST
@login_required
def actual_save(request: HtmxHttpRequest, kpi_id: int) -> HttpResponse:
    kpi = kpi_for_entry(request, kpi_id)
    period = period_to_write(request)
    form = actual_form_for(kpi, request.POST)
    conflict = None
    if form.is_valid():
        # "Save mine instead" after a conflict carries the version the person has now seen.
        overwrite = version_posted(request.POST.get("overwrite", ""))
        version = form.cleaned_data["version"] if overwrite is None else overwrite
        try:
            services.actual_enter(
                kpi=kpi,
                period=period,
                value=form.cleaned_data["value"],
                comment=form.cleaned_data["comment"],
                by=request.user,
                based_on_version=version,
            )
        except ValidationError as error:
            _add_errors(form, error)
        except services.StaleActual as stale:
            conflict = stale.current
            form.add_error(None, str(stale))
    if not request.htmx:
        return _no_script_answer(request, form, kpi, period)
    row = updates.update_row_for(kpi=kpi, period=period_to_write(request))
    if form.errors:
        row.typed = str(form["value"].value() or "")
        return _row_response(request, row, form=form, conflict=conflict)
    response = _row_response(request, row, saved=True)
    return trigger_client_event(response, "actual-saved", {"kpi": kpi.pk})


def _add_errors(form, error: ValidationError) -> None:
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


def _no_script_answer(request: HttpRequest, form, kpi: KPI, period: Period) -> HttpResponse:
    if form.errors:
        for message in form.errors.values():
            messages.error(request, f"{coded(kpi)}: {' '.join(message)}")
    else:
        messages.success(request, SAVED.format(kpi=coded(kpi), period=period.label))
    return redirect(f"{reverse('kpis:my_updates')}?period={period.key}")


@require_GET
@login_required
def actual_row(request: HtmxHttpRequest, kpi_id: int) -> HttpResponse:
    """One row as it is now ("keep theirs" after a conflict, and the freshness poll)."""
    kpi = kpi_for_entry(request, kpi_id)
    period = period_from_request(request)
    row = updates.update_row_for(kpi=kpi, period=period)
    if not request.htmx:
        return redirect(f"{reverse('kpis:my_updates')}?period={period.key}")
    return _row_response(request, row)


@require_GET
@login_required
def actual_freshness(request: HtmxHttpRequest, kpi_id: int) -> HttpResponse:
    """Whether the enterprise numbers include the KPI's actual yet; polled until they do."""
    kpi = kpi_for_entry(request, kpi_id)
    period = period_from_request(request)
    row = updates.update_row_for(kpi=kpi, period=period)
    return render(request, "kpis/my_updates.html#freshness", {"row": row, "period": period})


@require_GET
@login_required
def actual_history(request: HtmxHttpRequest, kpi_id: int) -> HttpResponse:
    kpi = kpi_for_reading(request, kpi_id)
    period = period_from_request(request)
    context = {
        "kpi": kpi,
        "period": period,
        "changes": updates.actual_history(kpi=kpi, period=period),
    }
    template = "kpis/actual_history.html"
    return render(request, f"{template}#history" if request.htmx else template, context)
