"""The words pages use for linkage verdicts: the API's `weak` reads "not enough evidence yet"
(twelve quarters often cannot show even a real effect), never as a fault of the link."""

from django.urls import reverse

from tests.kpis.test_linkage_api import build


def test_it_says_not_enough_evidence_yet_for_a_weak_link_on_the_map(client, org, people):
    # Up to FY2025 Q3 the pair has only lag 1 (6 pairs, r = -0.64): weak (see the API tests).
    [made] = build(org.north.scorecard, people.admin)
    client.force_login(people.north_manager)

    html = client.get(
        reverse("strategy:map", args=[org.north.slug]) + "?period=FY2025-Q3"
    ).content.decode()

    arrow = f'class="map-arrow verdict-weak" data-link="{made["link"].pk}" data-verdict="weak">'
    assert arrow in html
    assert "<title>Build skills 0 → Improve quality 0: not enough evidence yet</title>" in html
    assert '<span class="verdict verdict-weak">Not enough evidence yet</span>' in html
    # The legend says it in the same words.
    assert '<text class="map-legend-text"' in html
    assert ">not enough evidence yet</text>" in html
    assert "Weak" not in html
    assert "weak evidence" not in html
