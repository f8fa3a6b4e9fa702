"""The scorecard editor: managers add, edit, reorder, archive and delete objectives and
KPIs, cascade them to child units and undo their last change. It edits objectives and KPIs,
so it lives in the highest app it writes to. Every write goes through a service; the same
URL answers htmx with the editor's body. The targets grid is in `editor_targets`, the audit
trail, health panel and line of sight in `editor_reading`."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kpis import editor_selectors as selectors
from kpis import services as kpi_services
from kpis.editor_forms import (
    KPI_FIELDS,
    OBJECTIVE_FIELDS,
    KPICascadeForm,
    KPIForm,
    ObjectiveCascadeForm,
    ObjectiveForm,
)
from kpis.models import KPI
from reviews.health import health_summary, scorecard_health
from scorecard.models import Scorecard
from scorecard.rules import may
from scorecard.views import HtmxHttpRequest
from strategy import services as strategy_services
from strategy.models import Objective

NOT_A_MANAGER = "Only managers of this unit or a unit above it may edit its scorecard."
NOTHING_TO_UNDO = "Nothing to undo."
UNDONE = "Undone: {label}."
SAVED = "Saved {what}."
ARCHIVED = "Archived “{name}”. Its history and past scores stay."
DELETED = "Deleted “{name}”."
CASCADED = "Cascaded to {units}."


def scorecard_for_editing(request: HttpRequest, slug: str) -> Scorecard:
    scorecard = get_object_or_404(Scorecard.objects.select_related("org_unit"), org_unit__slug=slug)
    if not may(request.user, "strategy.change_objective", scorecard):
        raise PermissionDenied(NOT_A_MANAGER)
    return scorecard


def editor_url(scorecard: Scorecard, anchor: str = "") -> str:
    url = reverse("kpis:editor", args=[scorecard.org_unit.slug])
    return f"{url}#{anchor}" if anchor else url


def editor_context(request: HttpRequest, scorecard: Scorecard) -> dict[str, Any]:
    unit = scorecard.org_unit
    findings = scorecard_health(scorecard=scorecard)
    return {
        "scorecard": scorecard,
        "sheet": selectors.editor_sheet(scorecard=scorecard),
        # Choice lists are read once and shared by every item's form: the page's query
        # count does not grow with the number of objectives.
        "people": list(selectors.people_who_see(unit)),
        "teams": list(selectors.subtree_units(unit)),
        "rollup_parents": list(selectors.rollup_parents_for(unit)),
        "children": strategy_services.child_units_of(unit),
        "kpi_choices": {
            "directions": KPI.Direction.choices,
            "types": KPI.IndicatorType.choices,
            "sources": KPI.Source.choices,
            "methods": KPI.RollupMethod.choices,
        },
        "undo": request.session.get(undo_key(scorecard)),
        "findings": findings,
        "health": health_summary(findings),
        "health_rows": [(finding, fix_url(finding, scorecard)) for finding in findings],
    }


def fix_url(finding: Any, scorecard: Scorecard) -> str:
    """Where a manager fixes a health finding: the item in the editor, the targets grid, or
    the strategy map for causal links."""
    if finding.code == "no_target":
        return reverse("kpis:targets", args=[scorecard.org_unit.slug])
    if finding.code in ("orphan_objective", "downward_link"):
        # Causal links are drawn and removed on the strategy map.
        return reverse("strategy:map", args=[scorecard.org_unit.slug])
    anchors = {
        "objective": f"objective-{finding.subject_id}",
        "kpi": f"kpi-{finding.subject_id}",
        "perspective": f"perspective-{finding.subject_id}",
    }
    return editor_url(scorecard, anchors.get(finding.subject_type, "add-objective"))


@dataclass(frozen=True)
class FailedForm:
    """A refused save: which form (`slot`, the prefix and id its fields carry), the messages
    by field, and what the person typed, so the form comes back as they left it."""

    slot: str
    errors: dict[str, list[str]]
    data: Any


def refused(slot: str, request: HttpRequest, error: ValidationError | dict) -> FailedForm:
    if isinstance(error, ValidationError):
        errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    else:
        errors = {name: list(messages_) for name, messages_ in error.items()}
    return FailedForm(slot=slot, errors=errors, data=request.POST)


def render_editor(
    request: HtmxHttpRequest,
    scorecard: Scorecard,
    *,
    problems: list[str] | None = None,
    failed: FailedForm | None = None,
) -> HttpResponse:
    """After a write: the editor's body for htmx; for a plain form post, the page (with the
    problems, status 400) or a redirect back to it."""
    if not request.htmx and not problems and request.method == "POST":
        return redirect(editor_url(scorecard))
    context = editor_context(request, scorecard) | {"problems": problems or [], "failed": failed}
    template = "editor/editor.html#editor-body" if request.htmx else "editor/editor.html"
    status = 400 if problems and not request.htmx else 200
    return render(request, template, context, status=status)


def form_problems(error: ValidationError | dict) -> list[str]:
    if isinstance(error, ValidationError):
        return list(error.messages)
    return [message for messages_ in error.values() for message in messages_]


@require_GET
@login_required
def editor(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    return render_editor(request, scorecard_for_editing(request, slug))


# The undo slot: the last change made in this scorecard's editor, kept in the session.


def undo_key(scorecard: Scorecard) -> str:
    return f"editor-undo-{scorecard.pk}"


def remember(request: HttpRequest, scorecard: Scorecard, **change: Any) -> None:
    request.session[undo_key(scorecard)] = change


def before_values(item: Objective | KPI, names: list[str]) -> dict[str, Any]:
    values = {}
    for name in names:
        attname = getattr(item._meta.get_field(name), "attname", name)
        value = getattr(item, attname)
        values[attname] = str(value) if isinstance(value, Decimal) else value
    return values


@require_POST
@login_required
def undo(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    scorecard = scorecard_for_editing(request, slug)
    change = request.session.pop(undo_key(scorecard), None)
    if change is None:
        return render_editor(request, scorecard, problems=[NOTHING_TO_UNDO])
    try:
        undo_change(scorecard, change)
    except ValidationError as error:
        return render_editor(request, scorecard, problems=form_problems(error))
    messages.success(request, UNDONE.format(label=change["label"]))
    return render_editor(request, scorecard)


def undo_change(scorecard: Scorecard, change: dict[str, Any]) -> None:
    """Reverse one remembered change: an added item is deleted (or archived, if something
    was added to it since), an archived one comes back, an edit gets its old values."""
    if change["kind"] == "objective":
        objective = Objective.objects.filter(pk=change["id"], scorecard=scorecard).first()
        if objective is not None:
            _undo_objective(objective, change)
    else:
        kpi = KPI.objects.filter(pk=change["id"], objective__scorecard=scorecard).first()
        if kpi is not None:
            _undo_kpi(kpi, change)


def _old_values(change: dict[str, Any]) -> dict[str, Any]:
    return {
        name: Decimal(value) if name in ("weight", "tolerance_pct") else value
        for name, value in change["before"].items()
    }


def _undo_objective(objective: Objective, change: dict[str, Any]) -> None:
    if change["action"] == "create":
        try:
            strategy_services.objective_delete(objective=objective)
        except ValidationError:
            strategy_services.objective_archive(objective=objective)
    elif change["action"] == "archive":
        strategy_services.objective_update(objective=objective, archived_at=None)
    else:
        strategy_services.objective_update(objective=objective, **_old_values(change))


def _undo_kpi(kpi: KPI, change: dict[str, Any]) -> None:
    if change["action"] == "create":
        try:
            kpi_services.kpi_delete(kpi=kpi)
        except ValidationError:
            kpi_services.kpi_archive(kpi=kpi)
    elif change["action"] == "archive":
        kpi_services.kpi_update(kpi=kpi, archived_at=None)
    else:
        kpi_services.kpi_update(kpi=kpi, **_old_values(change))


# Objectives.


def objective_in(scorecard: Scorecard, objective_id: int) -> Objective:
    return get_object_or_404(
        Objective.objects.select_related("scorecard__org_unit", "perspective"),
        pk=objective_id,
        scorecard=scorecard,
        archived_at__isnull=True,
    )


@require_POST
@login_required
def objective_add(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    scorecard = scorecard_for_editing(request, slug)
    form = ObjectiveForm(request.POST, scorecard=scorecard)
    slot = "new-objective"
    if not form.is_valid():
        return render_editor(
            request, scorecard, problems=form_problems(form.errors),
            failed=refused(slot, request, form.errors),
        )  # fmt: skip
    try:
        objective = strategy_services.objective_create(scorecard=scorecard, **form.cleaned_data)
    except ValidationError as error:
        return render_editor(
            request, scorecard, problems=form_problems(error), failed=refused(slot, request, error)
        )
    remember(
        request, scorecard, kind="objective", id=objective.pk, action="create",
        label=f"added “{objective.title}”",
    )  # fmt: skip
    messages.success(request, SAVED.format(what=f"“{objective.title}”"))
    return render_editor(request, scorecard)


@require_POST
@login_required
def objective_edit(request: HtmxHttpRequest, slug: str, objective_id: int) -> HttpResponse:
    scorecard = scorecard_for_editing(request, slug)
    objective = objective_in(scorecard, objective_id)
    before = before_values(objective, OBJECTIVE_FIELDS)
    form = ObjectiveForm(request.POST, scorecard=scorecard, instance=objective)
    slot = f"objective-{objective.pk}"
    if not form.is_valid():
        return render_editor(
            request, scorecard, problems=form_problems(form.errors),
            failed=refused(slot, request, form.errors),
        )  # fmt: skip
    try:
        strategy_services.objective_update(objective=objective, **form.cleaned_data)
    except ValidationError as error:
        return render_editor(
            request, scorecard, problems=form_problems(error), failed=refused(slot, request, error)
        )
    remember(
        request, scorecard, kind="objective", id=objective.pk, action="update", before=before,
        label=f"the edit of “{objective.title}”",
    )  # fmt: skip
    messages.success(request, SAVED.format(what=f"“{objective.title}”"))
    return render_editor(request, scorecard)


@require_POST
@login_required
def objective_archive(request: HtmxHttpRequest, slug: str, objective_id: int) -> HttpResponse:
    scorecard = scorecard_for_editing(request, slug)
    objective = objective_in(scorecard, objective_id)
    strategy_services.objective_archive(objective=objective)
    remember(
        request, scorecard, kind="objective", id=objective.pk, action="archive",
        label=f"archiving “{objective.title}”",
    )  # fmt: skip
    messages.success(request, ARCHIVED.format(name=objective.title))
    return render_editor(request, scorecard)


@require_http_methods(["GET", "POST"])
@login_required
def objective_delete(request: HtmxHttpRequest, slug: str, objective_id: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes an objective that holds nothing yet."""
    scorecard = scorecard_for_editing(request, slug)
    objective = objective_in(scorecard, objective_id)
    if request.method == "GET":
        context = {"scorecard": scorecard, "item": objective, "kind": "objective"}
        return render(request, "editor/confirm_delete.html", context)
    try:
        strategy_services.objective_delete(objective=objective)
    except ValidationError as error:
        return render_editor(request, scorecard, problems=form_problems(error))
    request.session.pop(undo_key(scorecard), None)
    messages.success(request, DELETED.format(name=objective.title))
    return render_editor(request, scorecard)


@require_POST
@login_required
def objective_move(request: HtmxHttpRequest, slug: str, objective_id: int) -> HttpResponse:
    scorecard = scorecard_for_editing(request, slug)
    objective = objective_in(scorecard, objective_id)
    step = -1 if request.POST.get("direction") == "up" else 1
    strategy_services.objective_move(objective=objective, step=step)
    return render_editor(request, scorecard)


@require_http_methods(["GET", "POST"])
@login_required
def objective_cascade(request: HtmxHttpRequest, slug: str, objective_id: int) -> HttpResponse:
    scorecard = scorecard_for_editing(request, slug)
    objective = objective_in(scorecard, objective_id)
    children = strategy_services.child_units_of(scorecard.org_unit)
    form = ObjectiveCascadeForm(
        request.POST if request.method == "POST" else None, children=children
    )
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        units = list(form.cleaned_data["org_units"])
        try:
            strategy_services.objective_cascade(
                objective=objective, org_units=units, owners=form.owners()
            )
        except ValidationError as error:
            problems = form_problems(error)
        else:
            names = ", ".join(unit.name for unit in units)
            messages.success(request, CASCADED.format(units=names))
            return redirect(editor_url(scorecard, f"objective-{objective.pk}"))
    elif request.method == "POST":
        problems = form_problems(form.errors)
    context = {
        "scorecard": scorecard,
        "objective": objective,
        "children": [(unit, list(selectors.people_who_see(unit))) for unit in children],
        "form": form,
        "problems": problems,
    }
    return render(
        request, "editor/cascade_objective.html", context, status=400 if problems else 200
    )


# KPIs.


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
    form = KPIForm(request.POST, objective=objective)
    slot = f"new-kpi-{objective.pk}"
    if not form.is_valid():
        return render_editor(
            request, scorecard, problems=form_problems(form.errors),
            failed=refused(slot, request, form.errors),
        )  # fmt: skip
    try:
        kpi = kpi_services.kpi_create(objective=objective, **form.cleaned_data)
    except ValidationError as error:
        return render_editor(
            request, scorecard, problems=form_problems(error), failed=refused(slot, request, error)
        )
    remember(
        request, scorecard, kind="kpi", id=kpi.pk, action="create", label=f"added “{kpi.name}”"
    )
    messages.success(request, SAVED.format(what=f"“{kpi.name}”"))
    return render_editor(request, scorecard)


@require_POST
@login_required
def kpi_edit(request: HtmxHttpRequest, slug: str, kpi_id: int) -> HttpResponse:
    scorecard = scorecard_for_editing(request, slug)
    kpi = kpi_in(scorecard, kpi_id)
    before = before_values(kpi, KPI_FIELDS)
    form = KPIForm(request.POST, objective=kpi.objective, instance=kpi)
    slot = f"kpi-{kpi.pk}"
    if not form.is_valid():
        return render_editor(
            request, scorecard, problems=form_problems(form.errors),
            failed=refused(slot, request, form.errors),
        )  # fmt: skip
    try:
        kpi_services.kpi_update(kpi=kpi, **form.cleaned_data)
    except ValidationError as error:
        return render_editor(
            request, scorecard, problems=form_problems(error), failed=refused(slot, request, error)
        )
    remember(
        request, scorecard, kind="kpi", id=kpi.pk, action="update", before=before,
        label=f"the edit of “{kpi.name}”",
    )  # fmt: skip
    messages.success(request, SAVED.format(what=f"“{kpi.name}”"))
    return render_editor(request, scorecard)


@require_POST
@login_required
def kpi_archive(request: HtmxHttpRequest, slug: str, kpi_id: int) -> HttpResponse:
    scorecard = scorecard_for_editing(request, slug)
    kpi = kpi_in(scorecard, kpi_id)
    kpi_services.kpi_archive(kpi=kpi)
    remember(
        request, scorecard, kind="kpi", id=kpi.pk, action="archive",
        label=f"archiving “{kpi.name}”",
    )  # fmt: skip
    messages.success(request, ARCHIVED.format(name=kpi.name))
    return render_editor(request, scorecard)


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
    request.session.pop(undo_key(scorecard), None)
    messages.success(request, DELETED.format(name=kpi.name))
    return render_editor(request, scorecard)


@require_http_methods(["GET", "POST"])
@login_required
def kpi_cascade(request: HtmxHttpRequest, slug: str, kpi_id: int) -> HttpResponse:
    scorecard = scorecard_for_editing(request, slug)
    kpi = kpi_in(scorecard, kpi_id)
    children = strategy_services.child_units_of(scorecard.org_unit)
    form = KPICascadeForm(request.POST if request.method == "POST" else None, children=children)
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
    objectives_of: dict[int, list[Objective]] = {unit.pk: [] for unit in children}
    for objective in Objective.objects.filter(
        scorecard__org_unit__in=children, archived_at__isnull=True
    ).order_by("order", "id"):
        objectives_of.setdefault(objective.scorecard.org_unit_id, []).append(objective)
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
