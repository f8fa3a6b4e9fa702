"""Reads for "My updates": the KPIs a person enters actuals for, and how far the quarter is.

A person's KPIs are the entered (not roll-up) KPIs they own or whose owning team they belong
to, on units they hold a role on: exactly those `kpis.enter_actual` lets them write as an
owner. The page's queries do not grow with the number of KPIs (see `updates_sheet`)."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q

from kpis import red_comments, scoring
from kpis.models import KPI, Actual, KPIQuerySet, QuarterLock, ScoreSnapshot, Target
from scorecard import fiscal
from scorecard.models import OrganizationSettings, Period, Scorecard
from scorecard.rules import grants_of, visible_q

HISTORY_QUARTERS = 4


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
    current = fiscal.quarter_of(today, settings.fiscal_start_month)
    if (current.end - today).days < settings.reminder_lead_days:
        return current
    return current.previous()


def updates_sheet(*, user, period: Period) -> UpdatesSheet:
    """Every KPI the person enters, grouped by scorecard, for the period.

    Seven queries whatever the number of KPIs: settings, the KPIs (with objective, scorecard,
    unit and owner), the quarters shown, targets of the period, actuals of those quarters
    (with who entered them), locks of the period, and the KPIs' snapshots of the period."""
    settings = OrganizationSettings.load()
    kpis = list(kpis_entered_by(user).members_of(period))
    kpi_ids = [kpi.pk for kpi in kpis]
    periods = list(
        Period.objects.filter(grain=period.grain, start__lte=period.start).order_by("-start")[
            : 1 + HISTORY_QUARTERS
        ]
    )
    targets = {t.kpi_id: t for t in Target.objects.filter(kpi_id__in=kpi_ids, period=period)}
    actuals = {
        (a.kpi_id, a.period_id): a
        for a in Actual.objects.filter(kpi_id__in=kpi_ids, period__in=periods).select_related(
            "entered_by"
        )
    }
    scorecard_ids = {kpi.objective.scorecard_id for kpi in kpis}
    locked = set(
        QuarterLock.objects.covering(period)
        .filter(scorecard_id__in=scorecard_ids)
        .values_list("scorecard_id", flat=True)
    )
    snapshot_values = dict(
        ScoreSnapshot.objects.filter(
            period=period, subject_type=ScoreSnapshot.SubjectType.KPI, subject_id__in=kpi_ids
        ).values_list("subject_id", "value")
    )
    earlier = [p for p in reversed(periods) if p.pk != period.pk]
    groups: dict[int, ScorecardGroup] = {}
    for kpi in kpis:
        scorecard = kpi.objective.scorecard
        row = update_row(
            kpi=kpi,
            period=period,
            target=targets.get(kpi.pk),
            actual=actuals.get((kpi.pk, period.pk)),
            locked=scorecard.pk in locked,
            red_needs_comment=settings.red_needs_comment,
        )
        row.history = [(p, _value(actuals.get((kpi.pk, p.pk)))) for p in earlier]
        row.snapshot_value = snapshot_values.get(kpi.pk)
        groups.setdefault(scorecard.pk, ScorecardGroup(scorecard)).rows.append(row)
    return UpdatesSheet(
        period=period, groups=list(groups.values()), red_needs_comment=settings.red_needs_comment
    )


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
    """One row after a save: four queries (target, actual, lock, snapshot), and the
    organization's settings when a target and an actual without a comment are in."""
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
    return row


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
            }
        )
        previous = record
    return list(reversed(changes))
