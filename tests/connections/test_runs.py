"""Runs of an import from a real SQLite file: dates folded into months, all or nothing,
lineage, one run at a time, a failure told to the owner."""

import sqlite3
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from connections import readers, services
from connections.models import ImportRun, Lineage
from connections.selectors import latest_lineage
from kpis import feeds
from kpis import services as kpi_services
from kpis.models import Actual
from reviews.models import Notification
from scorecard import services as core


def run(import_job, by=None) -> ImportRun:
    queued = services.run_request(import_job=import_job, by=by)
    return services.run_execute(run_id=queued.pk)


def values(kpi) -> dict[str, Decimal]:
    return {a.period.key: a.value for a in Actual.objects.filter(kpi=kpi).select_related("period")}


def test_it_folds_dates_into_months_by_sum_and_writes_them(sales_import, sales_kpis):
    finished = run(sales_import)

    assert finished.status == "succeeded", finished.error
    # January: 100 + 50; February: 70; March: 30; leads in February: 7.
    assert values(sales_kpis["NS"]) == {
        "2026-01": Decimal("150"),
        "2026-02": Decimal("70"),
        "2026-03": Decimal("30"),
    }
    assert values(sales_kpis["LEADS"]) == {"2026-02": Decimal("7")}
    assert (finished.rows_read, finished.rows_changed, finished.rows_unchanged) == (5, 4, 0)
    assert finished.rows_refused == 0
    january = Actual.objects.get(kpi=sales_kpis["NS"], period=core.period_for_key("2026-01"))
    assert january.source == Actual.Source.IMPORT
    assert january.comment == "first"


def test_it_keeps_the_source_rows_behind_each_value(sales_import, sales_kpis):
    finished = run(sales_import)
    january = Actual.objects.get(kpi=sales_kpis["NS"], period=core.period_for_key("2026-01"))

    lineage = latest_lineage(january.pk, january.version)

    assert lineage is not None and lineage.run == finished
    assert [row["amount"] for row in lineage.source_rows] == [100, 50]
    assert [row["day"] for row in lineage.source_rows] == ["2026-01-05", "2026-01-20"]


def test_a_second_run_after_one_source_row_changed_reports_one_change(sales_import, erp):
    run(sales_import)
    with sqlite3.connect(erp) as db:
        db.execute("UPDATE sales SET amount = 80 WHERE day = '2026-02-10'")
    db.close()

    second = run(sales_import)

    assert second.status == "succeeded", second.error
    assert (second.rows_changed, second.rows_unchanged) == (1, 3)


def test_a_refused_row_fails_the_run_and_nothing_is_written(sales_import, sales_kpis, erp):
    with sqlite3.connect(erp) as db:
        db.execute("INSERT INTO sales VALUES ('NOPE', '2026-01-09', 5, '')")
    db.close()

    failed = run(sales_import)

    assert failed.status == "failed"
    assert 'No KPI with code "NOPE" in the scorecard of North Sales.' in failed.error
    assert failed.rows_refused == 1
    assert not Actual.objects.filter(kpi__in=sales_kpis.values()).exists()
    assert not Lineage.objects.exists()


def test_a_null_value_refuses_its_row(sales_import, sales_kpis, erp):
    with sqlite3.connect(erp) as db:
        db.execute("INSERT INTO sales VALUES ('NS', '2026-01-09', NULL, '')")
    db.close()

    failed = run(sales_import)

    assert failed.status == "failed"
    assert "Row 6: The value (amount) is empty" in failed.error
    assert not Actual.objects.exists()


def test_a_date_in_a_locked_period_fails_the_run_and_keeps_earlier_actuals(
    sales_import, sales_kpis, erp, org
):
    assert run(sales_import).status == "succeeded"
    kpi_services.quarter_lock(
        scorecard=org.north_sales.scorecard, period=core.period_for_key("FY2026-Q1")
    )
    with sqlite3.connect(erp) as db:
        db.execute("UPDATE sales SET amount = 999 WHERE day = '2026-03-03'")
    db.close()

    failed = run(sales_import)

    assert failed.status == "failed"
    assert failed.error.endswith(
        "Row 4: FY2026 Q1 of North Sales scorecard is closed: its review is over, so its "
        "actuals are read-only. A manager can reopen the review."
    )
    assert values(sales_kpis["NS"])["2026-03"] == Decimal("30")


def test_a_writing_query_fails_its_run(sales_import, sales_kpis):
    # Saved queries are checked on save; one that slipped in (say, through the database) is
    # refused again when it runs, and SQLite opened read-only would refuse it anyway.
    type(sales_import).objects.filter(pk=sales_import.pk).update(query="DELETE FROM sales")
    sales_import.refresh_from_db()

    failed = run(sales_import)

    assert failed.status == "failed"
    assert failed.error == readers.NOT_ONE_SELECT


@pytest.mark.parametrize(
    "query, message",
    [
        ("UPDATE sales SET amount = 0", readers.NOT_ONE_SELECT),
        ("DROP TABLE sales", readers.NOT_ONE_SELECT),
        ("SELECT 1; DELETE FROM sales", readers.SECOND_STATEMENT),
        ("SELECT ';' AS x; ", None),
        ("SELECT 1 -- ; DELETE", None),
    ],
)
def test_it_checks_queries_when_they_are_saved(sales_import, query, message):
    if message is None:
        services.import_update(import_job=sales_import, query=query)
        return
    with pytest.raises(ValidationError) as refused:
        services.import_update(import_job=sales_import, query=query)
    assert refused.value.message_dict["query"] == [message]


def test_the_sqlite_file_is_opened_read_only(erp):
    # Past the statement check (called directly), SQLite itself refuses the write.
    with pytest.raises(readers.ReadFailed) as refused:
        readers._read_sqlite("erp.sqlite", "INSERT INTO sales VALUES ('X', '2026-01-01', 1, '')")
    assert str(refused.value).startswith("The query tried to write")
    assert readers.read_sql("sqlite:///erp.sqlite", "SELECT count(*) AS n FROM sales").rows == [
        {"n": 5}
    ]


def test_a_query_past_the_timeout_fails(settings, erp):
    settings.SIGHTLINE_CONNECTION_SQL_TIMEOUT_MS = 50
    endless = (
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n"
    )
    with pytest.raises(readers.ReadFailed) as refused:
        readers.read_sql("sqlite:///erp.sqlite", endless)
    assert str(refused.value) == readers.TIMED_OUT.format(seconds=0.05)


def test_more_rows_than_the_cap_fail(settings, sales_import):
    settings.SIGHTLINE_CONNECTION_MAX_ROWS = 4

    failed = run(sales_import)

    assert failed.status == "failed"
    assert failed.error == readers.TOO_MANY_ROWS.format(limit=4)
    assert not Actual.objects.exists()


def test_a_missing_column_fails(sales_import):
    services.import_update(import_job=sales_import, query="SELECT region, day FROM sales")

    failed = run(sales_import)

    assert failed.status == "failed"
    assert failed.error.startswith("The source has no column amount")


def test_a_sqlite_path_cannot_leave_the_root(db, erp):
    with pytest.raises(ValidationError) as refused:
        services.connection_create(name="Out", kind="sql", url="sqlite:///../../etc/passwd")
    assert refused.value.message_dict["url"] == [readers.OUTSIDE_ROOT]


def test_one_run_of_an_import_at_a_time(sales_import):
    services.run_request(import_job=sales_import)

    with pytest.raises(ValidationError) as refused:
        services.run_request(import_job=sales_import)

    assert refused.value.message_dict["import"] == [services.ALREADY_RUNNING]


def test_a_failed_run_notifies_the_owner_and_the_third_escalates(
    sales_import, people, erp, settings
):
    settings.SIGHTLINE_CONNECTION_MAX_ROWS = 1
    for _ in range(3):
        assert run(sales_import).status == "failed"

    owner_notes = Notification.objects.filter(recipient=people.north_manager, kind="import_failed")
    assert owner_notes.count() == 3
    assert owner_notes.first().title == 'The import "Monthly sales" failed'
    # The unit's own managers hear of the third failure in a row (North Sales has none but
    # the owner, whose manager role is on North): nobody else is told.
    assert Notification.objects.filter(kind="import_failed").count() == 3


def test_a_fed_kpi_is_not_editable_by_hand(sales_import, sales_kpis, people):
    run(sales_import)
    march = core.period_for_key("2026-03")

    with pytest.raises(ValidationError) as refused:
        kpi_services.actual_enter(kpi=sales_kpis["NS"], period=march, value="1", by=people.owner)

    assert refused.value.message_dict["value"] == [
        feeds.FED_BY_IMPORT.format(kpi="Monthly sales", feed="Monthly sales")
    ]
    # The owner may still add the comment to the imported value.
    kpi_services.actual_enter(
        kpi=sales_kpis["NS"], period=march, value="30", comment="On plan", by=people.owner
    )


def test_a_secret_no_key_opens_fails_the_run(sales_import, sqlite_connection, settings):
    from cryptography.fernet import Fernet

    settings.SIGHTLINE_CONNECTION_KEYS = [Fernet.generate_key().decode()]
    services.connection_update(connection=sqlite_connection, secret="s3cret")
    settings.SIGHTLINE_CONNECTION_KEYS = [Fernet.generate_key().decode()]

    failed = run(sales_import)

    assert failed.status == "failed"
    assert "cannot be read with the keys this server has" in failed.error
    assert "s3cret" not in failed.error
    assert not Actual.objects.exists()


def test_keys_rotate_the_first_encrypts_every_one_decrypts(db, sqlite_connection, settings):
    from cryptography.fernet import Fernet

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.SIGHTLINE_CONNECTION_KEYS = [old]
    services.connection_update(connection=sqlite_connection, secret="s3cret")
    settings.SIGHTLINE_CONNECTION_KEYS = [new, old]

    assert sqlite_connection.secret() == "s3cret"
    assert "s3cret" not in sqlite_connection.secret_encrypted
