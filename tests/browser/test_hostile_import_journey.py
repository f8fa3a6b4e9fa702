"""A manager uploads a hostile workbook (4.9 KB that declares 12,000 rows of 16,384 columns)
on the import page: it is refused at once, the reason next to the file field, nothing saved."""

import time

import pytest
from playwright.sync_api import expect

from kpis import imports
from kpis.models import Actual
from tests.kpis import hostile_files

pytestmark = pytest.mark.browser


def test_the_manager_sees_a_hostile_workbook_refused_next_to_the_file_field(
    demo, page, live_server, sign_in, tmp_path
):
    bomb = tmp_path / "actuals.xlsx"
    bomb.write_bytes(
        hostile_files.workbook(hostile_files.declared_dimension_sheet(last_cell="XFD12000"))
    )
    actuals_before = Actual.objects.count()
    sign_in("manager")
    page.goto(f"{live_server.url}/my-updates/")
    page.get_by_role("link", name="Import a spreadsheet").click()

    page.get_by_label("CSV or Excel file").set_input_files(bomb)
    started = time.perf_counter()
    page.get_by_role("button", name="Preview").click()

    field = page.locator(".import-form .field")
    expect(field.get_by_role("alert")).to_have_text(imports.TOO_MANY_ROWS.format(limit=5000))
    assert time.perf_counter() - started < 5  # the page answered; the old reader took 15 s
    expect(page.locator("#import-preview")).to_have_count(0)
    assert Actual.objects.count() == actuals_before
