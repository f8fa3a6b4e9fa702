"""Reads of the KPI detail page: a KPI's quarters (target, red flag, value, score), the
history of its actuals and, for a roll-up, the KPIs that roll up to it."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from dashboards.selectors.quarters import NO_DATA
from kpis import feeds
from kpis.models import KPI, Actual, ScoreSnapshot, Target
from scorecard.models import Period


@dataclass
class KpiQuarter:
    period: Period
    target: Decimal | None
    red_flag: Decimal | None
    value: Decimal | None
    score: Decimal | None
    status: str
    actual: Actual | None


@dataclass
class HistoryLine:
    period: Period
    when: object
    who: str
    change: str
    old: Decimal | None
    new: Decimal | None
    comment: str
    source: str
    # The import and run that wrote this version, when one did.
    provenance: feeds.Provenance | None = None


@dataclass
class RollupChild:
    kpi: KPI
    value: Decimal | None
    status: str


def kpis_for_detail(*, scorecard_id: int) -> QuerySet[KPI]:
    """The scorecard's KPIs with what the detail page shows of each."""
    return KPI.objects.filter(objective__scorecard_id=scorecard_id).select_related(
        "owner",
        "owning_team",
        "objective__owner",
        "objective__perspective",
        "objective__scorecard__org_unit",
        "rolls_up_to__objective__scorecard__org_unit",
    )


def kpi_quarters(*, kpi: KPI) -> list[KpiQuarter]:
    """Every quarter the KPI has a target, an actual or a stored score in, oldest first.
    Three queries: targets, actuals (with who entered them), the KPI's snapshots. The red
    flag is the effective one (the default from the tolerance when none is set)."""
    targets = {t.period_id: t for t in Target.objects.filter(kpi=kpi).select_related("period")}
    actuals = {
        a.period_id: a
        for a in Actual.objects.filter(kpi=kpi).select_related("period", "entered_by")
    }
    snapshots = {
        s.period_id: s
        for s in ScoreSnapshot.objects.filter(
            subject_type=ScoreSnapshot.SubjectType.KPI,
            subject_id=kpi.pk,
            scorecard_id=kpi.objective.scorecard_id,
            # The KPI's own periods: its longer ones fold these (issue 15).
            period__grain=kpi.frequency,
        ).select_related("period")
    }
    periods = {
        row.period_id: row.period
        for source in (targets, actuals, snapshots)
        for row in source.values()
    }
    quarters = []
    for period_id, period in sorted(periods.items(), key=lambda item: item[1].start):
        target, actual, snapshot = (
            targets.get(period_id),
            actuals.get(period_id),
            snapshots.get(period_id),
        )
        if snapshot is None and target is None and actual is None:
            continue
        value = snapshot.value if snapshot else (actual.value if actual else None)
        quarters.append(
            KpiQuarter(
                period=period,
                target=target.value if target else None,
                red_flag=_red_flag(kpi, target),
                value=value,
                score=snapshot.score if snapshot else None,
                status=snapshot.status if snapshot else NO_DATA,
                actual=actual,
            )
        )
    return quarters


def _red_flag(kpi: KPI, target: Target | None) -> Decimal | None:
    if target is None:
        return None
    return target.effective_red_flag(kpi=kpi)


def actual_history(*, kpi: KPI) -> list[HistoryLine]:
    """Every change to the KPI's actuals, newest first: who, when, old → new, and for the
    lines an import's run wrote, which import and run. One query, and one more for the
    runs when some line came from an import; the old value is the previous record of the
    same actual."""
    records = (
        Actual.history.filter(kpi_id=kpi.pk)
        .select_related("entered_by", "history_user", "period")
        .order_by("history_date", "history_id")
    )
    lines: list[HistoryLine] = []
    imported: dict[tuple[int, int], HistoryLine] = {}
    previous: dict[int, Decimal | None] = {}
    for record in records:
        old = previous.get(record.id)
        new = None if record.history_type == "-" else record.value
        # Who entered this version (the actual's own field); the user of the request that
        # saved it when that is not set (a deletion, say).
        user = record.entered_by or record.history_user
        who = (user.get_full_name() or user.username) if user else "the system"
        lines.append(
            HistoryLine(
                period=record.period,
                when=record.history_date,
                who=who,
                change={"+": "entered", "~": "changed", "-": "deleted"}[record.history_type],
                old=old,
                new=new,
                comment=record.comment,
                source=record.get_source_display(),
            )
        )
        if record.source == Actual.Source.IMPORT:
            imported[(record.id, record.version)] = lines[-1]
        previous[record.id] = new
    for pair, provenance in feeds.provenance_of(list(imported)).items():
        imported[pair].provenance = provenance
    lines.reverse()
    return lines


def value_origin(history: list[HistoryLine], period: Period) -> feeds.Provenance | None:
    """The import and run behind the current actual of the period, read from the history
    the page has already (the same rule as the explanation's, without its queries)."""
    return feeds.origin_of_value(
        [(line.old, line.new, line.provenance) for line in history if line.period.pk == period.pk]
    )


def rollup_children(*, kpi: KPI, period: Period) -> list[RollupChild]:
    """The KPIs that roll up to this one in the period, with their stored values. Two
    queries: the children (with their units), their snapshots."""
    children = list(
        KPI.objects.filter(rolls_up_to=kpi)
        .members_of(period)
        .select_related("owner", "objective__scorecard__org_unit")
        .order_by("objective__scorecard__org_unit__path", "order", "id")
    )
    stored = {
        row.subject_id: row
        for row in ScoreSnapshot.objects.filter(
            period=period,
            subject_type=ScoreSnapshot.SubjectType.KPI,
            subject_id__in=[child.pk for child in children],
        )
    }
    return [
        RollupChild(
            kpi=child,
            value=stored[child.pk].value if child.pk in stored else None,
            status=stored[child.pk].status if child.pk in stored else NO_DATA,
        )
        for child in children
    ]
