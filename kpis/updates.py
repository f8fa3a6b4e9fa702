"""Reads for "My updates": the KPIs a person enters actuals for, and how far the quarter is.

A person's KPIs are the entered (not roll-up, not calculated) KPIs they own or whose owning
team they belong to, on units they hold a role on: exactly those `kpis.enter_actual` lets them
write as an owner. Each KPI is asked at its own frequency (`entry_periods`): a monthly KPI for
months, a yearly one for a year. The page's queries do not grow with the number of KPIs (see
`updates_sheet`)."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from kpis import feeds, red_comments, scoring
from kpis.models import KPI, Actual, KPIQuerySet, QuarterLock, ScoreSnapshot, Target
from scorecard import fiscal
from scorecard.models import OrganizationSettings, Period, Scorecard
from scorecard.rules import grants_of, visible_q

HISTORY_QUARTERS = 4  # earlier periods shown beside each row, of the row's own grain


@dataclass
class UpdateRow:
    kpi: KPI
    period: Period
    target: Target | None
    red_flag: Decimal | None
    actual: Actual | None
    history: list[tuple[Period, Decimal | None]]
    result: scoring.KpiResult | None
    locked: bool
    problem: str = ""
    snapshot_value: Decimal | None = None
    # Red without the comment the organization asks for: a target arrived after the actual.
    needs_comment: bool = False
    # The value typed into a refused save, shown again as it was typed.
    typed: str | None = None
    # The import that feeds the KPI ("Fed by the import …"): its value is not typed by hand.
    fed_by: str = ""

    @property
    def status(self) -> str:
        return self.result.status if self.result else scoring.NO_TARGET

    @property
    def done(self) -> bool:
        return self.actual is not None

    @property
    def caught_up(self) -> bool:
        """Whether the engine has taken this actual in. A period's whole chain, up to the
        enterprise, is recomputed in one transaction, so once the KPI's snapshot holds the
        value every score above it does too."""
        return self.actual is None or self.snapshot_value == self.actual.value

    @property
    def slot(self) -> str:
        """What the row's ids and the grid's field names carry: a quarterly KPI's id (as
        always), else the id and the period, since a monthly KPI has a row per month."""
        if self.kpi.frequency == Period.Grain.QUARTER:
            return str(self.kpi.pk)
        return f"{self.kpi.pk}-{self.period.key}"

    @property
    def input_value(self) -> str:
        """What the value's input holds: what was typed when a save was refused, else the
        stored actual."""
        return self.typed if self.typed is not None else self.shown_actual

    @property
    def shown_actual(self) -> str:
        """The actual as its input shows it: an ordinal KPI's level name, else the number."""
        if self.actual is None:
            return ""
        return value_text(self.kpi, self.actual.value)


def value_text(kpi: KPI, value: Decimal | None) -> str:
    """A stored value as a person types it: a level's name for an ordinal KPI, else the
    number without trailing zeros."""
    if value is None:
        return ""
    if kpi.is_ordinal:
        name = scoring.level_name(kpi.levels or (), value)
        if name is not None:
            return name
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass
class ScorecardGroup:
    scorecard: Scorecard
    rows: list[UpdateRow] = field(default_factory=list)


@dataclass
class UpdatesSheet:
    period: Period
    groups: list[ScorecardGroup]
    red_needs_comment: bool

    @property
    def rows(self) -> list[UpdateRow]:
        return [row for group in self.groups for row in group.rows]

    @property
    def entered(self) -> int:
        return sum(row.done for row in self.rows)

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def percent(self) -> int:
        return round(100 * self.entered / self.total) if self.total else 100


def kpis_entered_by(user) -> KPIQuerySet:
    """The entered KPIs the person owns or shares through an owning team, on units they
    may see (the owner half of `kpis.enter_actual`), with what the rows show."""
    team_ids = [grant.unit_id for grant in grants_of(user)]
    return (
        KPI.objects.filter(Q(owner=user) | Q(owning_team_id__in=team_ids))
        .filter(source=KPI.Source.MANUAL)
        .filter(visible_q(user, "objective__scorecard__org_unit__path"))
        .select_related("objective__scorecard__org_unit", "owner")
        .order_by("objective__scorecard__org_unit__path", "objective__order", "order", "id")
    )


def due_period_quarter(today: date, settings: OrganizationSettings) -> fiscal.FiscalQuarter:
    """The quarter owners are asked about: the current one from `reminder_lead_days` before
    its end (when the reminders start), before that the one that has just closed."""
    due = due_period_of(today, fiscal.QUARTER, settings)
    assert isinstance(due, fiscal.FiscalQuarter)
    return due


def due_period_of(today: date, grain: str, settings: OrganizationSettings) -> fiscal.FiscalPeriod:
    """The period of `grain` that is due: the current one from `reminder_lead_days` before
    its end, before that the one that has just closed (the reminders' calendar)."""
    current = fiscal.period_of(today, grain, settings.fiscal_start_month)
    if (current.end - today).days < settings.reminder_lead_days:
        return current
    return current.previous()


def entry_periods(
    *, frequency: str, page: fiscal.FiscalPeriod, today: date, settings: OrganizationSettings
) -> list[fiscal.FiscalPeriod]:
    """The periods a KPI of `frequency` is asked about on the page of period `page`, oldest
    first (docs/decisions.md, "Entry at each KPI's frequency"):

    - the page's own grain: the page's period;
    - a finer frequency (a monthly KPI on a quarter's page): the sub-periods that have
      started ("not started yet" is judged per grain); when the page is the quarter due
      today, also the later ones due by today, so the month due now is on the default page;
    - a coarser frequency (a yearly KPI on a quarter's page): the period that holds the
      page's, except on the quarter due today, where it is the period of that grain due
      today (a yearly KPI is asked for the year that has just closed, not the one under way).
    Every period is one that has started, unless the page's period itself has not."""
    if frequency == page.grain:
        return [page]
    is_due_page = page == due_period_of(today, page.grain, settings)
    if fiscal.is_finer(page.grain, frequency):
        if is_due_page:
            return [due_period_of(today, frequency, settings)]
        return [page.containing(frequency)]
    inside = page.sub_periods(frequency)
    periods = [period for period in inside if period.start <= today] or inside[:1]
    if is_due_page:
        due = due_period_of(today, frequency, settings)
        following = inside[-1].next()
        while following.start <= due.start:
            periods.append(following)
            following = following.next()
    return periods


@dataclass(frozen=True)
class _Wanted:
    """A row to build: a KPI and one of its entry periods, with the earlier periods of its
    grain whose actuals the row shows."""

    kpi: KPI
    period: fiscal.FiscalPeriod
    earlier: tuple[fiscal.FiscalPeriod, ...]


def updates_sheet(*, user, period: Period, today: date | None = None) -> UpdatesSheet:
    """Every KPI the person enters, grouped by scorecard, for the page's period: each KPI at
    its own frequency (`entry_periods`), so a monthly KPI may have a row per month.

    Seven queries whatever the number of KPIs: settings, the KPIs (with objective, scorecard,
    unit and owner), the periods of the rows and of their history (every grain in one
    query), targets of the rows, actuals of those periods (with who entered them), locks
    covering the rows' periods, and the KPIs' snapshots of the rows' periods."""
    settings = OrganizationSettings.load()
    today = today or timezone.localdate()
    page = period.as_fiscal(settings.fiscal_start_month)
    kpis = list(feeds.with_feed_name(kpis_entered_by(user).members_of(period)))
    wanted = [
        _Wanted(kpi, fp, tuple(fp.shifted(-step) for step in range(HISTORY_QUARTERS, 0, -1)))
        for kpi in kpis
        for fp in entry_periods(frequency=kpi.frequency, page=page, today=today, settings=settings)
    ]
    stored = stored_periods({fp for w in wanted for fp in (w.period, *w.earlier)})
    stored[(period.grain, period.start)] = period

    def row_period(fp: fiscal.FiscalPeriod) -> Period:
        return stored.get((fp.grain, fp.start)) or Period.stand_in(fp)

    row_periods = {row_period(w.period).pk: row_period(w.period) for w in wanted}
    kpi_ids = [kpi.pk for kpi in kpis]
    period_ids = [p.pk for p in stored.values()] + list(row_periods)
    targets = {
        (t.kpi_id, t.period_id): t
        for t in Target.objects.filter(kpi_id__in=kpi_ids, period_id__in=list(row_periods))
    }
    actuals = {
        (a.kpi_id, a.period_id): a
        for a in Actual.objects.filter(kpi_id__in=kpi_ids, period_id__in=period_ids).select_related(
            "entered_by"
        )
    }
    locks = _locks(row_periods.values(), {kpi.objective.scorecard_id for kpi in kpis})
    snapshot_values = {
        (kpi_id, period_id): value
        for kpi_id, period_id, value in ScoreSnapshot.objects.filter(
            period_id__in=list(row_periods),
            subject_type=ScoreSnapshot.SubjectType.KPI,
            subject_id__in=kpi_ids,
        ).values_list("subject_id", "period_id", "value")
    }
    groups: dict[int, ScorecardGroup] = {}
    for item in wanted:
        kpi, shown = item.kpi, row_period(item.period)
        scorecard = kpi.objective.scorecard
        row = update_row(
            kpi=kpi,
            period=shown,
            target=targets.get((kpi.pk, shown.pk)),
            actual=actuals.get((kpi.pk, shown.pk)),
            locked=any(_covers(lock, shown) for lock in locks.get(scorecard.pk, ())),
            red_needs_comment=settings.red_needs_comment,
        )
        earlier = [
            stored[key] for key in ((fp.grain, fp.start) for fp in item.earlier) if key in stored
        ]
        row.history = [(p, _value(actuals.get((kpi.pk, p.pk)))) for p in earlier]
        row.snapshot_value = snapshot_values.get((kpi.pk, shown.pk))
        row.fed_by = getattr(kpi, "fed_by", None) or ""  # annotated by feeds.with_feed_name
        groups.setdefault(scorecard.pk, ScorecardGroup(scorecard)).rows.append(row)
    for group in groups.values():
        # Rows still to do first (issue 17); a stable sort keeps the scorecard's order.
        group.rows.sort(key=lambda row: row.done)
    return UpdatesSheet(
        period=period, groups=list(groups.values()), red_needs_comment=settings.red_needs_comment
    )


def stored_periods(wanted: set[fiscal.FiscalPeriod]) -> dict[tuple[str, date], Period]:
    """The stored periods among `wanted`, by (grain, start): one query for every grain."""
    if not wanted:
        return {}
    match = Q()
    for grain in {fp.grain for fp in wanted}:
        match |= Q(grain=grain, start__in=sorted({fp.start for fp in wanted if fp.grain == grain}))
    return {(p.grain, p.start): p for p in Period.objects.filter(match)}


def _locks(periods, scorecard_ids: set[int]) -> dict[int, list[Period]]:
    """The locked periods of each scorecard that cover any of `periods` (a lock covers its
    period and every period inside it: `QuarterLockQuerySet.covering`), in one query."""
    match = Q()
    for shown in periods:
        match |= Q(period__start__lte=shown.start, period__end__gte=shown.end)
    if not match:
        return {}
    found: dict[int, list[Period]] = {}
    for lock in (
        QuarterLock.objects.filter(match, scorecard_id__in=scorecard_ids)
        .select_related("period")
        .only("scorecard_id", "period__start", "period__end")
    ):
        found.setdefault(lock.scorecard_id, []).append(lock.period)
    return found


def _covers(locked: Period, shown: Period) -> bool:
    return locked.start <= shown.start and locked.end >= shown.end


def _value(actual: Actual | None) -> Decimal | None:
    return actual.value if actual else None


def update_row(
    *,
    kpi: KPI,
    period: Period,
    target: Target | None,
    actual: Actual | None,
    locked: bool,
    red_needs_comment: bool | None = None,
) -> UpdateRow:
    """One KPI's row, its status straight from the scoring function. `red_needs_comment`
    is the organization's setting (None: read it)."""
    row = UpdateRow(kpi, period, target, None, actual, [], None, locked)
    row.needs_comment = red_comments.red_without_comment(
        kpi=kpi, actual=actual, target=target, required=red_needs_comment
    )
    if target is None:
        return row
    row.red_flag = target.effective_red_flag(kpi=kpi)
    try:
        row.result = kpi.score(actual.value if actual else None, target)
    except (scoring.TargetError, scoring.ActualError) as error:
        row.problem = str(error)
    return row


def update_row_for(*, kpi: KPI, period: Period) -> UpdateRow:
    """One row after a save: five queries (target, actual, lock, snapshot, the import that
    feeds it), three for its earlier periods (settings, the periods, their actuals), and
    the organization's settings when a target and an actual without a comment are in."""
    row = update_row(
        kpi=kpi,
        period=period,
        target=Target.objects.filter(kpi=kpi, period=period).first(),
        actual=Actual.objects.filter(kpi=kpi, period=period).select_related("entered_by").first(),
        locked=QuarterLock.objects.covering(period)
        .filter(scorecard_id=kpi.objective.scorecard_id)
        .exists(),
    )
    row.snapshot_value = (
        ScoreSnapshot.objects.filter(
            period=period, subject_type=ScoreSnapshot.SubjectType.KPI, subject_id=kpi.pk
        )
        .values_list("value", flat=True)
        .first()
    )
    feed = feeds.feed_of(kpi.pk)
    row.fed_by = feed.name if feed else ""
    row.history = earlier_values(kpi=kpi, period=period)
    return row


def earlier_values(*, kpi: KPI, period: Period) -> list[tuple[Period, Decimal | None]]:
    """The KPI's actuals in the `HISTORY_QUARTERS` periods of the row's grain before it, as
    the sheet shows them beside the row, so a saved row keeps its "earlier" values."""
    settings = OrganizationSettings.load()
    shown = period.as_fiscal(settings.fiscal_start_month)
    earlier = stored_periods({shown.shifted(-step) for step in range(HISTORY_QUARTERS, 0, -1)})
    ordered = sorted(earlier.values(), key=lambda p: p.start)
    values = dict(
        Actual.objects.filter(kpi=kpi, period__in=ordered).values_list("period_id", "value")
    )
    return [(p, values.get(p.pk)) for p in ordered]


def actual_history(*, kpi: KPI, period: Period) -> list[dict]:
    """Every saved state of the KPI's actual for the period, newest first, with what it
    replaced: who, when, old → new value and the comment."""
    records = list(
        Actual.history.filter(kpi_id=kpi.pk, period_id=period.pk)
        .select_related("entered_by")
        .order_by("history_date", "history_id")
    )
    changes = []
    previous = None
    for record in records:
        changes.append(
            {
                "when": record.history_date,
                "who": record.entered_by,
                "kind": record.get_history_type_display(),
                "old": previous.value if previous else None,
                "new": record.value if record.history_type != "-" else None,
                "comment": record.comment,
                "source": record.source,
                "version": record.version,
                "actual_id": record.id,
            }
        )
        previous = record
    # Lines an import's run wrote say which import and run (one query, only when some did).
    imported = [
        (change["actual_id"], change["version"])
        for change in changes
        if change["source"] == Actual.Source.IMPORT
    ]
    found = feeds.provenance_of(imported)
    for change in changes:
        change["provenance"] = found.get((change["actual_id"], change["version"]))
    return list(reversed(changes))
