"""For the benchmark: how much a process's memory grows, and real Celery workers to share a
full recompute (issue 18).

Memory is the resident set's high-water mark (`VmHWM`), reset to the current size first
(`clear_refs` 5), so the figure is what the work itself added, without the slowdown of
tracing every allocation. Linux only: elsewhere the figures are None.
"""

import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from celery import current_app

PROJECT = Path(__file__).resolve().parents[1]
READY_SECONDS = 60
# As in production: with DEBUG on, Django keeps the last 9,000 statements of a connection
# (each upsert carries a period's rows), which a long-lived worker holds on to.
WORKER_ENVIRONMENT = {"CELERY_TASK_ALWAYS_EAGER": "false", "DEBUG": "false"}


class Peak:
    """From now on, the most the process (default: this one) grew above its present size."""

    def __init__(self, pid: int | None = None) -> None:
        self.proc = Path("/proc") / str(pid or os.getpid())
        self.start_kb = None
        try:
            (self.proc / "clear_refs").write_text("5")
            self.start_kb = self._status_kb("VmRSS")
        except OSError:
            pass  # no /proc (not Linux), or not ours to reset: no figure

    def growth_mb(self) -> float | None:
        if self.start_kb is None:
            return None
        try:
            peak_kb = self._status_kb("VmHWM")
        except OSError:
            return None
        return round(max(0, peak_kb - self.start_kb) / 1024, 1)

    def _status_kb(self, field: str) -> int:
        for line in (self.proc / "status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
        raise OSError(f"no {field} in {self.proc}/status")


@contextmanager
def workers_running(count: int, *, queue: str) -> Iterator[list[int]]:
    """`count` Celery worker processes on the queue, with this process's settings
    (its DATABASE_URL and REDIS_URL); yields their pids once each answers a ping."""
    names = [f"bench{number}-{os.getpid()}@localhost" for number in range(count)]
    processes = [_worker(name, queue) for name in names]
    try:
        _wait_until_answering(names, processes)
        yield [process.pid for process in processes]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


def _worker(name: str, queue: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "celery", "-A", "scorecard", "worker", "--pool", "solo",
               "--queues", queue, "--hostname", name, "--loglevel", "WARNING"]  # fmt: skip
    return subprocess.Popen(
        command,
        cwd=PROJECT,
        env={**os.environ, **WORKER_ENVIRONMENT, "SECRET_KEY": secrets.token_urlsafe(32)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_until_answering(names: list[str], processes: list[subprocess.Popen]) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if any(process.poll() is not None for process in processes):
            raise RuntimeError("A benchmark worker exited while starting: is REDIS_URL set?")
        answered = {name for reply in current_app.control.ping(timeout=1) for name in reply}
        if answered >= set(names):
            return
    raise RuntimeError(f"The benchmark workers did not answer within {READY_SECONDS} s.")
