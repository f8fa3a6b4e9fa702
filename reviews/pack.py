"""A closed review's pack as a print page and a PDF. Both read the numbers frozen when the
review closed (`Review.pack`), never the live snapshots, which keep following the data."""

from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET

from reviews import selectors
from reviews.models import Review
from reviews.views import _review

PACK_STYLESHEET = "css/pack.css"
NOT_CLOSED = "Only a closed review has a pack: its numbers are frozen when it closes."


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
    review = _review(request, pk, "reviews.view_review")
    return render(request, "reviews/review_pack.html", review_pack_context(review))


@require_GET
@login_required
def review_pack_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    # WeasyPrint loads pango through cffi; import it only when a PDF is asked for.
    from weasyprint import CSS, HTML

    review = _review(request, pk, "reviews.view_review")
    context = {**review_pack_context(review), "for_pdf": True}
    html = render_to_string("reviews/review_pack.html", context, request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf(
        stylesheets=[CSS(filename=finders.find(PACK_STYLESHEET))]
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"review-{review.scorecard.org_unit.slug}-{review.period.key}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
