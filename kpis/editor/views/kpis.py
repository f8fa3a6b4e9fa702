"""The editor's KPIs: add one to an objective, edit, archive, delete, reorder, and cascade to
child units (which makes it a roll-up of the KPIs created there)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from kpis import services as kpi_services
from kpis.editor import selectors
from kpis.editor.forms import KPI_FIELDS, KPICascadeForm, KPIForm
from kpis.editor.undo import before_values, forget
from kpis.editor.views.objectives import objective_in
from kpis.editor.views.sheet import (
    CASCADED,
    DELETED,
    changed,
    editor_url,
    form_problems,
    render_editor,
    saved_through_service,
    scorecard_for_editing,
)
from kpis.models import KPI
from kpis.services import formulas as formula_services
from scorecard.models import Scorecard
from scorecard.page_support import HtmxHttpRequest
from strategy import services as strategy_services


def kpi_in(scorecard: Scorecard, kpi_id: int) -> KPI:
    return get_object_or_404(
        KPI.objects.select_related("objective__scorecard__org_unit"),
        pk=kpi_id,
        objective__scorecard=scorecard,
        archived_at__isnull=True,
    )


@require_POST
@login_required
def kpi_add(request: HtmxHttpRequest, slug: str, objective_id: int) -> HttpResponse:
    scorecard = scorecard_for_editing(request, slug)
    objective = objective_in(scorecard, objective_id)
    return saved_through_service(
        request, scorecard, form=KPIForm(request.POST, objective=objective, user=request.user),
        slot=f"new-kpi-{objective.pk}",
        save=lambda **data: kpi_services.kpi_create(
            objective=objective, by=request.user, **data
        ), action="create",
    )  # fmt: skip


@require_POST
@login_required
def kpi_edit(request: HtmxHttpRequest, slug: str, kpi_id: int) -> HttpResponse:
    scorecard = scorecard_for_editing(request, slug)
    kpi = kpi_in(scorecard, kpi_id)
    return saved_through_service(
        request, scorecard, form=KPIForm(
            request.POST, objective=kpi.objective, instance=kpi, user=request.user
        ),
        slot=f"kpi-{kpi.pk}",
        save=lambda **data: kpi_services.kpi_update(kpi=kpi, by=request.user, **data),
        action="update", before=before_values(kpi, KPI_FIELDS),
    )  # fmt: skip


@require_POST
@login_required
def kpi_archive(request: HtmxHttpRequest, slug: str, kpi_id: int) -> HttpResponse:
    scorecard = scorecard_for_editing(request, slug)
    kpi = kpi_in(scorecard, kpi_id)
    kpi_services.kpi_archive(kpi=kpi)
    return changed(request, scorecard, kpi, action="archive")


@require_POST
@login_required
def kpi_move(request: HtmxHttpRequest, slug: str, kpi_id: int) -> HttpResponse:
    scorecard = scorecard_for_editing(request, slug)
    kpi = kpi_in(scorecard, kpi_id)
    step = -1 if request.POST.get("direction") == "up" else 1
    kpi_services.kpi_move(kpi=kpi, step=step)
    return render_editor(request, scorecard)


@require_http_methods(["GET", "POST"])
@login_required
def kpi_delete(request: HtmxHttpRequest, slug: str, kpi_id: int) -> HttpResponse:
    scorecard = scorecard_for_editing(request, slug)
    kpi = kpi_in(scorecard, kpi_id)
    if request.method == "GET":
        context = {"scorecard": scorecard, "item": kpi, "kind": "kpi"}
        return render(request, "editor/confirm_delete.html", context)
    try:
        kpi_services.kpi_delete(kpi=kpi)
    except ValidationError as error:
        return render_editor(request, scorecard, problems=form_problems(error))
    # A deleted item cannot be brought back: the slot would undo nothing.
    forget(request, scorecard)
    messages.success(request, DELETED.format(name=kpi.name))
    return render_editor(request, scorecard)


@require_http_methods(["GET", "POST"])
@login_required
def kpi_cascade(request: HtmxHttpRequest, slug: str, kpi_id: int) -> HttpResponse:
    scorecard = scorecard_for_editing(request, slug)
    kpi = kpi_in(scorecard, kpi_id)
    children = strategy_services.child_units_of(scorecard.org_unit)
    form = KPICascadeForm(
        request.POST if request.method == "POST" else None, children=children, user=request.user
    )
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        units = list(form.cleaned_data["org_units"])
        try:
            kpi_services.kpi_cascade(
                kpi=kpi,
                org_units=units,
                rollup_method=form.cleaned_data["rollup_method"],
                objectives=form.objectives(),
                owners=form.owners(),
            )
        except ValidationError as error:
            problems = form_problems(error)
        else:
            messages.success(request, CASCADED.format(units=", ".join(u.name for u in units)))
            return redirect(editor_url(scorecard, f"kpi-{kpi.pk}"))
    elif request.method == "POST":
        problems = form_problems(form.errors)
    objectives_of = selectors.objectives_by_unit(children)
    context = {
        "scorecard": scorecard,
        "kpi": kpi,
        "children": [
            (unit, list(selectors.people_who_see(unit)), objectives_of[unit.pk])
            for unit in children
        ],
        "methods": KPI.RollupMethod.choices,
        "form": form,
        "problems": problems,
    }
    return render(request, "editor/cascade_kpi.html", context, status=400 if problems else 200)


@require_POST
@login_required
def formula_check(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The live check of a formula as a manager types it: the error and its column, or the
    KPIs it uses. Reads only; the same rules as the save (`kpis.services.formulas`)."""
    scorecard = scorecard_for_editing(request, slug)
    kpi = _kpi_being_edited(request, scorecard)
    text = request.POST.get("formula", "")
    ok, message, references = formula_services.live_check(text=text, kpi=kpi, by=request.user)
    context = {"ok": ok, "message": message, "references": [str(r) for r in references]}
    return render(request, "editor/_formula_check.html", context)


def _kpi_being_edited(request: HtmxHttpRequest, scorecard: Scorecard) -> KPI:
    """The KPI the form edits (query `kpi`), or a new one of the objective (query
    `objective`), with the frequency the form holds when it has that field."""
    kpi_id = request.GET.get("kpi", "")
    objective_id = request.GET.get("objective", "")
    if kpi_id.isdigit():
        kpi = kpi_in(scorecard, int(kpi_id))
    elif objective_id.isdigit():
        kpi = KPI(objective=objective_in(scorecard, int(objective_id)))
    else:
        raise Http404
    frequency = request.POST.get("frequency", "")
    if frequency in KPI.Frequency.values:
        kpi.frequency = frequency
    return kpi
