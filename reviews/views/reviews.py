"""Pages of reviews, action items and notifications."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from kpis.models import KPI
from reviews import annual, selectors, services
from reviews.forms import (
    ActionFilterForm,
    ActionItemForm,
    ActionUpdateForm,
    EmailPreferencesForm,
    FindingCommentForm,
    InitiativeForm,
    MilestoneForm,
    ProgressNoteForm,
    ReopenForm,
    ReviewMeetingForm,
    ReviewPlanForm,
    show_service_errors,
)
from reviews.models import ActionItem, Finding, Initiative, Milestone, Notification, Review
from scorecard.models import Scorecard
from scorecard.rules import may
from scorecard.services import period_for_key
from scorecard.views import HtmxHttpRequest
from strategy.models import Objective

REFUSED = "You may not do this here: it is outside the units you may {what}."


def _allowed(request: HttpRequest, permission: str, obj, what: str = "manage"):
    if not may(request.user, permission, obj):
        raise PermissionDenied(REFUSED.format(what=what))
    return obj


def _review(request: HttpRequest, pk: int, permission: str) -> Review:
    review = get_object_or_404(
        Review.objects.select_related("scorecard__org_unit", "period"), pk=pk
    )
    return _allowed(
        request, permission, review, "read" if permission.startswith("reviews.view") else "manage"
    )


# Reviews.


@require_GET
@login_required
def review_list(request: HttpRequest) -> HttpResponse:
    reviews = selectors.reviews_visible_to(request.user)
    form = ReviewPlanForm(user=request.user)
    return render(request, "reviews/review_list.html", {"reviews": reviews, "form": form})


@require_POST
@login_required
def review_plan(request: HttpRequest) -> HttpResponse:
    form = ReviewPlanForm(request.POST, user=request.user)
    if form.is_valid():
        scorecard = _allowed(request, "reviews.change_review", form.cleaned_data["unit"].scorecard)
        try:
            review = services.review_create(
                scorecard=scorecard,
                period=period_for_key(form.cleaned_data["period"]),
                kind=form.cleaned_data["kind"],
                meeting_date=form.cleaned_data["meeting_date"],
                facilitator=request.user,
            )
            return redirect("reviews:review", review.pk)
        except ValidationError as error:
            show_service_errors(form, error)
    reviews = selectors.reviews_visible_to(request.user)
    return render(
        request, "reviews/review_list.html", {"reviews": reviews, "form": form}, status=400
    )


def _review_context(request: HttpRequest, review: Review) -> dict:
    review = selectors.review_detail(review.pk)
    return {
        "review": review,
        "may_manage": may(request.user, "reviews.change_review", review),
        "may_act": may(request.user, "reviews.add_actionitem", review),
        "kpis_with_actions": selectors.kpi_ids_with_open_actions(review.scorecard),
        "meeting_form": ReviewMeetingForm(
            unit=review.scorecard.org_unit,
            initial={
                "meeting_date": review.meeting_date,
                "participants": [person.pk for person in review.participants.all()],
                "summary": review.summary,
                "decisions": review.decisions,
            },
        ),
        "pack": selectors.pack_rows(review),
        "checklist": annual.recalibration(review) if review.kind == Review.Kind.ANNUAL else None,
    }


@require_http_methods(["GET", "POST"])
@login_required
def review_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The review page. A POST is the meeting's autosave (date, summary, decisions)."""
    if request.method == "GET":
        review = _review(request, pk, "reviews.view_review")
        return render(request, "reviews/review.html", _review_context(request, review))
    review = _review(request, pk, "reviews.change_review")
    form = ReviewMeetingForm(request.POST, unit=review.scorecard.org_unit)
    saved = False
    if form.is_valid():
        try:
            services.review_update(review=review, **form.cleaned_data)
            saved = True
        except ValidationError as error:
            show_service_errors(form, error)
    context = {**_review_context(request, review), "meeting_form": form, "saved": saved}
    if request.htmx:
        return render(request, "reviews/review.html#meeting", context, status=200 if saved else 400)
    return (
        redirect("reviews:review", review.pk)
        if saved
        else render(request, "reviews/review.html", context, status=400)
    )


def _transition(request: HttpRequest, pk: int, change, done: str) -> HttpResponse:
    review = _review(request, pk, "reviews.change_review")
    try:
        change(review)
        messages.success(request, done)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    url = reverse("reviews:review", args=[review.pk])
    return HttpResponseClientRedirect(url) if getattr(request, "htmx", False) else redirect(url)


@require_POST
@login_required
def review_open(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request, pk, lambda review: services.review_open(review=review), "The agenda is ready."
    )


@require_POST
@login_required
def review_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request,
        pk,
        lambda review: services.review_close(review=review, by=request.user),
        "The review is closed: its numbers are kept in the pack and the quarter's actuals are "
        "read-only.",
    )


@require_POST
@login_required
def review_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    form = ReopenForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _transition(
        request,
        pk,
        lambda review: services.review_reopen(review=review, by=request.user, reason=reason),
        "The review is open again.",
    )


@require_POST
@login_required
def finding_comment(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    finding = get_object_or_404(
        Finding.objects.select_related("review__scorecard__org_unit"), pk=pk
    )
    _allowed(request, "reviews.change_review", finding.review)
    form = FindingCommentForm(request.POST)
    status = 200
    if form.is_valid():
        try:
            services.finding_comment(finding=finding, comment=form.cleaned_data["comment"])
        except ValidationError as error:
            show_service_errors(form, error)
            status = 400
    if not request.htmx:
        return redirect(reverse("reviews:review", args=[finding.review_id]) + f"#finding-{pk}")
    return render(
        request,
        "reviews/review.html#finding-comment",
        {"finding": finding, "form": form, "saved": status == 200, "may_manage": True},
        status=status,
    )


@require_POST
@login_required
def finding_note(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk, "reviews.change_review")
    form = FindingCommentForm(request.POST)
    if form.is_valid() and form.cleaned_data["comment"].strip():
        try:
            services.finding_add_note(review=review, comment=form.cleaned_data["comment"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return redirect(reverse("reviews:review", args=[review.pk]) + "#findings")


# Action items.


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
    named in the query string (`?kpi=12`, `?finding=4`, `?unit=north-sales`...)."""
    subjects: dict = {}
    # The form posts back to the same URL, so the subjects stay in the query string.
    source = request.GET
    if source.get("finding"):
        finding = get_object_or_404(
            Finding.objects.select_related("review__scorecard"), pk=source["finding"]
        )
        subjects.update(
            finding=finding,
            scorecard=finding.review.scorecard,
            kpi=finding.kpi,
            objective=finding.objective,
        )
    if source.get("kpi"):
        kpi = get_object_or_404(
            KPI.objects.select_related("objective__scorecard__org_unit"), pk=source["kpi"]
        )
        subjects.update(kpi=kpi, scorecard=kpi.objective.scorecard)
    if source.get("objective"):
        objective = get_object_or_404(
            Objective.objects.select_related("scorecard__org_unit"), pk=source["objective"]
        )
        subjects.update(objective=objective, scorecard=objective.scorecard)
    if source.get("initiative"):
        initiative = get_object_or_404(
            Initiative.objects.select_related("scorecard__org_unit"), pk=source["initiative"]
        )
        subjects.update(initiative=initiative, scorecard=initiative.scorecard)
    if source.get("unit") and "scorecard" not in subjects:
        subjects["scorecard"] = get_object_or_404(Scorecard, org_unit__slug=source["unit"])
    if "scorecard" not in subjects:
        raise PermissionDenied("Create an action from a KPI, an objective, a finding or a unit.")
    return subjects


@require_http_methods(["GET", "POST"])
@login_required
def action_new(request: HttpRequest) -> HttpResponse:
    subjects = _action_subjects(request)
    scorecard = _allowed(request, "reviews.add_actionitem", subjects["scorecard"])
    unit = scorecard.org_unit
    kpi = subjects.get("kpi")
    initial = {
        "title": f"Recover {kpi.name}" if kpi else "",
        "owner": kpi.owner_id if kpi else None,
    }
    form = ActionItemForm(request.POST or None, unit=unit, initial=initial)
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
    item = get_object_or_404(ActionItem.objects.select_related("scorecard__org_unit"), pk=pk)
    _allowed(request, "reviews.view_actionitem", item, "read")
    may_update = may(request.user, "reviews.update_actionitem", item)
    initial = {
        "title": item.title, "description": item.description, "owner": item.owner_id,
        "due_date": item.due_date, "status": item.status,
    }  # fmt: skip
    form = ActionUpdateForm(request.POST or None, unit=item.scorecard.org_unit, initial=initial)
    if request.method == "POST":
        _allowed(request, "reviews.update_actionitem", item)
        if form.is_valid():
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
    item = get_object_or_404(ActionItem.objects.select_related("scorecard__org_unit"), pk=pk)
    _allowed(request, "reviews.update_actionitem", item)
    form = ProgressNoteForm(request.POST)
    if form.is_valid():
        services.progress_note_add(item=item, author=request.user, text=form.cleaned_data["text"])
    else:
        messages.error(request, services.NOTE_EMPTY)
    return redirect(reverse("reviews:action", args=[item.pk]) + "#notes")


# Notifications.


@require_GET
@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    notifications = selectors.notifications_of(request.user)[:200]
    context = {"notifications": notifications, "unread": selectors.unread_count(request.user)}
    return render(request, "reviews/notifications.html", context)


@require_POST
@login_required
def notification_read(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(Notification, pk=pk)
    if notification.recipient_id != request.user.pk:
        raise PermissionDenied(services.NOTIFICATION_NOT_YOURS)
    services.notification_mark_read(notification=notification, user=request.user)
    if request.htmx:
        return render(
            request, "reviews/notifications.html#notification", {"notification": notification}
        )
    return redirect("reviews:notifications")


@require_POST
@login_required
def notification_read_all(request: HttpRequest) -> HttpResponse:
    services.notifications_mark_all_read(user=request.user)
    return redirect("reviews:notifications")


@require_http_methods(["GET", "POST"])
@login_required
def email_preferences(request: HttpRequest) -> HttpResponse:
    every_kind = set(Notification.Kind.values)
    opted_out = set(request.user.email_opt_outs.values_list("kind", flat=True))  # type: ignore[union-attr]
    form = EmailPreferencesForm(
        request.POST or None, initial={"email_kinds": sorted(every_kind - opted_out)}
    )
    if request.method == "POST" and form.is_valid():
        services.email_opt_outs_set(
            user=request.user, kinds=every_kind - set(form.cleaned_data["email_kinds"])
        )
        messages.success(
            request, "Your e-mail choices are saved; in-app notifications always arrive."
        )
        return redirect("reviews:email_preferences")
    return render(request, "reviews/email_preferences.html", {"form": form})


# Initiatives: the scorecard's fourth column.


def _scorecard(request: HttpRequest, slug: str, permission: str) -> Scorecard:
    scorecard = get_object_or_404(Scorecard.objects.select_related("org_unit"), org_unit__slug=slug)
    return _allowed(request, permission, scorecard, "read" if "view" in permission else "manage")


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
    if request.method == "GET":
        scorecard = _scorecard(request, slug, "scorecard.view_scorecard")
        return _initiatives_page(request, scorecard, InitiativeForm(scorecard=scorecard))
    scorecard = _scorecard(request, slug, "reviews.change_initiative")
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
    initiative = get_object_or_404(Initiative.objects.select_related("scorecard__org_unit"), pk=pk)
    scorecard = _allowed(request, "reviews.change_initiative", initiative).scorecard
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
    initiative = get_object_or_404(Initiative.objects.select_related("scorecard__org_unit"), pk=pk)
    _allowed(request, "reviews.change_initiative", initiative)
    form = MilestoneForm(request.POST)
    if form.is_valid():
        services.milestone_create(initiative=initiative, **form.cleaned_data)
    else:
        messages.error(request, f"{initiative.name}: give the milestone a title and a due date.")
    return redirect(reverse("reviews:initiatives", args=[initiative.scorecard.org_unit.slug]))


@require_POST
@login_required
def milestone_done(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = get_object_or_404(
        Milestone.objects.select_related("initiative__scorecard__org_unit"), pk=pk
    )
    _allowed(request, "reviews.change_initiative", milestone.initiative)
    try:
        services.milestone_complete(milestone=milestone)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    slug = milestone.initiative.scorecard.org_unit.slug
    return redirect(reverse("reviews:initiatives", args=[slug]))
