"""Pages of the KPI layer: why a score is what it is, and an owner's "My updates" (entry
one by one or as a grid, spreadsheet import and export, history)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from kpis import explain, exports, import_jobs, imports, services, updates
from kpis.forms import ActualForm, ExportForm, ImportForm, NumberField
from kpis.models import KPI, Actual, ImportJob
from reviews import selectors as review_selectors
from reviews.selectors import action_items_owned_by
from scorecard import fiscal
from scorecard.models import OrganizationSettings, Period
from scorecard.rules import may
from scorecard.services import period_for_key, period_for_quarter
from scorecard.views import HtmxHttpRequest, period_from_request, scorecard_for_reading

SAVED = "Saved {kpi} for {period}."
GRID_SAVED_ALL = "Saved {count} actuals."
GRID_SAVED_NONE = "Nothing was saved: {count} rows need fixing (see below)."
GRID_SAVED_SOME = "Saved {count} actuals; {failed} rows were not saved (see below)."
IMPORTED = "Imported {count} actuals."
IMPORT_EXPIRED = "The preview has expired: upload the file again."
NOT_YOURS = "You may not enter actuals for this KPI."
SESSION_KEY = "kpis_import"
SWITCHER_QUARTERS = 8


@require_GET
@login_required
def score_explanation(
    request: HtmxHttpRequest, slug: str, subject_type: str, subject_id: int
) -> HttpResponse:
    scorecard = scorecard_for_reading(request, slug)
    period = period_from_request(request)
    try:
        explanation = explain.explain(
            scorecard=scorecard, subject_type=subject_type, subject_id=subject_id, period=period
        )
    except explain.UnknownSubject as error:
        raise Http404(str(error)) from None
    context = {"scorecard": scorecard, "period": period, "explanation": explanation}
    if subject_type == "objective":
        # The map's objective detail shows the initiatives that serve it, as the page does.
        served = review_selectors.initiatives_by_objective(scorecard)
        context["initiatives"] = served.get(subject_id, [])
    template = "kpis/explanation.html"
    return render(request, f"{template}#explanation" if request.htmx else template, context)


# My updates


def kpi_for_entry(request: HttpRequest, kpi_id: int) -> KPI:
    """The KPI, if the person may enter its actuals; 404 if they cannot even see it."""
    kpi = get_object_or_404(KPI.objects.select_related("objective__scorecard__org_unit"), pk=kpi_id)
    if not may(request.user, "kpis.view_kpi", kpi):
        raise Http404("No such KPI.")
    if not may(request.user, "kpis.enter_actual", kpi):
        raise PermissionDenied(NOT_YOURS)
    return kpi


def period_to_write(request: HttpRequest) -> Period:
    """The quarter a write names in `?period=`. Unlike reading, a bad or missing one is
    refused: falling back to another quarter would save into the wrong one."""
    try:
        return period_for_key(request.GET.get("period", ""))
    except ValidationError as error:
        raise BadRequest(error.message_dict["period"][0]) from None


def due_period(request: HttpRequest) -> Period:
    """The quarter asked for in `?period=`, else the quarter that is due now."""
    if request.GET.get("period"):
        return period_from_request(request)
    settings = OrganizationSettings.load()
    return period_for_quarter(updates.due_period_quarter(timezone.localdate(), settings))


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
    form = ActualForm(request.POST)
    conflict = None
    if form.is_valid():
        # "Save mine instead" after a conflict carries the version the person has now seen.
        overwrite = request.POST.get("overwrite", "")
        version = int(overwrite) if overwrite.isdigit() else form.cleaned_data["version"]
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
    row = updates.update_row_for(kpi=kpi, period=period)
    if form.errors:
        return _row_response(request, row, form=form, conflict=conflict)
    response = _row_response(request, row, saved=True)
    return trigger_client_event(response, "actual-saved", {"kpi": kpi.pk})


def _add_errors(form, error: ValidationError) -> None:
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


def _no_script_answer(request: HttpRequest, form, kpi: KPI, period: Period) -> HttpResponse:
    if form.errors:
        for message in form.errors.values():
            messages.error(request, f"{kpi.name}: {' '.join(message)}")
    else:
        messages.success(request, SAVED.format(kpi=kpi.name, period=period.label))
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
    kpi = get_object_or_404(KPI.objects.select_related("objective__scorecard__org_unit"), pk=kpi_id)
    if not may(request.user, "kpis.view_kpi", kpi):
        raise Http404("No such KPI.")
    period = period_from_request(request)
    context = {
        "kpi": kpi,
        "period": period,
        "changes": updates.actual_history(kpi=kpi, period=period),
    }
    template = "kpis/actual_history.html"
    return render(request, f"{template}#history" if request.htmx else template, context)


# The grid


@require_http_methods(["GET", "POST"])
@login_required
def updates_grid(request: HtmxHttpRequest) -> HttpResponse:
    period = period_to_write(request) if request.method == "POST" else due_period(request)
    sheet = updates.updates_sheet(user=request.user, period=period)
    errors: dict[int, list[str]] = {}
    posted: dict[int, dict[str, str]] = {}
    if request.method == "POST":
        errors, posted = _grid_post(request, sheet)
        if not errors:
            return redirect(f"{request.path}?period={period.key}")
        sheet = updates.updates_sheet(user=request.user, period=period)
    lines = [
        {"row": row, "posted": posted.get(row.kpi.pk), "errors": errors.get(row.kpi.pk, [])}
        for row in sheet.rows
    ]
    return render(request, "kpis/updates_grid.html", {"period": period, "lines": lines})


def _grid_post(request: HttpRequest, sheet: updates.UpdatesSheet):
    """Read the grid's rows (a row without a value, or with the value and comment it
    already has, is left alone) and enter them as the person chose: all or nothing, or
    the valid rows only."""
    rows, indexes, errors, posted = [], [], {}, {}
    field = NumberField()
    for row in sheet.rows:
        pk = row.kpi.pk
        value = request.POST.get(f"value-{pk}", "").strip()
        comment = request.POST.get(f"comment-{pk}", "").strip()
        posted[pk] = {"value": value, "comment": comment}
        if not value or row.locked:
            continue
        try:
            number = field.clean(value)
            # Django's form field refuses NUL characters, which PostgreSQL cannot store.
            comment = forms.CharField(required=False).clean(comment)
        except ValidationError as error:
            errors[pk] = error.messages
            continue
        if row.actual and number == row.actual.value and comment == row.actual.comment:
            continue
        version = request.POST.get(f"version-{pk}", "")
        rows.append(
            {
                "kpi": row.kpi,
                "period": sheet.period,
                "value": number,
                "comment": comment,
                "based_on_version": int(version) if version.isdigit() else None,
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


def _note_failures(outcome: services.RowsOutcome, indexes: list[int], errors: dict) -> None:
    for index, row_errors in outcome.errors.items():
        errors[indexes[index]] = [m for messages_ in row_errors.values() for m in messages_]


# Spreadsheet import and export


@require_http_methods(["GET", "POST"])
@login_required
def actuals_import(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = imports.read_table(name=upload.name, content=_read_capped(upload))
        except imports.ImportRefused as refusal:
            form.add_error("file", str(refusal))
        else:
            if len(rows) > imports.BACKGROUND_ROWS:
                job = import_jobs.job_start(rows=rows, user=request.user, file_name=upload.name)
                return redirect("kpis:import_job", job_id=job.pk)
            preview = imports.preview(rows=rows, user=request.user)
            request.session[SESSION_KEY] = imports.stash(preview.rows)
    return render(request, "kpis/import.html", {"form": form, "preview": preview})


def _read_capped(upload) -> bytes:
    # Read one byte past the limit: enough to know the file is too large.
    return upload.read(imports.MAX_BYTES + 1)


@require_POST
@login_required
def actuals_import_confirm(request: HttpRequest) -> HttpResponse:
    stashed = request.session.get(SESSION_KEY)
    if not stashed:
        messages.error(request, IMPORT_EXPIRED)
        return redirect("kpis:import")
    applied = imports.apply(stashed=stashed, user=request.user)
    if applied.refusal:
        messages.error(request, applied.refusal)
        context = {"form": ImportForm(), "preview": applied.preview}
        return render(request, "kpis/import.html", context)
    del request.session[SESSION_KEY]
    messages.success(request, IMPORTED.format(count=applied.saved))
    return redirect("kpis:my_updates")


def own_import_job(request: HttpRequest, job_id: int) -> ImportJob:
    # A job is its person's alone: anyone else is told it does not exist.
    return get_object_or_404(ImportJob, pk=job_id, person_id=request.user.pk)


@require_GET
@login_required
def import_job(request: HtmxHttpRequest, job_id: int) -> HttpResponse:
    """A large import's progress, then its preview, then its outcome; polled while it runs."""
    job = own_import_job(request, job_id)
    context = {"job": job, "preview": import_jobs.job_preview(job)}
    template = "kpis/import_job.html"
    return render(request, f"{template}#job" if request.htmx else template, context)


@require_POST
@login_required
def import_job_confirm(request: HttpRequest, job_id: int) -> HttpResponse:
    job = own_import_job(request, job_id)
    try:
        import_jobs.job_confirm(job=job)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    return redirect("kpis:import_job", job_id=job.pk)


@require_GET
@login_required
def actuals_template(request: HttpRequest, slug: str) -> HttpResponse:
    scorecard = scorecard_for_reading(request, slug)
    period = due_period(request)
    kpis = [
        kpi
        for kpi in KPI.objects.filter(
            objective__scorecard=scorecard, source=KPI.Source.MANUAL, archived_at__isnull=True
        )
        .select_related("objective__scorecard__org_unit")
        .order_by("objective__order", "order", "id")
        if may(request.user, "kpis.enter_actual", kpi)
    ]
    table = exports.template_table(scorecard=scorecard, period=period, kpis=kpis)
    kind = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    content = exports.as_xlsx(table) if kind == "xlsx" else exports.as_csv(table)
    return _download(content, kind, f"{scorecard.org_unit.slug}-{period.key}-actuals.{kind}")


@require_GET
@login_required
def scorecard_export(request: HttpRequest, slug: str) -> HttpResponse:
    scorecard = scorecard_for_reading(request, slug)
    form = ExportForm(request.GET or None)
    if not request.GET or not form.is_valid():
        return render(request, "kpis/export.html", {"scorecard": scorecard, "form": form})
    try:
        first = period_for_key(form.cleaned_data["first"])
        last = period_for_key(form.cleaned_data["last"])
    except ValidationError as error:
        form.add_error(None, error.message_dict["period"])
        return render(request, "kpis/export.html", {"scorecard": scorecard, "form": form})
    periods = list(Period.objects.filter(start__gte=first.start, start__lte=last.start))
    table = exports.scorecard_table(scorecard=scorecard, periods=periods)
    kind = form.cleaned_data["format"]
    content = exports.as_csv(table) if kind == "csv" else exports.as_xlsx(table)
    name = f"{scorecard.org_unit.slug}-{first.key}-to-{last.key}.{kind}"
    return _download(content, kind, name)


def _download(content: bytes, kind: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=exports.CONTENT_TYPES[kind])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
