"""Spreadsheet import: preview every row, then apply all or nothing."""

import html as html_text
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from kpis import exports, imports
from kpis import services as kpi_services
from kpis.models import Actual
from scorecard import services as core

Q1 = "FY2026-Q1"


@pytest.fixture
def q1(db):
    return core.period_for_key(Q1)


@pytest.fixture
def deals(people, north_sales_kpi, q1):
    """A second KPI of the owner's, with an actual already: 12 deals, version 1."""
    kpi = kpi_services.kpi_create(
        objective=north_sales_kpi.objective, name="Deals won", unit="count", owner=people.owner
    )
    kpi_services.target_set(kpi=kpi, period=q1, value="10")
    kpi_services.actual_enter(kpi=kpi, period=q1, value="12", by=people.owner)
    return kpi


@pytest.fixture
def not_theirs(people, north_sales_kpi):
    return kpi_services.kpi_create(
        objective=north_sales_kpi.objective, name="Margin", unit="%", owner=people.north_manager
    )


def csv_file(text: str, name: str = "actuals.csv", encoding: str = "utf-8"):
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def upload(client, file):
    response = client.post(reverse("kpis:import"), {"file": file})
    return response, html_text.unescape(response.content.decode())


def kinds(response) -> list[tuple[int, str]]:
    preview = response.context["preview"]
    return [(row.number, row.kind) for row in preview.rows]


def test_it_previews_new_changed_unchanged_and_skipped_rows(
    client, people, north_sales_kpi, deals, q1
):
    client.force_login(people.owner)
    text = (
        "kpi,period,value,comment\n"
        f"Regional revenue,{Q1},95,\n"
        f"{deals.pk},{Q1},14,Two more\n"
        f"Deals won,FY2025-Q4,,\n"
    )

    response, page = upload(client, csv_file(text))

    assert kinds(response) == [(2, "new"), (3, "changed"), (4, "skipped")]
    assert "1 new · 1 changed · 0 unchanged · 1 skipped · 0 with errors" in page
    assert "Import 2 actuals" in page
    # A preview saves nothing.
    assert not Actual.objects.filter(kpi=north_sales_kpi).exists()
    assert Actual.objects.get(kpi=deals).value == Decimal("12")


def test_it_applies_a_clean_preview_all_at_once(
    client, people, north_sales_kpi, deals, q1, django_capture_on_commit_callbacks
):
    client.force_login(people.owner)
    upload(client, csv_file(f"kpi,period,value\nRegional revenue,{Q1},95\nDeals won,{Q1},12\n"))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("kpis:import_confirm"))

    assert response.status_code == 302
    actual = Actual.objects.get(kpi=north_sales_kpi, period=q1)
    assert (actual.value, actual.source, actual.entered_by) == (
        Decimal("95"),
        "import",
        people.owner,
    )
    # The unchanged row was left alone: still version 1.
    assert Actual.objects.get(kpi=deals).version == 1


def test_it_refuses_the_whole_file_when_one_row_is_bad_and_imports_it_once_fixed(
    client, people, north_sales_kpi, deals, q1
):
    client.force_login(people.owner)
    bad = f"kpi,period,value\nRegional revenue,{Q1},95\nDeals won,{Q1},lots\n"

    response, page = upload(client, csv_file(bad))

    assert kinds(response) == [(2, "new"), (3, "error")]
    assert "Enter a number, like 1234.5." in page
    assert "Import 2 actuals" not in page
    refused = client.post(reverse("kpis:import_confirm"))
    assert imports.HAS_ERRORS in html_text.unescape(refused.content.decode())
    assert not Actual.objects.filter(kpi=north_sales_kpi).exists()

    upload(client, csv_file(bad.replace("lots", "15")))
    client.post(reverse("kpis:import_confirm"))

    assert Actual.objects.get(kpi=north_sales_kpi).value == Decimal("95")
    assert Actual.objects.get(kpi=deals).value == Decimal("15")


def test_it_refuses_rows_for_kpis_the_person_may_not_edit_with_their_row_numbers(
    client, people, north_sales_kpi, not_theirs, q1
):
    client.force_login(people.owner)
    text = f"kpi,period,value\nRegional revenue,{Q1},95\nMargin,{Q1},30\n"

    response, page = upload(client, csv_file(text))

    assert kinds(response) == [(2, "new"), (3, "error")]
    assert imports.NOT_YOURS.format(kpi="Margin") in page
    client.post(reverse("kpis:import_confirm"))
    assert not Actual.objects.exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (f"kpi,period,value\nRegional revenue,{Q1},95\nRegional revenue,{Q1},96\n",
         "Repeats row 2: the same KPI and period appear twice."),
        (f"kpi,period,value\nRegional revenue,{Q1},=1+1\n",
         "Cell C2 holds a formula; paste the values instead"),
        (f"kpi,period,value\nNo such thing,{Q1},5\n", 'No KPI "No such thing" that you can see.'),
        ("kpi,period,value\nRegional revenue,FY2026-Q9,5\n",
         'Unknown period "FY2026-Q9": use the form 2026-03, FY2026-Q3 or FY2026.'),
        # Past the data window (five fiscal years ahead), before "has not started yet".
        ("kpi,period,value\nRegional revenue,FY2099-Q1,5\n",
         "FY2099 Q1 is outside the data window FY1990"),
        (f"kpi,period,value\nRegional revenue,{Q1},80\n",
         kpi_services.RED_NEEDS_COMMENT),
        (f"kpi,period,value\nRegional revenue,{Q1},\"1,234\"\n", '"1,234" is ambiguous'),
        # Digits that str.isdigit takes and int refuses or overflows (a 500 before issue 14).
        (f"kpi,period,value\n²,{Q1},5\n", 'No KPI "²" that you can see.'),
        (f"kpi,period,value\n{'9' * 5000},{Q1},5\n", "that you can see."),
        (f"kpi,period,value\n{2**63},{Q1},5\n", f'No KPI "{2**63}" that you can see.'),
    ],
)  # fmt: skip
def test_it_explains_each_bad_row(client, people, north_sales_kpi, q1, text, message):
    client.force_login(people.owner)

    response, page = upload(client, csv_file(text))

    assert "error" in dict(kinds(response)).values()
    assert message in page
    assert not Actual.objects.exists()


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (csv_file("kpi,value\nRegional revenue,5\n"), "Missing columns: period."),
        (csv_file("kpi;period;value\nRegional revenue;FY2026-Q1;5\n", encoding="utf-16"),
         imports.NOT_UTF8),
        (csv_file("", name="empty.csv"), "The submitted file is empty."),
        (csv_file("\n\n", name="blank.csv"), imports.EMPTY_FILE),
        (csv_file("kpi,period,value\n", name="actuals.txt"), imports.WRONG_TYPE),
        (SimpleUploadedFile("book.xlsx", b"not a workbook"), imports.NOT_XLSX),
        (csv_file("kpi,period,value\n" + "x" * imports.max_bytes()), "the limit is 2048 KB"),
    ],
)  # fmt: skip
def test_it_refuses_a_file_it_cannot_read(client, people, north_sales_kpi, file, message):
    client.force_login(people.owner)

    response, page = upload(client, file)

    assert message in page
    assert response.context["preview"] is None
    assert not Actual.objects.exists()


def xlsx(rows) -> SimpleUploadedFile:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("actuals.xlsx", buffer.getvalue())


def test_it_reads_xlsx_and_refuses_formulas_in_it(client, people, north_sales_kpi, deals, q1):
    client.force_login(people.owner)

    response, page = upload(
        client,
        xlsx(
            [["KPI", "Period", "Value"], ["Regional revenue", Q1, 95.5], ["Deals won", Q1, "=A1"]]
        ),
    )

    assert kinds(response) == [(2, "new"), (3, "error")]
    assert "Cell C3 holds a formula" in page
    assert response.context["preview"].rows[0].value == Decimal("95.5")


def test_it_refuses_the_import_when_an_actual_changed_since_the_preview(client, people, deals, q1):
    client.force_login(people.owner)
    upload(client, csv_file(f"kpi,period,value\nDeals won,{Q1},14\n"))
    kpi_services.actual_enter(kpi=deals, period=q1, value="13", by=people.north_manager)

    response = client.post(reverse("kpis:import_confirm"))

    assert imports.STALE in html_text.unescape(response.content.decode())
    assert Actual.objects.get(kpi=deals).value == Decimal("13")


def test_it_offers_a_template_of_the_persons_kpis_per_scorecard(
    client, people, org, north_sales_kpi, not_theirs
):
    client.force_login(people.owner)
    url = reverse("kpis:template", args=[org.north_sales.slug]) + f"?period={Q1}"

    response = client.get(url)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines == [
        "kpi,name,scorecard,unit,period,target,value,comment",
        f"Regional revenue,Regional revenue,North Sales scorecard,USD,{Q1},100.000000,,",
    ]


def test_it_refuses_the_template_to_people_without_a_role_on_the_unit(client, people, org):
    client.force_login(people.outsider)

    response = client.get(reverse("kpis:template", args=[org.north_sales.slug]))

    assert response.status_code == 403


def test_it_imports_its_own_xlsx_template_once_filled_in(client, people, org, north_sales_kpi):
    client.force_login(people.owner)
    url = reverse("kpis:template", args=[org.north_sales.slug])
    download = client.get(url, {"period": Q1, "format": "xlsx"})
    book = load_workbook(io.BytesIO(download.content))
    sheet = book.active
    assert [cell.value for cell in sheet[1]] == exports.TEMPLATE_COLUMNS
    sheet.cell(row=2, column=exports.TEMPLATE_COLUMNS.index("value") + 1, value=101)
    filled = io.BytesIO()
    book.save(filled)

    response, _page = upload(client, SimpleUploadedFile("filled.xlsx", filled.getvalue()))

    assert kinds(response) == [(2, "new")]
    assert response.context["preview"].rows[0].value == Decimal("101")


def test_it_imports_an_ordinal_kpis_level_by_name(
    client, people, north_sales_kpi, q1, django_capture_on_commit_callbacks
):
    rating = kpi_services.kpi_create(
        objective=north_sales_kpi.objective,
        name="Credit rating",
        owner=people.owner,
        target_type="ordinal",
        levels=["BBB", "A", "AA", "AAA"],
    )
    client.force_login(people.owner)
    upload(client, csv_file(f"kpi,period,value,comment\nCredit rating,{Q1},AA,Upgraded\n"))

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("kpis:import_confirm"))

    assert Actual.objects.get(kpi=rating).value == Decimal(2)
