"""Scheduled imports: cron in the organization's time zone, the beat's claim of due imports,
one run at a time, and runs kept for a set time."""

from datetime import UTC, datetime, timedelta

import time_machine

from connections import services
from connections.models import ImportRun


def test_the_next_run_follows_the_cron_in_the_organizations_time_zone(sales_import, settings):
    settings.TIME_ZONE = "Europe/Berlin"

    services.import_update(import_job=sales_import, schedule="0 6 * * *")

    # 06:00 in Berlin in June (summer time, UTC+2) is 04:00 UTC; it is 10:00 UTC, so tomorrow.
    assert sales_import.next_run_at == datetime(2026, 6, 16, 4, 0, tzinfo=UTC)


def test_the_beat_queues_a_due_import_once_and_moves_its_next_run(sales_import):
    services.import_update(import_job=sales_import, schedule="*/5 * * * *")
    assert sales_import.next_run_at == datetime(2026, 6, 15, 10, 5, tzinfo=UTC)

    assert services.imports_claim_due() == []
    with time_machine.travel("2026-06-15 10:05:30+00:00", tick=False):
        queued = services.imports_claim_due()
        again = services.imports_claim_due()

    assert len(queued) == 1 and again == []
    run = ImportRun.objects.get()
    assert (run.trigger, run.status) == ("schedule", "queued")
    sales_import.refresh_from_db()
    assert sales_import.next_run_at == datetime(2026, 6, 15, 10, 10, tzinfo=UTC)


def test_an_import_still_running_is_not_queued_again(sales_import):
    services.import_update(import_job=sales_import, schedule="*/5 * * * *")
    with time_machine.travel("2026-06-15 10:05:30+00:00", tick=False):
        services.imports_claim_due()
    with time_machine.travel("2026-06-15 10:10:30+00:00", tick=False):
        assert services.imports_claim_due() == []

    assert ImportRun.objects.count() == 1


def test_a_disabled_or_unscheduled_import_is_never_claimed(sales_import):
    services.import_update(import_job=sales_import, schedule="*/5 * * * *", enabled=False)
    with time_machine.travel("2026-06-15 11:00:00+00:00", tick=False):
        assert services.imports_claim_due() == []
    services.import_update(import_job=sales_import, schedule="", enabled=True)
    assert sales_import.next_run_at is None


def test_old_runs_and_their_lineage_are_pruned(sales_import, settings):
    settings.SIGHTLINE_CONNECTION_RUNS_KEPT_DAYS = 400
    run = services.run_execute(run_id=services.run_request(import_job=sales_import).pk)
    assert run.status == "succeeded", run.error

    assert services.runs_prune(now=run.finished_at + timedelta(days=399)) == 0
    assert services.runs_prune(now=run.finished_at + timedelta(days=401)) > 0
    assert not ImportRun.objects.exists()


def test_the_owner_hears_once_when_a_scheduled_import_is_late(sales_import, people):
    from reviews.models import Notification

    # Hourly; saved at 10:00 and never run: late once two hours pass without a success.
    services.import_update(import_job=sales_import, schedule="0 * * * *")

    with time_machine.travel("2026-06-15 11:30:00+00:00", tick=False):
        assert services.imports_remind_late() == 0
    with time_machine.travel("2026-06-15 12:30:00+00:00", tick=False):
        assert services.imports_remind_late() == 1
    with time_machine.travel("2026-06-15 15:30:00+00:00", tick=False):
        assert services.imports_remind_late() == 0

    note = Notification.objects.get(kind="import_late")
    assert note.recipient == people.north_manager
    assert note.title == 'The import "Monthly sales" is late: no successful run since 2026-06-15'


def test_a_successful_run_ends_the_lateness(sales_import):
    services.import_update(import_job=sales_import, schedule="0 * * * *")
    with time_machine.travel("2026-06-15 12:20:00+00:00", tick=False):
        run = services.run_execute(run_id=services.run_request(import_job=sales_import).pk)
        assert run.status == "succeeded", run.error
    with time_machine.travel("2026-06-15 13:30:00+00:00", tick=False):
        assert services.imports_remind_late() == 0


def test_reminders_leave_fed_kpis_out(sales_import, sales_kpis):
    from reviews.reminders import kpis_missing_actuals
    from scorecard import services as core

    april = core.period_for_key("2026-04")
    assert set(kpis_missing_actuals(april)) == set(sales_kpis.values())

    services.run_execute(run_id=services.run_request(import_job=sales_import).pk)

    # The import wrote both KPIs (January to March): April's reminders are its business.
    assert list(kpis_missing_actuals(april)) == []
