"""The golden tables in tests/data/ stay the specification's: `.ci/golden-tables` fails on drift."""

import shutil
import subprocess
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
DATA = PROJECT / "tests" / "data"
SCRIPT = PROJECT / ".ci" / "golden-tables"


def run_check(shared: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(SCRIPT), str(shared)], capture_output=True, text=True, check=False
    )


def copy_of_the_tables(tmp_path: Path) -> Path:
    for table in DATA.glob("scoring_cases*.csv"):
        shutil.copy(table, tmp_path / table.name)
    return tmp_path


def test_it_passes_when_the_specification_holds_the_same_tables(tmp_path):
    result = run_check(copy_of_the_tables(tmp_path))

    assert result.returncode == 0, result.stdout
    assert "tests/data/scoring_cases.csv matches" in result.stdout
    assert "tests/data/scoring_cases_targets.csv matches" in result.stdout


def test_it_fails_when_a_table_drifts(tmp_path):
    shared = copy_of_the_tables(tmp_path)
    with (shared / "scoring_cases_targets.csv").open("a") as table:
        table.write("a-new-case,up,1,1,,,,,,,\n")

    result = run_check(shared)

    assert result.returncode == 1
    assert "tests/data/scoring_cases_targets.csv differs" in result.stdout


def test_it_fails_when_the_specification_has_a_table_the_repository_lacks(tmp_path):
    shared = copy_of_the_tables(tmp_path)
    (shared / "scoring_cases_months.csv").write_text("case\n")

    result = run_check(shared)

    assert result.returncode == 1
    assert "tests/data/scoring_cases_months.csv differs" in result.stdout


def test_it_reads_the_tables_in_the_repository_only():
    # Nothing in the repository may depend on a folder beside the checkout at run time.
    tracked = subprocess.run(
        ["git", "grep", "-l", "-e", "\\.\\./shared", "--", ":!.ci/", ":!tests/repository/",
         ":!docs/", ":!README.md"],
        cwd=PROJECT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert tracked.stdout == ""
