"""Target types through the services: what fits each type is saved and scored, what does not
is refused on its field with nothing saved (DESIGN.md section 4, "Target types")."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kpis import scoring, services
from kpis.models import AGGREGATION_FOR_MILESTONE_OR_ORDINAL, KPI, TRACK_HAS_NO_TARGETS, Target
from kpis.models import ScoreSnapshot as Snapshot
from kpis.recompute import recompute_everything
from kpis.services.changes import LEVEL_WITH_DATA_MOVED, TARGET_TYPE_WITH_DATA
from scorecard import services as core
from strategy import services as strategy_services

RATING = ["BBB", "A", "AA", "AAA"]
LATER = date(2026, 11, 27)


@pytest.fixture
def q1(db):
    return core.period_for_key("FY2026-Q1")


@pytest.fixture
def objective(org, financial):
    return strategy_services.objective_create(
        scorecard=org.acme.scorecard, perspective=financial, title="Keep the books sound"
    )


def kpi_of(objective, **fields):
    return services.kpi_create(objective=objective, name=fields.pop("name", "Measure"), **fields)


def snapshot(kind, subject_id, period):
    return Snapshot.objects.get(subject_type=kind, subject_id=subject_id, period=period)


def test_a_kpi_given_only_a_direction_gets_at_least_or_at_most(objective):
    assert kpi_of(objective, direction="up").target_type == scoring.AT_LEAST
    assert kpi_of(objective, direction="down").target_type == scoring.AT_MOST
    assert kpi_of(objective).target_type == scoring.AT_LEAST


def test_more_than_and_less_than_set_the_direction(objective):
    assert kpi_of(objective, target_type="less_than", direction="up").direction == scoring.DOWN
    assert kpi_of(objective, target_type="more_than").direction == scoring.UP


def test_a_one_sided_type_follows_a_new_direction(objective):
    kpi = kpi_of(objective, target_type="more_than")

    services.kpi_update(kpi=kpi, direction="down")

    kpi.refresh_from_db()
    assert (kpi.target_type, kpi.direction) == (scoring.LESS_THAN, scoring.DOWN)


def test_a_band_target_is_saved_and_scored(objective, q1, people):
    kpi = kpi_of(objective, target_type="band", unit="%")

    services.target_set(kpi=kpi, period=q1, value="98", value_high="100")
    services.actual_enter(kpi=kpi, period=q1, value="99", by=people.owner, today=LATER)
    recompute_everything(period_ids=[q1.pk])

    # min(at_least vs (98, 88.2), at_most vs (100, 110)) = (10/3)(1 + 11/10) = 7.
    row = snapshot("kpi", kpi.pk, q1)
    assert (row.score, row.status) == (Decimal("7.000000"), scoring.GREEN)


@pytest.mark.parametrize(
    ("cell", "field"),
    [
        ({"value": "10", "value_high": "5"}, "value_high"),
        ({"value": "0", "value_high": "5"}, "red_flag"),
        ({"value": "10"}, "value_high"),
        ({"value": "10", "value_high": "20", "red_flag_high": "15"}, "red_flag_high"),
    ],
)
def test_a_band_that_does_not_fit_is_refused_on_its_field(objective, q1, cell, field):
    kpi = kpi_of(objective, target_type="band")

    with pytest.raises(ValidationError) as refused:
        services.target_set(kpi=kpi, period=q1, **cell)

    assert field in refused.value.message_dict
    assert not Target.objects.exists()


def test_a_high_edge_on_a_kpi_that_is_no_band_is_refused(objective, q1):
    kpi = kpi_of(objective)

    with pytest.raises(ValidationError) as refused:
        services.target_set(kpi=kpi, period=q1, value="10", value_high="12")

    assert refused.value.message_dict["value_high"] == [scoring.HIGH_EDGE_ONLY_FOR_BANDS]


def test_a_milestone_takes_a_target_of_1_and_actuals_of_0_or_1(objective, q1, people):
    kpi = kpi_of(objective, target_type="milestone")

    with pytest.raises(ValidationError) as target_refused:
        services.target_set(kpi=kpi, period=q1, value="2")
    services.target_set(kpi=kpi, period=q1, value="1")
    with pytest.raises(ValidationError) as actual_refused:
        services.actual_enter(kpi=kpi, period=q1, value="0.5", by=people.owner, today=LATER)

    assert target_refused.value.message_dict["value"] == [scoring.MILESTONE_TARGET_NOT_ONE]
    assert actual_refused.value.message_dict["value"] == [scoring.MILESTONE_ACTUAL_NOT_DONE_OR_NOT]
    assert kpi.time_aggregation == KPI.TimeAggregation.LAST


def test_a_milestone_or_ordinal_kpi_combines_its_periods_by_last_min_or_max(objective):
    with pytest.raises(ValidationError) as refused:
        kpi_of(objective, target_type="milestone", time_aggregation="sum")

    assert refused.value.message_dict["time_aggregation"] == [AGGREGATION_FOR_MILESTONE_OR_ORDINAL]


def test_an_ordinal_kpi_stores_positions_and_scores_by_them(objective, q1, people):
    kpi = kpi_of(objective, target_type="ordinal", levels=RATING)

    services.target_set(kpi=kpi, period=q1, value="AAA", red_flag="A")
    actual = services.actual_enter(kpi=kpi, period=q1, value="AA", by=people.owner, today=LATER)
    recompute_everything(period_ids=[q1.pk])

    assert Target.objects.get().value == 3
    assert actual.value == 2
    # Positions: (10/3)(1 + (2 - 1)/(3 - 1)) = 5.
    assert snapshot("kpi", kpi.pk, q1).score == Decimal("5.000000")


@pytest.mark.parametrize(
    ("value", "field", "message"),
    [
        ("B", "value", scoring.LEVEL_UNKNOWN.format(levels="BBB, A, AA, AAA")),
        ("BBB", "value", scoring.ORDINAL_TARGET_AT_WORST_LEVEL),
    ],
)
def test_an_ordinal_target_that_does_not_fit_is_refused(objective, q1, value, field, message):
    kpi = kpi_of(objective, target_type="ordinal", levels=RATING)

    with pytest.raises(ValidationError) as refused:
        services.target_set(kpi=kpi, period=q1, value=value)

    assert refused.value.message_dict[field] == [message]


@pytest.mark.parametrize(
    ("levels", "message"),
    [
        (["Only"], scoring.LEVELS_TOO_FEW),
        (["Weak", "Weak"], scoring.LEVELS_NOT_UNIQUE),
        (["Weak", ""], scoring.LEVEL_BLANK),
        ([], scoring.LEVELS_TOO_FEW),
    ],
)
def test_an_ordinal_kpi_needs_two_or_more_unique_named_levels(objective, levels, message):
    with pytest.raises(ValidationError) as refused:
        kpi_of(objective, target_type="ordinal", levels=levels)

    assert refused.value.message_dict["levels"] == [message]
    assert not KPI.objects.exists()


def test_levels_that_hold_data_may_be_renamed_but_not_moved_or_removed(objective, q1):
    kpi = kpi_of(objective, target_type="ordinal", levels=RATING)
    services.target_set(kpi=kpi, period=q1, value="AA")

    services.kpi_update(kpi=kpi, levels=["BBB", "A", "AA+", "AAA", "AAA+"])
    with pytest.raises(ValidationError) as moved:
        services.kpi_update(kpi=kpi, levels=["BBB", "AA+", "A", "AAA"])
    with pytest.raises(ValidationError) as removed:
        services.kpi_update(kpi=kpi, levels=["BBB", "A"])

    assert moved.value.message_dict["levels"] == [LEVEL_WITH_DATA_MOVED.format(level="“AA+”")]
    assert removed.value.message_dict["levels"] == [LEVEL_WITH_DATA_MOVED.format(level="“AA+”")]
    kpi.refresh_from_db()
    assert kpi.levels == ["BBB", "A", "AA+", "AAA", "AAA+"]


def test_the_target_type_does_not_change_once_the_kpi_has_data(objective, q1):
    kpi = kpi_of(objective)
    services.target_set(kpi=kpi, period=q1, value="10")

    with pytest.raises(ValidationError) as refused:
        services.kpi_update(kpi=kpi, target_type="band")
    services.kpi_update(kpi=kpi, direction="down")  # at_least follows to at_most

    assert refused.value.message_dict["target_type"] == [TARGET_TYPE_WITH_DATA]
    kpi.refresh_from_db()
    assert kpi.target_type == scoring.AT_MOST


def test_a_tracked_kpi_has_no_targets_and_is_no_member_of_aggregates(objective, q1, people):
    scored = kpi_of(objective, name="Scored")
    tracked = kpi_of(objective, name="Tracked", target_type="track")
    services.target_set(kpi=scored, period=q1, value="100")
    services.actual_enter(kpi=scored, period=q1, value="100", by=people.owner, today=LATER)
    services.actual_enter(kpi=tracked, period=q1, value="3", by=people.owner, today=LATER)

    with pytest.raises(ValidationError) as refused:
        services.target_set(kpi=tracked, period=q1, value="5")
    recompute_everything(period_ids=[q1.pk])

    assert refused.value.message_dict["value"] == [TRACK_HAS_NO_TARGETS]
    assert snapshot("kpi", tracked.pk, q1).status == scoring.TRACKED
    row = snapshot("objective", objective.pk, q1)
    assert (row.score, row.reported, row.total) == (Decimal("6.666667"), 1, 1)


@pytest.mark.parametrize(
    ("kpi_fields", "target_fields", "sentence"),
    [
        (
            {"target_type": "band"},
            {
                "value": Decimal(98),
                "value_high": Decimal(100),
                "red_flag": Decimal(95),
                "red_flag_high": Decimal(102),
            },
            "green 98–100, amber 95–98 or 100–102, red below 95 or above 102",
        ),
        (
            {"target_type": "ordinal", "levels": RATING},
            {"value": Decimal(2)},
            "green at AA or above, amber at A, red below A",
        ),
        ({"target_type": "milestone"}, {"value": Decimal(1)}, "green when done, red when not done"),
        ({}, {"value": Decimal(100)}, "green 100 or above, amber 90–100, red below 90"),
        (
            {"target_type": "less_than", "direction": "down"},
            {"value": Decimal(5)},
            "green below 5, amber 5–5.5, red above 5.5",
        ),
    ],
)
def test_the_zones_read_as_a_person_says_them(kpi_fields, target_fields, sentence):
    from kpis.explain import zones_sentence

    kpi = KPI(tolerance_pct=Decimal(10), **kpi_fields)

    assert zones_sentence(kpi, Target(kpi=kpi, **target_fields)) == sentence


def test_the_explanation_of_an_ordinal_kpi_names_its_level(org, objective, q1, people):
    from kpis.explain import explain

    kpi = kpi_of(objective, target_type="ordinal", levels=RATING)
    services.target_set(kpi=kpi, period=q1, value="AAA")
    services.actual_enter(
        kpi=kpi, period=q1, value="A", comment="Downgraded", by=people.owner, today=LATER
    )
    recompute_everything(period_ids=[q1.pk])

    explanation = explain(
        scorecard=org.acme.scorecard, subject_type="kpi", subject_id=kpi.pk, period=q1
    )

    assert explanation.summary == ("A is red: green at AAA or above, amber at AA, red below AA.")


def test_the_explanation_of_a_band_shows_the_value_at_the_kpis_decimals(org, objective, q1, people):
    from kpis.explain import explain

    # 98.25 inside the band 98–100: green; shown with the KPI's one decimal (half-up), 98.3.
    kpi = kpi_of(objective, target_type="band", decimals=1)
    services.target_set(kpi=kpi, period=q1, value="98", value_high="100")
    services.actual_enter(kpi=kpi, period=q1, value="98.25", by=people.owner, today=LATER)
    recompute_everything(period_ids=[q1.pk])

    explanation = explain(
        scorecard=org.acme.scorecard, subject_type="kpi", subject_id=kpi.pk, period=q1
    )

    # The explanation shows the zones at the KPI's decimals (one by default, issue 17).
    assert explanation.summary.startswith("98.3 is green: green 98.0–100.0")


def test_the_explanation_of_a_milestone_says_done(org, objective, q1, people):
    from kpis.explain import explain

    kpi = kpi_of(objective, target_type="milestone")
    services.target_set(kpi=kpi, period=q1, value="1")
    services.actual_enter(kpi=kpi, period=q1, value="1", by=people.owner, today=LATER)
    recompute_everything(period_ids=[q1.pk])

    explanation = explain(
        scorecard=org.acme.scorecard, subject_type="kpi", subject_id=kpi.pk, period=q1
    )

    assert explanation.summary == "Done is green: green when done, red when not done."
