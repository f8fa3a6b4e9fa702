"""Values that fit (DESIGN.md section 4): entered values (actuals, targets, red flags) lie
within a configurable bound, SIGHTLINE_VALUE_BOUND (default 10**12), refused with a clear
message on every path; snapshot and roll-up values are stored as numeric(32, 6), wide enough
for any aggregate of such values; and the recompute never raises on a value: a computed
value that still does not fit is stored as no value, with the reason in its explanation.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from kpis import explain, scoring
from kpis import services as kpi_services
from kpis.engine import KPI, KpiFacts, ObjectiveFacts, Outcome, World, compute
from kpis.models import KPI as KPIModel
from kpis.models import Actual, ScoreSnapshot, Target
from kpis.recompute import recompute_everything, recompute_units
from kpis.services.numbers import parse_number
from scorecard import services as core
from scorecard.settings import env_int_within
from strategy import services as strategy_services

BOUND = 10**12
OUT_OF_BOUND = "Enter a number between -1,000,000,000,000 and 1,000,000,000,000."
Q1 = "FY2026-Q1"
MID_MAY = dt.datetime(2026, 5, 15, 9, 0, tzinfo=dt.UTC)  # Q1 has ended


# The setting -------------------------------------------------------------------------------


def test_the_bound_defaults_to_a_million_millions(settings):
    assert settings.SIGHTLINE_VALUE_BOUND == BOUND


def test_the_bound_is_read_from_the_environment_as_a_whole_number(monkeypatch):
    monkeypatch.setenv("SIGHTLINE_VALUE_BOUND", "5000")
    assert env_int_within("SIGHTLINE_VALUE_BOUND", BOUND, low=1, high=10**14 - 1) == 5000


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("0", "SIGHTLINE_VALUE_BOUND=0 is out of range: use 1 to 99999999999999."),
        (str(10**14), f"SIGHTLINE_VALUE_BOUND={10**14} is out of range"),
        ("a lot", "SIGHTLINE_VALUE_BOUND='a lot' is not a whole number."),
    ],
)
def test_a_bound_that_the_columns_cannot_hold_stops_the_start(monkeypatch, raw, message):
    monkeypatch.setenv("SIGHTLINE_VALUE_BOUND", raw)
    with pytest.raises(ImproperlyConfigured, match=message.replace("(", r"\(")):
        env_int_within("SIGHTLINE_VALUE_BOUND", BOUND, low=1, high=10**14 - 1)


# Entered values within the bound -------------------------------------------------------------


@pytest.mark.parametrize("text", ["1000000000000", "-1,000,000,000,000", "999999999999.999999"])
def test_typed_numbers_up_to_the_bound_are_read(text):
    assert abs(parse_number(text)) <= BOUND


@pytest.mark.parametrize("text", ["1000000000000.000001", "-1,000,000,000,001", "5000000000000"])
def test_typed_numbers_beyond_the_bound_are_refused(text):
    with pytest.raises(ValidationError) as refused:
        parse_number(text)
    assert refused.value.messages == [OUT_OF_BOUND]


@override_settings(SIGHTLINE_VALUE_BOUND=1000)
def test_the_bound_is_configurable():
    assert parse_number("1000") == Decimal("1000")
    with pytest.raises(ValidationError) as refused:
        parse_number("1000.5")
    assert refused.value.messages == ["Enter a number between -1,000 and 1,000."]


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(MID_MAY, tick=False)


@pytest.fixture
def q1(db):
    return core.period_for_key(Q1)


@pytest.mark.django_db
def test_the_services_take_an_actual_at_the_bound_and_refuse_one_beyond(
    clock, q1, people, north_sales_kpi
):
    kpi_services.actual_enter(kpi=north_sales_kpi, period=q1, value=BOUND, comment="Record")
    assert Actual.objects.get(kpi=north_sales_kpi).value == BOUND

    with pytest.raises(ValidationError) as refused:
        kpi_services.actual_enter(kpi=north_sales_kpi, period=q1, value=-BOUND - 1, comment="x")

    assert refused.value.message_dict == {"value": [OUT_OF_BOUND]}
    assert Actual.objects.get(kpi=north_sales_kpi).value == BOUND


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "red_flag", "field"),
    [(BOUND + 1, None, "value"), (BOUND, -2 * BOUND, "red_flag")],
    ids=["target", "red flag"],
)
def test_the_services_refuse_a_target_or_red_flag_beyond_the_bound(
    q1, north_sales_kpi, value, red_flag, field
):
    with pytest.raises(ValidationError) as refused:
        kpi_services.target_set(kpi=north_sales_kpi, period=q1, value=value, red_flag=red_flag)

    assert refused.value.message_dict == {field: [OUT_OF_BOUND]}
    assert Target.objects.get(kpi=north_sales_kpi, period=q1).value == Decimal("100")


@pytest.mark.django_db
def test_the_targets_grid_refuses_a_cell_beyond_the_bound_and_saves_nothing(q1, north_sales_kpi):
    q2 = core.period_for_key("FY2026-Q2")
    cells = [
        {"kpi": north_sales_kpi, "period": q1, "value": "120", "red_flag": ""},
        {"kpi": north_sales_kpi, "period": q2, "value": "1000000000000.5", "red_flag": ""},
    ]

    with pytest.raises(kpi_services.GridErrors) as refused:
        kpi_services.targets_grid_save(cells=cells)

    assert refused.value.errors == {(north_sales_kpi.pk, q2.pk): OUT_OF_BOUND}
    assert [t.value for t in Target.objects.all()] == [Decimal("100")]


@pytest.mark.django_db
def test_my_updates_refuse_an_actual_beyond_the_bound_next_to_the_field(
    clock, client, q1, people, north_sales_kpi
):
    client.force_login(people.owner)
    url = f"{reverse('kpis:actual_save', args=[north_sales_kpi.pk])}?period={Q1}"

    response = client.post(
        url, {"value": "2,000,000,000,000", "comment": "", "version": "0"}, HTTP_HX_REQUEST="true"
    )

    assert OUT_OF_BOUND in response.content.decode()
    assert not Actual.objects.filter(kpi=north_sales_kpi).exists()


def api_client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("endpoint", "row", "errors"),
    [
        ("actuals", {"value": str(BOUND + 1)}, {"value": [OUT_OF_BOUND]}),
        ("targets", {"value": str(-BOUND - 1)}, {"value": [OUT_OF_BOUND]}),
        ("targets", {"value": "100", "red_flag": "-5000000000000"}, {"red_flag": [OUT_OF_BOUND]}),
    ],
    ids=["actual", "target", "red flag"],
)
def test_the_bulk_api_refuses_a_row_beyond_the_bound_and_saves_nothing(
    clock, people, north_sales_kpi, endpoint, row, errors
):
    body = [{"kpi": north_sales_kpi.pk, "period": Q1, "comment": "Record", **row}]
    response = api_client(people.manager).post(f"/api/{endpoint}/bulk/", body, format="json")

    assert response.status_code == 400
    assert response.json() == {"errors": [{"index": 0, "fields": errors}]}
    assert not Actual.objects.exists()
    assert Target.objects.get().value == Decimal("100")


@pytest.mark.django_db
def test_the_actuals_api_refuses_an_edit_beyond_the_bound(clock, q1, people, north_sales_kpi):
    actual = kpi_services.actual_enter(kpi=north_sales_kpi, period=q1, value="95", comment="ok")

    response = api_client(people.manager).patch(
        f"/api/actuals/{actual.pk}/", {"value": "10000000000000", "version": 1}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"value": [OUT_OF_BOUND]}
    assert Actual.objects.get().value == Decimal("95")


# Computed values -----------------------------------------------------------------------------

CHILDREN = 100


@pytest.fixture
def rollup_at_the_bound(clock, q1, org, people, financial):
    """Acme's "Revenue", a sum roll-up of 100 North KPIs, each with an actual of 10**12 in Q1
    (the bound). Their sum, 100 × 10**12 = 10**14, needs 15 digits before the decimal point:
    more than an entered value's column holds (14), well within a snapshot's (26)."""
    revenue = kpi_services.kpi_create(
        objective=strategy_services.objective_create(
            scorecard=org.acme.scorecard, perspective=financial, title="Grow revenue"
        ),
        name="Revenue",
        unit="USD",
        source=KPIModel.Source.ROLLUP,
        rollup_method=KPIModel.RollupMethod.SUM,
    )
    north = strategy_services.objective_create(
        scorecard=org.north.scorecard, perspective=financial, title="Grow north revenue"
    )
    children = KPIModel.objects.bulk_create(
        KPIModel(objective=north, name=f"Line {n}", unit="USD", rolls_up_to=revenue, order=n)
        for n in range(CHILDREN)
    )
    Actual.objects.bulk_create(
        Actual(kpi=child, period=q1, value=Decimal(BOUND), entered_at=MID_MAY) for child in children
    )
    return revenue


@pytest.mark.django_db
def test_a_sum_of_values_at_the_bound_recomputes_without_error(rollup_at_the_bound, q1, org):
    # The chain of the children's unit, as their entry schedules it, then everything.
    recompute_units(unit_ids=[org.north.pk], period_ids=[q1.pk])
    recompute_everything(period_ids=[q1.pk])

    row = ScoreSnapshot.objects.get(
        period=q1, subject_type="kpi", subject_id=rollup_at_the_bound.pk
    )
    # 100 × 1,000,000,000,000 = 100,000,000,000,000, 100 of 100
    assert (row.value, row.reported, row.total) == (Decimal("100000000000000"), 100, 100)
    # The quarter and the year that holds it (issue 15): neither changes.
    assert [result.changed for result in recompute_everything(period_ids=[q1.pk])] == [0, 0]


@pytest.mark.django_db
def test_the_scores_api_and_the_scorecard_page_show_the_wide_sum(
    rollup_at_the_bound, q1, org, people, client
):
    recompute_everything(period_ids=[q1.pk])

    response = api_client(people.manager).get(
        "/api/scores/", {"period": Q1, "subject_type": "kpi", "scorecard": org.acme.scorecard.pk}
    )
    assert [row["value"] for row in response.json()["results"]] == ["100000000000000.000000"]
    client.force_login(people.manager)
    page = client.get(reverse("scorecard:scorecard", args=[org.acme.slug]) + f"?period={Q1}")
    assert "100,000,000,000,000.0" in page.content.decode()


def test_a_computed_value_that_does_not_fit_is_no_value():
    # 20 children of 9 × 10**24 each: 1.8 × 10**26, beyond numeric(32, 6) (< 10**26)
    children = [
        KpiFacts(
            id=100 + n,
            scorecard_id=2,
            objective_id=2,
            direction="up",
            tolerance_pct=Decimal(10),
            weight=Decimal(1),
            is_rollup=False,
            rollup_method=None,
            rolls_up_to_id=11,
        )
        for n in range(20)
    ]
    parent = KpiFacts(
        id=11,
        scorecard_id=1,
        objective_id=1,
        direction="up",
        tolerance_pct=Decimal(10),
        weight=Decimal(1),
        is_rollup=True,
        rollup_method="sum",
        rolls_up_to_id=None,
    )
    world = World(
        period_start=dt.date(2026, 1, 1),
        scorecard_ids={1, 2},
        perspective_ids=[4],
        kpis=[parent, *children],
        objectives=[
            ObjectiveFacts(id=1, scorecard_id=1, perspective_id=4, weight=Decimal(1)),
            ObjectiveFacts(id=2, scorecard_id=2, perspective_id=4, weight=Decimal(1)),
        ],
        supports=[],
        perspective_weights={},
        targets={11: (Decimal(10) ** 26, None)},
        actuals={child.id: Decimal(9) * Decimal(10) ** 24 for child in children},
    )

    # No value, so no score: no_data (it has a target); all 20 children reported.
    assert compute(world)[(1, KPI, 11)] == Outcome(None, None, "no_data", 20, 20)


def test_the_rollup_says_when_its_value_is_too_large():
    huge = Decimal(6) * Decimal(10) ** 25  # 6 × 10**25 fits; two of them (1.2 × 10**26) do not
    result = scoring.rollup_value("sum", [(huge, Decimal(1)), (huge, Decimal(1))])

    assert result == scoring.RollupResult(value=None, reported=2, total=2, too_large=True)
    # Just below the limit: 10**26 − 0.000001 is stored
    fits = Decimal("99999999999999999999999999.999999")
    assert scoring.rollup_value("max", [(fits, Decimal(1))]).value == fits


@pytest.mark.django_db
def test_the_explanation_gives_the_reason_for_no_value(q1, org, financial):
    # Two children whose stored values (6 × 10**25 each) sum beyond what a snapshot holds.
    revenue = kpi_services.kpi_create(
        objective=strategy_services.objective_create(
            scorecard=org.acme.scorecard, perspective=financial, title="Grow revenue"
        ),
        name="Revenue",
        source=KPIModel.Source.ROLLUP,
        rollup_method=KPIModel.RollupMethod.SUM,
    )
    north = strategy_services.objective_create(
        scorecard=org.north.scorecard, perspective=financial, title="Grow north revenue"
    )
    huge = Decimal(6) * Decimal(10) ** 25
    for n in range(2):
        child = kpi_services.kpi_create(objective=north, name=f"Line {n}", rolls_up_to=revenue)
        ScoreSnapshot.objects.create(
            period=q1,
            scorecard=org.north.scorecard,
            subject_type="kpi",
            subject_id=child.pk,
            value=huge,
            status="no_target",
            reported=1,
            total=1,
            computed_at=MID_MAY,
        )

    why = explain.explain(
        scorecard=org.acme.scorecard, subject_type="kpi", subject_id=revenue.pk, period=q1
    )

    assert explain.TOO_LARGE in why.notes
    assert explain.TOO_LARGE == (
        "The combined value is too large to store (at most 26 digits before the decimal "
        "point), so it is stored as no value."
    )
