"""The demo's twelve quarters hold links of every linkage verdict."""

from collections import Counter

from kpis import linkage
from kpis.linkage_selectors import scorecard_linkage
from scorecard.models import Scorecard
from scorecard.services import last_ended_period


def test_it_finds_every_verdict_among_the_demo_links(demo):
    period = last_ended_period()

    verdicts = Counter(
        row.verdict
        for scorecard in Scorecard.objects.all()
        for row in scorecard_linkage(scorecard=scorecard, period=period).links
    )

    assert set(verdicts) == set(linkage.VERDICT_RANK)
    # Most links with a testable pair the data should bear out or leave weak, not refute.
    assert verdicts[linkage.SUPPORTED] > verdicts[linkage.CONTRADICTED]
