"""The health check of a scorecard: a scorecard built by the book trips nothing, and each
change below trips exactly the rule it breaks.

The day is 15 May 2026 (fiscal year = calendar year): the current quarter is FY2026 Q2, the
last closed one FY2026 Q1, the default period the check reads when given none. The healthy
scorecard is Acme's (the root, so line of sight does not apply): two objectives per
perspective, each with a leading and a lagging KPI (16 KPIs), all owned by the manager,
targets of 100 in Q1 and Q2, actuals of 100 in Q1 (green), and links from each objective to
the one above it in the next perspective."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from rest_framework.test import APIClient

from kpis import services as kpi_services
from kpis.models import KPI, Actual, Target
from reviews.health import HealthFinding, scorecard_health, starts_with_verb
from reviews.models import ActionItem
from scorecard import services as core
from scorecard.models import Perspective
from strategy import services as strategy_services
from strategy.models import CausalLink, Objective

TODAY = date(2026, 5, 15)
VERBS = ["Build", "Develop", "Improve", "Streamline", "Delight", "Retain", "Grow", "Increase"]


@pytest.fixture(autouse=True)
def may_2026():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def healthy(org, people, django_capture_on_commit_callbacks):
    """Acme's by-the-book scorecard; returns {perspective order: [objective, objective]}."""
    q1, q2 = core.period_for_key("FY2026-Q1"), core.period_for_key("FY2026-Q2")
    by_order: dict[int, list[Objective]] = {}
    with django_capture_on_commit_callbacks(execute=True):
        verbs = iter(VERBS)
        for perspective in Perspective.objects.order_by("order"):
            for number in (1, 2):
                objective = strategy_services.objective_create(
                    scorecard=org.acme.scorecard,
                    perspective=perspective,
                    title=f"{next(verbs)} {perspective.name.lower()} {number}",
                    owner=people.manager,
                )
                by_order.setdefault(perspective.order, []).append(objective)
                for kind in ("leading", "lagging"):
                    kpi = kpi_services.kpi_create(
                        objective=objective,
                        name=f"{objective.title} {kind}",
                        unit="%",
                        indicator_type=kind,
                        owner=people.manager,
                    )
                    for period in (q1, q2):
                        kpi_services.target_set(kpi=kpi, period=period, value=Decimal("100"))
                    kpi_services.actual_enter(
                        kpi=kpi, period=q1, value=Decimal("100"), by=people.manager
                    )
        for order in (1, 2, 3):
            for below, above in zip(by_order[order], by_order[order + 1], strict=True):
                strategy_services.link_create(
                    scorecard=org.acme.scorecard, source=below, target=above
                )
    return by_order


def findings_of(scorecard, code=None):
    found = scorecard_health(scorecard=scorecard)
    return [f for f in found if f.code == code] if code else found


def test_it_finds_nothing_wrong_with_a_scorecard_built_by_the_book(org, healthy):
    assert findings_of(org.acme.scorecard) == []


def test_it_flags_more_than_twenty_kpis(org, people, healthy):
    for objective in healthy[4]:
        for number in range(3):
            kpi_services.kpi_create(objective=objective, name=f"Extra {number}", unit="%")

    assert findings_of(org.acme.scorecard, "kpi_count_high") == [
        HealthFinding(
            "kpi_count_high",
            "warning",
            "22 KPIs: more than 20 makes a scorecard hard to steer by.",
            "scorecard",
            org.acme.scorecard.pk,
        )
    ]


def test_it_hints_at_fewer_than_fifteen_kpis(org, healthy):
    for kpi in KPI.objects.filter(objective=healthy[4][0]):
        kpi_services.kpi_archive(kpi=kpi)

    assert findings_of(org.acme.scorecard, "kpi_count_low") == [
        HealthFinding(
            "kpi_count_low",
            "hint",
            "14 KPIs: fewer than 15; check that every objective is measured.",
            "scorecard",
            org.acme.scorecard.pk,
        )
    ]


def test_it_flags_an_objective_without_kpi_and_one_with_too_many(org, healthy):
    bare, crowded = healthy[4]
    for kpi in KPI.objects.filter(objective=bare):
        kpi_services.kpi_archive(kpi=kpi)
    kpi_services.kpi_create(objective=crowded, name="Third", unit="%")

    without = findings_of(org.acme.scorecard, "objective_without_kpi")
    too_many = findings_of(org.acme.scorecard, "objective_too_many_kpis")

    assert [(f.subject_id, f.message) for f in without] == [
        (bare.pk, "“Grow financial 1” has no KPI: nothing tells whether it is achieved.")
    ]
    assert [(f.subject_id, f.message) for f in too_many] == [
        (crowded.pk, "“Increase financial 2” has 3 KPIs: keep one or two per objective.")
    ]


def test_it_flags_objectives_and_kpis_without_owner(org, healthy):
    objective = healthy[3][0]
    kpi = KPI.objects.filter(objective=healthy[2][0]).first()
    strategy_services.objective_update(objective=objective, owner=None)
    kpi_services.kpi_update(kpi=kpi, owner=None)

    assert [
        (f.subject_type, f.subject_id) for f in findings_of(org.acme.scorecard, "missing_owner")
    ] == [
        ("objective", objective.pk),
        ("kpi", kpi.pk),
    ]


def test_it_flags_a_kpi_without_a_target_for_the_period_shown(org, healthy):
    # No period given: the default period, the last ended quarter FY2026 Q1 (it holds data).
    kpi = KPI.objects.filter(objective=healthy[1][0]).first()
    Target.objects.filter(kpi=kpi, period=core.period_for_key("FY2026-Q1")).delete()

    assert findings_of(org.acme.scorecard, "no_target") == [
        HealthFinding(
            "no_target", "warning", f"KPI “{kpi.name}” has no target for FY2026 Q1.", "kpi", kpi.pk
        )
    ]


def test_it_reads_the_period_it_is_given_not_todays_quarters(org, healthy):
    # FY2026 Q2 has its targets of 100 but no actual yet: each of the 16 KPIs lacks one for
    # Q2, none lacks a target, and Q1's missing target is not Q2's business.
    kpi = KPI.objects.filter(objective=healthy[1][0]).first()
    Target.objects.filter(kpi=kpi, period=core.period_for_key("FY2026-Q1")).delete()
    q2 = core.period_for_key("FY2026-Q2")

    found = scorecard_health(scorecard=org.acme.scorecard, period=q2)

    assert [f for f in found if f.code == "no_target"] == []
    stale = [f for f in found if f.code == "stale_actuals"]
    assert len(stale) == 16
    assert stale[0].message.endswith("has no actual for FY2026 Q2.")


def test_with_no_data_in_the_last_ended_quarter_it_reads_the_latest_period_with_data(org, healthy):
    # On 20 August 2026 the last ended quarter is FY2026 Q2: targets but no actual, so the
    # default period is FY2026 Q1, which has both. Today's quarter (Q3, no target at all)
    # is not read: nothing is missing.
    with time_machine.travel(date(2026, 8, 20), tick=False):
        found = findings_of(org.acme.scorecard)

    assert {f.code for f in found} & {"no_target", "stale_actuals"} == set()


def test_a_monthly_kpi_is_asked_for_the_months_of_the_quarter_and_a_yearly_one_for_its_year(
    org, people, healthy, django_capture_on_commit_callbacks
):
    objective = healthy[1][0]
    with django_capture_on_commit_callbacks(execute=True):
        monthly = kpi_services.kpi_create(
            objective=objective,
            name="Monthly calls",
            unit="calls",
            frequency="month",
            owner=people.manager,
        )
        yearly = kpi_services.kpi_create(
            objective=objective,
            name="Yearly survey",
            unit="%",
            frequency="year",
            owner=people.manager,
        )
        # The monthly KPI has its target and actual in February (FY2026 Q1), a target in
        # April (Q2) only; the yearly one has both in FY2026.
        for key in ("2026-02", "2026-04"):
            kpi_services.target_set(
                kpi=monthly, period=core.period_for_key(key), value=Decimal("10")
            )
        kpi_services.actual_enter(
            kpi=monthly,
            period=core.period_for_key("2026-02"),
            value=Decimal("12"),
            by=people.manager,
        )
        year = core.period_for_key("FY2026")
        kpi_services.target_set(kpi=yearly, period=year, value=Decimal("80"))
        kpi_services.actual_enter(kpi=yearly, period=year, value=Decimal("85"), by=people.manager)

    def codes(period_key, kpi):
        period = core.period_for_key(period_key)
        found = scorecard_health(scorecard=org.acme.scorecard, period=period)
        return {f.code for f in found if f.subject_id == kpi.pk and f.subject_type == "kpi"}

    # Q1: February counts for the monthly KPI, FY2026 for the yearly one.
    assert codes("FY2026-Q1", monthly) == set()
    assert codes("FY2026-Q1", yearly) == set()
    # Q2: April has a target but no actual; the yearly KPI still reads FY2026.
    assert codes("FY2026-Q2", monthly) == {"stale_actuals"}
    assert codes("FY2026-Q2", yearly) == set()
    # March alone: neither a target nor an actual for the monthly KPI.
    assert codes("2026-03", monthly) == {"no_target", "stale_actuals"}


def test_it_does_not_ask_a_tracked_kpi_for_targets(org, healthy):
    kpi = KPI.objects.filter(objective=healthy[1][0]).first()
    Target.objects.filter(kpi=kpi).delete()
    kpi.actuals.all().delete()  # the target type changes only on a KPI without data
    kpi_services.kpi_update(kpi=kpi, target_type="track")

    assert findings_of(org.acme.scorecard, "no_target") == []


def test_it_flags_an_empty_perspective(org, healthy, customer):
    for objective in healthy[3]:
        strategy_services.objective_archive(objective=objective)

    assert findings_of(org.acme.scorecard, "perspective_empty") == [
        HealthFinding(
            "perspective_empty",
            "warning",
            "No objective in the Customer perspective.",
            "perspective",
            customer.pk,
        )
    ]


def test_it_hints_at_a_title_that_does_not_start_with_a_verb(org, healthy):
    objective = healthy[3][0]
    strategy_services.objective_update(objective=objective, title="Customer delight")

    assert [f.subject_id for f in findings_of(org.acme.scorecard, "objective_not_verb")] == [
        objective.pk
    ]


def test_it_accepts_the_organizations_extra_verbs():
    assert not starts_with_verb("Onboard partners faster", set())
    assert starts_with_verb("Onboard partners faster", {"onboard"})
    assert starts_with_verb("Reduce churn", set())
    assert not starts_with_verb("", set())


def test_it_reads_extra_verbs_from_the_organization_settings(org, healthy):
    objective = healthy[3][0]
    strategy_services.objective_update(objective=objective, title="Onboard partners faster")
    assert findings_of(org.acme.scorecard, "objective_not_verb")

    core.organization_settings_update(extra_action_verbs="Onboard\nupsell")

    assert findings_of(org.acme.scorecard, "objective_not_verb") == []


def test_it_flags_an_objective_below_the_top_measured_by_lagging_kpis_only(org, healthy):
    objective = healthy[2][1]
    leading = KPI.objects.get(objective=objective, indicator_type="leading")
    kpi_services.kpi_update(kpi=leading, indicator_type="lagging")
    # At the top of the map lagging indicators are what one expects.
    top_leading = KPI.objects.get(objective=healthy[4][0], indicator_type="leading")
    kpi_services.kpi_update(kpi=top_leading, indicator_type="lagging")

    assert [f.subject_id for f in findings_of(org.acme.scorecard, "no_leading_indicator")] == [
        objective.pk
    ]


def test_it_hints_at_an_objective_without_links(org, healthy):
    objective = healthy[1][0]
    CausalLink.objects.filter(source=objective).delete()

    found = findings_of(org.acme.scorecard, "orphan_objective")

    # Its partner above keeps its link to the perspective above it.
    assert [(f.subject_id, f.severity) for f in found] == [(objective.pk, "hint")]


def test_it_flags_a_link_pointing_down_the_perspectives(org, healthy):
    link = strategy_services.link_create(
        scorecard=org.acme.scorecard, source=healthy[4][0], target=healthy[3][1]
    )

    assert findings_of(org.acme.scorecard, "downward_link") == [
        HealthFinding(
            "downward_link",
            "warning",
            "“Grow financial 1” → “Retain customer 2” points down the perspectives, "
            "against the map.",
            "link",
            link.pk,
        )
    ]


def test_it_flags_an_objective_below_the_root_that_supports_nothing(org, healthy, financial):
    aligned = strategy_services.objective_create(
        scorecard=org.north.scorecard,
        perspective=financial,
        title="Grow north revenue",
        supports=[healthy[4][0]],
    )
    stray = strategy_services.objective_create(
        scorecard=org.north.scorecard, perspective=financial, title="Grow north margin"
    )

    found = findings_of(org.north.scorecard, "no_line_of_sight")

    assert [f.subject_id for f in found] == [stray.pk]
    assert aligned.pk not in [f.subject_id for f in found]


def test_it_flags_a_kpi_without_an_actual_for_the_last_closed_quarter(org, healthy):
    kpi = KPI.objects.filter(objective=healthy[1][1]).last()
    Actual.objects.filter(kpi=kpi).delete()

    assert findings_of(org.acme.scorecard, "stale_actuals") == [
        HealthFinding(
            "stale_actuals",
            "warning",
            f"KPI “{kpi.name}” has no actual for FY2026 Q1.",
            "kpi",
            kpi.pk,
        )
    ]


def test_it_flags_a_red_kpi_until_it_has_an_open_action_item(
    org, people, healthy, django_capture_on_commit_callbacks
):
    kpi = KPI.objects.filter(objective=healthy[4][0]).first()
    with django_capture_on_commit_callbacks(execute=True):
        # 50 against a target of 100 is far past the default red flag of 90.
        kpi_services.actual_enter(
            kpi=kpi,
            period=core.period_for_key("FY2026-Q1"),
            value=Decimal("50"),
            comment="Lost the biggest account.",
            by=people.manager,
        )
    ActionItem.objects.filter(kpi=kpi).delete()  # Drafted automatically by the reviews app.

    assert [f.subject_id for f in findings_of(org.acme.scorecard, "red_without_action")] == [kpi.pk]

    ActionItem.objects.create(
        scorecard=org.acme.scorecard, title="Win accounts back", due_date=TODAY, kpi=kpi
    )
    assert findings_of(org.acme.scorecard, "red_without_action") == []


def test_it_serves_the_findings_in_the_api(org, people, healthy):
    strategy_services.objective_update(objective=healthy[3][0], title="Customer delight")
    client = APIClient()
    client.force_authenticate(people.executive)

    response = client.get(f"/api/scorecards/{org.acme.scorecard.pk}/health/")

    assert response.status_code == 200
    assert response.json() == [
        {
            "code": "objective_not_verb",
            "severity": "hint",
            "message": "“Customer delight” does not start with an action verb "
            "(e.g. “Grow”, “Reduce”).",
            "subject_type": "objective",
            "subject_id": healthy[3][0].pk,
        }
    ]


def test_the_api_reads_the_period_asked_for_with_the_same_codes_and_shape(org, people, healthy):
    client = APIClient()
    client.force_authenticate(people.executive)
    url = f"/api/scorecards/{org.acme.scorecard.pk}/health/"

    response = client.get(url, {"period": "FY2026-Q2"})

    assert response.status_code == 200
    rows = response.json()
    assert {row["code"] for row in rows} == {"stale_actuals"}
    assert len(rows) == 16
    assert set(rows[0]) == {"code", "severity", "message", "subject_type", "subject_id"}
    assert rows[0]["message"].endswith("has no actual for FY2026 Q2.")
    refused = client.get(url, {"period": "FY2026-Q5"})
    assert refused.status_code == 400
    assert "period" in refused.json()


def test_it_answers_404_for_an_unknown_or_huge_id(org, people):
    client = APIClient()
    client.force_authenticate(people.admin)

    for pk in (99_999_999, 2**70):
        assert client.get(f"/api/scorecards/{pk}/health/").status_code == 404


@pytest.mark.parametrize("persona", ["outsider", "south_team_manager"])
def test_it_answers_404_to_those_who_cannot_read_the_scorecard(org, people, persona):
    client = APIClient()
    client.force_authenticate(getattr(people, persona))

    assert client.get(f"/api/scorecards/{org.north.scorecard.pk}/health/").status_code == 404


def test_it_asks_anonymous_api_callers_to_sign_in(org):
    response = APIClient().get(f"/api/scorecards/{org.acme.scorecard.pk}/health/")

    assert response.status_code == 401


def test_it_shows_the_panel_to_readers_without_fix_links(client, org, people, healthy):
    strategy_services.objective_update(objective=healthy[3][0], title="Customer delight")
    client.force_login(people.executive)

    page = client.get(f"/units/{org.acme.slug}/health/", HTTP_HX_REQUEST="true")

    body = page.content.decode()
    assert 'data-code="objective_not_verb"' in body
    assert "Fix</a>" not in body
    assert "<html" not in body
    assert "Targets and actuals are looked for in FY2026 Q1." in body
    # The scorecard page asks the panel for the period it shows.
    later = client.get(f"/units/{org.acme.slug}/health/?period=FY2026-Q2", HTTP_HX_REQUEST="true")
    assert "Targets and actuals are looked for in FY2026 Q2." in later.content.decode()
    assert 'data-code="stale_actuals"' in later.content.decode()


# Issue 15: KPIs that can never score, noun phrases, codes before the title.


def test_it_names_a_kpi_that_has_no_target_in_any_period(org, healthy):
    kpi = KPI.objects.filter(objective=healthy[1][0]).first()
    Target.objects.filter(kpi=kpi).delete()

    # One finding for one cause: not also "no target for FY2026 Q2".
    found = findings_of(org.acme.scorecard)
    assert [f.code for f in found if f.subject_type == "kpi" and f.subject_id == kpi.pk] == [
        "never_scores"
    ]
    assert findings_of(org.acme.scorecard, "never_scores")[0].message == (
        f"KPI “{kpi.name}” has no target in any period, so it can never score."
    )


def test_it_asks_no_target_of_a_tracked_kpi(org, healthy):
    kpi = KPI.objects.filter(objective=healthy[1][0]).first()
    Target.objects.filter(kpi=kpi).delete()
    KPI.objects.filter(pk=kpi.pk).update(target_type=KPI.TargetType.TRACK)

    codes = {f.code for f in findings_of(org.acme.scorecard) if f.subject_id == kpi.pk}
    assert not codes & {"never_scores", "no_target"}


@pytest.mark.parametrize(
    ("title", "verb"),
    [
        ("Use of Competition", False),
        ("Access to Strategic Information", False),
        ("Increase of market share", False),
        ("Customer delight", False),
        ("Use data to decide", True),
        ("Access new markets", True),
        ("Respond to incidents quickly", True),  # "respond" is a verb only
        ("Ship on time", True),
        ("Control operating costs", True),
        ("1.2 Grow revenue", True),
        ("F1.1: Grow revenue", True),
        ("3) Reduce churn", True),
        ("1.2 – Reduce churn", True),
        ("1.2 Use of Competition", False),
        ("2.1", False),
    ],
)
def test_it_reads_the_action_verb_after_a_typed_code_and_not_in_a_noun_phrase(title, verb):
    assert starts_with_verb(title, set()) is verb


def test_it_reads_the_title_after_the_objectives_own_code():
    assert starts_with_verb("CX Delight customers", set(), code="CX")
    assert not starts_with_verb("CX Customer delight", set(), code="CX")


def test_an_extra_verb_of_the_organization_passes_before_its_noun_phrase():
    assert not starts_with_verb("Return to profitability", set())
    assert starts_with_verb("Return to profitability", {"return"})


def test_it_names_objectives_and_kpis_with_their_codes(org, healthy):
    objective = healthy[1][0]
    Objective.objects.filter(pk=objective.pk).update(code="L1", title="Learning of staff")
    kpi = KPI.objects.filter(objective=objective).first()
    KPI.objects.filter(pk=kpi.pk).update(code="L1.1", owner=None)

    subjects = {("objective", objective.pk), ("kpi", kpi.pk)}
    messages = {
        (f.subject_type, f.code): f.message
        for f in findings_of(org.acme.scorecard)
        if (f.subject_type, f.subject_id) in subjects
    }

    assert messages["objective", "objective_not_verb"].startswith(
        "“L1 Learning of staff” does not start"
    )
    assert messages["kpi", "missing_owner"] == f"KPI “L1.1 {kpi.name}” has no owner."
