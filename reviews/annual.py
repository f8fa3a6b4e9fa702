"""The annual review's recalibration checklist: what to retire, what to set for next year,
which arrows of the map the data does not bear out, and the scorecard's health check."""

from dataclasses import dataclass, field

from django.db.models import Count

from kpis import linkage
from kpis.linkage_selectors import LinkLinkage, scorecard_linkage
from kpis.models import KPI, ScoreSnapshot, Target
from reviews.health import HealthFinding, scorecard_health
from reviews.models import Review
from strategy.models import Objective

RED_ALL_YEAR = "red in every quarter of FY{year}"
NO_SCORE_ALL_YEAR = "no score in any quarter of FY{year}"
NO_KPI = "no KPI measures it"
# A weak link has not enough evidence yet: one to watch, not to rethink.
BROKEN_VERDICTS = (linkage.CONTRADICTED,)


@dataclass
class Recalibration:
    fiscal_year: int
    objectives_to_retire: list[tuple[Objective, str]] = field(default_factory=list)
    kpis_without_targets: list[KPI] = field(default_factory=list)
    links: list[LinkLinkage] = field(default_factory=list)
    health: list[HealthFinding] = field(default_factory=list)

    @property
    def broken_links(self) -> list[LinkLinkage]:
        return [row for row in self.links if row.verdict in BROKEN_VERDICTS]


def recalibration(review: Review) -> Recalibration:
    scorecard, year = review.scorecard, review.period.fiscal_year
    checklist = Recalibration(fiscal_year=year + 1)
    objectives = list(
        Objective.objects.filter(scorecard=scorecard, archived_at__isnull=True)
        .annotate(kpi_count=Count("kpis", distinct=True))
        .order_by("perspective__order", "order", "id")
    )
    statuses: dict[int, list[str]] = {}
    rows = ScoreSnapshot.objects.filter(
        scorecard=scorecard,
        subject_type=ScoreSnapshot.SubjectType.OBJECTIVE,
        period__fiscal_year=year,
        period__grain="quarter",  # the four quarters, not the year that folds them
    ).values_list("subject_id", "status")
    for subject_id, status in rows:
        statuses.setdefault(subject_id, []).append(status)
    for objective in objectives:
        seen = statuses.get(objective.pk, [])
        if objective.kpi_count == 0:  # type: ignore[attr-defined]
            checklist.objectives_to_retire.append((objective, NO_KPI))
        elif len(seen) == 4 and set(seen) == {ScoreSnapshot.Status.RED}:
            checklist.objectives_to_retire.append((objective, RED_ALL_YEAR.format(year=year)))
        elif seen and set(seen) == {ScoreSnapshot.Status.NO_DATA}:
            checklist.objectives_to_retire.append((objective, NO_SCORE_ALL_YEAR.format(year=year)))
    # A KPI is ready for next year once each of its four quarters has a target.
    ready = (
        Target.objects.filter(kpi__objective__scorecard=scorecard, period__fiscal_year=year + 1)
        .values("kpi_id")
        .annotate(quarters=Count("period", distinct=True))
        .filter(quarters=4)
        .values("kpi_id")
    )
    checklist.kpis_without_targets = list(
        KPI.objects.filter(
            objective__scorecard=scorecard,
            archived_at__isnull=True,
            objective__archived_at__isnull=True,
        )
        .exclude(pk__in=ready)
        .select_related("owner")
        .order_by("name")
    )
    checklist.links = scorecard_linkage(scorecard=scorecard, period=review.period).links
    checklist.health = scorecard_health(scorecard=scorecard, period=review.period)
    return checklist
