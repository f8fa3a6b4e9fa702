"""Reads of objectives and links that pages and the API share."""

from typing import Any

from django.db.models import QuerySet

from scorecard.models import OrgUnit
from scorecard.rules import visible_q
from strategy.models import CausalLink, Objective


def visible_objectives(user: Any) -> QuerySet[Objective]:
    return Objective.objects.filter(visible_q(user, "scorecard__org_unit__path"))


def visible_links(user: Any) -> QuerySet[CausalLink]:
    return CausalLink.objects.filter(visible_q(user, "scorecard__org_unit__path"))


def subtree_has_objectives(unit: OrgUnit) -> bool:
    """Whether any scorecard of the unit's subtree has an objective (archived ones count)."""
    return Objective.objects.filter(scorecard__org_unit__path__startswith=unit.path).exists()
