"""My updates: an owner enters the quarter's actuals one row at a time, with htmx."""

import datetime as dt
import html as html_text
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from kpis import services as kpi_services
from kpis import updates
from kpis.models import KPI, Actual
from reviews import services as review_services
from scorecard import services as core
from scorecard.models import OrganizationSettings
from strategy import services as strategy_services

Q1 = "FY2026-Q1"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def mid_may():
    """FY2026 Q2 (April–June) is under way; Q1 has just closed and is the one due."""
    with time_machine.travel(dt.datetime(2026, 5, 15, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def q1(db):
    return core.period_for_key(Q1)


def save_url(kpi, period_key=Q1):
    return f"{reverse('kpis:actual_save', args=[kpi.pk])}?period={period_key}"


def post_row(client, kpi, period_key=Q1, **data):
    data.setdefault("comment", "")
    data.setdefault("version", "0")
    return client.post(save_url(kpi, period_key), data, **HTMX)


def test_it_lists_the_owners_kpis_with_target_red_flag_and_progress(
    client, people, north_sales_kpi, mid_may
):
    client.force_login(people.owner)

    page = client.get(reverse("kpis:my_updates"))

    assert page.status_code == 200
    html = page.content.decode()
    assert "FY2026 Q1" in html  # the quarter that has just closed
    assert "Regional revenue" in html
    assert "0 of 1 entered" in html
    # The target is 100 and the default red flag 10 % below it.
    assert '<dd class="num">100.0</dd>' in html
    assert '<dd class="num">90.0</dd>' in html
    # No value yet, so nothing is past the red flag: no hint about it (issue 17).
    assert "A comment is required when the value is below the red flag" not in html


def test_it_asks_for_the_closing_quarter_from_the_reminder_lead_days_on():
    settings = OrganizationSettings(fiscal_start_month=1, reminder_lead_days=7)

    assert updates.due_period_quarter(dt.date(2026, 6, 23), settings).key == "FY2026-Q1"
    assert updates.due_period_quarter(dt.date(2026, 6, 24), settings).key == "FY2026-Q2"
    assert updates.due_period_quarter(dt.date(2026, 7, 1), settings).key == "FY2026-Q2"


def test_it_saves_a_value_and_rerenders_the_row_with_its_score_and_status(
    client, people, north_sales_kpi, q1
):
    client.force_login(people.owner)

    response = post_row(client, north_sales_kpi, value="95")

    assert response.status_code == 200
    html = response.content.decode()
    # 10/3 × (1 + (95 − 90) / (100 − 90)) = 5.0: missed the target, not the red flag.
    assert '<span class="score-number">5.0</span>' in html
    assert 'data-status="amber"' in html
    assert response.headers["HX-Trigger"] == f'{{"actual-saved": {{"kpi": {north_sales_kpi.pk}}}}}'
    actual = Actual.objects.get(kpi=north_sales_kpi, period=q1)
    assert (actual.value, actual.version, actual.source) == (Decimal("95"), 1, "form")
    assert actual.entered_by == people.owner


def test_it_shows_the_enterprise_numbers_catching_up_after_a_save(
    client, people, north_sales_kpi, q1, django_capture_on_commit_callbacks
):
    client.force_login(people.owner)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = post_row(client, north_sales_kpi, value="95")
    freshness = reverse("kpis:freshness", args=[north_sales_kpi.pk]) + f"?period={Q1}"

    assert "Updating the enterprise numbers" in response.content.decode()
    assert 'hx-trigger="every 2s"' in response.content.decode()
    assert "Updating" in client.get(freshness, **HTMX).content.decode()

    for callback in callbacks:
        callback()

    caught_up = client.get(freshness, **HTMX).content.decode()
    assert "Enterprise numbers up to date" in caught_up
    assert "every 2s" not in caught_up


def test_it_refuses_a_red_value_without_a_comment_and_saves_it_with_one(
    client, people, north_sales_kpi, q1
):
    client.force_login(people.owner)

    refused = post_row(client, north_sales_kpi, value="80")

    assert kpi_services.RED_NEEDS_COMMENT in refused.content.decode()
    assert not Actual.objects.filter(kpi=north_sales_kpi).exists()

    saved = post_row(client, north_sales_kpi, value="80", comment="Two deals slipped to Q2.")

    # 80 is past the red flag of 90: 10/3 × (1 + (80 − 90) / 10) = 0.
    assert 'data-status="red"' in saved.content.decode()
    assert '<span class="score-number">0.0</span>' in saved.content.decode()
    assert Actual.objects.get(kpi=north_sales_kpi).comment == "Two deals slipped to Q2."


def test_it_refuses_a_stale_form_showing_both_values_and_lets_the_person_choose(
    client, people, north_sales_kpi, q1
):
    kpi_services.actual_enter(kpi=north_sales_kpi, period=q1, value="97", by=people.manager)
    client.force_login(people.owner)

    stale = post_row(client, north_sales_kpi, value="95", version="0")

    html = stale.content.decode()
    assert "Someone else saved this actual in the meantime (now 97.0, version 1)" in html
    assert (
        "Theirs: <strong>97.0</strong> (version 1, by manager) · yours: <strong>95</strong>" in html
    )
    assert 'name="overwrite" value="1"' in html
    assert Actual.objects.get(kpi=north_sales_kpi).value == Decimal("97")

    mine = post_row(client, north_sales_kpi, value="95", version="0", overwrite="1")

    assert mine.status_code == 200
    actual = Actual.objects.get(kpi=north_sales_kpi)
    assert (actual.value, actual.version) == (Decimal("95"), 2)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("ninety", "Enter a number, like 1234.5."),
        ("", "Enter a value."),
        ("NaN", "Enter a number, like 1234.5."),
        ("inf", "Enter a number, like 1234.5."),
        ("1,234", '"1,234" is ambiguous: write 1234 or 1.234'),
        ("1.234,5", '"1.234,5" mixes separators: write it like 1234.5 or 1,234.5.'),
        ("1.1234567", "Use at most 6 decimal places."),
        # Beyond SIGHTLINE_VALUE_BOUND (10**12), which lies within the column's 14 digits.
        ("123456789012345", "Enter a number between -1,000,000,000,000 and 1,000,000,000,000."),
    ],
)
def test_it_refuses_bad_input_with_a_clear_message_and_saves_nothing(
    client, people, north_sales_kpi, q1, typed, message
):
    client.force_login(people.owner)

    response = post_row(client, north_sales_kpi, value=typed)

    assert message in html_text.unescape(response.content.decode())
    assert not Actual.objects.exists()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("1234,5", "1234.5"), ("1,234.5", "1234.5"), ("1,234,567", "1234567"), ("0,25", "0.25")],
)
def test_it_reads_unambiguous_separators(client, people, north_sales_kpi, q1, typed, stored):
    client.force_login(people.owner)

    post_row(client, north_sales_kpi, value=typed, comment="checked")

    assert Actual.objects.get(kpi=north_sales_kpi).value == Decimal(stored)


def test_it_refuses_a_quarter_that_has_not_started(client, people, north_sales_kpi, mid_may):
    client.force_login(people.owner)

    response = post_row(client, north_sales_kpi, period_key="FY2026-Q3", value="95")

    assert "FY2026 Q3 has not started yet: actuals open on 2026-07-01." in response.content.decode()
    assert not Actual.objects.exists()


def test_it_refuses_a_locked_quarter(client, people, org, north_sales_kpi, q1):
    kpi_services.quarter_lock(scorecard=org.north_sales.scorecard, period=q1)
    client.force_login(people.owner)

    response = post_row(client, north_sales_kpi, value="95")

    assert (
        "FY2026 Q1 of North Sales scorecard is closed: its review is over, so its actuals are "
        "read-only." in response.content.decode()
    )
    assert not Actual.objects.exists()


def test_it_refuses_a_value_for_a_rollup_kpi(client, people, north_sales_kpi, q1):
    rollup = kpi_services.kpi_create(
        objective=north_sales_kpi.objective,
        name="Revenue total",
        unit="USD",
        owner=people.owner,
        source=KPI.Source.ROLLUP,
        rollup_method=KPI.RollupMethod.SUM,
    )
    client.force_login(people.owner)

    response = post_row(client, rollup, value="95")

    assert "A roll-up KPI&#x27;s value is computed from its children" in response.content.decode()
    assert not Actual.objects.exists()


@pytest.fixture
def someone_elses_kpi(people, north_sales_kpi):
    return kpi_services.kpi_create(
        objective=north_sales_kpi.objective, name="Deals won", owner=people.north_manager
    )


def test_it_lets_the_units_manager_enter_and_refuses_everyone_else(
    client, people, someone_elses_kpi, q1
):
    for persona, expected in [
        ("owner", 403),
        ("executive", 403),
        ("south_team_manager", 404),
        ("outsider", 404),
    ]:
        client.force_login(getattr(people, persona))
        response = post_row(client, someone_elses_kpi, value="5")
        assert response.status_code == expected, persona
    assert not Actual.objects.exists()

    client.force_login(people.north_manager)
    assert post_row(client, someone_elses_kpi, value="5").status_code == 200
    assert Actual.objects.get(kpi=someone_elses_kpi).value == Decimal("5")


def test_it_sends_anonymous_visitors_to_sign_in(client, north_sales_kpi):
    response = client.post(save_url(north_sales_kpi), {"value": "5"})

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert not Actual.objects.exists()


def test_it_lists_only_the_persons_own_kpis(client, people, someone_elses_kpi, mid_may):
    client.force_login(people.owner)

    html = client.get(reverse("kpis:my_updates")).content.decode()

    assert "Regional revenue" in html
    assert "Deals won" not in html


def test_it_shows_the_history_of_an_actual(client, people, north_sales_kpi, q1):
    kpi_services.actual_enter(kpi=north_sales_kpi, period=q1, value="95", by=people.owner)
    kpi_services.actual_enter(
        kpi=north_sales_kpi, period=q1, value="97", comment="Late invoice", by=people.manager
    )
    client.force_login(people.owner)

    url = reverse("kpis:actual_history", args=[north_sales_kpi.pk]) + f"?period={Q1}"
    html = client.get(url, **HTMX).content.decode()

    rows = html.split('class="history-change"')[1:]
    assert len(rows) == 2
    assert "manager" in rows[0] and "95.0" in rows[0] and "97.0" in rows[0]
    assert "Late invoice" in rows[0]
    assert "owner" in rows[1] and "–" in rows[1] and "95.0" in rows[1]


def owned_kpis(people, objective, count):
    for number in range(count):
        kpi = kpi_services.kpi_create(
            objective=objective, name=f"Measure {number}", unit="USD", owner=people.owner
        )
        kpi_services.target_set(kpi=kpi, period=core.period_for_key(Q1), value="100")
        kpi_services.actual_enter(
            kpi=kpi, period=core.period_for_key("FY2025-Q4"), value="90", comment="x"
        )


# The page's queries, whatever the number of KPIs: 1 session, 2 user, 3 organization settings
# (the quarter due), 4 that quarter's period row, 5 settings again (the sheet), 6 the person's
# memberships, 7 KPIs (with objective, scorecard, unit, owner), 8 the quarters shown,
# 9 targets, 10 actuals (with who entered them), 11 locks, 12 KPI snapshots, 13 settings (the
# switcher), 14 the top bar's unread notifications, 15 action items (with what they show).
PAGE_QUERIES = 15


@pytest.mark.parametrize("count", [5, 50])
def test_it_holds_a_fixed_number_of_queries_for_5_or_50_kpis(
    client, people, org, financial, mid_may, django_assert_num_queries, count
):
    objective = strategy_services.objective_create(
        scorecard=org.north_sales.scorecard, perspective=financial, title="Grow sales"
    )
    owned_kpis(people, objective, count)
    client.force_login(people.owner)

    with django_assert_num_queries(PAGE_QUERIES):
        page = client.get(reverse("kpis:my_updates"))

    assert f"0 of {count} entered" in page.content.decode()


def test_it_refuses_a_write_to_a_quarter_it_cannot_read(client, people, north_sales_kpi, q1):
    client.force_login(people.owner)

    response = post_row(client, north_sales_kpi, period_key="last-quarter", value="95")

    assert response.status_code == 400
    assert not Actual.objects.exists()


def test_it_saves_without_javascript_and_says_so(client, people, north_sales_kpi, q1):
    client.force_login(people.owner)

    response = client.post(
        save_url(north_sales_kpi), {"value": "95", "comment": "", "version": "0"}, follow=True
    )

    assert response.redirect_chain[-1][0] == f"{reverse('kpis:my_updates')}?period={Q1}"
    assert "Saved Regional revenue for FY2026 Q1." in response.content.decode()
    assert Actual.objects.get(kpi=north_sales_kpi).value == Decimal("95")


def test_it_shows_a_locked_quarter_read_only(client, people, org, north_sales_kpi, q1):
    kpi_services.actual_enter(kpi=north_sales_kpi, period=q1, value="95", by=people.owner)
    kpi_services.quarter_lock(scorecard=org.north_sales.scorecard, period=q1)
    client.force_login(people.owner)

    html = client.get(f"{reverse('kpis:my_updates')}?period={Q1}").content.decode()

    assert "FY2026 Q1 is closed (its review is over); a manager can reopen it." in html
    assert 'name="value"' not in html


def test_it_lists_the_action_items_the_person_owns_with_due_dates(
    client, people, org, north_sales_kpi, mid_may
):
    review_services.action_item_create(
        scorecard=org.north_sales.scorecard,
        title="Call the two slipped deals",
        owner=people.owner,
        due_date=dt.date(2026, 5, 10),
        kpi=north_sales_kpi,
        backdated=True,
    )
    review_services.action_item_create(
        scorecard=org.north_sales.scorecard,
        title="Someone else's action",
        owner=people.north_manager,
        due_date=dt.date(2026, 6, 1),
    )
    client.force_login(people.owner)

    html = client.get(reverse("kpis:my_updates")).content.decode()

    assert "Call the two slipped deals" in html
    assert "due 10 May 2026 <em>(overdue)</em>" in html
    assert "Someone else&#x27;s action" not in html


# Issue 17: a saved row keeps its earlier values, rows to do come first, the red-flag hint
# only where it applies.


def test_an_inline_save_returns_the_row_with_its_earlier_quarters(
    client, people, north_sales_kpi, q1
):
    q4 = core.period_for_key("FY2025-Q4")
    q3 = core.period_for_key("FY2025-Q3")
    kpi_services.actual_enter(kpi=north_sales_kpi, period=q3, value=Decimal("81"), by=people.owner)
    kpi_services.actual_enter(kpi=north_sales_kpi, period=q4, value=Decimal("88"), by=people.owner)
    client.force_login(people.owner)

    response = post_row(client, north_sales_kpi, value="97")

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<form id="row-')
    # The two quarters before, oldest first, at the KPI's decimals.
    oldest = f'<span class="past" title="{q3.label}">81.0</span>'
    newer = f'<span class="past" title="{q4.label}">88.0</span>'
    assert f"{oldest} · {newer}" in html


def test_it_lists_the_rows_still_to_do_first(client, people, north_sales_kpi, q1, mid_may):
    later = kpi_services.kpi_create(
        objective=north_sales_kpi.objective, name="Zebra orders", unit="count", owner=people.owner
    )
    kpi_services.target_set(kpi=later, period=q1, value=Decimal("10"))
    client.force_login(people.owner)
    before = client.get(reverse("kpis:my_updates")).content.decode()
    assert before.index("Regional revenue") < before.index("Zebra orders")

    kpi_services.actual_enter(kpi=north_sales_kpi, period=q1, value=Decimal("99"), by=people.owner)
    after = client.get(reverse("kpis:my_updates")).content.decode()

    # Revenue is entered now: the row still to do, Zebra orders, comes first.
    assert after.index("Zebra orders") < after.index("Regional revenue")


def test_it_shows_the_red_flag_hint_only_on_a_row_past_it(client, people, north_sales_kpi, q1):
    client.force_login(people.owner)

    green = post_row(client, north_sales_kpi, value="100").content.decode()
    red = post_row(
        client, north_sales_kpi, value="70", comment="Lost a key account", version="1"
    ).content.decode()

    hint = "A comment is required when the value is below the red flag (90.0)."
    assert hint not in green
    assert hint in red
    assert 'class="button primary small">Save</button>' in red
