"""Pages of action items: the list, a new action (from a KPI, an objective, a finding, an
initiative or a unit), an action's page and its progress notes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kpis.models import KPI
from reviews import selectors, services
from reviews.forms import (
    ActionFilterForm,
    ActionItemForm,
    ActionUpdateForm,
    ProgressNoteForm,
    show_service_errors,
)
from reviews.models import ActionItem, Finding, Initiative
from reviews.views.refusals import MAY_NOT_MANAGE, MAY_NOT_READ
from scorecard.page_support import object_or_refuse, scorecard_of_unit
from scorecard.rules import may
from strategy.models import Objective

NO_SUBJECT = "Create an action from a KPI, an objective, a finding or a unit."

ACTION_ITEMS = ActionItem.objects.select_related("scorecard__org_unit")


@require_GET
@login_required
def action_list(request: HttpRequest) -> HttpResponse:
    form = ActionFilterForm(request.GET or None, user=request.user)
    filters: dict = {"status": "open"}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "status": data["status"],
            "owner_id": request.user.pk if data["mine"] else None,
            "unit_path": data["unit"].path if data["unit"] else "",
            "overdue_on": timezone.localdate() if data["overdue"] else None,
        }
    items = selectors.action_items_visible_to(request.user, **filters)
    context = {"form": form, "items": items, "today": timezone.localdate()}
    return render(request, "reviews/action_list.html", context)


def _action_subjects(request: HttpRequest) -> dict:
    """The scorecard and the KPI, objective, finding or initiative an action is created from,
    named in the query string (`?kpi=12`, `?finding=4`, `?unit=north-sales`...), each one
    where the person may create actions."""

    def subject(queryset, pk):
        return object_or_refuse(
            request, queryset, "reviews.add_actionitem", refused=MAY_NOT_MANAGE, pk=pk
        )

    subjects: dict = {}
    # The form posts back to the same URL, so the subjects stay in the query string.
    source = request.GET
    if source.get("finding"):
        finding = subject(
            Finding.objects.select_related("review__scorecard__org_unit"), source["finding"]
        )
        subjects.update(
            finding=finding,
            scorecard=finding.review.scorecard,
            kpi=finding.kpi,
            objective=finding.objective,
        )
    if source.get("kpi"):
        kpi = subject(KPI.objects.select_related("objective__scorecard__org_unit"), source["kpi"])
        subjects.update(kpi=kpi, scorecard=kpi.objective.scorecard)
    if source.get("objective"):
        objective = subject(
            Objective.objects.select_related("scorecard__org_unit"), source["objective"]
        )
        subjects.update(objective=objective, scorecard=objective.scorecard)
    if source.get("initiative"):
        initiative = subject(
            Initiative.objects.select_related("scorecard__org_unit"), source["initiative"]
        )
        subjects.update(initiative=initiative, scorecard=initiative.scorecard)
    if source.get("unit") and "scorecard" not in subjects:
        subjects["scorecard"] = scorecard_of_unit(
            request, source["unit"], "reviews.add_actionitem", refused=MAY_NOT_MANAGE
        )
    if "scorecard" not in subjects:
        raise PermissionDenied(NO_SUBJECT)
    return subjects


@require_http_methods(["GET", "POST"])
@login_required
def action_new(request: HttpRequest) -> HttpResponse:
    subjects = _action_subjects(request)
    scorecard = subjects["scorecard"]
    kpi = subjects.get("kpi")
    initial = {
        "title": f"Recover {kpi.name}" if kpi else "",
        "owner": kpi.owner_id if kpi else None,
    }
    form = ActionItemForm(request.POST or None, unit=scorecard.org_unit, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.action_item_create(
                scorecard=scorecard,
                kpi=kpi,
                objective=subjects.get("objective") if not kpi else None,
                finding=subjects.get("finding"),
                initiative=subjects.get("initiative"),
                created_by=request.user,
                **form.cleaned_data,
            )
            messages.success(request, f"Action “{item.title}” created for {item.owner}.")
            finding = subjects.get("finding")
            if finding is not None:
                return redirect(
                    reverse("reviews:review", args=[finding.review_id]) + f"#finding-{finding.pk}"
                )
            return redirect("reviews:action", item.pk)
        except ValidationError as error:
            show_service_errors(form, error)
    context = {
        "form": form,
        "scorecard": scorecard,
        "subjects": subjects,
        "query": request.GET.urlencode(),
    }
    return render(request, "reviews/action_new.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@login_required
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The action's page for whoever may read it; a POST saves it, for whoever may update it."""
    if request.method == "POST":
        item = object_or_refuse(
            request, ACTION_ITEMS, "reviews.update_actionitem", refused=MAY_NOT_MANAGE, pk=pk
        )
    else:
        item = object_or_refuse(
            request, ACTION_ITEMS, "reviews.view_actionitem", refused=MAY_NOT_READ, pk=pk
        )
    may_update = may(request.user, "reviews.update_actionitem", item)
    initial = {
        "title": item.title, "description": item.description, "owner": item.owner_id,
        "due_date": item.due_date, "status": item.status,
    }  # fmt: skip
    form = ActionUpdateForm(request.POST or None, unit=item.scorecard.org_unit, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_item_update(item=item, by=request.user, **form.cleaned_data)
            messages.success(request, "Saved.")
            return redirect("reviews:action", item.pk)
        except ValidationError as error:
            show_service_errors(form, error)
    context = {
        "item": selectors.action_item_detail(pk),
        "form": form,
        "note_form": ProgressNoteForm(),
        "may_update": may_update,
        "today": timezone.localdate(),
    }
    return render(request, "reviews/action.html", context, status=400 if form.errors else 200)


@require_POST
@login_required
def action_note(request: HttpRequest, pk: int) -> HttpResponse:
    item = object_or_refuse(
        request, ACTION_ITEMS, "reviews.update_actionitem", refused=MAY_NOT_MANAGE, pk=pk
    )
    form = ProgressNoteForm(request.POST)
    if form.is_valid():
        services.progress_note_add(item=item, author=request.user, text=form.cleaned_data["text"])
    else:
        messages.error(request, services.NOTE_EMPTY)
    return redirect(reverse("reviews:action", args=[item.pk]) + "#notes")
