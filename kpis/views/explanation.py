"""Why a score is what it is: the explanation of a KPI's, objective's, perspective's or
scorecard's score in a quarter (a page, or the panel htmx opens on the scorecard and map)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kpis import explain
from kpis.selectors import default_period
from reviews import selectors as review_selectors
from scorecard.page_support import HtmxHttpRequest, period_from_request, scorecard_for_reading
from scorecard.throttling import rate_limited


@require_GET
@login_required
@rate_limited("explanation")
def score_explanation(
    request: HtmxHttpRequest, slug: str, subject_type: str, subject_id: int
) -> HttpResponse:
    scorecard = scorecard_for_reading(request, slug)
    period = period_from_request(request, default=lambda: default_period(scorecard=scorecard))
    try:
        explanation = explain.explain(
            scorecard=scorecard, subject_type=subject_type, subject_id=subject_id, period=period
        )
    except explain.UnknownSubject as error:
        raise Http404(str(error)) from None
    context = {"scorecard": scorecard, "period": period, "explanation": explanation}
    if subject_type == "objective":
        # The map's objective detail shows the initiatives that serve it, as the page does.
        served = review_selectors.initiatives_by_objective(scorecard)
        context["initiatives"] = served.get(subject_id, [])
    template = "kpis/explanation.html"
    return render(request, f"{template}#explanation" if request.htmx else template, context)
