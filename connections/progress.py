"""How far a run has come, for the run page while it runs (issue 16: "progress on the page for
long runs").

The run writes its phase and row counts to the cache (Redis in production, shared by the
worker and the web processes) as it goes; the page polls them. Only a run's own task writes
its entry, and nothing depends on it: a cache that cannot be reached, or an entry that
expired, shows the run's stored status instead."""

import logging
from typing import TypedDict, cast

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

READING = "reading"
CHECKING = "checking"
WRITING = "writing"
PHASE_WORDS = {
    READING: "Reading the source",
    CHECKING: "Checking the rows",
    WRITING: "Writing the values",
}


class Progress(TypedDict):
    phase: str
    done: int
    total: int


def _key(run_id: int) -> str:
    return f"connections:run-progress:{run_id}"


def progress_set(run_id: int, phase: str, *, done: int = 0, total: int = 0) -> None:
    """Record where the run is (kept SIGHTLINE_CONNECTION_PROGRESS_KEPT_SECONDS)."""
    entry: Progress = {"phase": phase, "done": done, "total": total}
    try:
        cache.set(_key(run_id), entry, settings.SIGHTLINE_CONNECTION_PROGRESS_KEPT_SECONDS)
    except Exception:  # a cache outage must not fail the run it only reports on
        logger.warning("Could not record the progress of import run %s", run_id)


def progress_clear(run_id: int) -> None:
    try:
        cache.delete(_key(run_id))
    except Exception:
        logger.warning("Could not clear the progress of import run %s", run_id)


def progress_of(run_id: int) -> Progress | None:
    try:
        found = cache.get(_key(run_id))
    except Exception:
        return None
    if isinstance(found, dict) and found.get("phase") in PHASE_WORDS:
        return cast(Progress, found)
    return None


def row_reporter(run_id: int, phase: str, total: int):
    """A callback for each row written: records the count every
    SIGHTLINE_CONNECTION_PROGRESS_EVERY_ROWS rows (not every row: one cache write each)."""
    every = settings.SIGHTLINE_CONNECTION_PROGRESS_EVERY_ROWS

    def report(done: int) -> None:
        if done % every == 0 or done == total:
            progress_set(run_id, phase, done=done, total=total)

    return report
