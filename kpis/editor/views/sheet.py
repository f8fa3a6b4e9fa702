"""The editor's sheet: the page itself, how it answers after a write (htmx gets the editor's
body, a plain form post a redirect or the page with its problems), and undo."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from kpis.editor import selectors
from kpis.editor.undo import forget, remember, undo_change, undo_key
from kpis.explain import TARGET_TYPE_ZONES
from kpis.models import KPI
from kpis.selectors import default_period
from reviews.health import health_summary, scorecard_health
from scorecard.models import Scorecard
from scorecard.page_support import HtmxHttpRequest, object_or_refuse
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
    """The unit's scorecard, for its managers: 404 for an unknown unit, 403 for anyone else."""
    return object_or_refuse(
        request,
        Scorecard.objects.select_related("org_unit"),
        "strategy.change_objective",
        refused=NOT_A_MANAGER,
        org_unit__slug=slug,
    )


def editor_url(scorecard: Scorecard, anchor: str = "") -> str:
    url = reverse("editor:editor", args=[scorecard.org_unit.slug])
    return f"{url}#{anchor}" if anchor else url


def editor_context(request: HttpRequest, scorecard: Scorecard) -> dict[str, Any]:
    unit = scorecard.org_unit
    # The health panel reads the scorecard's default period (DESIGN.md section 4).
    period = default_period(scorecard=scorecard)
    findings = scorecard_health(scorecard=scorecard, period=period)
    return {
        "scorecard": scorecard,
        "period": period,
        "sheet": selectors.editor_sheet(scorecard=scorecard),
        # Choice lists are read once and shared by every item's form: the page's query
        # count does not grow with the number of objectives.
        "people": list(selectors.people_who_see(unit)),
        "teams": list(selectors.subtree_units(unit)),
        "rollup_parents": list(selectors.rollup_parents_for(unit, request.user)),
        "formula_references": selectors.formula_references_for(scorecard, request.user),
        "children": strategy_services.child_units_of(unit),
        "kpi_choices": {
            "directions": KPI.Direction.choices,
            "types": KPI.IndicatorType.choices,
            "sources": KPI.Source.choices,
            "methods": KPI.RollupMethod.choices,
            "missing_children": KPI.MissingChildren.choices,
            "missing_values": KPI.MissingValues.choices,
            "target_types": [
                (value, label, TARGET_TYPE_ZONES[value]) for value, label in KPI.TargetType.choices
            ],
            "target_type_by_direction": TARGET_TYPE_ZONES[""],
            "frequencies": KPI.Frequency.choices,
            "time_aggregations": KPI.TimeAggregation.choices,
        },
        "undo": request.session.get(undo_key(scorecard)),
        "findings": findings,
        "health": health_summary(findings),
        "health_rows": [(finding, fix_url(finding, scorecard)) for finding in findings],
    }


def fix_url(finding: Any, scorecard: Scorecard) -> str:
    """Where a manager fixes a health finding: the item in the editor, the targets grid, or
    the strategy map for causal links."""
    if finding.code in ("no_target", "never_scores"):
        return reverse("editor:targets", args=[scorecard.org_unit.slug])
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


def refused_save(
    request: HtmxHttpRequest, scorecard: Scorecard, slot: str, error: ValidationError | dict
) -> HttpResponse:
    """The editor again, after a form or a service refused the save of the form in `slot`."""
    return render_editor(
        request, scorecard, problems=form_problems(error), failed=refused(slot, request, error)
    )


# How the undo button names each kind of change, and what the editor says after it.
UNDO_LABELS = {
    "create": "added “{name}”",
    "update": "the edit of “{name}”",
    "archive": "archiving “{name}”",
}


def saved_through_service(
    request: HtmxHttpRequest,
    scorecard: Scorecard,
    *,
    form: forms.BaseForm,
    slot: str,
    save: Callable[..., Objective | KPI],
    action: str,
    before: dict[str, Any] | None = None,
) -> HttpResponse:
    """The editor's answer to a form that a service saves: the form's or the service's
    refusal beside the form in `slot` (nothing saved), else the change remembered for undo."""
    if not form.is_valid():
        return refused_save(request, scorecard, slot, form.errors)
    try:
        item = save(**form.cleaned_data)
    except ValidationError as error:
        return refused_save(request, scorecard, slot, error)
    return changed(request, scorecard, item, action=action, before=before)


def changed(
    request: HtmxHttpRequest,
    scorecard: Scorecard,
    item: Objective | KPI,
    *,
    action: str,
    before: dict[str, Any] | None = None,
) -> HttpResponse:
    """The editor after `item` changed: the change kept for undo, a message, the body."""
    name = item.title if isinstance(item, Objective) else item.name
    kind = "objective" if isinstance(item, Objective) else "kpi"
    extra = {"before": before} if before is not None else {}
    label = UNDO_LABELS[action].format(name=name)
    remember(request, scorecard, kind=kind, id=item.pk, action=action, **extra, label=label)
    done = ARCHIVED.format(name=name) if action == "archive" else SAVED.format(what=f"“{name}”")
    messages.success(request, done)
    return render_editor(request, scorecard)


def form_problems(error: ValidationError | dict) -> list[str]:
    if isinstance(error, ValidationError):
        return list(error.messages)
    return [message for messages_ in error.values() for message in messages_]


@require_GET
@login_required
def editor(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    return render_editor(request, scorecard_for_editing(request, slug))


@require_POST
@login_required
def undo(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    scorecard = scorecard_for_editing(request, slug)
    change = forget(request, scorecard)
    if change is None:
        return render_editor(request, scorecard, problems=[NOTHING_TO_UNDO])
    try:
        undo_change(scorecard, change)
    except ValidationError as error:
        return render_editor(request, scorecard, problems=form_problems(error))
    messages.success(request, UNDONE.format(label=change["label"]))
    return render_editor(request, scorecard)
