"""The layering of docs/architecture.md is code: `lint-imports` keeps it, and breaks on a
wrong import. Each wrong import is tried on a copy of the project, never on the checkout."""

import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
PACKAGES = ["scorecard", "strategy", "kpis", "reviews", "connections", "dashboards", "demo"]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=root, capture_output=True, text=True, check=False
    )


@pytest.fixture(scope="module")
def project_copy(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("layering")
    shutil.copy(PROJECT / "pyproject.toml", root)
    for package in PACKAGES:
        shutil.copytree(
            PROJECT / package, root / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    return root


@contextmanager
def an_import_added(root: Path, relative: str, line: str) -> Iterator[None]:
    """`line` at the top of the module (a new module if there is none), for the block only."""
    module = root / relative
    original = module.read_text() if module.exists() else None
    module.write_text(line + "\n" + (original or ""))
    try:
        yield
    finally:
        if original is None:
            module.unlink()
        else:
            module.write_text(original)


def test_it_keeps_every_contract_as_the_code_stands(project_copy):
    result = lint_imports(project_copy)

    assert result.returncode == 0, result.stdout
    assert "Contracts: 3 kept, 0 broken." in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        # A lower layer's domain module reaching up.
        ("kpis/wrong_probe.py", "import reviews.models", "kpis is not allowed to import reviews"),
        # The KPI layer asks the imports through kpis.feeds, never by importing them.
        ("kpis/services/actuals.py", "import connections.selectors",
         "kpis is not allowed to import connections"),
        ("scorecard/services.py", "from strategy import services",
         "scorecard is not allowed to import strategy"),
        # A page of a lower layer using a higher layer's services (pages read selectors only).
        ("strategy/views.py", "from kpis import services",
         "strategy is not allowed to import kpis"),
        # A domain module using a page helper.
        ("kpis/services/targets.py", "from scorecard import page_support",
         "kpis.services is not allowed to import scorecard.page_support"),
        # A pure module importing Django.
        ("kpis/engine.py", "import django.db", "kpis.engine is not allowed to import django"),
    ],
)  # fmt: skip
def test_it_breaks_on_a_wrong_import(project_copy, module, line, broken):
    with an_import_added(project_copy, module, line):
        result = lint_imports(project_copy)

    assert result.returncode == 1
    assert broken in result.stdout
