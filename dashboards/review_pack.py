"""A closed review's pack as a print page and a PDF (by `dashboards.pdf`, the renderer it
shares with the quarterly pack). Both read the numbers frozen when the review closed
(`Review.pack`), never the live snapshots, which keep following the data."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from dashboards.pdf import pdf_download
from reviews import selectors
from reviews.models import Review
from scorecard.page_support import REFUSED, object_or_refuse
from scorecard.throttling import rate_limited

TEMPLATE = "dashboards/review_pack.html"
NOT_CLOSED = "Only a closed review has a pack: its numbers are frozen when it closes."


def review_for_reading(request: HttpRequest, pk: int) -> Review:
    return object_or_refuse(
        request,
        Review.objects.select_related("scorecard__org_unit", "period"),
        "reviews.view_review",
        refused=REFUSED.format(what="read"),
        pk=pk,
    )


def review_pack_context(review: Review) -> dict:
    review = selectors.review_detail(review.pk)
    if review.status != Review.Status.CLOSED:
        raise Http404(NOT_CLOSED)
    return {
        "review": review,
        "scorecard": review.scorecard,
        "period": review.period,
        "pack": selectors.pack_rows(review),
        "findings": [finding for finding in review.findings.all() if finding.comment],
        "printed_at": timezone.now(),
    }


@require_GET
@login_required
def review_pack(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for_reading(request, pk)
    return render(request, TEMPLATE, review_pack_context(review))


@require_GET
@login_required
@rate_limited("pdf")
def review_pack_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for_reading(request, pk)
    return pdf_download(
        request,
        template=TEMPLATE,
        context=review_pack_context(review),
        filename=f"review-{review.scorecard.org_unit.slug}-{review.period.key}.pdf",
    )
