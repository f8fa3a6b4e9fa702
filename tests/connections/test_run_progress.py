"""A run's progress on its page: the run records its phase and row counts in the cache as it
goes, the page polls them (htmx) while the run is queued or running, and stops once it ends."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils.html import escape

from connections import progress, services
from connections.models import ImportRun

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def page_url(run) -> str:
    return reverse("connections:import_run_detail", args=[run.import_job_id, run.pk])


@pytest.fixture
def queued(sales_import):
    return services.run_request(import_job=sales_import, start=False)


def test_a_queued_run_polls_its_progress(client, people, queued, settings):
    settings.SIGHTLINE_CONNECTION_PROGRESS_POLL_SECONDS = 3
    client.force_login(people.north_manager)

    page = client.get(page_url(queued)).content.decode()
    detail = client.get(reverse("connections:import_detail", args=[queued.import_job_id]))

    assert 'hx-trigger="every 3s"' in page
    assert f'hx-get="{page_url(queued)}"' in page
    assert "Queued…" in page
    # The import's run history polls the same fragment for its active run.
    assert f'id="run-progress-{queued.pk}"' in detail.content.decode()
    assert 'hx-trigger="every 3s"' in detail.content.decode()


def test_a_running_run_shows_its_phase_and_rows(client, people, queued):
    ImportRun.objects.filter(pk=queued.pk).update(status=ImportRun.Status.RUNNING)
    progress.progress_set(queued.pk, progress.WRITING, done=200, total=1000)
    client.force_login(people.north_manager)

    fragment = client.get(page_url(queued), **HTMX).content.decode()

    assert fragment.strip().startswith('<span class="run-progress"')
    assert "Writing the values: 200 of 1000 rows…" in fragment
    assert "hx-trigger" in fragment
    assert "<html" not in fragment


def test_the_run_records_each_phase_and_clears_it_when_done(
    client, people, queued, settings, monkeypatch
):
    settings.SIGHTLINE_CONNECTION_PROGRESS_EVERY_ROWS = 2
    seen = []
    record = progress.progress_set

    def spy(run_id, phase, *, done=0, total=0):
        record(run_id, phase, done=done, total=total)
        seen.append((phase, progress.progress_of(run_id)))

    monkeypatch.setattr(progress, "progress_set", spy)

    finished = services.run_execute(run_id=queued.pk)

    assert finished.status == "succeeded", finished.error
    # Read the 5 source rows, checked them, wrote 4 values (reported every 2 rows).
    assert seen == [
        ("reading", {"phase": "reading", "done": 0, "total": 0}),
        ("checking", {"phase": "checking", "done": 0, "total": 5}),
        ("writing", {"phase": "writing", "done": 0, "total": 4}),
        ("writing", {"phase": "writing", "done": 2, "total": 4}),
        ("writing", {"phase": "writing", "done": 4, "total": 4}),
    ]
    assert progress.progress_of(queued.pk) is None
    client.force_login(people.north_manager)
    fragment = client.get(page_url(queued), **HTMX).content.decode()
    assert "Succeeded: 5 rows read, 4 changed, 0 unchanged, 0 refused." in fragment
    assert "hx-trigger" not in fragment


def test_a_failed_run_stops_polling_and_says_why(client, people, queued, erp):
    erp.unlink()

    finished = services.run_execute(run_id=queued.pk)

    assert finished.status == "failed"
    assert progress.progress_of(queued.pk) is None
    client.force_login(people.north_manager)
    fragment = client.get(page_url(queued), **HTMX).content.decode()
    assert "Failed:" in fragment and escape(finished.error) in fragment
    assert "hx-trigger" not in fragment


def test_a_stray_cache_entry_is_ignored(client, people, queued):
    cache.set(f"connections:run-progress:{queued.pk}", {"phase": "<script>", "done": 1})
    client.force_login(people.north_manager)

    fragment = client.get(page_url(queued), **HTMX).content.decode()

    assert "Queued…" in fragment and "<script>" not in fragment


@pytest.mark.parametrize("persona", ["owner", "executive", "south_team_manager", "outsider"])
def test_only_the_managers_of_the_import_see_its_progress(client, people, queued, persona):
    progress.progress_set(queued.pk, progress.READING)
    client.force_login(getattr(people, persona))

    response = client.get(page_url(queued), **HTMX)

    assert response.status_code in (403, 404)
    assert "Reading the source" not in response.content.decode()
