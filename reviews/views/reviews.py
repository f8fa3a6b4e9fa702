"""Pages of a review: the list with its plan form, the meeting page and its autosave, the
steps of its life (open, close, reopen) and the findings the meeting writes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from reviews import annual, selectors, services
from reviews.forms import (
    FindingCommentForm,
    ReopenForm,
    ReviewMeetingForm,
    ReviewPlanForm,
    show_service_errors,
)
from reviews.models import Finding, Review
from reviews.views.refusals import MAY_NOT_MANAGE, MAY_NOT_READ
from scorecard.page_support import HtmxHttpRequest, object_or_refuse, scorecard_of_unit
from scorecard.rules import may

# What every page of one review reads besides the review: its unit (for the policy) and period.
REVIEWS = Review.objects.select_related("scorecard__org_unit", "period")


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
        unit = form.cleaned_data["unit"]
        scorecard = scorecard_of_unit(
            request, unit.slug, "reviews.change_review", refused=MAY_NOT_MANAGE
        )
        try:
            review = services.review_create(
                scorecard=scorecard,
                period=form.cleaned_data["period"],
                kind=form.cleaned_data["kind"],
                meeting_date=form.cleaned_data["meeting_date"],
                facilitator=form.cleaned_data["facilitator"] or request.user,
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
        review = object_or_refuse(
            request, REVIEWS, "reviews.view_review", refused=MAY_NOT_READ, pk=pk
        )
        return render(request, "reviews/review.html", _review_context(request, review))
    review = object_or_refuse(
        request, REVIEWS, "reviews.change_review", refused=MAY_NOT_MANAGE, pk=pk
    )
    form = ReviewMeetingForm(request.POST, unit=review.scorecard.org_unit)
    saved = False
    if form.is_valid():
        try:
            services.review_update(review=review, **form.posted_changes())
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
    review = object_or_refuse(
        request, REVIEWS, "reviews.change_review", refused=MAY_NOT_MANAGE, pk=pk
    )
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
    finding = object_or_refuse(
        request,
        Finding.objects.select_related("review__scorecard__org_unit"),
        "reviews.change_review",
        refused=MAY_NOT_MANAGE,
        pk=pk,
    )
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
    review = object_or_refuse(
        request, REVIEWS, "reviews.change_review", refused=MAY_NOT_MANAGE, pk=pk
    )
    form = FindingCommentForm(request.POST)
    if form.is_valid() and form.cleaned_data["comment"].strip():
        try:
            services.finding_add_note(review=review, comment=form.cleaned_data["comment"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return redirect(reverse("reviews:review", args=[review.pk]) + "#findings")
