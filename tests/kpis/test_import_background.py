"""Large imports run as Celery tasks and show their progress."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kpis import import_jobs, imports
from kpis import services as kpi_services
from kpis.imports import checks
from kpis.models import Actual, ImportJob
from scorecard import services as core

Q1 = "FY2026-Q1"


@pytest.fixture
def small_limit(monkeypatch):
    """Two rows count as a large file here."""
    monkeypatch.setattr(import_jobs, "BACKGROUND_ROWS", 1)
    monkeypatch.setattr(checks, "CHUNK", 1)


@pytest.fixture
def deals(people, north_sales_kpi):
    kpi = kpi_services.kpi_create(
        objective=north_sales_kpi.objective, name="Deals won", unit="count", owner=people.owner
    )
    kpi_services.target_set(kpi=kpi, period=core.period_for_key(Q1), value="10")
    return kpi


def upload(client, text):
    file = SimpleUploadedFile("big.csv", text.encode(), content_type="text/csv")
    return client.post(reverse("kpis:import"), {"file": file})


GOOD = f"kpi,period,value\nRegional revenue,{Q1},95\nDeals won,{Q1},12\n"


def test_it_checks_a_large_file_in_the_background_then_applies_it_when_confirmed(
    client, people, north_sales_kpi, deals, small_limit, django_capture_on_commit_callbacks
):
    client.force_login(people.owner)

    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, GOOD)

    job = ImportJob.objects.get()
    assert response.url == reverse("kpis:import_job", args=[job.pk])
    assert (job.status, job.processed, job.total) == ("checked", 2, 2)
    page = client.get(response.url).content.decode()
    assert "1 new" not in page and "2 new · 0 changed" in page
    assert "Import 2 actuals" in page
    assert not Actual.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("kpis:import_job_confirm", args=[job.pk]))

    job.refresh_from_db()
    assert (job.status, job.saved) == ("done", 2)
    assert Actual.objects.get(kpi=deals).value == Decimal("12")
    assert "Imported 2 actuals." in client.get(response.url).content.decode()


def test_it_reports_progress_after_every_chunk(people, north_sales_kpi, deals, small_limit):
    rows = imports.read_table(name="big.csv", content=GOOD.encode())
    seen = []

    imports.preview(rows=rows, user=people.owner, progress=lambda done, total: seen.append(done))

    assert seen == [1, 2]


def test_it_polls_while_the_job_runs(client, people):
    job = ImportJob.objects.create(person=people.owner, file_name="big.csv", total=400)
    ImportJob.objects.filter(pk=job.pk).update(processed=100)
    client.force_login(people.owner)

    page = client.get(reverse("kpis:import_job", args=[job.pk])).content.decode()

    assert 'hx-trigger="every 1s"' in page
    assert '<progress max="100" value="25">' in page


def test_it_refuses_to_apply_a_job_with_errors(
    client, people, north_sales_kpi, small_limit, django_capture_on_commit_callbacks
):
    client.force_login(people.owner)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, f"kpi,period,value\nRegional revenue,{Q1},95\nRegional revenue,{Q1},x\n")
    job = ImportJob.objects.get()

    response = client.post(reverse("kpis:import_job_confirm", args=[job.pk]), follow=True)

    assert "This import is not ready to apply: checked." in response.content.decode()
    job.refresh_from_db()
    assert job.status == "checked"
    assert not Actual.objects.exists()


def test_it_shows_a_job_only_to_its_person(
    client, people, north_sales_kpi, small_limit, django_capture_on_commit_callbacks
):
    client.force_login(people.owner)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, GOOD.replace("Deals won", "Regional revenue").replace(Q1, "FY2025-Q4", 1))
    job = ImportJob.objects.get()
    client.force_login(people.manager)

    assert client.get(reverse("kpis:import_job", args=[job.pk])).status_code == 404
    confirm = client.post(reverse("kpis:import_job_confirm", args=[job.pk]))
    assert confirm.status_code == 404
    assert not Actual.objects.exists()
