"""Does the history of a scorecard's KPIs bear out its strategy map's arrows? Reads the
quarterly values and hands them to the pure statistics in `kpis.linkage`."""

from dataclasses import dataclass, field
from decimal import Decimal

from kpis import linkage
from kpis.models import KPI, Actual, ScoreSnapshot
from scorecard import fiscal
from scorecard.models import Period, Scorecard
from strategy.models import CausalLink

# Twelve quarters: three years of history, what the demo holds and what a quarterly review
# looks back over.
QUARTERS = 12


@dataclass
class PairLinkage:
    source_kpi: KPI
    target_kpi: KPI
    result: linkage.PairResult
    source_values: list[float | None]
    target_values: list[float | None]

    @property
    def verdict(self) -> str:
        return self.result.verdict


@dataclass
class LinkLinkage:
    link: CausalLink
    pairs: list[PairLinkage] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        return linkage.link_verdict([pair.verdict for pair in self.pairs])

    @property
    def best_pair(self) -> PairLinkage | None:
        """The pair the link's verdict rests on."""
        ranked = sorted(self.pairs, key=lambda pair: linkage.LINK_PRECEDENCE.index(pair.verdict))
        return ranked[0] if ranked else None


@dataclass
class ScorecardLinkage:
    quarters: list[tuple[int, int]]  # (fiscal year, quarter), oldest first
    links: list[LinkLinkage]

    def for_link(self, link_id: int) -> LinkLinkage | None:
        return next((row for row in self.links if row.link.pk == link_id), None)

    @property
    def labels(self) -> list[str]:
        return [f"FY{year} Q{quarter}" for year, quarter in self.quarters]


def quarters_ending(period: Period, count: int = QUARTERS) -> list[tuple[int, int]]:
    """The `count` fiscal quarters up to and including the period, oldest first: links are
    judged over quarters, so a month is seen from its quarter and a year from its Q4."""
    last_quarter = period.quarter or fiscal.QUARTERS_PER_YEAR
    return [
        fiscal.shift_quarter(period.fiscal_year, last_quarter, -steps)
        for steps in reversed(range(count))
    ]


def scorecard_linkage(*, scorecard: Scorecard, period: Period) -> ScorecardLinkage:
    """Every link of the scorecard with each (leading KPI of its source, lagging KPI of its
    target) pair judged over the twelve quarters up to the period. Five queries whatever the
    size: links, KPIs, periods, entered actuals, roll-up values (from the snapshots)."""
    quarters = quarters_ending(period)
    links = list(
        CausalLink.objects.filter(scorecard=scorecard)
        .select_related("source", "target")
        .order_by("id")
    )
    kpis = list(
        KPI.objects.filter(objective__scorecard=scorecard)
        .members_of(period)
        .order_by("order", "id")
    )
    periods = {
        (row.fiscal_year, row.quarter): row.pk
        for row in Period.objects.filter(
            grain=Period.Grain.QUARTER,
            fiscal_year__gte=quarters[0][0],
            fiscal_year__lte=quarters[-1][0],
        )
    }
    period_ids = [periods.get(quarter) for quarter in quarters]
    values = _values(kpis, [pk for pk in period_ids if pk is not None])

    def series(kpi: KPI) -> list[float | None]:
        known = values.get(kpi.pk, {})
        return [_float(known.get(pk)) if pk is not None else None for pk in period_ids]

    by_objective: dict[int, list[KPI]] = {}
    for kpi in kpis:
        by_objective.setdefault(kpi.objective_id, []).append(kpi)
    rows = []
    for link in links:
        pairs = [
            (cause, effect)
            for cause in by_objective.get(link.source_id, [])
            if cause.indicator_type == KPI.IndicatorType.LEADING
            for effect in by_objective.get(link.target_id, [])
            if effect.indicator_type == KPI.IndicatorType.LAGGING
        ]
        evidence = [
            linkage.pair_evidence(
                source=series(cause),
                target=series(effect),
                source_direction=cause.direction,
                target_direction=effect.direction,
            )
            for cause, effect in pairs
        ]
        # The pairs of a link are judged together: each one more is one more chance for noise.
        judged = linkage.judge_link(evidence)
        row = LinkLinkage(link=link)
        for (cause, effect), result in zip(pairs, judged, strict=True):
            row.pairs.append(PairLinkage(cause, effect, result, series(cause), series(effect)))
        rows.append(row)
    return ScorecardLinkage(quarters=quarters, links=rows)


def _values(kpis: list[KPI], period_ids: list[int]) -> dict[int, dict[int, Decimal]]:
    """Entered actuals of manual KPIs; a roll-up or calculated KPI's value is the engine's,
    kept in its snapshot."""
    manual = [kpi.pk for kpi in kpis if not kpi.is_computed]
    rollups = [kpi.pk for kpi in kpis if kpi.is_computed]
    values: dict[int, dict[int, Decimal]] = {}
    rows = Actual.objects.filter(kpi_id__in=manual, period_id__in=period_ids).values_list(
        "kpi_id", "period_id", "value"
    )
    for kpi_id, period_id, value in rows:
        values.setdefault(kpi_id, {})[period_id] = value
    stored = ScoreSnapshot.objects.filter(
        subject_type=ScoreSnapshot.SubjectType.KPI,
        subject_id__in=rollups,
        period_id__in=period_ids,
        value__isnull=False,
    ).values_list("subject_id", "period_id", "value")
    for kpi_id, period_id, stored_value in stored:
        if stored_value is not None:
            values.setdefault(kpi_id, {})[period_id] = stored_value
    return values


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)
