"""Reads never write (issue 13, "What was seen" 2): a page or an API call that names a period
in `?period=` creates no period, whatever the key; only services writing into a quarter open
it, and only inside the data window (settings SIGHTLINE_FIRST_FISCAL_YEAR, default 1990, and
SIGHTLINE_LAST_FISCAL_YEAR_AHEAD, default five years after today's fiscal year).

The clock stands in mid-Q4 of FY2026 (16 November 2026, fiscal years from January): the data
window is FY1990–FY2031, and pages open on FY2026 Q3 by default. The world is the shared
personas' North Sales KPI (tests/conftest.py) with its target of 100 in FY2026 Q1, the one
quarter stored (with FY2026, the year opening it opened), and an actual of 104 there.
"""

import html
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from kpis import services as kpi_services
from kpis.models import Actual, Target
from kpis.scoring import RED_FLAG_ON_GOOD_SIDE, ZERO_TARGET_NEEDS_RED_FLAG
from reviews.models import Review
from scorecard import selectors
from scorecard import services as core
from scorecard.models import Period

pytestmark = pytest.mark.django_db

UNOPENED = "FY2025-Q2"  # in the window, in the past, never written into
AHEAD = "FY2028-Q2"  # in the window, in the future
LATE = "FY9999-Q4"  # a valid quarter outside the window (the switcher answered 500)
EARLY = "FY1900-Q1"
MALFORMED = "FY2026-Q9"
OUTSIDE = "is outside the data window FY1990\N{EN DASH}FY2031"
# FY2026 Q1, the one quarter written into, and FY2026, which opening it opened.
WORLD_PERIODS = 2
UNKNOWN_PERIOD = 'Unknown period "FY2026-Q9": use the form 2026-03, FY2026-Q3 or FY2026.'
# Months and years (issue 15): read like quarters, and like them never opened by a read.
UNOPENED_MONTH = "2025-05"
UNOPENED_YEAR = "FY2025"
AHEAD_MONTH = "2028-02"
LATE_MONTH = "9999-12"
EARLY_YEAR = "FY1900"
MALFORMED_MONTH = "2026-13"
UNKNOWN_MONTH = 'Unknown period "2026-13": use the form 2026-03, FY2026-Q3 or FY2026.'


@pytest.fixture(autouse=True)
def mid_q4(time_machine):
    time_machine.move_to("2026-11-16 12:00Z", tick=False)


@pytest.fixture
def world(people, north_sales_kpi):
    q1 = Period.objects.get(fiscal_year=2026, quarter=1)
    kpi_services.actual_enter(kpi=north_sales_kpi, period=q1, value="104", by=people.owner)
    return north_sales_kpi


def page_urls(kpi) -> dict[str, tuple[str, str]]:
    """Every page that reads `?period=`, and who opens it."""
    slug = kpi.objective.scorecard.org_unit.slug
    unit = {"slug": slug}
    return {
        "scorecard": ("manager", reverse("scorecard:scorecard", kwargs=unit)),
        "map": ("manager", reverse("strategy:map", kwargs=unit)),
        "map svg": ("manager", reverse("strategy:map_export", kwargs=unit)),
        "dashboard": ("manager", reverse("dashboard:home")),
        "pack": ("manager", reverse("dashboard:pack", kwargs=unit)),
        "pack pdf": ("manager", reverse("dashboard:pack_pdf", kwargs=unit)),
        "kpi detail": ("manager", reverse("kpis:kpi_detail", kwargs={**unit, "kpi_id": kpi.pk})),
        "explanation": (
            "manager",
            reverse(
                "kpis:explanation",
                kwargs={**unit, "subject_type": "kpi", "subject_id": kpi.pk},
            ),
        ),
        "line of sight": ("manager", reverse("editor:line_of_sight", kwargs=unit)),
        "my updates": ("owner", reverse("kpis:my_updates")),
        "updates grid": ("owner", reverse("kpis:grid")),
        "actual row": ("owner", reverse("kpis:actual_row", kwargs={"kpi_id": kpi.pk})),
        "freshness": ("owner", reverse("kpis:freshness", kwargs={"kpi_id": kpi.pk})),
        "history": ("owner", reverse("kpis:actual_history", kwargs={"kpi_id": kpi.pk})),
        "actuals template": ("owner", reverse("kpis:template", kwargs=unit)),
    }


def api_urls(kpi) -> dict[str, tuple[str, dict]]:
    scorecard = kpi.objective.scorecard
    return {
        "scores": ("/api/scores/", {}),
        "explain": (
            "/api/scores/explain/",
            {"scorecard": scorecard.pk, "subject_type": "kpi", "subject_id": kpi.pk},
        ),
        "dashboard": ("/api/dashboard/", {}),
        "linkage": (f"/api/scorecards/{scorecard.pk}/linkage/", {}),
        "actuals": ("/api/actuals/", {}),
    }


PAGE_NAMES = [
    "scorecard",
    "map",
    "map svg",
    "dashboard",
    "pack",
    pytest.param("pack pdf", marks=pytest.mark.pdf),
    "kpi detail",
    "explanation",
    "line of sight",
    "my updates",
    "updates grid",
    "actual row",
    "freshness",
    "history",
    "actuals template",
]
API_NAMES = ["scores", "explain", "dashboard", "linkage", "actuals"]


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.mark.parametrize(
    "key",
    [
        UNOPENED,
        AHEAD,
        LATE,
        EARLY,
        MALFORMED,
        UNOPENED_MONTH,
        UNOPENED_YEAR,
        LATE_MONTH,
        EARLY_YEAR,
        MALFORMED_MONTH,
    ],
)
@pytest.mark.parametrize("name", PAGE_NAMES)
def test_no_page_creates_a_period_or_fails(client, people, world, name, key):
    who, url = page_urls(world)[name]
    client.force_login(getattr(people, who))
    before = Period.objects.count()

    response = client.get(url, {"period": key})

    assert response.status_code in (200, 302), response.content[:300]
    assert Period.objects.count() == before == WORLD_PERIODS
    shown = messages_of(response)
    if key in (LATE, EARLY, LATE_MONTH, EARLY_YEAR):
        assert any(OUTSIDE in message for message in shown), shown
    elif key == MALFORMED:
        assert UNKNOWN_PERIOD in shown
    elif key == MALFORMED_MONTH:
        assert UNKNOWN_MONTH in shown
    else:
        assert shown == []


@pytest.mark.parametrize("key", [UNOPENED, AHEAD, UNOPENED_MONTH, UNOPENED_YEAR, AHEAD_MONTH])
@pytest.mark.parametrize("name", API_NAMES)
def test_no_api_read_of_an_unopened_period_creates_it(people, world, name, key):
    path, params = api_urls(world)[name]
    api = APIClient()
    api.force_authenticate(people.manager)

    response = api.get(path, {**params, "period": key})

    assert response.status_code == 200, response.content[:300]
    assert Period.objects.count() == WORLD_PERIODS


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (LATE, f"FY9999 Q4 {OUTSIDE}: choose a period of those fiscal years."),
        (EARLY, f"FY1900 Q1 {OUTSIDE}: choose a period of those fiscal years."),
        ("FY2032-Q1", f"FY2032 Q1 {OUTSIDE}: choose a period of those fiscal years."),
        (MALFORMED, UNKNOWN_PERIOD),
        (LATE_MONTH, f"Dec 9999 {OUTSIDE}: choose a period of those fiscal years."),
        (EARLY_YEAR, f"FY1900 {OUTSIDE}: choose a period of those fiscal years."),
        (MALFORMED_MONTH, UNKNOWN_MONTH),
    ],
)
@pytest.mark.parametrize("name", API_NAMES)
def test_the_api_refuses_a_key_outside_the_window_or_malformed_with_400(
    people, world, name, key, message
):
    path, params = api_urls(world)[name]
    api = APIClient()
    api.force_authenticate(people.manager)

    response = api.get(path, {**params, "period": key})

    assert response.status_code == 400
    assert response.json() == {"period": [message]}
    assert Period.objects.count() == WORLD_PERIODS


def test_an_unopened_quarter_reads_as_no_data(client, people, world):
    client.force_login(people.manager)
    response = client.get(
        reverse("scorecard:scorecard", kwargs={"slug": "north-sales"}), {"period": UNOPENED}
    )
    page = html.unescape(response.content.decode())
    assert response.context["period"].key == UNOPENED
    assert not response.context["period"].is_stored
    assert "Regional revenue" in page
    assert "104" not in page  # FY2026 Q1's actual is not shown as FY2025 Q2's

    api = APIClient()
    api.force_authenticate(people.manager)
    assert api.get("/api/scores/", {"period": UNOPENED}).json()["results"] == []


def test_a_page_outside_the_window_shows_the_default_quarter(client, people, world):
    client.force_login(people.manager)
    response = client.get(
        reverse("scorecard:scorecard", kwargs={"slug": "north-sales"}), {"period": LATE}
    )
    assert response.status_code == 200
    # The last ended quarter (FY2026-Q3) holds no data for it: the latest that does.
    assert response.context["period"].key == "FY2026-Q1"
    assert messages_of(response) == [f"FY9999 Q4 {OUTSIDE}: choose a period of those fiscal years."]


@pytest.mark.parametrize(
    ("key", "offered"),
    [
        # The one shown, today's quarter (FY2026 Q4) and the quarter with data (FY2026 Q1);
        # never past FY2031 Q4 nor FY1990 Q1, and nothing of the empty years between.
        ("FY2031-Q4", ["FY2031-Q4", "FY2026-Q4", "FY2026-Q1"]),
        ("FY1990-Q2", ["FY2026-Q4", "FY2026-Q1", "FY1990-Q2"]),
    ],
)
def test_the_switcher_stops_at_the_window(client, people, world, key, offered):
    client.force_login(people.manager)
    response = client.get(
        reverse("scorecard:scorecard", kwargs={"slug": "north-sales"}), {"period": key}
    )
    assert response.status_code == 200
    assert [period.key for period in response.context["periods"]] == offered
    assert Period.objects.count() == WORLD_PERIODS


def test_an_export_between_unopened_quarters_creates_none(client, people, world):
    client.force_login(people.manager)
    url = reverse("kpis:export", kwargs={"slug": "north-sales"})
    response = client.get(url, {"first": "FY2024-Q1", "last": AHEAD, "format": "csv"})
    assert response.status_code == 200
    assert b"FY2026" in response.content
    refused = client.get(url, {"first": EARLY, "last": "FY2026-Q1", "format": "csv"})
    assert refused.status_code == 200
    assert OUTSIDE in html.unescape(refused.content.decode())
    assert Period.objects.count() == WORLD_PERIODS


# Writes: a refused one opens no period; one that is kept opens its quarter -------------------


def test_a_refused_bulk_write_opens_no_period(people, world):
    api = APIClient()
    api.force_authenticate(people.manager)
    rows = [
        {"kpi": world.pk, "period": UNOPENED, "value": "100"},
        {"kpi": world.pk, "period": "FY2025-Q3", "value": "100", "red_flag": "120"},
    ]
    response = api.post("/api/targets/bulk/", rows, format="json")
    assert response.status_code == 400
    assert Period.objects.count() == WORLD_PERIODS
    actuals = [
        {"kpi": world.pk, "period": UNOPENED, "value": "99", "comment": "Slow spring"},
        {"kpi": world.pk, "period": AHEAD, "value": "1"},  # has not started
    ]
    response = api.post("/api/actuals/bulk/", actuals, format="json")
    assert response.status_code == 400
    assert Period.objects.count() == WORLD_PERIODS
    assert not Target.objects.exclude(period__fiscal_year=2026).exists()


def test_a_bulk_write_opens_the_quarters_it_writes_into(people, world):
    api = APIClient()
    api.force_authenticate(people.manager)
    rows = [{"kpi": world.pk, "period": UNOPENED, "value": "100"}]
    response = api.post("/api/targets/bulk/", rows, format="json")
    assert response.status_code in (200, 201), response.content
    q2 = Period.objects.get(fiscal_year=2025, quarter=2)
    assert (str(q2.start), str(q2.end)) == ("2025-04-01", "2025-06-30")
    assert Target.objects.get(period=q2).value == Decimal("100")


def test_a_refused_targets_grid_opens_no_period_and_marks_each_cell(client, people, world):
    client.force_login(people.manager)
    url = reverse("editor:targets", args=["north-sales"]) + "?year=2027"
    cells = {
        f"target-{world.pk}-2027-1": "100",
        f"red-{world.pk}-2027-1": "120",  # on the good side of an "up" target
        f"target-{world.pk}-2027-2": "0",  # zero without a red flag
    }
    response = client.post(url, cells)
    assert response.status_code == 400
    # Two quarters that are not stored yet, each with its own message.
    cells_shown = response.context["rows"][0].cells
    assert [cell.error for cell in cells_shown] == [
        RED_FLAG_ON_GOOD_SIDE,
        ZERO_TARGET_NEEDS_RED_FLAG,
        "",
        "",
    ]
    assert Period.objects.count() == WORLD_PERIODS
    response = client.post(url, {f"target-{world.pk}-2027-1": "100"})
    assert response.status_code == 302
    assert Target.objects.get(period__fiscal_year=2027).value == Decimal("100")


def test_a_refused_review_opens_no_period(people, world):
    api = APIClient()
    api.force_authenticate(people.manager)
    body = {"scorecard": world.objective.scorecard.pk, "period": AHEAD}
    response = api.post("/api/reviews/", body, format="json")
    assert response.status_code == 400
    assert "period" in response.json()
    assert Period.objects.count() == WORLD_PERIODS
    response = api.post("/api/reviews/", {**body, "period": UNOPENED}, format="json")
    assert response.status_code == 201, response.content
    assert Review.objects.get().period.key == UNOPENED


def test_an_import_preview_opens_no_period(client, people, world):
    client.force_login(people.owner)
    text = f"kpi,period,value,comment\nRegional revenue,{UNOPENED},95,\n"
    upload = SimpleUploadedFile("actuals.csv", text.encode(), content_type="text/csv")
    response = client.post(reverse("kpis:import"), {"file": upload})
    assert [(row.number, row.kind) for row in response.context["preview"].rows] == [(2, "new")]
    assert Period.objects.count() == WORLD_PERIODS
    client.post(reverse("kpis:import_confirm"))
    assert Actual.objects.get(period__fiscal_year=2025).value == Decimal("95")


def test_saving_an_actual_into_an_unopened_quarter_shows_it_saved(client, people, world):
    client.force_login(people.owner)
    url = reverse("kpis:actual_save", kwargs={"kpi_id": world.pk}) + f"?period={UNOPENED}"
    response = client.post(
        url, {"value": "97", "comment": "", "version": "0"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert response.context["row"].actual.value == Decimal("97")
    assert response.context["row"].period.is_stored


def test_a_refused_actual_leaves_no_period(client, people, world):
    client.force_login(people.owner)
    kpi_services.target_set(
        kpi=world, period=core.period_for_key("FY2026-Q2"), value=Decimal("100")
    )
    before = Period.objects.count()
    url = reverse("kpis:actual_save", kwargs={"kpi_id": world.pk}) + f"?period={AHEAD}"
    response = client.post(
        url, {"value": "97", "comment": "", "version": "0"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "has not started yet" in html.unescape(response.content.decode())
    assert Period.objects.count() == before


# The window and the two functions ------------------------------------------------------------


def test_the_lookup_builds_an_unsaved_quarter_and_opening_stores_it_once(world):
    read = selectors.period_lookup(" fy2025 q2 ")
    # A stand-in: not stored, its id minus the quarter's number (2025 · 4 + 2 = 8102).
    assert (read.is_stored, read.pk, read.key, str(read.start), str(read.end)) == (
        False,
        -8102,
        UNOPENED,
        "2025-04-01",
        "2025-06-30",
    )
    assert read == selectors.period_lookup(UNOPENED)
    assert not Target.objects.filter(period=read).exists()  # a query finds nothing
    with pytest.raises(ValueError, match=r"open it with scorecard\.services\.period_open"):
        read.save()
    opened = core.period_open(read)
    assert opened.is_stored and opened.pk > 0 and opened.key == UNOPENED
    assert core.period_open(selectors.period_lookup(UNOPENED)) == opened
    assert selectors.period_lookup(UNOPENED) == opened
    # FY2025 Q2 and FY2025, which holds it, besides the world's two.
    assert Period.objects.count() == WORLD_PERIODS + 2


@pytest.mark.parametrize(
    ("key", "grain", "stand_in_id", "label", "start", "end", "opened_count"),
    [
        # 100,000 + 2025 · 12 + 5; 1,000,000 + 2025 (docs/decisions.md, issue 15). A month
        # opens its quarter and year too, a quarter its year.
        ("2025-05", "month", -124305, "May 2025", "2025-05-01", "2025-05-31", 3),
        ("FY2025", "year", -1002025, "FY2025", "2025-01-01", "2025-12-31", 1),
        ("FY2025-Q2", "quarter", -8102, "FY2025 Q2", "2025-04-01", "2025-06-30", 2),
    ],
)
def test_a_lookup_of_any_grain_builds_an_unsaved_period_that_opening_stores_once(
    world, key, grain, stand_in_id, label, start, end, opened_count
):
    read = selectors.period_lookup(key)
    assert (read.is_stored, read.pk, read.grain, read.key, read.label) == (
        False,
        stand_in_id,
        grain,
        key,
        label,
    )
    assert (str(read.start), str(read.end)) == (start, end)
    assert not Target.objects.filter(period=read).exists()
    opened = core.period_open(read)
    assert opened.is_stored and opened.grain == grain and opened.key == key
    assert core.period_open(selectors.period_lookup(key)) == opened
    assert selectors.period_lookup(key) == opened
    assert Period.objects.count() == WORLD_PERIODS + opened_count


def test_the_stand_ins_of_every_period_of_a_century_have_distinct_ids(db):
    from scorecard import fiscal

    ids = set()
    count = 0
    for fiscal_year in range(1990, 2090):
        year = fiscal.FiscalYear(fiscal_year, 7)
        for period in [year, *year.quarters(), *year.months()]:
            stand_in = Period.stand_in(period)
            assert stand_in.pk < 0
            ids.add(stand_in.pk)
            count += 1
    assert len(ids) == count == 100 * 17


def test_the_month_and_year_of_a_day_and_the_last_ended_ones(world):
    assert selectors.period_for_date(date(2026, 11, 16), "month").key == "2026-11"
    assert selectors.period_for_date(date(2026, 11, 16)).key == "FY2026-Q4"
    assert selectors.period_for_date(date(2026, 11, 16), "year").key == "FY2026"
    assert selectors.last_ended_period().key == "FY2026-Q3"
    assert selectors.last_ended_period(grain="month").key == "2026-10"
    assert selectors.last_ended_period(grain="year").key == "FY2025"
    month = selectors.period_lookup("2026-02")
    assert [p.key for p in selectors.containing_periods(month)] == ["FY2026-Q1", "FY2026"]
    # FY2026 Q1 is stored (the world's target): its row, not a stand-in.
    assert selectors.containing_periods(month)[0].is_stored


@override_settings(SIGHTLINE_FIRST_FISCAL_YEAR=2000, SIGHTLINE_LAST_FISCAL_YEAR_AHEAD=1)
@pytest.mark.parametrize(
    ("key", "inside"),
    [("1999-12", False), ("2000-01", True), ("FY2027", True), ("FY2028", False)],
)
def test_the_window_holds_months_and_years_by_their_fiscal_year(db, key, inside):
    if inside:
        assert selectors.period_lookup(key).key == key
        return
    with pytest.raises(ValidationError) as refused:
        selectors.period_lookup(key)
    assert "outside the data window FY2000\N{EN DASH}FY2027" in refused.value.messages[0]
    with pytest.raises(ValidationError):
        core.period_for_key(key)
    assert not Period.objects.exists()


@override_settings(SIGHTLINE_FIRST_FISCAL_YEAR=2000, SIGHTLINE_LAST_FISCAL_YEAR_AHEAD=1)
@pytest.mark.parametrize(
    ("key", "inside"),
    [("FY1999-Q4", False), ("FY2000-Q1", True), ("FY2027-Q4", True), ("FY2028-Q1", False)],
)
def test_the_window_follows_the_settings(db, key, inside):
    if inside:
        assert selectors.period_lookup(key).key == key
        return
    with pytest.raises(ValidationError) as refused:
        selectors.period_lookup(key)
    assert "outside the data window FY2000\N{EN DASH}FY2027" in refused.value.messages[0]
    with pytest.raises(ValidationError):
        core.period_for_key(key)
    assert not Period.objects.exists()


def test_the_last_year_of_the_window_moves_with_the_calendar(db, time_machine):
    assert selectors.data_window() == (1990, 2031)
    time_machine.move_to("2027-01-02 12:00Z", tick=False)
    assert selectors.data_window() == (1990, 2032)


def test_a_bad_window_setting_stops_the_start():
    project = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=project,
        env={"PATH": "/usr/bin:/bin", "HOME": "/tmp", "SIGHTLINE_FIRST_FISCAL_YEAR": "1800"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SIGHTLINE_FIRST_FISCAL_YEAR=1800 is not a fiscal year from 1900 to 9999" in (
        result.stderr
    )


@pytest.fixture
def history(people, world):
    """Besides the world's FY2026 Q1: an actual of FY2021 Q2, and a monthly KPI of North
    Sales with an actual in January 2024, long before the two years a month list once
    reached."""
    kpi_services.actual_enter(
        kpi=world, period=core.period_for_key("FY2021-Q2"), value="90", by=people.owner
    )
    monthly = kpi_services.kpi_create(
        objective=world.objective, name="Calls", unit="calls", frequency="month", owner=people.owner
    )
    kpi_services.actual_enter(
        kpi=monthly, period=core.period_for_key("2024-01"), value="7", by=people.owner
    )
    return world


@pytest.mark.parametrize(
    ("key", "offered", "grain_keys"),
    [
        # Every year with data, however far back (FY2021 is two clicks from any page), and
        # today's FY2026 (the one shown).
        ("FY2026", ["FY2026", "FY2024", "FY2021"], ["2026-12", "FY2026-Q4", "FY2026"]),
        # Today's month, the one shown and the one month with data; a quarter's actual is
        # in no month.
        ("2026-03", ["2026-11", "2026-03", "2024-01"], ["2026-03", "FY2026-Q1", "FY2026"]),
        (
            "FY2026-Q2",
            ["FY2026-Q4", "FY2026-Q2", "FY2026-Q1", "FY2024-Q1", "FY2021-Q2"],
            ["2026-06", "FY2026-Q2", "FY2026"],
        ),
    ],
)
def test_the_switcher_lists_the_periods_with_data_of_the_grain_shown(
    client, people, history, key, offered, grain_keys
):
    client.force_login(people.manager)
    response = client.get(
        reverse("scorecard:scorecard", kwargs={"slug": "north-sales"}), {"period": key}
    )
    assert response.status_code == 200
    assert [period.key for period in response.context["periods"]] == offered
    grains = response.context["grains"]
    assert [(g.label, g.key) for g in grains] == list(
        zip(["Month", "Quarter", "Year"], grain_keys, strict=True)
    )
    page = response.content.decode()
    for grain_key in grain_keys:
        assert f'href="?period={grain_key}"' in page
    for option in offered:
        assert f'<option value="{option}"' in page


def test_the_switcher_lists_the_data_of_the_page_s_own_subject(client, people, history, org):
    # Acme's scorecard holds no actual: only the quarter shown and today's. The KPI detail
    # of the monthly KPI lists its own month, the dashboard every unit's below the root.
    client.force_login(people.admin)
    acme = client.get(
        reverse("scorecard:scorecard", kwargs={"slug": "acme"}), {"period": "FY2026-Q2"}
    )
    assert [period.key for period in acme.context["periods"]] == ["FY2026-Q4", "FY2026-Q2"]
    monthly = history.objective.kpis.get(name="Calls")
    detail = client.get(
        reverse("kpis:kpi_detail", kwargs={"slug": "north-sales", "kpi_id": monthly.pk}),
        {"period": "2026-03"},
    )
    assert [period.key for period in detail.context["periods"]] == ["2026-11", "2026-03", "2024-01"]
    dashboard = client.get(reverse("dashboard:home"), {"period": "FY2026"})
    assert [period.key for period in dashboard.context["periods"]] == ["FY2026", "FY2024", "FY2021"]


PAGES_WITH_A_DEFAULT = ["scorecard", "map", "dashboard", "pack", "kpi detail", "explanation"]


@pytest.mark.parametrize("name", [*PAGES_WITH_A_DEFAULT, "line of sight"])
def test_every_page_without_a_period_opens_on_the_default_period(client, people, world, name):
    # The last ended quarter, FY2026 Q3, holds nothing for North Sales (nor for the
    # dashboard's units): each page opens on FY2026 Q1, the latest period with its data.
    persona, url = page_urls(world)[name]
    client.force_login(getattr(people, persona))
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["period"].key == "FY2026-Q1"
    kpi_services.actual_enter(
        kpi=world, period=core.period_for_key("FY2026-Q3"), value="101", by=people.owner
    )
    assert client.get(url).context["period"].key == "FY2026-Q3"


def test_the_map_svg_pack_pdf_health_and_export_form_open_on_the_default_period(
    client, people, world
):
    client.force_login(people.manager)
    unit = {"slug": "north-sales"}
    svg = client.get(reverse("strategy:map_export", kwargs=unit))
    assert 'strategy-map-FY2026-Q1.svg"' in svg["Content-Disposition"]
    health = client.get(reverse("editor:health", kwargs=unit))
    assert health.context["period"].key == "FY2026-Q1"
    export = client.get(reverse("kpis:export", kwargs=unit)).content.decode()
    assert 'name="first" value="FY2026-Q1"' in export
    assert 'name="last" value="FY2026-Q1"' in export


def test_the_api_without_a_period_reads_the_default_period(people, world):
    api = APIClient()
    api.force_authenticate(people.manager)
    assert api.get("/api/dashboard/").json()["period"] == "FY2026-Q1"
    scorecard = world.objective.scorecard
    # The health check asks for FY2026 Q1's actual, which is there: no stale finding.
    findings = api.get(f"/api/scorecards/{scorecard.pk}/health/").json()
    assert "stale_actuals" not in {row["code"] for row in findings}
    asked_q3 = api.get(f"/api/scorecards/{scorecard.pk}/health/", {"period": "FY2026-Q3"})
    assert "stale_actuals" in {row["code"] for row in asked_q3.json()}


def test_a_scorecard_page_without_a_period_opens_on_the_latest_period_with_data(
    client, people, world
):
    # The last ended quarter, FY2026 Q3, holds nothing for North Sales: the page opens on
    # FY2026 Q1, which holds the world's actual of 104.
    client.force_login(people.manager)
    url = reverse("scorecard:scorecard", kwargs={"slug": "north-sales"})
    assert client.get(url).context["period"].key == "FY2026-Q1"
    kpi_services.actual_enter(
        kpi=world, period=core.period_for_key("FY2026-Q3"), value="101", by=people.owner
    )
    assert client.get(url).context["period"].key == "FY2026-Q3"
    # A scorecard without any actual opens on the last ended quarter.
    assert (
        client.get(reverse("scorecard:scorecard", kwargs={"slug": "acme"})).context["period"].key
        == "FY2026-Q3"
    )
