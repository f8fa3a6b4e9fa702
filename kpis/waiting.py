"""Chain recomputes waiting for a worker, in Redis (kpis/scheduling.py sends the task).

A commit adds its (unit, period) pairs to one set and sends `recompute_waiting`; the task
moves the whole set, in one MULTI/EXEC, to a key of its own and recomputes what it took.
A write added after that goes to the next task, which its own commit sent, so nothing waits
without a task behind it. What a task took stays under its key until it ends: a retry or a
redelivery after a killed worker (acks are late) keeps the task's id and finds it again.
A task that fails for good leaves its key to expire; the nightly recompute repairs it."""

import functools
from collections import defaultdict
from collections.abc import Iterable

import redis
from django.conf import settings

WAITING = "sightline:recompute:waiting"
TAKEN = "sightline:recompute:taken:"
TAKEN_KEPT_S = 24 * 3600

Chains = tuple[list[int], list[int]]  # unit ids, period ids: every unit in every period


def add(unit_ids: Iterable[int], period_ids: Iterable[int]) -> None:
    """Add the chains above these units, in these periods, to what waits."""
    pairs = [f"{unit}:{period}" for unit in unit_ids for period in period_ids]
    if pairs:
        _redis().sadd(WAITING, *pairs)


def take(task_id: str) -> list[Chains]:
    """What waited when this task first asked (or what it took before, if it runs again),
    grouped: the periods that share the same units go in one recompute."""
    taken = TAKEN + task_id
    client = _redis()
    if not client.exists(taken):
        with client.pipeline(transaction=True) as pipe:
            pipe.sunionstore(taken, [WAITING])
            pipe.delete(WAITING)
            pipe.expire(taken, TAKEN_KEPT_S)
            pipe.execute()
    return grouped(client.smembers(taken))


def done(task_id: str) -> None:
    _redis().delete(TAKEN + task_id)


def grouped(pairs: Iterable[bytes | str]) -> list[Chains]:
    units_by_period: dict[int, set[int]] = defaultdict(set)
    for pair in pairs:
        unit_id, _, period_id = (pair.decode() if isinstance(pair, bytes) else pair).partition(":")
        units_by_period[int(period_id)].add(int(unit_id))
    periods_by_units: dict[frozenset[int], list[int]] = defaultdict(list)
    for period, units in sorted(units_by_period.items()):
        periods_by_units[frozenset(units)].append(period)
    return [(sorted(units), periods) for units, periods in periods_by_units.items()]


def count() -> int:
    """Pairs waiting for a task to take them."""
    return _redis().scard(WAITING)


def forget() -> None:
    """Drop what waits and what tasks took (the benchmark purges the tasks themselves)."""
    client = _redis()
    client.delete(WAITING, *client.scan_iter(match=TAKEN + "*"))


def _redis() -> redis.Redis:
    return _client(settings.REDIS_URL)


@functools.cache
def _client(url: str) -> redis.Redis:
    # One connection pool a process; redis-py opens a new one in a forked child.
    return redis.Redis.from_url(url)
