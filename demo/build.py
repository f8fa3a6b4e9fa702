"""Build the demo organization, Northwind Group, through the same services the pages use.

Everything is written in one transaction, and only into a database without the demo: when its
enterprise unit exists, nothing is written at all, so running the command again changes no row
(history tables included).
"""

from datetime import date

from django.db import transaction
from django.utils import timezone

from demo import data_connection, follow_up, history, organization
from demo.loader import load_catalogue
from demo.organization import DEMO_PASSWORD
from demo.specs import Catalogue
from demo.state import DemoState, DemoSummary
from scorecard.models import OrgUnit

OTHER_ORGANIZATION = (
    'The database already holds an organization ("{name}"); the demo organization is only '
    "built into a database without one."
)

__all__ = [
    "DEMO_PASSWORD",
    "DemoConflict",
    "DemoSummary",
    "demo_organization_build",
    "demo_organization_exists",
]


class DemoConflict(Exception):
    """The database already holds an organization that is not the demo's."""


def demo_organization_exists() -> bool:
    return OrgUnit.objects.filter(slug=load_catalogue().enterprise.slug).exists()


def demo_organization_build(*, today: date | None = None) -> DemoSummary | None:
    """Build Northwind Group; None when it is already there (and then nothing is written)."""
    if demo_organization_exists():
        return None
    root = OrgUnit.objects.get_root_nodes().first()
    if root is not None:
        raise DemoConflict(OTHER_ORGANIZATION.format(name=root.name))
    with transaction.atomic():
        return _build(load_catalogue(), today or timezone.localdate())


def _build(catalogue: Catalogue, today: date) -> DemoSummary:
    demo = DemoState.prepare(catalogue, today)
    organization.create_people(demo)
    organization.create_units(demo)
    organization.grant_roles(demo)
    organization.create_strategy(demo)
    history.enter_history(demo)
    history.set_rollup_targets(demo)
    history.set_formula_targets(demo)
    initiatives = follow_up.create_initiatives(demo)
    follow_up.create_action_items(demo, initiatives)
    follow_up.create_reviews(demo)
    data_connection.create_demo_import()
    return demo.summary
