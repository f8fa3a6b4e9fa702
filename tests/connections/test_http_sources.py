"""File and JSON connections against a real local HTTP server (pytest-httpserver): the
allow-list, the size cap, the timeout, redirects, the secret header and JMESPath rows."""

import json
import time
from decimal import Decimal

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from connections import readers, services
from connections.models import Connection
from kpis.models import Actual
from scorecard import services as core


@pytest.fixture
def server(settings):
    settings.SIGHTLINE_CONNECTION_HOSTS = ["127.0.0.1"]
    httpserver = HTTPServer(host="127.0.0.1", port=0)
    httpserver.start()
    yield httpserver
    httpserver.clear()
    if httpserver.is_running():
        httpserver.stop()


CSV = "region,month,amount\nNS,2026-01,150\nNS,2026-02,70\nLEADS,2026-02,7\n"


def test_it_imports_a_csv_served_over_http(server, org, people, sales_kpis):
    server.expect_request("/sales.csv").respond_with_data(CSV, content_type="text/csv")
    connection = services.connection_create(
        name="Share", kind=Connection.Kind.FILE, url=server.url_for("/sales.csv")
    )
    import_job = services.import_create(
        name="Shared sales",
        connection=connection,
        org_unit=org.north_sales,
        owner=people.north_manager,
        mapping={"kpi_code_column": "region", "period_column": "month", "value_column": "amount"},
    )

    finished = services.run_execute(run_id=services.run_request(import_job=import_job).pk)

    assert finished.status == "succeeded", finished.error
    assert (finished.rows_read, finished.rows_changed) == (3, 3)
    february = core.period_for_key("2026-02")
    assert Actual.objects.get(kpi=sales_kpis["NS"], period=february).value == Decimal("70")


def test_two_rows_for_one_kpi_and_period_refuse_the_run(server, org, people, sales_kpis):
    server.expect_request("/sales.csv").respond_with_data(CSV + "NS,2026-02,71\n")
    connection = services.connection_create(
        name="Share", kind=Connection.Kind.FILE, url=server.url_for("/sales.csv")
    )
    import_job = services.import_create(
        name="Shared sales",
        connection=connection,
        org_unit=org.north_sales,
        owner=people.north_manager,
        mapping={"kpi_code_column": "region", "period_column": "month", "value_column": "amount"},
    )

    failed = services.run_execute(run_id=services.run_request(import_job=import_job).pk)

    assert failed.status == "failed"
    assert "Row 4: Repeats row 2" in failed.error
    assert not Actual.objects.exists()


def test_it_reads_json_rows_with_jmespath_and_sends_the_secret(server, org, people, sales_kpis):
    body = {"data": {"items": [{"kpi": sales_kpis["NS"].pk, "when": "2026-03", "v": 12.5}]}}
    server.expect_request("/api/sales", headers={"X-Token": "Token t0ken"}).respond_with_json(body)
    connection = services.connection_create(
        name="BI",
        kind=Connection.Kind.HTTP_JSON,
        url=server.url_for("/api/sales"),
        options={"rows": "data.items", "header": "X-Token: Token"},
        secret="t0ken",
    )
    import_job = services.import_create(
        name="BI sales",
        connection=connection,
        org_unit=org.north_sales,
        owner=people.north_manager,
        mapping={"kpi_id_column": "kpi", "period_column": "when", "value_column": "v"},
    )

    finished = services.run_execute(run_id=services.run_request(import_job=import_job).pk)

    assert finished.status == "succeeded", finished.error
    march = core.period_for_key("2026-03")
    assert Actual.objects.get(kpi=sales_kpis["NS"], period=march).value == Decimal("12.5")


def test_a_host_not_on_the_allow_list_is_refused_when_saved(server, settings, db):
    settings.SIGHTLINE_CONNECTION_HOSTS = ["data.example.com"]

    with pytest.raises(Exception) as refused:
        services.connection_create(
            name="BI", kind=Connection.Kind.HTTP_JSON, url=server.url_for("/x")
        )

    assert refused.value.message_dict["url"] == [readers.HOST_NOT_ALLOWED.format(host="127.0.0.1")]


def test_an_answer_past_the_size_cap_is_refused(server, settings):
    settings.SIGHTLINE_CONNECTION_MAX_BYTES = 1024
    server.expect_request("/big.csv").respond_with_data("a,b\n" + "1,2\n" * 1000)

    with pytest.raises(readers.ReadFailed) as refused:
        readers.http_get(server.url_for("/big.csv"))

    assert str(refused.value) == readers.TOO_LARGE.format(limit=1)


def test_a_slow_server_times_out(server, settings):
    settings.SIGHTLINE_CONNECTION_HTTP_TIMEOUT = 1

    def slow(request):
        time.sleep(2.5)
        return Response("late")

    server.expect_request("/slow").respond_with_handler(slow)

    with pytest.raises(readers.ReadFailed) as refused:
        readers.http_get(server.url_for("/slow"))

    assert str(refused.value) == readers.HTTP_TIMEOUT.format(seconds=1)


def test_a_redirect_to_another_host_is_not_followed(server):
    server.expect_request("/moved").respond_with_data(
        "", status=302, headers={"Location": "http://localhost:9/elsewhere"}
    )

    with pytest.raises(readers.ReadFailed) as refused:
        readers.http_get(server.url_for("/moved"))

    assert str(refused.value) == readers.CROSS_HOST_REDIRECT.format(host="localhost")


def test_a_redirect_on_the_same_host_is_followed(server):
    server.expect_request("/moved").respond_with_data("", status=302, headers={"Location": "/here"})
    server.expect_request("/here").respond_with_data("ok")

    assert readers.http_get(server.url_for("/moved")) == b"ok"


def test_an_unreachable_server_says_so(settings):
    settings.SIGHTLINE_CONNECTION_HOSTS = ["127.0.0.1"]

    with pytest.raises(readers.ReadFailed) as refused:
        readers.http_get("http://127.0.0.1:9/nothing")

    assert str(refused.value).startswith("The server could not be reached:")


def test_json_rows_must_be_a_list_of_objects(server):
    server.expect_request("/api").respond_with_data(json.dumps({"rows": 3}))

    with pytest.raises(readers.ReadFailed) as refused:
        readers.read_json(server.url_for("/api"), "rows", options={})

    assert str(refused.value) == readers.ROWS_NOT_LIST.format(what="int")


def test_a_file_path_cannot_leave_the_root(root, db):
    (root.parent / "outside.csv").write_text(CSV)

    with pytest.raises(readers.ReadFailed) as refused:
        readers.read_file("../outside.csv", options={})

    assert str(refused.value) == readers.OUTSIDE_ROOT


def test_a_csv_under_the_root_is_read_by_the_hardened_reader(root):
    (root / "sales.csv").write_text("region,month,amount\nNS,=1+1,3\n")

    table = readers.read_file("sales.csv", options={})

    assert table.columns == ["region", "month", "amount"]
    assert table.rows == [{"region": "NS", "month": "=1+1", "amount": "3"}]
