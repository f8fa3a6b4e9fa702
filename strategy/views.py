"""The strategy map of a scorecard: drawn from the data, coloured by the quarter's scores,
edited where it is drawn, and each arrow checked against the KPIs' history."""

import html

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from kpis import selectors as kpi_selectors
from kpis.linkage_selectors import ScorecardLinkage, scorecard_linkage
from scorecard import selectors as core_selectors
from scorecard.models import Period, Scorecard
from scorecard.page_support import (
    HtmxHttpRequest,
    object_or_refuse,
    period_from_request,
    scorecard_for_reading,
    scorecard_of_unit,
)
from scorecard.rules import may
from scorecard.templatetags.sightline import person, status_label
from strategy import map_selectors, map_svg, services
from strategy.map_forms import LinkForm
from strategy.models import CausalLink, Objective

LINK_ADDED = "Linked “{source}” → “{target}”."
LINK_REMOVED = "Removed the link “{source}” → “{target}”."
MAY_NOT_EDIT = "You may not change this map: it belongs to a unit you do not manage."


def scorecard_for_editing(request: HttpRequest, slug: str) -> Scorecard:
    return scorecard_of_unit(request, slug, "strategy.change_causallink", refused=MAY_NOT_EDIT)


def map_url(scorecard: Scorecard, period: Period, *, cascade: bool = False) -> str:
    url = reverse("strategy:map", args=[scorecard.org_unit.slug])
    return f"{url}?period={period.key}" + ("&cascade=1" if cascade else "")


def map_context(
    request: HttpRequest, scorecard: Scorecard, period: Period, *, form: LinkForm | None = None
) -> dict:
    cascade = request.GET.get("cascade") == "1"
    data = map_selectors.strategy_map(scorecard=scorecard, period=period)
    snapshots = kpi_selectors.snapshots_for(
        period=period, scorecard_ids_q=Q(scorecard_id=scorecard.pk), subject_type="objective"
    )
    scores = {row.subject_id: (row.score, row.status) for row in snapshots}
    linkage = scorecard_linkage(scorecard=scorecard, period=period)
    verdicts = _map_verdicts(linkage)
    drawing = map_svg.draw(
        perspectives=data.perspectives,
        objectives=data.objectives,
        links=data.links,
        scores=scores,
        verdicts=verdicts,
        cascade=cascade,
        owner_name=person,
        status_word=status_label,
    )
    outline = map_svg.outline(
        perspectives=data.perspectives,
        objectives=data.objectives,
        links=data.links,
        scores=scores,
        verdicts=verdicts,
        owner_name=person,
        status_word=status_label,
    )
    may_edit = may(request.user, "strategy.change_causallink", scorecard)
    if may_edit and form is None:
        form = LinkForm(objectives=_choices(scorecard, period))
    return {
        "scorecard": scorecard,
        "period": period,
        "cascade": cascade,
        "drawing": drawing,
        "outline": outline,
        "links": data.links,
        "linkage": linkage,
        "linkage_rows": _linkage_rows(linkage),
        "may_edit": may_edit,
        "form": form,
        "map_url": map_url(scorecard, period, cascade=cascade),
        "perspectives": data.perspectives,
    }


def _choices(scorecard: Scorecard, period: Period) -> QuerySet[Objective]:
    """The boxes of the map, as a queryset the form validates against."""
    return (
        Objective.objects.filter(scorecard=scorecard)
        .members_of(period)
        .order_by("perspective__order", "order", "id")
    )


def _map_verdicts(linkage: ScorecardLinkage) -> dict[int, str]:
    return {row.link.pk: row.verdict if row.pairs else map_svg.UNRATED for row in linkage.links}


def _linkage_rows(linkage: ScorecardLinkage) -> list[dict]:
    rows = []
    for link_row in linkage.links:
        for pair in link_row.pairs:
            rows.append(
                {
                    "link": link_row.link,
                    "pair": pair,
                    "lags": pair.result.lags,
                    "source_points": map_svg.sparkline(pair.source_values),
                    "target_points": map_svg.sparkline(pair.target_values),
                }
            )
        if not link_row.pairs:
            rows.append({"link": link_row.link, "pair": None})
    return rows


def _render_map(request: HtmxHttpRequest, context: dict, *, status: int = 200) -> HttpResponse:
    """The same URL serves the page or, for htmx, the map's fragment."""
    if request.htmx:
        return render(request, "strategy/map.html#map-body", context, status=status)
    context["periods"] = kpi_selectors.periods_for_switcher(
        around=context["period"], scorecard=context["scorecard"]
    )
    context["grains"] = core_selectors.switcher_grains(context["period"])
    return render(request, "strategy/map.html", context, status=status)


@require_GET
@login_required
def strategy_map(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    scorecard = scorecard_for_reading(request, slug)
    period = period_from_request(
        request, default=lambda: kpi_selectors.default_period(scorecard=scorecard)
    )
    return _render_map(request, map_context(request, scorecard, period))


@require_POST
@login_required
def link_add(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    scorecard = scorecard_for_editing(request, slug)
    period = period_from_request(
        request, default=lambda: kpi_selectors.default_period(scorecard=scorecard)
    )
    form = LinkForm(request.POST, objectives=_choices(scorecard, period))
    if form.is_valid():
        source, target = form.cleaned_data["source"], form.cleaned_data["target"]
        try:
            services.link_create(
                scorecard=scorecard, source=source, target=target, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        else:
            messages.success(request, LINK_ADDED.format(source=source, target=target))
            return _after_write(request, scorecard, period)
    context = map_context(request, scorecard, period, form=form)
    return _render_map(request, context, status=200 if request.htmx else 400)


@require_POST
@login_required
def link_remove(request: HtmxHttpRequest, slug: str, link_id: int) -> HttpResponse:
    scorecard = scorecard_for_editing(request, slug)
    period = period_from_request(
        request, default=lambda: kpi_selectors.default_period(scorecard=scorecard)
    )
    # Only a link of this map: an id from another map is unknown here (404).
    link = object_or_refuse(
        request,
        CausalLink.objects.select_related("scorecard__org_unit", "source", "target").filter(
            scorecard=scorecard
        ),
        "strategy.change_causallink",
        refused=MAY_NOT_EDIT,
        pk=link_id,
    )
    services.link_delete(link=link)
    messages.success(request, LINK_REMOVED.format(source=link.source, target=link.target))
    return _after_write(request, scorecard, period)


def _after_write(request: HtmxHttpRequest, scorecard: Scorecard, period: Period) -> HttpResponse:
    if request.htmx:
        return _render_map(request, map_context(request, scorecard, period))
    return redirect(map_url(scorecard, period, cascade=request.GET.get("cascade") == "1"))


@require_GET
@login_required
def map_export(request: HttpRequest, slug: str) -> HttpResponse:
    """The map as a standalone SVG file: its stylesheet and colours travel inside it."""
    scorecard = scorecard_for_reading(request, slug)
    period = period_from_request(
        request, default=lambda: kpi_selectors.default_period(scorecard=scorecard)
    )
    context = map_context(request, scorecard, period)
    context["standalone"] = True
    context["stylesheet"] = map_svg.standalone_stylesheet(context["perspectives"])
    # Drawn twice: the first drawing tells which characters the embedded font must carry.
    drawn = html.unescape(render_to_string("strategy/map_svg.svg", context, request=request))
    context["stylesheet"] += map_svg.embedded_fonts(drawn)
    svg = render_to_string("strategy/map_svg.svg", context, request=request)
    response = HttpResponse(
        '<?xml version="1.0" encoding="UTF-8"?>\n' + svg, content_type="image/svg+xml"
    )
    filename = f"{scorecard.org_unit.slug}-strategy-map-{period.key}.svg"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
