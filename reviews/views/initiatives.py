"""Pages of initiatives, the scorecard's fourth column: the list with its form, an
initiative's edit page and its milestones."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from reviews import selectors, services
from reviews.forms import InitiativeForm, MilestoneForm, show_service_errors
from reviews.models import Initiative, Milestone
from reviews.views.refusals import MAY_NOT_MANAGE, MAY_NOT_READ
from scorecard.models import Scorecard
from scorecard.page_support import object_or_refuse, scorecard_of_unit
from scorecard.rules import may

INITIATIVES = Initiative.objects.select_related("scorecard__org_unit")


def _initiatives_page(request: HttpRequest, scorecard: Scorecard, form, status: int = 200):
    context = {
        "scorecard": scorecard,
        "initiatives": selectors.initiatives_of(scorecard),
        "may_manage": may(request.user, "reviews.change_initiative", scorecard),
        "form": form,
        "today": timezone.localdate(),
    }
    return render(request, "reviews/initiatives.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def initiative_list(request: HttpRequest, slug: str) -> HttpResponse:
    """A scorecard's initiatives for whoever reads it; a POST creates one, for its managers."""
    if request.method == "POST":
        permission, refused = "reviews.change_initiative", MAY_NOT_MANAGE
    else:
        permission, refused = "scorecard.view_scorecard", MAY_NOT_READ
    scorecard = scorecard_of_unit(request, slug, permission, refused=refused)
    if request.method == "GET":
        return _initiatives_page(request, scorecard, InitiativeForm(scorecard=scorecard))
    form = InitiativeForm(request.POST, scorecard=scorecard)
    if form.is_valid():
        try:
            services.initiative_create(scorecard=scorecard, **form.cleaned_data)
            return redirect("reviews:initiatives", slug)
        except ValidationError as error:
            show_service_errors(form, error)
    return _initiatives_page(request, scorecard, form, status=400)


@require_http_methods(["GET", "POST"])
@login_required
def initiative_edit(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = object_or_refuse(
        request, INITIATIVES, "reviews.change_initiative", refused=MAY_NOT_MANAGE, pk=pk
    )
    scorecard = initiative.scorecard
    fields = ["name", "description", "owner", "budget", "start_date", "end_date", "status"]
    initial = {name: getattr(initiative, name) for name in fields}
    initial["percent_complete"] = initiative.percent_complete
    initial["objectives"] = list(initiative.objectives.values_list("pk", flat=True))
    form = InitiativeForm(request.POST or None, scorecard=scorecard, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.initiative_update(initiative=initiative, **form.cleaned_data)
            return redirect(reverse("reviews:initiatives", args=[scorecard.org_unit.slug]))
        except ValidationError as error:
            show_service_errors(form, error)
    context = {"initiative": initiative, "scorecard": scorecard, "form": form}
    return render(
        request, "reviews/initiative_edit.html", context, status=400 if form.errors else 200
    )


@require_POST
@login_required
def milestone_add(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = object_or_refuse(
        request, INITIATIVES, "reviews.change_initiative", refused=MAY_NOT_MANAGE, pk=pk
    )
    form = MilestoneForm(request.POST)
    if form.is_valid():
        services.milestone_create(initiative=initiative, **form.cleaned_data)
    else:
        messages.error(request, f"{initiative.name}: give the milestone a title and a due date.")
    return redirect(reverse("reviews:initiatives", args=[initiative.scorecard.org_unit.slug]))


@require_POST
@login_required
def milestone_done(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = object_or_refuse(
        request,
        Milestone.objects.select_related("initiative__scorecard__org_unit"),
        "reviews.change_initiative",
        refused=MAY_NOT_MANAGE,
        pk=pk,
    )
    try:
        services.milestone_complete(milestone=milestone)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    slug = milestone.initiative.scorecard.org_unit.slug
    return redirect(reverse("reviews:initiatives", args=[slug]))
