"""An import from a real MariaDB "ERP" (this machine's MariaDB on 127.0.0.1:3306, root with
no password, as the machine and CI provide it) through the optional MySQL driver, PyMySQL:
the same safety rules as PostgreSQL's — read only, one statement, a timeout, a row cap."""

import os
import uuid
from decimal import Decimal

import pymysql
import pytest

from connections import readers, services
from connections.models import Connection
from kpis.models import Actual

MARIADB = {
    "host": os.environ.get("SIGHTLINE_TEST_MYSQL_HOST", "127.0.0.1"),
    "port": int(os.environ.get("SIGHTLINE_TEST_MYSQL_PORT", "3306")),
    "user": os.environ.get("SIGHTLINE_TEST_MYSQL_USER", "root"),
}


def admin():
    try:
        return pymysql.connect(**MARIADB, password="", autocommit=True, connect_timeout=5)
    except pymysql.err.OperationalError as error:
        if os.environ.get("SIGHTLINE_REQUIRE_ALL_TESTS"):
            raise
        pytest.skip(f"no MariaDB/MySQL server at {MARIADB['host']}:{MARIADB['port']}: {error}")


@pytest.fixture
def erp_url(settings):
    """A fresh database with a sales table, and a function that writes (to prove the
    read-only transaction, which our own statement check cannot see into)."""
    settings.SIGHTLINE_CONNECTION_HOSTS = ["127.0.0.1"]
    name = f"erp_{uuid.uuid4().hex[:12]}"
    server = admin()
    cursor = server.cursor()
    cursor.execute(f"CREATE DATABASE `{name}`")
    try:
        cursor.execute(f"USE `{name}`")
        cursor.execute("CREATE TABLE sales (region varchar(20), day date, amount decimal(12,2))")
        cursor.execute(
            "INSERT INTO sales VALUES ('NS', '2026-01-05', 100), ('NS', '2026-01-20', 50), "
            "('NS', '2026-02-10', 70.5), ('LEADS', '2026-02-01', 7)"
        )
        cursor.execute(
            "CREATE FUNCTION wipe() RETURNS INT MODIFIES SQL DATA "
            "BEGIN DELETE FROM sales; RETURN 1; END"
        )
        yield f"mysql+pymysql://{MARIADB['user']}@127.0.0.1:{MARIADB['port']}/{name}"
    finally:
        cursor.execute(f"DROP DATABASE `{name}`")
        server.close()


def count(url):
    return readers.read_sql(url, "SELECT count(*) AS n FROM sales").rows


@pytest.mark.django_db
def test_it_imports_monthly_sales_from_a_mariadb_erp(erp_url, org, people, sales_kpis):
    connection = services.connection_create(name="ERP", kind=Connection.Kind.SQL, url=erp_url)
    import_job = services.import_create(
        name="ERP sales",
        connection=connection,
        org_unit=org.north_sales,
        owner=people.north_manager,
        query="SELECT region, day, amount FROM sales ORDER BY day",
        mapping={"kpi_code_column": "region", "date_column": "day", "value_column": "amount"},
    )

    finished = services.run_execute(run_id=services.run_request(import_job=import_job).pk)

    assert finished.status == "succeeded", finished.error
    ns = Actual.objects.filter(kpi=sales_kpis["NS"])
    # January 100 + 50 (the KPI sums its months' rows), February 70.5.
    assert {a.period.key: a.value for a in ns} == {
        "2026-01": Decimal("150"),
        "2026-02": Decimal("70.5"),
    }


def test_a_writing_function_is_stopped_by_the_read_only_transaction(erp_url):
    with pytest.raises(readers.ReadFailed) as refused:
        readers.read_sql(erp_url, "SELECT wipe() AS gone")

    assert str(refused.value).startswith("The query tried to write, and connections only read")
    assert count(erp_url) == [{"n": 4}]


def test_the_driver_refuses_a_second_statement_the_check_did_not_see(erp_url):
    from sqlalchemy.engine import make_url

    # Past the statement check (called directly), the server refuses multi-statement text.
    with pytest.raises(readers.ReadFailed) as refused:
        readers._read_mysql(make_url(erp_url), "SELECT 1; DELETE FROM sales")

    assert str(refused.value).startswith("The database refused the query:")
    assert count(erp_url) == [{"n": 4}]


def test_a_query_past_the_statement_timeout_fails(erp_url, settings):
    settings.SIGHTLINE_CONNECTION_SQL_TIMEOUT_MS = 200

    with pytest.raises(readers.ReadFailed) as refused:
        readers.read_sql(erp_url, "SELECT SLEEP(3) AS slept")

    assert str(refused.value) == readers.TIMED_OUT.format(seconds=0.2)


def test_more_rows_than_the_cap_fail(erp_url, settings):
    settings.SIGHTLINE_CONNECTION_MAX_ROWS = 3

    with pytest.raises(readers.ReadFailed) as refused:
        readers.read_sql(erp_url, "SELECT * FROM sales")

    assert "more than 3 rows" in str(refused.value)


def test_a_host_not_on_the_allow_list_is_refused(erp_url, settings):
    settings.SIGHTLINE_CONNECTION_HOSTS = ["erp.example.com"]

    with pytest.raises(readers.ReadFailed) as refused:
        readers.read_sql(erp_url, "SELECT 1")

    assert str(refused.value) == readers.HOST_NOT_ALLOWED.format(host="127.0.0.1")


def test_a_wrong_password_fails_in_words_without_the_secret(erp_url):
    with pytest.raises(readers.ReadFailed) as refused:
        readers.read_sql(erp_url, "SELECT 1", secret="hunter2-secret")

    assert str(refused.value).startswith("Could not connect to the database:")
    assert "hunter2-secret" not in str(refused.value)


def test_another_database_is_refused_in_words(settings):
    with pytest.raises(readers.ReadFailed) as refused:
        readers.read_sql("mssql+pyodbc://reader@127.0.0.1/erp", "SELECT 1")

    assert str(refused.value).startswith('Database "mssql+pyodbc" is not supported here')
