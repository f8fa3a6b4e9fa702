"""How reviews file links by their linkage verdict: a contradicted link is broken, a weak one
(not enough evidence yet) is only to watch. The statistics are tested in tests/kpis."""

import pytest
from django.test import Client

from kpis import linkage
from kpis.linkage_selectors import LinkLinkage, PairLinkage, ScorecardLinkage
from reviews import agenda, annual, services
from scorecard import services as core
from strategy import services as strategy_services


def judged(verdict: str) -> list[PairLinkage]:
    result = linkage.PairResult(lags=(), verdict=verdict, decisive=None, adjusted_p=None)
    return [PairLinkage(None, None, result, [], [])]  # type: ignore[arg-type]


@pytest.fixture
def links(org, customer):
    """Three links into "Grow regional revenue", made in this order: weak, contradicted,
    supported."""
    scorecard = org.north_sales.scorecard
    target = scorecard.objectives.get(title="Grow regional revenue")
    made = {}
    for verdict, title in (
        (linkage.WEAK, "Visit key accounts"),
        (linkage.CONTRADICTED, "Discount to win"),
        (linkage.SUPPORTED, "Train the sales team"),
    ):
        cause = strategy_services.objective_create(
            scorecard=scorecard, perspective=customer, title=title
        )
        made[verdict] = strategy_services.link_create(
            scorecard=scorecard, source=cause, target=target
        )
    return made


def linkage_of(links):
    return lambda **kwargs: ScorecardLinkage(
        quarters=[], links=[LinkLinkage(link, judged(verdict)) for verdict, link in links.items()]
    )


def test_it_lists_a_weak_link_as_one_to_watch_after_the_broken_ones(
    red_kpi, org, people, links, monkeypatch
):
    review = services.review_create(
        scorecard=org.north_sales.scorecard, period=core.period_for_key("FY2026-Q1")
    )
    monkeypatch.setattr(agenda, "scorecard_linkage", linkage_of(links))

    services.review_open(review=review)

    assert list(
        review.findings.filter(kind="weak_link").order_by("id").values_list("link", "headline")
    ) == [
        (
            links[linkage.CONTRADICTED].pk,
            "Discount to win → Grow regional revenue: the data contradicts the link",
        ),
        (
            links[linkage.WEAK].pk,
            "Visit key accounts → Grow regional revenue: to watch, not enough evidence yet",
        ),
    ]


def test_it_asks_to_rethink_only_contradicted_links_in_the_annual_review(
    clock, org, people, north_sales_kpi, links, monkeypatch
):
    review = services.review_create(
        scorecard=org.north_sales.scorecard,
        period=core.period_for_key("FY2025-Q4"),
        kind="annual",
    )
    monkeypatch.setattr(annual, "scorecard_linkage", linkage_of(links))
    client = Client()
    client.force_login(people.executive)

    page = client.get(f"/reviews/{review.pk}/").content.decode()

    assert [row.link for row in annual.recalibration(review).broken_links] == [
        links[linkage.CONTRADICTED]
    ]
    assert (
        "<td>Visit key accounts</td><td>Grow regional revenue</td>"
        '<td>Not enough evidence yet <span class="muted">to watch</span></td>'
    ) in page
    assert (
        "<td>Discount to win</td><td>Grow regional revenue</td>"
        '<td>Contradicted <span class="gap">rethink</span></td>'
    ) in page
    assert "<td>Train the sales team</td><td>Grow regional revenue</td><td>Supported</td>" in page
