"""The figures of a load test's steady state: the requests that end after every simulated
person has signed in.

Signing in is a deliberately slow password hash (PBKDF2, most of a second of CPU). Fifty
people signing in within seconds of each other hold both cores for the first twenty seconds
of a run, so figures over the whole run say more about the ramp-up than about the pages: a
30-second saturation run measured mostly sign-ins. The steady window starts when the last
person has signed in and ends when the run stops; signing in is reported apart, over the
whole run (Locust's own statistics)."""

import math
import time
from collections import defaultdict

SIGN_IN_NAMES = frozenset({"sign in", "sign in page"})


def percentile(sorted_ms: list[float], share: float) -> float | None:
    """The nearest-rank percentile: the smallest value with at least `share` of the values
    at or below it (95 % of 20 values: the 19th)."""
    if not sorted_ms:
        return None
    rank = max(1, math.ceil(share * len(sorted_ms)))
    return sorted_ms[rank - 1]


class SteadyWindow:
    def __init__(self, people: int, clock=time.monotonic) -> None:
        self.people = people
        self.clock = clock
        self.signed_in = 0
        self.started: float | None = None
        self.times: dict[str, list[float]] = defaultdict(list)
        self.failures: dict[str, int] = defaultdict(int)

    def person_signed_in(self) -> None:
        self.signed_in += 1
        if self.signed_in >= self.people and self.started is None:
            self.started = self.clock()

    def record(self, name: str, response_ms: float, failed: bool) -> None:
        if self.started is None or name in SIGN_IN_NAMES:
            return
        self.times[name].append(response_ms)
        if failed:
            self.failures[name] += 1

    def summary(self) -> dict:
        """{"seconds": length of the window, "pages": {name: figures}}, with "Aggregated"."""
        seconds = 0.0 if self.started is None else self.clock() - self.started
        pages = {
            name: self._figures(times, self.failures[name], seconds)
            for name, times in self.times.items()
        }
        every = [ms for times in self.times.values() for ms in times]
        pages["Aggregated"] = self._figures(every, sum(self.failures.values()), seconds)
        return {"seconds": round(seconds, 1), "pages": pages}

    @staticmethod
    def _figures(times: list[float], failures: int, seconds: float) -> dict:
        ordered = sorted(times)
        return {
            "requests": len(ordered),
            "failures": failures,
            "p50_ms": _rounded(percentile(ordered, 0.50)),
            "p95_ms": _rounded(percentile(ordered, 0.95)),
            "requests_per_s": round(len(ordered) / seconds, 1) if seconds else 0.0,
        }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
