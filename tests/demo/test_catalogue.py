"""The demo catalogue is data (`demo/catalogue/*.yaml`): the loader reads it into the spec
dataclasses and names the file and the entry of any mistake. No database needed."""

import shutil

import pytest

from demo.loader import CATALOGUE_DIR, load_catalogue, read_catalogue
from demo.yaml_entries import CatalogueError, read_yaml_file


def test_it_reads_northwind_from_the_catalogue_files():
    catalogue = load_catalogue()
    kpis = catalogue.kpis()
    assert catalogue.enterprise.name == "Northwind Group"
    assert [unit.key for unit in catalogue.units] == [
        "ng", "sa", "fs", "cs", "op", "lg", "mf", "fi", "pe",
    ]  # fmt: skip
    assert len(kpis) == 152
    assert sum(1 for spec in kpis.values() if spec.rollup) == 8
    assert len(catalogue.people) == 14
    assert len(catalogue.plans.initiatives) == 5


def test_it_keeps_numbers_as_written():
    # The series generator is seeded per KPI: 3 and 3.0 must stay what the file says.
    series = load_catalogue().kpis()["ng.fcf"].series
    assert series is not None
    assert (series.start, series.trend) == (3_100_000.0, 50_000.0)
    assert isinstance(load_catalogue().kpis()["ng.warranty"].series.start, int)


def test_it_names_the_catalogue_files_from_the_project_root():
    assert read_yaml_file(CATALOGUE_DIR / "plans.yaml").file == "demo/catalogue/plans.yaml"


@pytest.fixture
def catalogue_copy(tmp_path):
    folder = tmp_path / "catalogue"
    shutil.copytree(CATALOGUE_DIR, folder)

    def edit(name: str, old: str, new: str):
        path = folder / name
        text = path.read_text()
        assert old in text
        path.write_text(text.replace(old, new, 1))
        return folder

    return edit


MISTAKES = [
    (
        "sales.yaml",
        "driver: sa.qualified_opps",
        "drivr: sa.qualified_opps",
        "sales.yaml: unit sa, objective sa.c1, KPI sa.new_customers, series: unknown field 'drivr'",
    ),
    (
        "sales.yaml",
        "driver: sa.qualified_opps",
        "driver: sa.nope",
        "KPI sa.new_customers, series: refers to 'sa.nope', which is not a KPI with a series",
    ),
    (
        "sales.yaml",
        "up_to: ng.revenue",
        "up_to: ng.gross_margin",
        "KPI sa.revenue: rolls up to 'ng.gross_margin', which is not a roll-up KPI.",
    ),
    (
        "sales.yaml",
        "perspective: financial",
        "perspective: money",
        "unit sa, objective sa.f1: 'perspective' should be one of learning, process, customer, "
        "financial, not 'money'.",
    ),
    (
        "organization.yaml",
        "roles: {ng: manager}",
        "roles: {ng: boss}",
        "organization.yaml: person manager: the role 'boss' should be one of",
    ),
    (
        "organization.yaml",
        "owner: tom",
        "owner: tommy",
        "KPI ng.gross_margin: refers to 'tommy', which is not a person of the catalogue.",
    ),
    ("support.yaml", "key: pe\n", "key: fi\n", "unit fi: the unit key 'fi' is used twice."),
    (
        "plans.yaml",
        "recovery_title: 'Recovery plan: {kpi}'",
        "recovery_title: 'Recovery plan: {kpii}'",
        "plans.yaml: 'recovery_title' uses {kpii}",
    ),
    (
        "plans.yaml",
        "status: on_track",
        "status: fine",
        "plans.yaml: initiative erp: 'status' should be one of",
    ),
    (
        "sales.yaml",
        "      - {source: sa.l1, target: sa.c1,",
        "      - {source: sa.l1, target: fs.c1,",
        "unit sa, link #1: 'fs.c1' is not an objective of this unit",
    ),
    (
        "organization.yaml",
        "driver: ng.fpy",
        "driver: ng.nps",
        "KPI ng.nps: its series follows a loop: ng.nps -> ng.nps.",
    ),
    (
        "organization.yaml",
        "        code: F2\n",
        "        code: F1\n",
        "the objective code 'F1' is used twice in this unit.",
    ),
    (
        "operations.yaml",
        "  - key: op\n",
        "  - key: op\n   bad: [\n",
        "operations.yaml, line 6, column 4: is not valid YAML",
    ),
]


@pytest.mark.parametrize(("file", "old", "new", "message"), MISTAKES)
def test_it_names_the_file_and_entry_of_a_mistake(catalogue_copy, file, old, new, message):
    folder = catalogue_copy(file, old, new)
    with pytest.raises(CatalogueError) as mistake:
        read_catalogue(folder)
    assert message in str(mistake.value)
