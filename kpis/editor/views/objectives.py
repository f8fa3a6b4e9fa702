"""The editor's objectives: add, edit, archive, delete, reorder and cascade to child units."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from kpis.editor import selectors
from kpis.editor.forms import OBJECTIVE_FIELDS, ObjectiveCascadeForm, ObjectiveForm
from kpis.editor.undo import before_values, forget
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
from scorecard.models import Scorecard
from scorecard.page_support import HtmxHttpRequest
from strategy import services as strategy_services
from strategy.models import Objective


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
    return saved_through_service(
        request, scorecard,
        form=ObjectiveForm(request.POST, scorecard=scorecard, user=request.user),
        slot="new-objective",
        save=lambda **data: strategy_services.objective_create(scorecard=scorecard, **data),
        action="create",
    )  # fmt: skip


@require_POST
@login_required
def objective_edit(request: HtmxHttpRequest, slug: str, objective_id: int) -> HttpResponse:
    scorecard = scorecard_for_editing(request, slug)
    objective = objective_in(scorecard, objective_id)
    return saved_through_service(
        request, scorecard,
        form=ObjectiveForm(
            request.POST, scorecard=scorecard, instance=objective, user=request.user
        ),
        slot=f"objective-{objective.pk}",
        save=lambda **data: strategy_services.objective_update(objective=objective, **data),
        action="update", before=before_values(objective, OBJECTIVE_FIELDS),
    )  # fmt: skip


@require_POST
@login_required
def objective_archive(request: HtmxHttpRequest, slug: str, objective_id: int) -> HttpResponse:
    scorecard = scorecard_for_editing(request, slug)
    objective = objective_in(scorecard, objective_id)
    strategy_services.objective_archive(objective=objective)
    return changed(request, scorecard, objective, action="archive")


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
    # A deleted item cannot be brought back: the slot would undo nothing.
    forget(request, scorecard)
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
        request.POST if request.method == "POST" else None, children=children, user=request.user
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
