"""An import from a real second PostgreSQL database, the "ERP", created and dropped here."""

import uuid
from decimal import Decimal

import psycopg
import pytest
from django.db import connection as django_connection

from connections import readers, services
from connections.models import Connection
from kpis.models import Actual
from scorecard import services as core


@pytest.fixture
def erp_url(settings):
    """A fresh database with a sales table; its URL without the password (trust auth)."""
    settings.SIGHTLINE_CONNECTION_HOSTS = ["127.0.0.1"]
    own = django_connection.settings_dict
    host, port, user = own["HOST"] or "127.0.0.1", own["PORT"] or 5432, own["USER"] or "postgres"
    name = f"erp_{uuid.uuid4().hex[:12]}"
    admin = psycopg.connect(host=host, port=port, user=user, dbname="postgres", autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        with psycopg.connect(host=host, port=port, user=user, dbname=name) as erp:
            erp.execute("CREATE TABLE sales (region text, day date, amount numeric, note text)")
            erp.execute(
                "INSERT INTO sales VALUES ('NS', '2026-01-05', 100, 'first'), "
                "('NS', '2026-01-20', 50, ''), ('NS', '2026-02-10', 70.5, ''), "
                "('LEADS', '2026-02-01', 7, '')"
            )
        yield f"postgresql+psycopg://{user}@127.0.0.1:{port}/{name}"
    finally:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.close()


pytestmark = pytest.mark.skipif(
    "postgresql" not in django_connection.vendor, reason="the ERP is a PostgreSQL database"
)


@pytest.fixture
def erp_import(erp_url, org, people, sales_kpis):
    connection = services.connection_create(name="ERP", kind=Connection.Kind.SQL, url=erp_url)
    return services.import_create(
        name="ERP sales",
        connection=connection,
        org_unit=org.north_sales,
        owner=people.north_manager,
        query="SELECT region, day, amount, note FROM sales ORDER BY day",
        mapping={"kpi_code_column": "region", "date_column": "day", "value_column": "amount"},
    )


def run(import_job):
    return services.run_execute(run_id=services.run_request(import_job=import_job).pk)


def test_it_imports_monthly_sales_from_the_erp(erp_import, sales_kpis):
    finished = run(erp_import)

    assert finished.status == "succeeded", finished.error
    ns = Actual.objects.filter(kpi=sales_kpis["NS"])
    assert {a.period.key: a.value for a in ns} == {
        "2026-01": Decimal("150"),
        "2026-02": Decimal("70.5"),
    }
    assert Actual.objects.get(
        kpi=sales_kpis["LEADS"], period=core.period_for_key("2026-02")
    ).value == Decimal("7")


def test_a_writing_cte_is_stopped_by_the_read_only_transaction(erp_url):
    with pytest.raises(readers.ReadFailed) as refused:
        readers.read_sql(erp_url, "WITH gone AS (DELETE FROM sales RETURNING *) SELECT * FROM gone")

    assert str(refused.value).startswith("The query tried to write, and connections only read")
    assert readers.read_sql(erp_url, "SELECT count(*) AS n FROM sales").rows == [{"n": 4}]


def test_the_driver_refuses_a_second_statement_the_check_did_not_see(erp_url):
    from sqlalchemy.engine import make_url

    # Past the statement check (called directly), psycopg's extended protocol refuses it.
    with pytest.raises(readers.ReadFailed) as refused:
        readers._read_postgresql(make_url(erp_url), "SELECT 1; DELETE FROM sales")

    assert str(refused.value) == readers.SECOND_STATEMENT
    assert readers.read_sql(erp_url, "SELECT count(*) AS n FROM sales").rows == [{"n": 4}]


def test_a_query_past_the_statement_timeout_fails(erp_url, settings):
    settings.SIGHTLINE_CONNECTION_SQL_TIMEOUT_MS = 100

    with pytest.raises(readers.ReadFailed) as refused:
        readers.read_sql(erp_url, "SELECT pg_sleep(2)")

    assert str(refused.value) == readers.TIMED_OUT.format(seconds=0.1)


def test_a_host_not_on_the_allow_list_is_refused(erp_url, settings, db):
    settings.SIGHTLINE_CONNECTION_HOSTS = ["erp.example.com"]

    with pytest.raises(readers.ReadFailed) as refused:
        readers.read_sql(erp_url, "SELECT 1")

    assert str(refused.value) == readers.HOST_NOT_ALLOWED.format(host="127.0.0.1")


def test_an_unreachable_server_fails_the_run_in_words(erp_import, settings):
    Connection.objects.filter(pk=erp_import.connection_id).update(
        url="postgresql+psycopg://reader@127.0.0.1:1/erp"
    )
    erp_import.connection.refresh_from_db()

    failed = run(erp_import)

    assert failed.status == "failed"
    assert failed.error.startswith("Could not connect to the database:")
    assert not Actual.objects.exists()


def test_the_password_is_the_secret_and_never_in_a_message(erp_import, settings):
    services.connection_update(connection=erp_import.connection, secret="hunter2-secret")
    Connection.objects.filter(pk=erp_import.connection_id).update(
        url="postgresql+psycopg://reader@127.0.0.1:1/erp"
    )
    erp_import.connection.refresh_from_db()

    failed = run(erp_import)

    assert "hunter2-secret" not in failed.error
