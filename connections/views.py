"""Pages: the connection settings (administrators) and the imports of the units a manager
manages: their list, the edit page with preview, Run now and the run history, and the
drill-down from an imported value to the source rows behind it."""

import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from connections import progress, selectors, services
from connections.forms import ConnectionForm, ImportForm
from connections.models import Connection
from kpis.selectors import visible_actuals
from scorecard.admin_support import add_service_errors
from scorecard.page_support import NOT_FOUND, HtmxHttpRequest, object_or_refuse
from scorecard.rules import may

ADMINS_ONLY = "Only administrators keep the data connections."
MANAGERS_ONLY = "Only the managers of a unit keep its imports."
TESTED = "The connection answers."


def _require(request: HttpRequest, permission: str, message: str) -> None:
    if not may(request.user, permission, None):
        raise PermissionDenied(message)


@require_http_methods(["GET", "POST"])
@login_required
def connection_list(request: HttpRequest) -> HttpResponse:
    _require(request, "connections.change_connection", ADMINS_ONLY)
    form = ConnectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.connection_create(**form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f'Connection "{form.cleaned_data["name"]}" saved.')
            return redirect("connections:connection_list")
    connections = selectors.connections_for(request.user)
    return render(
        request, "connections/connection_list.html", {"form": form, "connections": connections}
    )


@require_http_methods(["GET", "POST"])
@login_required
def connection_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "connections.change_connection", ADMINS_ONLY)
    connection = object_or_refuse(
        request, Connection.objects.all(), "connections.change_connection", pk=pk
    )
    form = ConnectionForm(request.POST or None, instance=connection)
    problem = None
    if request.method == "POST" and "test" in request.POST:
        problem = services.connection_test(connection=connection)
        form = ConnectionForm(instance=connection)
        if not problem:
            messages.success(request, TESTED)
    elif request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        secret = data.pop("secret") or None
        try:
            services.connection_update(connection=connection, secret=secret, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Connection saved.")
            return redirect("connections:connection_edit", pk=connection.pk)
    context = {"form": form, "connection": connection, "problem": problem}
    return render(request, "connections/connection_edit.html", context)


@require_GET
@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    _require(request, "connections.pick_connection", MANAGERS_ONLY)
    imports = selectors.imports_managed_by(request.user)
    return render(request, "connections/import_list.html", {"imports": imports})


@require_http_methods(["GET", "POST"])
@login_required
def import_new(request: HttpRequest) -> HttpResponse:
    _require(request, "connections.pick_connection", MANAGERS_ONLY)
    form = ImportForm(request.POST or None, user=request.user, initial={"owner": request.user})
    if request.method == "POST" and form.is_valid():
        try:
            import_job = services.import_create(**form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Import saved: preview it before its first run.")
            return redirect("connections:import_detail", pk=import_job.pk)
    return render(request, "connections/import_edit.html", {"form": form})


def _import_of(request: HttpRequest, pk: int):
    return object_or_refuse(
        request,
        selectors.imports_managed_by(request.user),
        "connections.change_import",
        refused=MANAGERS_ONLY,
        pk=pk,
    )


@require_http_methods(["GET", "POST"])
@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    import_job = _import_of(request, pk)
    form = ImportForm(request.POST or None, instance=import_job, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.import_update(import_job=import_job, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Import saved.")
            return redirect("connections:import_detail", pk=import_job.pk)
    runs = selectors.runs_of(import_job)[:20]
    context = {
        "import_job": import_job,
        "form": form,
        "runs": runs,
        "poll_seconds": settings.SIGHTLINE_CONNECTION_PROGRESS_POLL_SECONDS,
    }
    return render(request, "connections/import_detail.html", context)


@require_POST
@login_required
def import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    import_job = _import_of(request, pk)
    preview = services.import_preview(import_job=import_job)
    return render(
        request, "connections/import_preview.html", {"import_job": import_job, "preview": preview}
    )


@require_POST
@login_required
def import_run(request: HttpRequest, pk: int) -> HttpResponse:
    import_job = _import_of(request, pk)
    try:
        services.run_request(import_job=import_job, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Run queued: the history below shows how it went.")
    return redirect("connections:import_detail", pk=import_job.pk)


@require_GET
@login_required
def run_detail(request: HtmxHttpRequest, pk: int, run_id: int) -> HttpResponse:
    """A run and the values it wrote, each linked to the source rows behind it."""
    import_job = _import_of(request, pk)
    run = _run_of(import_job, run_id)
    context = {
        "import_job": import_job,
        "run": run,
        "progress": _progress(run),
        "poll_seconds": settings.SIGHTLINE_CONNECTION_PROGRESS_POLL_SECONDS,
    }
    if request.htmx:
        # The page polls its progress while the run is queued or running.
        return render(request, "connections/_run_progress.html", context)
    context["written"] = selectors.values_written(run)
    return render(request, "connections/run_detail.html", context)


def _progress(run) -> dict | None:
    found = progress.progress_of(run.pk) if run.is_active else None
    return {**found, "words": progress.PHASE_WORDS[found["phase"]]} if found else None


def _run_of(import_job, run_id: int):
    run = selectors.runs_of(import_job).filter(pk=run_id).first()
    if run is None:
        raise Http404(NOT_FOUND)
    return run


@require_GET
@login_required
def actual_sources(request: HttpRequest, actual_id: int) -> HttpResponse:
    """The source rows behind an imported value (the drill-down), for whoever sees the KPI."""
    actual = _visible_actual(request, actual_id)
    # `?version=` names an earlier version (the history links each imported line to its
    # own rows); anything else, or nothing, is the current version.
    version = request.GET.get("version", "")
    number = int(version) if re.fullmatch(r"[0-9]{1,9}", version) else 0
    wanted = number if 0 < number <= actual.version else None
    lineage = selectors.latest_lineage(actual.pk, wanted or actual.version)
    columns: list[str] = []
    for row in lineage.source_rows if lineage else []:
        columns.extend(key for key in row if key not in columns)
    table = (
        [[row.get(column, "") for column in columns] for row in lineage.source_rows]
        if lineage
        else []
    )
    context = {
        "actual": actual,
        "lineage": lineage,
        "columns": columns,
        "table": table,
        "version": wanted or actual.version,
    }
    return render(request, "connections/actual_sources.html", context)


def _visible_actual(request: HttpRequest, actual_id: int):
    # An actual nobody may see answers like one that does not exist.
    actual = (
        visible_actuals(request.user).select_related("kpi", "period").filter(pk=actual_id).first()
    )
    if actual is None:
        raise Http404(NOT_FOUND)
    return actual
