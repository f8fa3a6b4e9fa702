"""Pages of action items: the list, a new action (from a KPI, an objective, a finding, an
initiative or a unit), an action's page and its progress notes."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kpis.models import KPI
from reviews import selectors, services
from reviews.forms import (
    ActionFilterForm,
    ActionItemForm,
    ActionSubjectsForm,
    ActionUpdateForm,
    ProgressNoteForm,
    show_service_errors,
)
from reviews.models import ActionItem, Finding, Initiative
from reviews.views.refusals import MAY_NOT_MANAGE, MAY_NOT_READ
from scorecard.models import Scorecard
from scorecard.page_support import NOT_FOUND, object_or_refuse
from scorecard.rules import may
from scorecard.text import person_name
from strategy.models import Objective

NO_SUBJECT = "Create an action from a KPI, an objective, a finding or a unit."

ACTION_ITEMS = ActionItem.objects.select_related("scorecard__org_unit")


ACTIONS_PER_PAGE = 50


@require_GET
@login_required
def action_list(request: HttpRequest) -> HttpResponse:
    # The page number is no filter: `?page=2` alone pages through the default filter.
    filters_sent = request.GET.copy()
    filters_sent.pop("page", None)
    form = ActionFilterForm(filters_sent or None, user=request.user)
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
    # A malformed or too large page number opens the first or the last page, never an error.
    page = Paginator(items, ACTIONS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"form": form, "items": page, "page": page, "today": timezone.localdate()}
    return render(request, "reviews/action_list.html", context)


# Where each subject named in the query string is looked up, with what the policy reads.
SUBJECT_QUERYSETS = {
    "finding": Finding.objects.select_related("review__scorecard__org_unit", "kpi", "objective"),
    "kpi": KPI.objects.select_related("objective__scorecard__org_unit", "owner"),
    "objective": Objective.objects.select_related("scorecard__org_unit"),
    "initiative": Initiative.objects.select_related("scorecard__org_unit"),
}


def _action_subjects(request: HttpRequest) -> dict:
    """The scorecard and the KPI, objective, finding or initiative an action is created from,
    named in the query string (`?kpi=12`, `?finding=4`, `?unit=north-sales`...).

    Every subject named is checked, not only the one that decides the scorecard: one the
    person may not read answers like an unknown one (404, naming nothing), one they read
    but may not manage 403. A malformed id is an unknown one."""
    # The form posts back to the same URL, so the subjects stay in the query string.
    query = ActionSubjectsForm(request.GET)
    if not query.is_valid():
        raise Http404(NOT_FOUND)
    named = {name: value for name, value in query.cleaned_data.items() if value}
    found = {
        name: _subject(request, SUBJECT_QUERYSETS[name], pk=named[name])
        for name in SUBJECT_QUERYSETS
        if name in named
    }
    if "unit" in named:
        found["unit"] = _subject(
            request, Scorecard.objects.select_related("org_unit"), org_unit__slug=named["unit"]
        )
    subjects: dict = {}
    if "finding" in found:
        finding = found["finding"]
        subjects.update(
            finding=finding,
            scorecard=finding.review.scorecard,
            kpi=finding.kpi,
            objective=finding.objective,
        )
    for name in ("kpi", "objective", "initiative"):
        if name in found:
            subjects.update({name: found[name], "scorecard": _scorecard_of(found[name])})
    if "scorecard" not in subjects and "unit" in found:
        subjects["scorecard"] = found["unit"]
    if "scorecard" not in subjects:
        raise PermissionDenied(NO_SUBJECT)
    return subjects


def _subject(request: HttpRequest, queryset: QuerySet, **lookup: Any) -> Any:
    return object_or_refuse(
        request,
        queryset,
        "reviews.add_actionitem",
        visible="reviews.view_actionitem",
        refused=MAY_NOT_MANAGE,
        **lookup,
    )


def _scorecard_of(subject: KPI | Objective | Initiative) -> Scorecard:
    return subject.objective.scorecard if isinstance(subject, KPI) else subject.scorecard


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
            owner = person_name(item.owner)
            messages.success(request, f"Action “{item.title}” created for {owner}.")
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
