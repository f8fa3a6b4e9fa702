"""The dashboard's data-freshness panel: the managers of a unit see its failed and late
imports (late is the reminder's rule: no successful run within twice the schedule's
interval); nobody else sees the panel, and it costs the dashboard one query."""

import sqlite3

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from connections import services
from connections.selectors import stale_imports
from scorecard.rules import grants_of


def run(import_job):
    return services.run_execute(run_id=services.run_request(import_job=import_job).pk)


def dashboard(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("dashboard:home"))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def failing(sales_import, erp):
    with sqlite3.connect(erp) as db:
        db.execute("ALTER TABLE sales RENAME COLUMN amount TO total")
    db.close()
    failed = run(sales_import)
    assert failed.status == "failed"
    return failed


def test_a_manager_of_the_unit_sees_a_failed_import_with_its_error(client, people, failing):
    page = dashboard(client, people.north_manager)

    assert 'id="data-freshness"' in page
    assert "1 import failed or late" in page
    assert "Monthly sales" in page and "failed" in page
    assert "amount" in page  # the missing column the run's error names
    assert reverse("connections:import_detail", args=[failing.import_job_id]) in page


def test_a_late_import_shows_as_late(client, people, sales_import):
    services.import_update(import_job=sales_import, schedule="0 * * * *")

    with time_machine.travel("2026-06-15 11:30:00+00:00", tick=False):
        assert "1 import" not in dashboard(client, people.north_manager)
    with time_machine.travel("2026-06-15 12:30:00+00:00", tick=False):
        page = dashboard(client, people.north_manager)

    assert "1 import failed or late" in page
    assert "no successful run since 15 Jun 2026 10:00" in page


def test_a_healthy_import_is_not_listed(client, people, sales_import):
    assert run(sales_import).status == "succeeded"

    page = dashboard(client, people.north_manager)

    assert "ran as scheduled" in page
    assert "stale-import" not in page


def test_a_success_after_a_failure_clears_it(client, people, failing, erp):
    with sqlite3.connect(erp) as db:
        db.execute("ALTER TABLE sales RENAME COLUMN total TO amount")
    db.close()
    assert run(failing.import_job).status == "succeeded"

    assert "stale-import" not in dashboard(client, people.north_manager)


@pytest.mark.parametrize("persona", ["executive", "owner", "south_team_manager"])
def test_people_who_do_not_manage_the_unit_do_not_see_it(client, people, failing, persona):
    page = dashboard(client, getattr(people, persona))

    assert "stale-import" not in page
    assert "Monthly sales" not in page
    if persona != "south_team_manager":  # they manage nothing: no panel at all
        assert 'id="data-freshness"' not in page


def test_an_administrator_sees_every_failed_import(client, people, failing):
    assert "1 import failed or late" in dashboard(client, people.admin)


def test_the_panel_lists_at_most_the_setting(settings, people, failing, sales_import):
    settings.SIGHTLINE_DASHBOARD_IMPORTS_SHOWN = 1
    second = services.import_create(
        name="Another",
        connection=sales_import.connection,
        org_unit=sales_import.org_unit,
        owner=people.north_manager,
        query=sales_import.query,
        mapping=sales_import.mapping,
    )
    assert run(second).status == "failed"

    found = stale_imports(user=people.north_manager, root_path="", now=timezone.now())

    assert found.count == 2
    assert [item.import_job.name for item in found.shown] == ["Another"]


@pytest.mark.parametrize("count", [1, 6])
def test_it_reads_the_panel_in_one_query(
    people, sales_import, erp, count, django_assert_num_queries
):
    for number in range(count):
        job = services.import_create(
            name=f"Import {number}",
            connection=sales_import.connection,
            org_unit=sales_import.org_unit,
            owner=people.north_manager,
            query=sales_import.query,
            mapping=sales_import.mapping,
            schedule="0 * * * *",
        )
        run(job)
    manager = people.north_manager
    grants_of(manager)  # the roles are read once per request, before the dashboard's panel

    with django_assert_num_queries(1):
        found = stale_imports(user=manager, root_path="", now=timezone.now())
        [item.import_job.owner.username for item in found.shown]
    assert stale_imports(user=people.executive, root_path="", now=timezone.now()).count == 0
