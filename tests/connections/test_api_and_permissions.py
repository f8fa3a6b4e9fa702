"""The API and pages of connections and imports, as each persona meets them: managers pick
connections by name but never see their URLs or secrets; a manager sees, edits and runs only
the imports of their subtree; owners and viewers create none; no secret is ever read back."""

import logging

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from connections import services
from connections.models import Connection, ImportRun
from tests.connections.conftest import SALES_MAPPING, SALES_QUERY

SECRET = "pa55-word-never-shown"


@pytest.fixture
def api():
    return APIClient()


def as_user(api, user):
    api.force_authenticate(user)
    return api


@pytest.fixture
def secret_connection(sqlite_connection):
    return services.connection_update(connection=sqlite_connection, secret=SECRET)


def import_body(org, people, connection, **changes):
    body = {
        "name": "Monthly sales",
        "connection": connection.pk,
        "org_unit": org.north_sales.pk,
        "owner": people.north_manager.pk,
        "query": SALES_QUERY,
        "mapping": SALES_MAPPING,
        "schedule": "0 6 * * *",
        "enabled": True,
    }
    return {**body, **changes}


def test_an_administrator_writes_a_connection_and_never_reads_its_secret(api, people, erp):
    client = as_user(api, people.admin)

    created = client.post(
        "/api/connections/",
        {"name": "ERP", "kind": "sql", "url": "sqlite:///erp.sqlite", "secret": SECRET},
        format="json",
    )
    listed = client.get("/api/connections/")

    assert created.status_code == 201, created.json()
    assert set(created.json()) == {"id", "name", "kind", "url", "options"}
    assert SECRET not in listed.content.decode()
    assert Connection.objects.get().secret() == SECRET
    assert SECRET not in Connection.objects.get().secret_encrypted


def test_managers_list_connections_by_name_and_kind_only(api, people, secret_connection):
    response = as_user(api, people.north_manager).get("/api/connections/")

    assert response.status_code == 200
    assert response.json()["results"] == [
        {"id": secret_connection.pk, "name": "ERP (SQLite)", "kind": "sql"}
    ]
    assert "erp.sqlite" not in response.content.decode()


@pytest.mark.parametrize("persona", ["owner", "executive", "outsider"])
def test_others_do_not_see_connections(api, people, secret_connection, persona):
    response = as_user(api, getattr(people, persona)).get("/api/connections/")

    assert response.status_code == 403


def test_a_manager_may_not_write_a_connection(api, people, secret_connection):
    client = as_user(api, people.north_manager)

    created = client.post(
        "/api/connections/", {"name": "X", "kind": "sql", "url": "sqlite:///x.db"}, format="json"
    )
    changed = client.patch(
        f"/api/connections/{secret_connection.pk}/", {"name": "Y"}, format="json"
    )

    assert (created.status_code, changed.status_code) == (403, 403)


def test_a_manager_creates_previews_and_runs_an_import(
    api, org, people, secret_connection, sales_kpis
):
    client = as_user(api, people.north_manager)

    created = client.post(
        "/api/imports/", import_body(org, people, secret_connection), format="json"
    )
    pk = created.json()["id"]
    preview = client.post(f"/api/imports/{pk}/preview/")
    finished = client.post(f"/api/imports/{pk}/run/?wait=1")
    runs = client.get(f"/api/imports/{pk}/runs/")

    assert created.status_code == 201, created.json()
    assert preview.status_code == 200
    assert preview.json()["counts"]["new"] == 4
    assert [row["kind"] for row in preview.json()["rows"]] == ["new"] * 4
    assert finished.status_code == 200
    assert finished.json()["status"] == "succeeded"
    assert finished.json()["rows_changed"] == 4
    assert [run["id"] for run in runs.json()["results"]] == [finished.json()["id"]]
    assert set(runs.json()["results"][0]) == {
        "id", "started_at", "finished_at", "status", "rows_read", "rows_changed",
        "rows_unchanged", "rows_refused", "error",
    }  # fmt: skip


def test_a_run_without_wait_is_queued(api, sales_import, people):
    response = as_user(api, people.north_manager).post(f"/api/imports/{sales_import.pk}/run/")

    assert response.status_code == 202
    assert response.json()["status"] == "queued"
    again = as_user(api, people.north_manager).post(f"/api/imports/{sales_import.pk}/run/")
    assert again.status_code == 400
    assert again.json() == {"import": [services.ALREADY_RUNNING]}


@pytest.mark.parametrize("persona", ["owner", "executive", "outsider"])
def test_owners_and_viewers_cannot_create_imports(api, org, people, secret_connection, persona):
    response = as_user(api, getattr(people, persona)).post(
        "/api/imports/", import_body(org, people, secret_connection), format="json"
    )

    assert response.status_code in (400, 403)
    assert not services.Import.objects.exists()


def test_a_manager_cannot_see_edit_or_run_imports_outside_their_subtree(api, people, sales_import):
    client = as_user(api, people.south_team_manager)
    base = f"/api/imports/{sales_import.pk}/"

    assert client.get("/api/imports/").json()["results"] == []
    assert client.get(base).status_code == 404
    assert client.patch(base, {"name": "Mine"}, format="json").status_code == 404
    assert client.post(base + "run/?wait=1").status_code == 404
    assert client.post(base + "preview/").status_code == 404
    assert not ImportRun.objects.exists()


def test_a_bad_mapping_schedule_or_query_is_a_400_with_field_errors(
    api, org, people, secret_connection
):
    body = import_body(
        org,
        people,
        secret_connection,
        mapping={"value_column": "amount"},
        schedule="every day",
        query="DELETE FROM sales",
    )

    response = as_user(api, people.north_manager).post("/api/imports/", body, format="json")

    assert response.status_code == 400
    errors = response.json()
    assert errors["mapping"] == [
        "Name the KPI in exactly one way: kpi_id_column, kpi_code_column or kpi.",
        "Name the period in exactly one way: period_column or date_column.",
    ]
    assert errors["schedule"] == [services.BAD_SCHEDULE.format(schedule="every day")]
    assert errors["query"] == ["The query must be one SELECT statement (it may start with WITH)."]


def test_the_owner_must_be_a_manager_of_the_unit(api, org, people, secret_connection):
    body = import_body(org, people, secret_connection, owner=people.owner.pk)

    response = as_user(api, people.north_manager).post("/api/imports/", body, format="json")

    assert response.status_code == 400
    assert response.json()["owner"] == [services.OWNER_NOT_MANAGER.format(unit="North Sales")]


def test_no_page_shows_the_secret(client, people, secret_connection, sales_import):
    client.force_login(people.admin)
    pages = [
        reverse("connections:connection_list"),
        reverse("connections:connection_edit", args=[secret_connection.pk]),
        reverse("admin:connections_connection_change", args=[secret_connection.pk]),
        reverse("connections:import_detail", args=[sales_import.pk]),
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert SECRET not in response.content.decode(), page


def test_managers_never_see_a_connection_url_on_the_import_pages(client, people, sales_import):
    client.force_login(people.north_manager)

    detail = client.get(reverse("connections:import_detail", args=[sales_import.pk]))
    settings_page = client.get(reverse("connections:connection_list"))

    assert detail.status_code == 200
    assert "erp.sqlite" not in detail.content.decode()
    assert "ERP (SQLite)" in detail.content.decode()
    assert settings_page.status_code == 403


def test_no_log_line_carries_the_secret(caplog, sales_import, secret_connection, settings):
    settings.SIGHTLINE_CONNECTION_MAX_ROWS = 1
    with caplog.at_level(logging.DEBUG):
        run = services.run_execute(run_id=services.run_request(import_job=sales_import).pk)

    assert run.status == "failed"
    assert SECRET not in caplog.text


def test_the_import_pages_for_their_personas(client, people, sales_import):
    client.force_login(people.owner)
    assert client.get(reverse("connections:import_list")).status_code == 403

    client.force_login(people.north_manager)
    listed = client.get(reverse("connections:import_list"))
    preview = client.post(reverse("connections:import_preview", args=[sales_import.pk]))
    queued = client.post(reverse("connections:import_run", args=[sales_import.pk]))

    assert "Monthly sales" in listed.content.decode()
    assert [row.kind for row in preview.context["preview"].rows] == ["new"] * 4
    assert queued.status_code == 302
    assert ImportRun.objects.filter(import_job=sales_import).count() == 1


# POST /api/connections/<id>/test/: administrators only, as the page's "Test connection".


def test_an_administrator_tests_a_connection_through_the_api(api, people, secret_connection):
    response = as_user(api, people.admin).post(f"/api/connections/{secret_connection.pk}/test/")

    assert response.status_code == 200
    assert response.json() == {"ok": True, "error": ""}


def test_the_api_test_says_what_failed_in_words(api, people, secret_connection, erp):
    erp.unlink()
    page_problem = services.connection_test(connection=secret_connection)

    response = as_user(api, people.admin).post(f"/api/connections/{secret_connection.pk}/test/")

    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is False
    assert body["error"] == page_problem and page_problem
    assert SECRET not in response.content.decode()


@pytest.mark.parametrize(
    "persona", ["manager", "north_manager", "south_team_manager", "owner", "executive", "outsider"]
)
def test_everyone_else_is_refused_the_api_test(api, people, secret_connection, persona):
    before = Connection.objects.values().get()

    response = as_user(api, getattr(people, persona)).post(
        f"/api/connections/{secret_connection.pk}/test/"
    )

    assert response.status_code == 403
    assert "erp.sqlite" not in response.content.decode()
    assert Connection.objects.values().get() == before


def test_the_api_test_refuses_the_signed_out_and_unknown_ids(api, people, secret_connection):
    signed_out = APIClient().post(f"/api/connections/{secret_connection.pk}/test/")
    unknown = as_user(api, people.admin).post("/api/connections/999999/test/")
    fetched = as_user(api, people.admin).get(f"/api/connections/{secret_connection.pk}/test/")

    assert signed_out.status_code in (401, 403)
    assert unknown.status_code == 404
    assert fetched.status_code == 405
