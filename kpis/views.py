"""Pages of the KPI layer: why a score is what it is."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kpis import explain
from scorecard.views import HtmxHttpRequest, period_from_request, scorecard_for_reading


@require_GET
@login_required
def score_explanation(
    request: HtmxHttpRequest, slug: str, subject_type: str, subject_id: int
) -> HttpResponse:
    scorecard = scorecard_for_reading(request, slug)
    period = period_from_request(request)
    try:
        explanation = explain.explain(
            scorecard=scorecard, subject_type=subject_type, subject_id=subject_id, period=period
        )
    except explain.UnknownSubject as error:
        raise Http404(str(error)) from None
    context = {"scorecard": scorecard, "period": period, "explanation": explanation}
    template = "kpis/explanation.html"
    return render(request, f"{template}#explanation" if request.htmx else template, context)
