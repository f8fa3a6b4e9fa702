"""KPIs fed by an import: their actuals arrive from a data connection, not by hand.

The imports live in the `connections` app, above this layer, which this layer never imports.
So the layer above registers the one question this layer asks of it, "which import feeds this
KPI?" (`register_feed_lookup`, from `connections.apps`), and a run of that import says that it
is the one writing (`writing_as`). `actual_enter` asks `check_not_fed` before every write, so
My updates, the grid, the spreadsheet import, the bulk API and the admin all refuse a fed KPI
with the same message, naming the import."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.core.exceptions import ValidationError

FED_BY_IMPORT = (
    '{kpi} is fed by the import "{feed}": its actuals arrive from there and cannot be entered '
    "by hand. Its owner may still add the comment."
)


class Feed:
    """The import that feeds a KPI, as this layer knows it: an id and a name."""

    def __init__(self, pk: int, name: str):
        self.pk, self.name = pk, name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Feed) and other.pk == self.pk

    def __hash__(self) -> int:
        return hash(self.pk)


FeedLookup = Callable[[int], Feed | None]
_lookups: list[FeedLookup] = []
# Each answers a query of the ids of every fed KPI (a subquery, so no extra round trip).
_fed_ids: list[Callable[[], Any]] = []
_writing: ContextVar[Feed | None] = ContextVar("sightline_writing_feed", default=None)


def register_feed_lookup(lookup: FeedLookup) -> None:
    """Called once by the app that keeps imports: `lookup(kpi_id)` answers the enabled import
    that feeds the KPI, or None."""
    if lookup not in _lookups:
        _lookups.append(lookup)


def register_fed_ids(query: Callable[[], Any]) -> None:
    """Called once by the app that keeps imports: `query()` answers a queryset of the ids
    of the KPIs its enabled imports feed (reminders leave them out)."""
    if query not in _fed_ids:
        _fed_ids.append(query)


def without_fed(kpis: Any) -> Any:
    """The KPI queryset without the fed KPIs."""
    for query in _fed_ids:
        kpis = kpis.exclude(pk__in=query())
    return kpis


def feed_of(kpi_id: int) -> Feed | None:
    for lookup in _lookups:
        found = lookup(kpi_id)
        if found is not None:
            return found
    return None


@contextmanager
def writing_as(feed: Feed) -> Iterator[None]:
    """The writes inside come from this import's run."""
    token = _writing.set(feed)
    try:
        yield
    finally:
        _writing.reset(token)


def writing_feed() -> Feed | None:
    """The import whose run is writing now, if any."""
    return _writing.get()


def check_not_fed(kpi, *, keeps_value: bool = False) -> None:
    """Refuse a write of a fed KPI's actual, unless its import's run is the one writing or
    the write keeps the value (a comment added to an imported value)."""
    if keeps_value:
        return
    feed = feed_of(kpi.pk)
    if feed is None:
        return
    writing = writing_feed()
    if writing is not None and writing == feed:
        return
    raise ValidationError({"value": FED_BY_IMPORT.format(kpi=kpi.name, feed=feed.name)})
