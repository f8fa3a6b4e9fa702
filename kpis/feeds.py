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
from dataclasses import dataclass
from datetime import datetime
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


@dataclass(frozen=True)
class Provenance:
    """Where an imported value came from: the import, the run that wrote it, and the page
    listing the source rows behind it (built by the app that keeps imports)."""

    import_id: int
    import_name: str
    run_id: int
    run_at: datetime | None
    sources_url: str


# (actual id, version) pairs -> the provenance of those an import's run wrote.
ProvenanceLookup = Callable[[list[tuple[int, int]]], dict[tuple[int, int], Provenance]]
_provenance: list[ProvenanceLookup] = []

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


def register_provenance_lookup(lookup: ProvenanceLookup) -> None:
    """Called once by the app that keeps imports: `lookup(pairs)` answers the provenance of
    each (actual id, version) an import's run wrote."""
    if lookup not in _provenance:
        _provenance.append(lookup)


def provenance_of(pairs: list[tuple[int, int]]) -> dict[tuple[int, int], Provenance]:
    """The provenance of the actual versions an import wrote (no query without pairs)."""
    found: dict[tuple[int, int], Provenance] = {}
    if not pairs:
        return found
    for lookup in _provenance:
        found.update(lookup(pairs))
    return found


def origin_of_value(lines: list[tuple[Any, Any, Provenance | None]]) -> Provenance | None:
    """The provenance of an actual's current value, from its history newest first as
    (old, new, provenance) lines: the line that last set the value, skipping the lines that
    kept it (a comment added by hand to an imported value keeps its origin)."""
    for old, new, provenance in lines:
        if old is not None and old == new:
            continue
        return provenance
    return None


_feed_names: list[Callable[[], Any]] = []


def register_feed_name(expression: Callable[[], Any]) -> None:
    """Called once by the app that keeps imports: `expression()` answers, for a KPI queryset
    (`OuterRef("pk")`), the name of the enabled import that feeds the KPI, or NULL."""
    if expression not in _feed_names:
        _feed_names.append(expression)


def with_feed_name(kpis: Any) -> Any:
    """The KPI queryset with `fed_by`: the name of the import that feeds each, or None (a
    subquery in the same query, so a page of KPIs learns it without a round trip)."""
    from django.db.models import CharField, Value
    from django.db.models.functions import Coalesce

    expressions = [make() for make in _feed_names]
    if not expressions:
        return kpis.annotate(fed_by=Value(None, output_field=CharField()))
    return kpis.annotate(fed_by=expressions[0] if len(expressions) == 1 else Coalesce(*expressions))


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
