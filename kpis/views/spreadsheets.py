"""Actuals by spreadsheet: the template to fill in, its import (previewed, then confirmed; a
large file as a background job with its own page) and the export of a scorecard's quarters."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kpis import exports, import_jobs, imports
from kpis.forms import ExportForm, ImportForm
from kpis.models import KPI, ImportJob
from kpis.selectors import default_period
from kpis.views.my_updates import due_period
from scorecard.models import Period
from scorecard.page_support import HtmxHttpRequest, scorecard_for_reading
from scorecard.rules import may
from scorecard.selectors import period_lookup
from scorecard.throttling import rate_limited

IMPORTED = "Imported {count} actuals."
IMPORT_EXPIRED = "The preview has expired: upload the file again."
SESSION_KEY = "kpis_import"


@require_http_methods(["GET", "POST"])
@login_required
@rate_limited("import", methods=("POST",))
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
            if len(rows) > import_jobs.BACKGROUND_ROWS:
                job = import_jobs.job_start(rows=rows, user=request.user, file_name=upload.name)
                return redirect("kpis:import_job", job_id=job.pk)
            preview = imports.preview(rows=rows, user=request.user)
            request.session[SESSION_KEY] = imports.stash(preview.rows)
    return render(request, "kpis/import.html", {"form": form, "preview": preview})


def _read_capped(upload) -> bytes:
    # Read one byte past the limit: enough to know the file is too large.
    return upload.read(imports.max_bytes() + 1)


@require_POST
@login_required
@rate_limited("import")
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
@rate_limited("import")
def import_job_confirm(request: HttpRequest, job_id: int) -> HttpResponse:
    job = own_import_job(request, job_id)
    try:
        import_jobs.job_confirm(job=job)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    return redirect("kpis:import_job", job_id=job.pk)


@require_GET
@login_required
@rate_limited("export")
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
@rate_limited("export")
def scorecard_export(request: HttpRequest, slug: str) -> HttpResponse:
    scorecard = scorecard_for_reading(request, slug)
    # The form opens on the scorecard's default period (DESIGN.md section 4), both ends.
    shown = default_period(scorecard=scorecard).key if not request.GET else None
    form = ExportForm(request.GET or None, initial={"first": shown, "last": shown})
    if not request.GET or not form.is_valid():
        return render(request, "kpis/export.html", {"scorecard": scorecard, "form": form})
    try:
        first = period_lookup(form.cleaned_data["first"])
        last = period_lookup(form.cleaned_data["last"])
    except ValidationError as error:
        form.add_error(None, error.message_dict["period"])
        return render(request, "kpis/export.html", {"scorecard": scorecard, "form": form})
    # The periods of every grain from the first one's start to the last one's end: each KPI
    # is exported at its own frequency (a monthly KPI's months, a yearly KPI's years).
    periods = list(
        Period.objects.filter(start__gte=first.start, end__lte=last.end).order_by("start", "end")
    )
    table = exports.scorecard_table(scorecard=scorecard, periods=periods)
    kind = form.cleaned_data["format"]
    content = exports.as_csv(table) if kind == "csv" else exports.as_xlsx(table)
    name = f"{scorecard.org_unit.slug}-{first.key}-to-{last.key}.{kind}"
    return _download(content, kind, name)


def _download(content: bytes, kind: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=exports.CONTENT_TYPES[kind])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
