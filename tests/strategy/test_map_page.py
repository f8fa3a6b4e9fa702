"""The strategy map page: what it draws, who may see and edit it, and what it costs."""

import base64
import html as html_module
import io
import itertools
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from fontTools.ttLib import TTFont

from kpis import services as kpi_services
from scorecard import services as core
from scorecard.models import Perspective
from strategy import map_layout, map_svg, views
from strategy import services as strategy_services
from strategy.models import LINK_CLOSES_CYCLE, LINK_EXISTS, LINK_TO_ITSELF, CausalLink

Q2 = "FY2026-Q2"
Q3 = "FY2026-Q3"
# Twelve quarters of a leading KPI, and a lagging one that repeats each of its changes one
# quarter later: changes 2, -1, 4, -1, -1, 4, -1, 3, -1, 4, -1.
TRAINING = [10, 12, 11, 15, 14, 13, 17, 16, 19, 18, 22, 21]
REVENUE = [100, 100, 102, 101, 105, 104, 103, 107, 106, 109, 108, 112]
# FY2023 Q4 to FY2026 Q3: the twelve quarters up to the one the map shows.
HISTORY = [f"FY{year}-Q{quarter}" for year in (2023, 2024, 2025, 2026) for quarter in (1, 2, 3, 4)][
    3:15
]


def map_url(unit, period=Q3, **extra):
    url = reverse("strategy:map", args=[unit.slug])
    query = "&".join([f"period={period}", *(f"{k}={v}" for k, v in extra.items())])
    return f"{url}?{query}"


def add_url(unit, period=Q3):
    return reverse("strategy:link_add", args=[unit.slug]) + f"?period={period}"


def perspective(order):
    return Perspective.objects.get(order=order)


@pytest.fixture
def north_map(org, people, django_capture_on_commit_callbacks):
    """North's map, hand-worked for FY2026 Q3 (and Q2):
    - Learning & Growth "Develop sales skills": leading KPI training hours, no target, so
      no score (no data);
    - Financial "Grow regional revenue": lagging KPI revenue, 112 against target 110 in Q3
      (red flag 99): 10/3 × (1 + 13/11) = 7.272727, green; 108 against target 120 in Q2
      (red flag 108): exactly the red flag, 3.333333, amber;
    - Customer "Delight customers", no KPI; it supports nothing;
    - links: skills → revenue, and skills → customers;
    - "Grow regional revenue" supports Acme's "Grow group revenue"."""
    with django_capture_on_commit_callbacks(execute=True):
        group = strategy_services.objective_create(
            scorecard=org.acme.scorecard, perspective=perspective(4), title="Grow group revenue"
        )
        skills = strategy_services.objective_create(
            scorecard=org.north.scorecard,
            perspective=perspective(1),
            title="Develop sales skills",
            owner=people.north_manager,
        )
        revenue = strategy_services.objective_create(
            scorecard=org.north.scorecard,
            perspective=perspective(4),
            title="Grow regional revenue",
            owner=people.north_manager,
            supports=[group],
        )
        customers = strategy_services.objective_create(
            scorecard=org.north.scorecard, perspective=perspective(3), title="Delight customers"
        )
        training = kpi_services.kpi_create(
            objective=skills, name="Training hours", unit="h", indicator_type="leading"
        )
        sales = kpi_services.kpi_create(
            objective=revenue, name="Revenue", unit="USD", indicator_type="lagging"
        )
        for key, hours, amount in zip(HISTORY, TRAINING, REVENUE, strict=True):
            period = core.period_for_key(key)
            kpi_services.actual_enter(kpi=training, period=period, value=hours, by=people.admin)
            kpi_services.actual_enter(kpi=sales, period=period, value=amount, by=people.admin)
        kpi_services.target_set(kpi=sales, period=core.period_for_key(Q3), value=Decimal(110))
        kpi_services.target_set(kpi=sales, period=core.period_for_key(Q2), value=Decimal(120))
        link = strategy_services.link_create(
            scorecard=org.north.scorecard, source=skills, target=revenue
        )
        strategy_services.link_create(
            scorecard=org.north.scorecard, source=skills, target=customers
        )
    return {"skills": skills, "revenue": revenue, "customers": customers, "link": link}


def box(html: str, objective) -> str:
    match = re.search(rf'<a class="map-box[^>]*data-objective="{objective.pk}".*?</a>', html, re.S)
    assert match, f"no box for {objective}"
    return match.group(0)


def test_it_draws_every_objective_as_a_box_and_every_link_as_an_arrow(
    client, org, people, north_map
):
    client.force_login(people.north_manager)

    response = client.get(map_url(org.north))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="map-box ') == 3
    assert html.count('class="map-arrow verdict-') - 5 == 2  # five more in the legend
    lanes = re.findall(r'<g class="map-lane perspective-\d+"[^>]*>\s*<rect[^>]*y="([\d.]+)"', html)
    assert len(lanes) == 4
    assert "Owner: north_manager" in box(html, north_map["skills"])


def test_it_colours_boxes_by_the_quarters_score_and_says_it_in_text(client, org, people, north_map):
    client.force_login(people.north_manager)

    q3 = client.get(map_url(org.north, Q3)).content.decode()
    q2 = client.get(map_url(org.north, Q2), headers={"HX-Request": "true"}).content.decode()

    assert 'status-green"' in box(q3, north_map["revenue"])
    assert "7.3 · On target" in box(q3, north_map["revenue"])
    assert "– · No data" in box(q3, north_map["skills"])
    # The quarter switch answers with the fragment only, recoloured.
    assert q2.lstrip().startswith('<section id="map-body"')
    assert "<html" not in q2
    assert 'status-amber"' in box(q2, north_map["revenue"])
    assert "3.3 · At risk" in box(q2, north_map["revenue"])


def test_it_opens_the_objective_with_its_kpis_and_score_explanation(client, org, people, north_map):
    client.force_login(people.executive)

    html = client.get(map_url(org.north)).content.decode()
    href = reverse("kpis:explanation", args=[org.north.slug, "objective", north_map["revenue"].pk])

    assert f'href="{href}?period={Q3}"' in box(html, north_map["revenue"])
    explanation = client.get(f"{href}?period={Q3}").content.decode()
    # The score with one decimal, as every page shows it (7.272727 stored).
    assert "Revenue" in explanation and "7.3" in explanation


def test_it_judges_each_arrow_against_the_kpis_history(client, org, people, north_map):
    client.force_login(people.north_manager)

    html = client.get(map_url(org.north)).content.decode()

    supported = f'class="map-arrow verdict-supported" data-link="{north_map["link"].pk}"'
    assert supported in html
    assert 'data-verdict="supported"' in html
    # Revenue repeats each change of training one quarter later: r = 1.00 at lag 1, over
    # 10 pairs of changes.
    assert '1.00 <span class="muted">n=10</span>' in html
    # The link to "Delight customers" has no lagging KPI to test.
    assert 'class="map-arrow verdict-unrated"' in html
    assert "No pair to test" in html


def map_list(html: str) -> str:
    listing = html[html.index('id="map-view-list"') :]
    return listing[: listing.index('id="explain-panel"')]


def test_it_says_the_map_as_a_list_by_perspective_with_status_and_links_in_words(
    client, org, people, north_map
):
    client.force_login(people.executive)

    listing = map_list(client.get(map_url(org.north)).content.decode())

    # From the top of the map down: Financial, Customer, Internal process, Learning & Growth.
    headings = re.findall(r'<h3 id="map-list-lane-\d+">([^<]+)</h3>', listing)
    assert [html_module.unescape(name) for name in headings] == [
        perspective(order).name for order in (4, 3, 2, 1)
    ]
    items = dict(
        re.findall(r"<strong>([^<]+)</strong></a>:(.*?)</li>\s*(?:<li data|</ul>)", listing, re.S)
    )
    revenue, skills, customers = (
        items["Grow regional revenue"],
        items["Develop sales skills"],
        items["Delight customers"],
    )
    assert "On target</span>, 7.3 of 10." in revenue
    assert 'Driven by Develop sales skills <span class="muted">(supported by the data)' in revenue
    assert "No data</span>, no score." in skills
    assert (
        "Develop sales skills drives Grow regional revenue "
        '<span class="muted">(supported by the data)</span>'
    ) in skills
    assert "Develop sales skills drives Delight customers" in skills
    assert "(no leading/lagging KPI pair)" in customers
    assert "No objectives in this perspective." in listing  # Internal process has none


def test_it_offers_the_list_and_the_zoom_in_the_fragment_the_quarter_switch_swaps(
    client, org, people, north_map
):
    client.force_login(people.executive)

    fragment = client.get(map_url(org.north, Q2), headers={"HX-Request": "true"}).content.decode()

    assert 'data-map-view="list"' in fragment and 'data-map-zoom="in"' in fragment
    assert "3.3 of 10" in map_list(fragment)  # the list follows the quarter, as the boxes do


def test_it_shows_the_cascade_beside_each_box_when_asked(client, org, people, north_map):
    client.force_login(people.manager)

    north = client.get(map_url(org.north, cascade=1)).content.decode()
    acme = client.get(map_url(org.acme, cascade=1)).content.decode()
    plain = client.get(map_url(org.acme)).content.decode()

    assert "↑ Grow group revenue" in north
    assert "↓ 1 supporting" in acme
    assert "map-box-cascade" not in plain


@pytest.mark.parametrize("persona", ["admin", "manager", "north_manager", "executive"])
def test_it_shows_the_map_to_people_who_may_read_the_unit(client, org, people, north_map, persona):
    client.force_login(getattr(people, persona))

    response = client.get(map_url(org.north))

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="map-box ') == 3
    assert "Develop sales skills" in html and "Delight customers" in html


@pytest.mark.parametrize("persona", ["owner", "south_team_manager", "outsider"])
def test_it_refuses_the_map_to_everyone_else(client, org, people, north_map, persona):
    client.force_login(getattr(people, persona))

    response = client.get(map_url(org.north))

    assert response.status_code == 403
    assert b"Develop sales skills" not in response.content


def test_it_sends_anonymous_visitors_to_sign_in(client, org, north_map):
    response = client.get(map_url(org.north))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["admin", "manager", "north_manager"])
def test_it_lets_managers_add_a_link_on_the_map(client, org, people, north_map, persona):
    client.force_login(getattr(people, persona))

    response = client.post(
        add_url(org.north),
        {"source": north_map["customers"].pk, "target": north_map["revenue"].pk},
        headers={"HX-Request": "true"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert CausalLink.objects.filter(
        source=north_map["customers"], target=north_map["revenue"]
    ).exists()
    assert views.LINK_ADDED.format(source="Delight customers", target="Grow regional revenue") in (
        html
    )
    assert html.count('class="map-arrow verdict-') - 5 == 3


def test_it_redirects_back_to_the_map_after_a_link_without_javascript(
    client, org, people, north_map
):
    client.force_login(people.north_manager)

    response = client.post(
        add_url(org.north), {"source": north_map["customers"].pk, "target": north_map["revenue"].pk}
    )

    assert response.status_code == 302
    assert response["Location"] == map_url(org.north)


@pytest.mark.parametrize("persona", ["executive", "owner", "south_team_manager", "outsider"])
def test_it_refuses_a_link_from_people_who_may_not_edit_the_map(
    client, org, people, north_map, persona
):
    client.force_login(getattr(people, persona))
    before = CausalLink.objects.count()

    response = client.post(
        add_url(org.north), {"source": north_map["customers"].pk, "target": north_map["revenue"].pk}
    )

    assert response.status_code == 403
    assert CausalLink.objects.count() == before


def test_it_sends_an_anonymous_link_to_sign_in_and_changes_nothing(client, org, north_map):
    before = CausalLink.objects.count()

    response = client.post(
        add_url(org.north), {"source": north_map["customers"].pk, "target": north_map["revenue"].pk}
    )

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert CausalLink.objects.count() == before


def test_it_answers_a_refused_link_without_javascript_with_the_page_and_its_message(
    client, org, people, north_map
):
    client.force_login(people.north_manager)

    response = client.post(
        add_url(org.north), {"source": north_map["revenue"].pk, "target": north_map["revenue"].pk}
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "<html" in html and LINK_TO_ITSELF in html


def test_it_hides_the_link_editor_from_readers(client, org, people, north_map):
    client.force_login(people.executive)

    html = client.get(map_url(org.north)).content.decode()

    assert "map-link-form" not in html and "Remove" not in html


def bad_link(client, org, source, target):
    return client.post(
        add_url(org.north), {"source": source.pk, "target": target.pk}, headers={"HX-Request": "1"}
    )


def test_it_refuses_a_link_to_itself(client, org, people, north_map):
    client.force_login(people.north_manager)
    before = CausalLink.objects.count()

    response = bad_link(client, org, north_map["revenue"], north_map["revenue"])

    assert LINK_TO_ITSELF in response.content.decode()
    assert CausalLink.objects.count() == before


def test_it_refuses_a_duplicate_link(client, org, people, north_map):
    client.force_login(people.north_manager)
    before = CausalLink.objects.count()

    response = bad_link(client, org, north_map["skills"], north_map["revenue"])

    assert LINK_EXISTS in response.content.decode()
    assert CausalLink.objects.count() == before


def test_it_refuses_a_link_that_closes_a_loop(client, org, people, north_map):
    client.force_login(people.north_manager)
    before = CausalLink.objects.count()

    response = bad_link(client, org, north_map["revenue"], north_map["skills"])

    loop = LINK_CLOSES_CYCLE.format(
        path="Grow regional revenue → Develop sales skills → Grow regional revenue"
    )
    assert loop in response.content.decode()
    assert CausalLink.objects.count() == before


def test_it_refuses_a_box_from_another_scorecard(client, org, people, north_map):
    other = strategy_services.objective_create(
        scorecard=org.north_sales.scorecard, perspective=perspective(4), title="Sell more"
    )
    client.force_login(people.north_manager)
    before = CausalLink.objects.count()

    response = bad_link(client, org, other, north_map["revenue"])

    assert "Select a valid choice. That choice is not one of the available choices." in (
        response.content.decode()
    )
    assert CausalLink.objects.count() == before


def test_it_lets_a_manager_remove_a_link(client, org, people, north_map):
    client.force_login(people.north_manager)
    link = north_map["link"]
    url = reverse("strategy:link_remove", args=[org.north.slug, link.pk]) + f"?period={Q3}"

    response = client.post(url, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert not CausalLink.objects.filter(pk=link.pk).exists()
    assert "Removed the link “Develop sales skills” → “Grow regional revenue”." in (
        response.content.decode()
    )


@pytest.mark.parametrize("persona", ["executive", "south_team_manager", "outsider"])
def test_it_refuses_to_remove_a_link_for_people_who_may_not_edit(
    client, org, people, north_map, persona
):
    client.force_login(getattr(people, persona))
    link = north_map["link"]

    response = client.post(reverse("strategy:link_remove", args=[org.north.slug, link.pk]))

    assert response.status_code == 403
    assert CausalLink.objects.filter(pk=link.pk).exists()


def test_it_does_not_remove_a_link_of_another_map_through_this_one(client, org, people, north_map):
    client.force_login(people.manager)
    link = north_map["link"]

    response = client.post(reverse("strategy:link_remove", args=[org.acme.slug, link.pk]))

    assert response.status_code == 404
    assert CausalLink.objects.filter(pk=link.pk).exists()


def test_it_exports_a_standalone_svg_with_its_styles_inside(client, org, people, north_map):
    client.force_login(people.executive)

    response = client.get(reverse("strategy:map_export", args=[org.north.slug]) + f"?period={Q3}")

    svg = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Content-Disposition"] == (
        f'attachment; filename="north-strategy-map-{Q3}.svg"'
    )
    assert svg.startswith(
        '<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"'
    )
    assert "<style>" in svg and ".map-box-frame" in svg
    # Colours written out, for office suites that do not read CSS variables.
    assert f".perspective-{perspective(1).pk} .map-lane-band" in svg
    assert perspective(1).color in svg
    assert "hx-get" not in svg and "<a " not in svg
    assert "Grow regional revenue" in svg and "7.3 · On target" in svg


def test_it_embeds_the_font_cut_down_to_the_characters_the_map_uses(client, org, people, north_map):
    client.force_login(people.executive)

    svg = client.get(
        reverse("strategy:map_export", args=[org.north.slug]) + f"?period={Q3}"
    ).content.decode()

    # DejaVu Sans comes with the system packages the Makefile and the image install.
    faces = re.findall(r"data:font/ttf;base64,([A-Za-z0-9+/=]+)", svg)
    assert len(faces) == 2  # regular and bold
    font = TTFont(io.BytesIO(base64.b64decode(faces[0])))
    carried = set(chr(code) for code in font.getBestCmap())
    assert set("Grow regional revenue·") <= carried
    assert len(carried) < 120  # a cut-down font, not the whole of DejaVu Sans
    assert f'font-family: "{map_svg.EMBEDDED_FAMILY}"' in svg


def test_it_refuses_the_export_to_people_who_may_not_read_the_unit(client, org, people, north_map):
    client.force_login(people.south_team_manager)

    response = client.get(reverse("strategy:map_export", args=[org.north.slug]))

    assert response.status_code == 403


def test_it_links_the_scorecard_page_to_its_map(client, org, people, north_map):
    client.force_login(people.north_manager)

    html = client.get(reverse("scorecard:scorecard", args=[org.north.slug]) + f"?period={Q3}")

    assert f'href="{map_url(org.north)}">Strategy map</a>' in html.content.decode()


LONG_TITLE = (
    "Increase the proportion of strategic enterprise customers who renew their multi-year "
    "service agreements early and expand into adjacent product lines, number {n}"
)


def build_map(scorecard, owner, count):
    """`count` objectives with long titles over the four perspectives, each with a leading
    and a lagging KPI and an actual in Q3, and a link from each to one a perspective up."""
    q3 = core.period_for_key(Q3)
    perspectives = list(Perspective.objects.order_by("order"))
    made = []
    for n in range(count):
        objective = strategy_services.objective_create(
            scorecard=scorecard,
            perspective=perspectives[n % 4],
            title=LONG_TITLE.format(n=n),
            owner=owner,
        )
        for kind in ("leading", "lagging"):
            kpi = kpi_services.kpi_create(
                objective=objective, name=f"{kind} {n}", unit="%", indicator_type=kind
            )
            kpi_services.actual_enter(kpi=kpi, period=q3, value=Decimal(n), by=owner)
        made.append(objective)
    for n, objective in enumerate(made):
        if n + 1 < count and n % 4 != 3:
            strategy_services.link_create(scorecard=scorecard, source=objective, target=made[n + 1])
    return made


def test_it_draws_a_forty_objective_map_with_long_titles_without_overlaps(client, org, people):
    build_map(org.north.scorecard, people.north_manager, 40)
    client.force_login(people.north_manager)

    response = client.get(map_url(org.north))

    drawing = response.context["drawing"]
    assert len(drawing.boxes) == 40
    # Links from objectives 0–38 except those in the top lane (3, 7, …, 35): 39 - 9.
    assert len(drawing.arrows) == 30
    for i, one in enumerate(drawing.boxes):
        assert all(line.text for line in one.title_lines)
        assert one.truncated
        for other in drawing.boxes[i + 1 :]:
            assert not one.rect.overlaps(other.rect)
        lane = next(lane for lane in drawing.lanes if lane.rect.contains(one.rect))
        assert lane is not None
    for arrow in drawing.arrows:
        points = [tuple(map(float, p.split())) for p in arrow.path[2:].split(" L ")]
        for start, end in itertools.pairwise(points):
            assert not any(map_layout.segment_crosses(b.rect, start, end) for b in drawing.boxes)
    # The full title is there for the tooltip.
    assert f"<title>{LONG_TITLE.format(n=0)}" in response.content.decode()


@pytest.mark.parametrize("objectives", [4, 40])
def test_it_holds_a_fixed_number_of_queries_whatever_the_size(
    client, org, people, objectives, django_assert_max_num_queries
):
    build_map(org.north.scorecard, people.north_manager, objectives)
    client.force_login(people.north_manager)
    url = map_url(org.north, cascade=1)
    client.get(url)  # Warm-up: the session and the period rows exist from here on.

    # 1 session, 2 user, 3 scorecard with unit, 4 memberships, 5 settings, 6 period;
    # the map: 7 objectives with owners and supporter counts, 8 the objectives they support,
    # 9 links, 10 perspectives, 11 objective snapshots; the linkage: 12 links, 13 KPIs,
    # 14 periods, 15 actuals, 16 roll-up values; 17 settings and 18 periods for the
    # switcher, 19 the boxes the link form offers; 20 the unread-notification count of
    # the page header.
    with django_assert_max_num_queries(20):
        response = client.get(url)

    assert response.status_code == 200
    assert response.content.decode().count('class="map-box ') == objectives


def test_it_runs_the_same_queries_for_ten_times_the_objectives(client, org, people):
    def queries_for(unit, count):
        build_map(unit.scorecard, people.manager, count)
        url = map_url(unit)
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        return len(captured)

    client.force_login(people.manager)

    assert queries_for(org.south, 4) == queries_for(org.north, 40)
