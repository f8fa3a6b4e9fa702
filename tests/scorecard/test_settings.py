"""Settings come from the environment, parsed strictly."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from scorecard.settings import env_bool, env_int, env_list

PROJECT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("true", True), ("1", True), ("Yes", True), ("false", False), ("0", False)],
)
def test_it_reads_booleans(monkeypatch, raw, expected):
    monkeypatch.setenv("SIGHTLINE_FLAG", raw)

    assert env_bool("SIGHTLINE_FLAG", not expected) is expected


def test_it_fails_loudly_on_a_bad_boolean(monkeypatch):
    monkeypatch.setenv("SIGHTLINE_FLAG", "maybe")

    with pytest.raises(ImproperlyConfigured, match="SIGHTLINE_FLAG='maybe' is not a boolean"):
        env_bool("SIGHTLINE_FLAG", True)


def test_it_fails_loudly_on_a_bad_number(monkeypatch):
    monkeypatch.setenv("SIGHTLINE_NUMBER", "ten")

    with pytest.raises(ImproperlyConfigured, match="SIGHTLINE_NUMBER='ten' is not a whole number"):
        env_int("SIGHTLINE_NUMBER", 1)


def test_it_splits_lists_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("SIGHTLINE_HOSTS", "a.example.com, b.example.com,,")

    assert env_list("SIGHTLINE_HOSTS", "") == ["a.example.com", "b.example.com"]


def run_manage(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env={"PATH": "/usr/bin:/bin", "HOME": "/tmp", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_refuses_to_start_in_production_without_a_secret_key():
    result = run_manage("check", DEBUG="false")

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is false" in result.stderr


def test_it_passes_the_deployment_checklist_with_production_values(tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY="a-long-random-production-secret-" + "x" * 40,
        ALLOWED_HOSTS="sightline.example.com",
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
