"""Reads for the strategy map: the objectives of a scorecard in a quarter, their links and
the cascade around them."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, Prefetch

from scorecard.models import Period, Perspective, Scorecard
from strategy.models import CausalLink, Objective, member_of_period_q


@dataclass
class MapData:
    perspectives: list[Perspective]  # bottom of the map first
    objectives: Sequence[Objective]  # with .supporter_count and prefetched .supports
    links: list[CausalLink]


def strategy_map(*, scorecard: Scorecard, period: Period) -> MapData:
    """Four queries whatever the size: perspectives; objectives with their owners and the
    number of objectives of other units that support them; the objectives they support, with
    those objectives' units; the links."""
    supported = Objective.objects.select_related("scorecard__org_unit").order_by("id")
    objectives = list(
        Objective.objects.filter(scorecard=scorecard)
        .members_of(period)
        .select_related("owner")
        # Counting in SQL, one number per box: the enterprise map's cascade overlay.
        .annotate(
            supporter_count=Count("supporters", filter=member_of_period_q(period, "supporters__"))
        )
        .prefetch_related(Prefetch("supports", queryset=supported))
        .order_by("perspective__order", "order", "id")
    )
    shown = {objective.pk for objective in objectives}
    links = [
        link
        for link in CausalLink.objects.filter(scorecard=scorecard)
        .select_related("source", "target")
        .order_by("id")
        # A link to an archived objective is not drawn in quarters after the archiving.
        if link.source_id in shown and link.target_id in shown
    ]
    return MapData(
        perspectives=list(Perspective.objects.order_by("order")),
        objectives=objectives,
        links=links,
    )
