"""Pages of the core: the home page, the lists of units and a unit's scorecard."""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from kpis import selectors as kpi_selectors
from kpis.selectors import Sheet
from reviews import selectors as review_selectors
from scorecard import fiscal, selectors
from scorecard.models import OrgUnit, Perspective, Scorecard
from scorecard.page_support import (
    HtmxHttpRequest,
    period_from_request,
    scorecard_for_reading,
)

# Set at sign-in (scorecard.signals): the first visit to the home page after signing in
# takes an owner with entries due straight to "My updates".
JUST_SIGNED_IN = "sightline_just_signed_in"


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """What a person may see and what they must do now: their units as tiles (overall
    score, status, change since the quarter before; the top of the tree, a few dozen), the
    actuals they still have to enter, their overdue action items and the reviews they
    prepare. A fixed number of queries."""
    period, to_enter = kpi_selectors.actuals_to_enter(user=request.user)
    if request.session.pop(JUST_SIGNED_IN, False) and to_enter:
        return redirect("kpis:my_updates")
    shown = selectors.last_ended_period()
    # The last quarter ended on the first day of the one shown: the quarter before it.
    before = selectors.last_ended_period(today=shown.start)
    units, more = selectors.top_units_visible_to(request.user, limit=settings.SIGHTLINE_HOME_TILES)
    today = timezone.localdate()
    context = {
        "tiles": kpi_selectors.unit_tiles(units=units, period=shown, before=before),
        "more_units": more,
        "shown": shown,
        "before": before,
        "due_period": period,
        "to_enter": to_enter,
        "overdue": list(
            review_selectors.action_items_owned_by(request.user).filter(due_date__lt=today)
        ),
        "to_prepare": list(review_selectors.reviews_to_prepare(request.user)),
    }
    return render(request, "scorecard/home.html", context)


UNIT_INDEXES = {
    # section: (the page's title, what each unit links to)
    "scorecards": ("Scorecards", "scorecard:scorecard"),
    "maps": ("Strategy maps", "strategy:map"),
    "initiatives": ("Initiatives", "reviews:initiatives"),
}


@require_GET
@login_required
def unit_index(request: HttpRequest, section: str) -> HttpResponse:
    """The units one may see that have a scorecard, each linking to its scorecard, its
    strategy map or its initiatives: where the top bar's links of those names lead."""
    title, url_name = UNIT_INDEXES[section]
    units = [u for u in selectors.org_units_visible_to(request.user) if hasattr(u, "scorecard")]
    context = {"units": units, "title": title, "url_name": url_name, "section": section}
    return render(request, "scorecard/unit_index.html", context)


@require_GET
@login_required
def scorecard_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    scorecard = scorecard_for_reading(request, slug)
    period = period_from_request(
        request, default=lambda: kpi_selectors.default_period(scorecard=scorecard)
    )
    sheet = kpi_selectors.scorecard_sheet(scorecard=scorecard, period=period)
    mark_initiatives_and_gaps(sheet, scorecard)
    context = {"scorecard": scorecard, "period": period, "sheet": sheet}
    if request.htmx:
        return render(request, "scorecard/scorecard.html#scorecard-body", context)
    context["periods"] = kpi_selectors.periods_for_switcher(around=period, scorecard=scorecard)
    context["grains"] = selectors.switcher_grains(period)
    return render(request, "scorecard/scorecard.html", context)


def mark_initiatives_and_gaps(sheet: Sheet, scorecard: Scorecard) -> None:
    """Put each objective's initiatives beside it (the scorecard's fourth column) and flag
    the red KPIs that nobody has an open action on. Two queries and one, whatever the size."""
    initiatives = review_selectors.initiatives_by_objective(scorecard)
    acted_on = review_selectors.kpi_ids_with_open_actions(scorecard)
    for perspective_row in sheet.perspectives:
        for objective_row in perspective_row.objectives:
            objective_row.initiatives = initiatives.get(objective_row.objective.pk, [])
            for kpi_row in objective_row.kpis:
                kpi_row.needs_action = kpi_row.status == "red" and kpi_row.kpi.pk not in acted_on


# The unit picker (issue 18) ---------------------------------------------------------------

PICKER_TOO_LONG = "Type at most {limit} characters of the unit's name."
PICKER_BAD_TEXT = "Type part of a unit's name, without control characters."
PICKER_UNKNOWN_PAGE = "Choose the scorecard or the dashboard as the page to open."
# Where a chosen unit leads: whether the page needs the unit's scorecard, and its address.
PICKER_PAGES = {"scorecard": True, "dashboard": False}
NAME_LENGTH = OrgUnit._meta.get_field("name").max_length or 200


class UnitPickerQuery(forms.Form):
    """`?q=north&to=scorecard&period=FY2026-Q3`: the text typed, the page the chosen unit
    opens and the period it keeps. A period that does not parse is dropped (the page then
    opens on its default), as every page does with a stale bookmark."""

    q = forms.CharField(
        required=False,
        max_length=NAME_LENGTH,
        error_messages={
            "max_length": PICKER_TOO_LONG.format(limit=NAME_LENGTH),
            "null_characters_not_allowed": PICKER_BAD_TEXT,
        },
    )
    to = forms.ChoiceField(
        required=False,
        choices=[(page, page) for page in PICKER_PAGES],
        error_messages={"invalid_choice": PICKER_UNKNOWN_PAGE},
    )
    # Not bounded here: only a key that parses (a few characters) is kept.
    period = forms.CharField(required=False)

    def period_key(self) -> str:
        key = self.cleaned_data.get("period") or ""
        try:
            fiscal.parse_any_period(key)
        except ValueError:
            return ""
        return key


@dataclass
class PickedUnit:
    unit: OrgUnit
    address: str


def picked_address(unit: OrgUnit, *, to: str, period_key: str) -> str:
    """The page of `to` for the unit, with the period the person was looking at."""
    period = {"period": period_key} if period_key else {}
    if to == "dashboard":
        return reverse("dashboard:home") + "?" + urlencode({"root": unit.slug, **period})
    address = reverse("scorecard:scorecard", args=[unit.slug])
    return address + ("?" + urlencode(period) if period else "")


@require_GET
@login_required
def unit_picker(request: HtmxHttpRequest) -> HttpResponse:
    """The units one may see named like the text typed, a few at a time
    (SIGHTLINE_UNIT_PICKER_RESULTS), each linking to its scorecard or dashboard with the
    period kept. htmx asks for the list as the person types in a page's picker; without
    script the picker's form opens this page, the same list under the same form. One
    query for the units, whatever the size of the organization."""
    query = UnitPickerQuery(request.GET)
    if not query.is_valid():
        refusal: dict[str, Any] = {
            "errors": [e for errors in query.errors.values() for e in errors]
        }
        template = "scorecard/unit_picker.html" + ("#picker-results" if request.htmx else "")
        return render(request, template, refusal, status=400)
    text, to = query.cleaned_data["q"], query.cleaned_data["to"] or "scorecard"
    period_key = query.period_key()
    # One more than shown, to say whether there are more (then type more of the name).
    limit = settings.SIGHTLINE_UNIT_PICKER_RESULTS
    units = selectors.units_to_pick(
        request.user, text=text, with_scorecard=PICKER_PAGES[to], limit=limit + 1
    )
    context: dict[str, Any] = {
        "q": text,
        "to": to,
        "period_key": period_key,
        "choices": [
            PickedUnit(unit, picked_address(unit, to=to, period_key=period_key))
            for unit in units[:limit]
        ],
        "more": len(units) > limit,
    }
    if request.htmx:
        return render(request, "scorecard/unit_picker.html#picker-results", context)
    return render(request, "scorecard/unit_picker.html", context)


@require_GET
def perspective_css(request: HttpRequest) -> HttpResponse:
    """Perspective colours live in the database; our CSP allows no inline styles, so they
    reach the page as a small stylesheet."""
    rules = "\n".join(
        f".perspective-{p.pk} {{ --perspective-color: {p.color}; }}"
        for p in Perspective.objects.all()
    )
    response = HttpResponse(rules, content_type="text/css")
    response["Cache-Control"] = "max-age=300"
    return response


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers and compose healthchecks: answers once the database does."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
