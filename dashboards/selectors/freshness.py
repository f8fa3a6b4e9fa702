"""How fresh each unit's data is: the actuals due for a quarter, those entered, and who has
not entered theirs."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q

from kpis.models import KPI, Actual
from scorecard.models import Period


@dataclass
class Freshness:
    due: int = 0
    entered: int = 0
    missing: list[str] = field(default_factory=list)

    @property
    def share(self) -> int | None:
        """Whole per cent of the due actuals entered; none when nothing is due."""
        if not self.due:
            return None
        return int(Decimal(100 * self.entered / self.due).to_integral_value())


def _due_kpis(*, unit_ids: list[int], period: Period):
    # An actual is due for every entered (not roll-up) KPI that is a member of the period:
    # not archived before it started, nor under an objective archived before it started.
    return (
        KPI.objects.filter(
            source=KPI.Source.MANUAL,
            objective__scorecard__org_unit_id__in=unit_ids,
        )
        .members_of(period)
        .annotate(
            has_actual=Exists(Actual.objects.filter(kpi=OuterRef("pk"), period=period)),
        )
    )


def freshness_by_scorecard(*, unit_ids: list[int], period: Period) -> dict[int, Freshness]:
    """Per scorecard of the units: how many actuals are due for the period, how many are
    entered, and who has not entered theirs. One query, grouped in the database by
    scorecard and owner (a few rows per unit); the sums per scorecard are made here."""
    counts = (
        _due_kpis(unit_ids=unit_ids, period=period)
        .values(
            "objective__scorecard_id",
            "owner__username",
            "owner__first_name",
            "owner__last_name",
        )
        .annotate(due=Count("pk"), entered=Count("pk", filter=Q(has_actual=True)))
        .order_by("objective__scorecard_id", "owner__username")
    )
    result: dict[int, Freshness] = {}
    for row in counts:
        fresh = result.setdefault(row["objective__scorecard_id"], Freshness())
        fresh.due += row["due"]
        fresh.entered += row["entered"]
        if row["entered"] < row["due"]:
            name = f"{row['owner__first_name']} {row['owner__last_name']}".strip()
            fresh.missing.append(name or row["owner__username"] or "no owner")
    return result
