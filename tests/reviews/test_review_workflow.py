"""The review's life: plan, open (the agenda), comment, close (the pack and the lock), reopen."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kpis import services as kpi_services
from reviews import services
from reviews.models import ActionItem, Finding, Review
from scorecard import services as core


@pytest.fixture
def review(red_kpi, org, people, q1):
    return services.review_create(
        scorecard=org.north_sales.scorecard, period=q1, facilitator=people.north_manager
    )


def test_it_builds_the_agenda_from_the_snapshots_when_the_review_opens(review, red_kpi):
    services.review_open(review=review)

    findings = list(review.findings.all())
    # 80 against 100 with the red flag at 90: 10/3 × (1 + (80 − 90)/10) = 0.
    assert [(f.kind, f.kpi_id, f.headline) for f in findings if f.kpi_id] == [
        (Finding.Kind.PERFORMANCE_GAP, red_kpi.pk, "Regional revenue: off target, score 0.0")
    ]
    assert review.status == Review.Status.IN_REVIEW


def test_it_writes_the_agenda_once_when_opened_twice(review):
    services.review_open(review=review)
    services.review_open(review=review)

    assert review.findings.filter(kind=Finding.Kind.PERFORMANCE_GAP).count() == 1


def test_it_puts_overdue_actions_and_late_milestones_on_the_agenda(review, org, people, clock):
    scorecard = org.north_sales.scorecard
    services.action_item_create(
        scorecard=scorecard, title="Call back the lost account", owner=people.owner,
        due_date=dt.date(2026, 5, 1), backdated=True,
    )  # fmt: skip
    services.initiative_create(
        scorecard=scorecard, name="Key account programme", owner=people.north_manager,
        milestones=[services.MilestoneDraft("Hire an account lead", dt.date(2026, 4, 30))],
    )  # fmt: skip

    services.review_open(review=review)

    headlines = list(
        review.findings.exclude(kind=Finding.Kind.PERFORMANCE_GAP).values_list("kind", "headline")
    )
    assert headlines == [
        ("overdue_action", "Call back the lost account: due 1 May 2026, owner"),
        (
            "late_milestone",
            "Key account programme: milestone “Hire an account lead” was due 30 Apr 2026",
        ),
    ]


def test_it_keeps_a_finding_comment(review):
    services.review_open(review=review)
    finding = review.findings.get()

    services.finding_comment(finding=finding, comment="  Price pressure from a new rival. ")

    finding.refresh_from_db()
    assert finding.comment == "Price pressure from a new rival."


def test_it_freezes_the_snapshots_into_the_pack_and_locks_the_quarter(review, red_kpi, people, q1):
    services.review_close(review=review, by=people.north_manager)

    review.refresh_from_db()
    kpi_rows = [row for row in review.pack["snapshots"] if row["subject_type"] == "kpi"]
    assert kpi_rows == [
        {
            "subject_type": "kpi", "subject_id": red_kpi.pk, "name": "Regional revenue",
            "decimals": 1, "value": "80.000000", "score": "0.000000", "status": "red",
            "reported": 1, "total": 1,
        }
    ]  # fmt: skip
    assert review.pack["period"] == "FY2026-Q1"
    assert review.status == Review.Status.CLOSED
    with pytest.raises(ValidationError) as refused:
        kpi_services.actual_enter(kpi=red_kpi, period=q1, value=Decimal("95"), by=people.owner)
    assert refused.value.message_dict["period"] == [
        kpi_services.QUARTER_LOCKED.format(period="FY2026 Q1", scorecard="North Sales scorecard")
    ]


def test_it_keeps_the_pack_when_the_numbers_move_on(
    review, red_kpi, people, q1, django_capture_on_commit_callbacks
):
    services.review_close(review=review, by=people.north_manager)
    services.review_reopen(review=review, by=people.north_manager, reason="Late correction")
    with django_capture_on_commit_callbacks(execute=True):
        kpi_services.actual_enter(
            kpi=red_kpi, period=q1, value=Decimal("100"), by=people.owner, based_on_version=1
        )

    review.refresh_from_db()
    assert [row["score"] for row in review.pack["snapshots"] if row["subject_type"] == "kpi"] == [
        "0.000000"
    ]


def test_it_refuses_to_close_a_review_twice(review, people):
    services.review_close(review=review, by=people.north_manager)
    closed_at = Review.objects.get(pk=review.pk).closed_at

    with pytest.raises(ValidationError) as refused:
        services.review_close(review=review, by=people.north_manager)

    assert refused.value.message_dict == {"status": [services.REVIEW_ALREADY_CLOSED]}
    assert Review.objects.get(pk=review.pk).closed_at == closed_at


def test_it_refuses_to_reopen_without_a_reason(review, people, q1):
    services.review_close(review=review, by=people.north_manager)

    with pytest.raises(ValidationError) as refused:
        services.review_reopen(review=review, by=people.north_manager, reason="   ")

    assert refused.value.message_dict == {"reason": [services.REOPEN_NEEDS_REASON]}
    assert Review.objects.get(pk=review.pk).status == Review.Status.CLOSED
    assert kpi_services.quarter_is_locked(scorecard=review.scorecard, period=q1)


def test_it_reopens_with_a_reason_and_unlocks_the_quarter(review, people, q1):
    services.review_close(review=review, by=people.north_manager)

    services.review_reopen(review=review, by=people.north_manager, reason="Q1 revenue restated")

    review.refresh_from_db()
    assert review.status == Review.Status.IN_REVIEW
    assert review.reopen_reason == "12 May 2026 north_manager: Q1 revenue restated"
    assert not kpi_services.quarter_is_locked(scorecard=review.scorecard, period=q1)


def test_it_refuses_to_reopen_a_review_that_is_not_closed(review, people):
    with pytest.raises(ValidationError) as refused:
        services.review_reopen(review=review, by=people.north_manager, reason="Why not")

    assert refused.value.message_dict == {"status": [services.REVIEW_NOT_CLOSED]}


def test_it_refuses_a_review_of_a_future_quarter(clock, org):
    q3 = core.period_for_key("FY2026-Q3")

    with pytest.raises(ValidationError) as refused:
        services.review_create(scorecard=org.north_sales.scorecard, period=q3)

    assert refused.value.message_dict == {
        "period": ["FY2026 Q3 has not started yet: a review looks back at a quarter."]
    }
    assert not Review.objects.exists()


def test_it_refuses_a_second_review_of_the_same_quarter(review, org, q1):
    with pytest.raises(ValidationError) as refused:
        services.review_create(scorecard=org.north_sales.scorecard, period=q1)

    assert refused.value.messages == ["This scorecard already has such a review for this quarter."]
    assert Review.objects.count() == 1


def test_it_refuses_an_action_due_in_the_past(clock, org, people):
    with pytest.raises(ValidationError) as refused:
        services.action_item_create(
            scorecard=org.north_sales.scorecard, title="Call the client", owner=people.owner,
            due_date=dt.date(2026, 5, 11),
        )  # fmt: skip

    assert refused.value.message_dict == {
        "due_date": ["The due date 11 May 2026 is in the past: choose today or a later day."]
    }
    assert not ActionItem.objects.exists()


def test_it_refuses_an_action_owner_who_cannot_see_the_unit(clock, org, people):
    with pytest.raises(ValidationError) as refused:
        services.action_item_create(
            scorecard=org.north_sales.scorecard, title="Call the client",
            owner=people.south_team_manager, due_date=dt.date(2026, 6, 1),
        )  # fmt: skip

    assert refused.value.message_dict == {
        "owner": ["south_team_manager has no role on North Sales or above it, so cannot own this."]
    }
    assert not ActionItem.objects.exists()


def test_it_moves_an_action_through_its_statuses_with_notes(clock, org, people):
    item = services.action_item_create(
        scorecard=org.north_sales.scorecard, title="Call the client", owner=people.owner,
        due_date=dt.date(2026, 6, 1),
    )  # fmt: skip

    services.action_item_update(item=item, by=people.owner, status=ActionItem.Status.IN_PROGRESS)
    services.progress_note_add(item=item, author=people.owner, text="Meeting booked.")
    services.action_item_update(item=item, by=people.owner, status=ActionItem.Status.DONE)

    item.refresh_from_db()
    assert item.status == ActionItem.Status.DONE
    assert item.completed_at is not None
    assert list(item.notes.values_list("text", flat=True)) == ["Meeting booked."]
    assert [h.status for h in item.history.order_by("history_id")] == [
        "open",
        "in_progress",
        "done",
    ]


def test_it_puts_links_the_data_does_not_bear_out_on_the_agenda(review, org, customer, monkeypatch):
    from kpis import linkage
    from kpis.linkage_selectors import LinkLinkage, PairLinkage, ScorecardLinkage
    from reviews import agenda
    from strategy import services as strategy_services

    scorecard = org.north_sales.scorecard
    cause = strategy_services.objective_create(
        scorecard=scorecard, perspective=customer, title="Delight key accounts"
    )
    # The link's target is the objective of the red KPI.
    target = scorecard.objectives.get(title="Grow regional revenue")
    link = strategy_services.link_create(scorecard=scorecard, source=cause, target=target)
    other = strategy_services.link_create(
        scorecard=scorecard,
        source=strategy_services.objective_create(
            scorecard=scorecard, perspective=customer, title="Win new accounts"
        ),
        target=target,
    )

    def judged(verdict):
        result = linkage.PairResult(lags=(), verdict=verdict, decisive=None, adjusted_p=None)
        return [PairLinkage(None, None, result, [], [])]  # type: ignore[arg-type]

    # The statistics are tested in kpis; here only which verdicts reach the agenda.
    monkeypatch.setattr(
        agenda,
        "scorecard_linkage",
        lambda **kwargs: ScorecardLinkage(
            quarters=[],
            links=[
                LinkLinkage(link, judged(linkage.CONTRADICTED)),
                LinkLinkage(other, judged(linkage.SUPPORTED)),
            ],
        ),
    )

    services.review_open(review=review)

    assert list(review.findings.filter(kind="weak_link").values_list("link", "headline")) == [
        (link.pk, "Delight key accounts → Grow regional revenue: the data contradicts the link")
    ]
