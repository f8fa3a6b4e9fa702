"""`GET /api/scorecards/<id>/linkage/`: each link's verdict from the KPIs' history."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from kpis import services as kpi_services
from scorecard import services as core
from scorecard.models import Perspective
from strategy import services as strategy_services

Q3 = "FY2026-Q3"
# FY2023 Q4 to FY2026 Q3. Defects (lower is better) fall by twice each rise of training two
# quarters later: after turning the `down` KPI, r = 1 at lag 2 over 9 pairs of changes.
HISTORY = [f"FY{y}-Q{q}" for y in (2023, 2024, 2025, 2026) for q in (1, 2, 3, 4)][3:15]
TRAINING = [10, 12, 11, 15, 14, 13, 17, 16, 19, 18, 22, 21]
DEFECTS = [80, 80, 80, 76, 78, 70, 72, 74, 66, 68, 62, 64]


@pytest.fixture
def api():
    return APIClient()


def url(scorecard, period=None):
    path = reverse("api-scorecard-linkage", args=[scorecard.pk])
    return f"{path}?period={period}" if period else path


def build(scorecard, owner, *, objectives=2, history=HISTORY):
    """Pairs of (skills with a leading KPI → quality with a lagging `down` KPI), linked, and
    one more link from quality to a customer objective without KPIs."""
    perspectives = {p.order: p for p in Perspective.objects.all()}
    made = []
    for n in range(objectives // 2):
        skills = strategy_services.objective_create(
            scorecard=scorecard, perspective=perspectives[1], title=f"Build skills {n}"
        )
        quality = strategy_services.objective_create(
            scorecard=scorecard, perspective=perspectives[2], title=f"Improve quality {n}"
        )
        customers = strategy_services.objective_create(
            scorecard=scorecard, perspective=perspectives[3], title=f"Delight customers {n}"
        )
        training = kpi_services.kpi_create(
            objective=skills, name=f"Training {n}", unit="h", indicator_type="leading"
        )
        defects = kpi_services.kpi_create(
            objective=quality,
            name=f"Defects {n}",
            unit="count",
            direction="down",
            indicator_type="lagging",
        )
        for key, hours, count in zip(history, TRAINING, DEFECTS, strict=False):
            period = core.period_for_key(key)
            kpi_services.actual_enter(kpi=training, period=period, value=hours, by=owner)
            kpi_services.actual_enter(kpi=defects, period=period, value=count, by=owner)
        made.append(
            {
                "link": strategy_services.link_create(
                    scorecard=scorecard, source=skills, target=quality
                ),
                "no_pair": strategy_services.link_create(
                    scorecard=scorecard, source=quality, target=customers
                ),
                "training": training,
                "defects": defects,
            }
        )
    return made


def test_it_gives_each_pair_its_lag_correlation_and_verdict(api, org, people):
    [made] = build(org.north.scorecard, people.admin)
    api.force_authenticate(people.executive)

    response = api.get(url(org.north.scorecard, Q3))

    assert response.status_code == 200
    assert response.json() == [
        {
            "link": made["link"].pk,
            "link_verdict": "supported",
            "source_kpi": made["training"].pk,
            "target_kpi": made["defects"].pk,
            "lag": 2,
            "correlation": 1.0,
            "n": 9,
            "p_value": 0.0,
            "verdict": "supported",
        },
        {
            "link": made["no_pair"].pk,
            "link_verdict": "insufficient_data",
            "source_kpi": None,
            "target_kpi": None,
            "lag": None,
            "correlation": None,
            "n": 0,
            "p_value": None,
            "verdict": "insufficient_data",
        },
    ]


def test_it_calls_a_link_whose_pairs_disagree_contradicted(api, org, people):
    # Rework holds the defect counts but is a higher-is-better KPI, so its turned changes are
    # the defects' own: they move against training at lag 2, r = -1 over 9 pairs, where the
    # turned defects move with it, r = 1. Each pair is significant in its own direction.
    [made] = build(org.north.scorecard, people.admin)
    rework = kpi_services.kpi_create(
        objective=made["defects"].objective,
        name="Rework",
        unit="count",
        direction="up",
        indicator_type="lagging",
    )
    for key, count in zip(HISTORY, DEFECTS, strict=True):
        kpi_services.actual_enter(
            kpi=rework, period=core.period_for_key(key), value=count, by=people.admin
        )
    api.force_authenticate(people.executive)

    rows = api.get(url(org.north.scorecard, Q3)).json()

    link_rows = [row for row in rows if row["link"] == made["link"].pk]
    assert [
        (row["target_kpi"], row["verdict"], row["lag"], row["correlation"], row["p_value"])
        for row in link_rows
    ] == [
        (made["defects"].pk, "supported", 2, 1.0, 0.0),
        (rework.pk, "contradicted", 2, -1.0, 0.0),
    ]
    assert {row["link_verdict"] for row in link_rows} == {"contradicted"}


def test_it_says_insufficient_data_with_too_short_a_history(api, org, people):
    # Seven quarters, FY2025 Q1 to Q3 of FY2026: lag 1 has 5 pairs of changes, lag 2 has 4.
    build(org.north.scorecard, people.admin, history=HISTORY[5:])
    api.force_authenticate(people.manager)

    rows = api.get(url(org.north.scorecard, Q3)).json()

    assert [(row["verdict"], row["lag"], row["n"]) for row in rows] == [
        ("insufficient_data", None, 5),
        ("insufficient_data", None, 0),
    ]


def test_it_reads_the_history_up_to_the_quarter_asked_for(api, org, people):
    build(org.north.scorecard, people.admin)
    api.force_authenticate(people.manager)

    rows = api.get(url(org.north.scorecard, "FY2025-Q3")).json()

    # The window ends in FY2025 Q3: the first 8 quarters of the history, 7 changes. Lag 2
    # pairs 5 (too few), lag 1 pairs 6: training changes 2, -1, 4, -1, -1, 4 against the
    # turned defect changes one quarter later 0, 4, -2, 8, -2, -2. Sxy = -26 - 6 × 7/6 × 1
    # = -33, Sxx = 39 - 49/6 = 30.8333, Syy = 92 - 6 = 86: r = -33 / √(30.8333 × 86)
    # = -0.640847; not strong, not significant over 6 pairs: weak.
    assert rows[0]["lag"] == 1
    assert rows[0]["n"] == 6
    assert rows[0]["correlation"] == pytest.approx(-0.640847, abs=1e-6)
    assert rows[0]["verdict"] == "weak"


@pytest.mark.parametrize("persona", ["admin", "manager", "north_manager", "executive"])
def test_it_answers_people_who_may_read_the_scorecard(api, org, people, persona):
    build(org.north.scorecard, people.admin)
    api.force_authenticate(getattr(people, persona))

    response = api.get(url(org.north.scorecard))

    assert response.status_code == 200
    judged = {row["link"] for row in response.json()}
    assert judged == set(org.north.scorecard.links.values_list("pk", flat=True))
    assert len(judged) == 2


@pytest.mark.parametrize("persona", ["owner", "south_team_manager", "outsider"])
def test_it_answers_a_hidden_scorecard_like_a_missing_one(api, org, people, persona):
    build(org.north.scorecard, people.admin)
    api.force_authenticate(getattr(people, persona))

    response = api.get(url(org.north.scorecard))

    assert response.status_code == 404
    assert b"Training" not in response.content


def test_it_asks_anonymous_callers_to_sign_in(api, org):
    assert api.get(url(org.north.scorecard)).status_code == 401


def test_it_explains_a_malformed_quarter(api, org, people):
    api.force_authenticate(people.manager)

    response = api.get(url(org.north.scorecard, "FY2026-Q9"))

    assert response.status_code == 400
    assert list(response.json()) == ["period"]


def test_it_runs_the_same_queries_for_ten_times_the_links(api, org, people):
    def queries_for(scorecard, objectives):
        build(scorecard, people.admin, objectives=objectives)
        api.get(url(scorecard, Q3))
        with CaptureQueriesContext(connection) as captured:
            response = api.get(url(scorecard, Q3))
        assert len(response.json()) == objectives
        return len(captured)

    api.force_authenticate(people.manager)

    small = queries_for(org.south.scorecard, 2)
    # 1 memberships, 2 scorecard, 3 settings, 4 period; linkage: 5 links, 6 KPIs,
    # 7 periods, 8 actuals, 9 roll-up values.
    assert small <= 9
    assert queries_for(org.north.scorecard, 20) == small
