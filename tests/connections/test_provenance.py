"""Where people read numbers, an imported value says where it came from: "from <import>,
run <time>", with a link to the source rows behind it (the history page, the explanation,
the KPI detail and the API's history and explanation)."""

import sqlite3
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from connections import services
from connections.models import ImportRun
from kpis import services as kpi_services
from kpis.models import Actual
from scorecard import services as core


def run(import_job) -> ImportRun:
    finished = services.run_execute(run_id=services.run_request(import_job=import_job).pk)
    assert finished.status == "succeeded", finished.error
    return finished


def origin_text(finished: ImportRun) -> str:
    when = timezone.localtime(finished.finished_at).strftime("%-d %b %Y %H:%M")
    return f"from Monthly sales, run {when}"


@pytest.fixture
def imported(sales_import, sales_kpis):
    finished = run(sales_import)
    kpi = sales_kpis["NS"]
    january = core.period_for_key("2026-01")
    return {
        "run": finished,
        "kpi": kpi,
        "period": january,
        "actual": Actual.objects.get(kpi=kpi, period=january),
    }


def sources_url(actual, version) -> str:
    return f"{reverse('connections:actual_sources', args=[actual.pk])}?version={version}"


def test_the_history_page_says_which_import_and_run_and_links_the_source_rows(
    client, people, imported
):
    client.force_login(people.owner)
    url = reverse("kpis:actual_history", args=[imported["kpi"].pk])

    page = client.get(url, {"period": "2026-01"}).content.decode()

    assert origin_text(imported["run"]) in page
    link = sources_url(imported["actual"], imported["actual"].version)
    assert f'href="{link}"' in page.replace("&amp;", "&")
    sources = client.get(link).content.decode()
    assert "<td>100</td>" in sources and "<td>50</td>" in sources


def test_a_hand_entered_line_says_only_its_source(client, people, sales_kpis, org):
    client.force_login(people.owner)
    kpi = sales_kpis["NS"]
    kpi_services.actual_enter(
        kpi=kpi, period=core.period_for_key("2026-01"), value="5", by=people.owner
    )

    page = client.get(reverse("kpis:actual_history", args=[kpi.pk]), {"period": "2026-01"})

    assert "provenance" not in page.content.decode()


def test_the_api_history_names_the_import_and_the_run(people, imported):
    api = APIClient()
    api.force_authenticate(people.owner)
    actual = imported["actual"]
    kpi_services.actual_enter(
        kpi=imported["kpi"],
        period=imported["period"],
        value=actual.value,
        comment="Big January",
        by=people.owner,
    )

    history = api.get(f"/api/actuals/{actual.pk}/history/").json()

    newest, first = history
    assert (newest["source"], newest["import_id"], newest["run_id"]) == ("form", None, None)
    assert newest["import_name"] is None and newest["run_at"] is None
    assert first["source"] == "import"
    assert first["import_id"] == imported["run"].import_job_id
    assert first["import_name"] == "Monthly sales"
    assert first["run_id"] == imported["run"].pk
    assert first["run_at"] is not None
    # The fields every client read before are all still there.
    assert {"when", "who", "kind", "old", "new", "comment", "source", "version"} <= set(first)


def explanation_url(imported) -> str:
    slug = imported["kpi"].objective.scorecard.org_unit.slug
    return reverse("kpis:explanation", args=[slug, "kpi", imported["kpi"].pk])


def test_the_explanation_says_where_the_actual_came_from(client, people, imported):
    client.force_login(people.owner)

    page = client.get(explanation_url(imported), {"period": "2026-01"}).content.decode()

    assert "The actual is from Monthly sales, run" in page
    assert sources_url(imported["actual"], imported["actual"].version) in page


def test_a_comment_added_by_hand_keeps_the_values_origin(client, people, imported):
    actual = imported["actual"]
    kpi_services.actual_enter(
        kpi=imported["kpi"],
        period=imported["period"],
        value=actual.value,
        comment="Big January",
        by=people.owner,
    )
    client.force_login(people.owner)

    page = client.get(explanation_url(imported), {"period": "2026-01"}).content.decode()

    # The run wrote version 1; the comment made version 2 and kept the value.
    assert sources_url(actual, 1) in page


def test_a_value_changed_by_hand_is_no_longer_the_imports(client, people, imported):
    services.import_update(import_job=imported["run"].import_job, enabled=False)
    kpi_services.actual_enter(
        kpi=imported["kpi"], period=imported["period"], value="1", by=people.owner
    )
    client.force_login(people.owner)

    page = client.get(explanation_url(imported), {"period": "2026-01"}).content.decode()

    assert "The actual is from" not in page


def test_the_api_explanation_names_the_import_and_the_run(people, imported):
    api = APIClient()
    api.force_authenticate(people.owner)
    query = {
        "period": "2026-01",
        "scorecard": imported["kpi"].objective.scorecard_id,
        "subject_type": "kpi",
        "subject_id": imported["kpi"].pk,
    }

    body = api.get("/api/scores/explain/", query).json()

    assert body["import_id"] == imported["run"].import_job_id
    assert body["import_name"] == "Monthly sales"
    assert body["run_id"] == imported["run"].pk
    assert {"subject_type", "title", "score", "status", "summary", "members"} <= set(body)
    # A month nothing imported: the same fields, empty.
    other = api.get("/api/scores/explain/", {**query, "period": "2026-05"}).json()
    assert (other["import_id"], other["run_id"], other["import_name"]) == (None, None, None)


def test_the_kpi_detail_says_where_its_values_came_from(client, people, imported):
    client.force_login(people.owner)
    slug = imported["kpi"].objective.scorecard.org_unit.slug
    url = reverse("kpis:kpi_detail", args=[slug, imported["kpi"].pk])

    page = client.get(url, {"period": "2026-01"}).content.decode()

    assert origin_text(imported["run"]) in page
    assert "The actual is from Monthly sales, run" in page
    assert sources_url(imported["actual"], imported["actual"].version) in page


def test_each_history_line_links_the_rows_of_its_own_run(client, people, imported, erp):
    with sqlite3.connect(erp) as db:
        db.execute("UPDATE sales SET amount = 60 WHERE day = '2026-01-20'")
    db.close()
    second = run(imported["run"].import_job)
    actual = Actual.objects.get(pk=imported["actual"].pk)
    assert (actual.value, actual.version) == (Decimal("160"), 2)
    client.force_login(people.owner)

    page = client.get(
        reverse("kpis:actual_history", args=[imported["kpi"].pk]),
        {"period": "2026-01"},
    ).content.decode()
    first_rows = client.get(sources_url(actual, 1)).content.decode()
    second_rows = client.get(sources_url(actual, 2)).content.decode()

    assert origin_text(second) in page and origin_text(imported["run"]) in page
    assert "<td>50</td>" in first_rows and "<td>60</td>" not in first_rows
    assert "version 1 of this actual" in first_rows
    assert "version 1 of this actual" not in second_rows
    assert "<td>60</td>" in second_rows


@pytest.mark.parametrize("version", ["abc", "0", "99", "²", "-1", "9" * 40])
def test_a_bad_version_shows_the_current_rows(client, people, imported, version):
    client.force_login(people.owner)
    url = reverse("connections:actual_sources", args=[imported["actual"].pk])

    response = client.get(url, {"version": version})

    assert response.status_code == 200
    assert "<td>100</td>" in response.content.decode()
