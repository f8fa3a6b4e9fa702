"""The policy: the one place that answers "may this person do this to that?".

Views, the API and templates all ask here (`rules` autodiscovers this module). A role held on
a unit applies to the unit's whole subtree, which is why every check compares materialised
paths: a unit is in the subtree of another when its path starts with the other's.

Every object these rules see answers `.org_unit` (an OrgUnit, a scorecard, an objective,
a KPI, a review...), so this module depends on nothing above `scorecard`.
"""

from typing import Any, NamedTuple

import rules
from django.db.models import Q

from scorecard.models import Membership

MANAGER = Membership.Role.MANAGER
OWNER = Membership.Role.OWNER
VIEWER = Membership.Role.VIEWER


class Grant(NamedTuple):
    unit_id: int
    path: str
    role: str


def grants_of(user: Any) -> list[Grant]:
    """The user's memberships, read once per user object (so once per request). A
    deactivated account holds no role, as Django's own permission checks assume."""
    if not user or not user.is_authenticated or not user.is_active:
        return []
    cached = getattr(user, "_sightline_grants", None)
    if cached is None:
        rows = Membership.objects.filter(user=user).values_list(
            "org_unit_id", "org_unit__path", "role"
        )
        cached = [Grant(*row) for row in rows]
        user._sightline_grants = cached
    return cached


def forget_grants(user: Any) -> None:
    """Drop the cached memberships, after they changed."""
    if hasattr(user, "_sightline_grants"):
        del user._sightline_grants


def roles_on(user: Any, unit: Any) -> set[str]:
    return {grant.role for grant in grants_of(user) if unit.path.startswith(grant.path)}


@rules.predicate
def is_administrator(user: Any) -> bool:
    return bool(user and user.is_active and user.is_superuser)


@rules.predicate
def sees_unit(user: Any, obj: Any) -> bool:
    return obj is not None and bool(roles_on(user, obj.org_unit))


@rules.predicate
def manages_unit(user: Any, obj: Any) -> bool:
    return obj is not None and MANAGER in roles_on(user, obj.org_unit)


@rules.predicate
def owns_it(user: Any, obj: Any) -> bool:
    return obj is not None and user.is_authenticated and obj.owner_id == user.pk


@rules.predicate
def in_owning_team(user: Any, obj: Any) -> bool:
    team_id = getattr(obj, "owning_team_id", None)
    return team_id is not None and any(g.unit_id == team_id for g in grants_of(user))


@rules.predicate
def manages_some_unit(user: Any) -> bool:
    return any(grant.role == MANAGER for grant in grants_of(user))


can_read = is_administrator | sees_unit
can_manage = is_administrator | manages_unit
can_enter_actual = can_manage | (sees_unit & (owns_it | in_owning_team))
can_update_action = can_manage | (sees_unit & owns_it)

PERMISSIONS = {
    "scorecard.view_orgunit": can_read,
    "scorecard.change_orgunit": can_manage,
    "scorecard.add_child_orgunit": can_manage,
    "scorecard.manage_memberships": can_manage,
    "scorecard.view_scorecard": can_read,
    "scorecard.change_scorecard": can_manage,
    # The organization's own lists and people: its administrators.
    "scorecard.change_perspective": is_administrator,
    "scorecard.change_settings": is_administrator,
    "scorecard.add_person": is_administrator,
    # The settings pages (/settings/): the units, people, perspectives and organization
    # settings, together. Administrators, who may make every write those pages offer through
    # the API (units and roles anywhere, perspectives, people, settings).
    "scorecard.administer": is_administrator,
    "strategy.view_objective": can_read,
    "strategy.change_objective": can_manage,
    "strategy.view_causallink": can_read,
    "strategy.change_causallink": can_manage,
    "kpis.view_kpi": can_read,
    "kpis.change_kpi": can_manage,
    "kpis.change_target": can_manage,
    "kpis.enter_actual": can_enter_actual,
    "reviews.view_review": can_read,
    "reviews.change_review": can_manage,
    "reviews.change_initiative": can_manage,
    "reviews.update_actionitem": can_update_action,
    "reviews.view_actionitem": can_read,
    "reviews.add_actionitem": can_manage,
    # Data connections (issue 16): administrators keep the connections; managers pick one by
    # name and kind, and see, edit and run the imports of their subtree.
    "connections.change_connection": is_administrator,
    "connections.pick_connection": is_administrator | manages_some_unit,
    "connections.change_import": can_manage,
}

for _name, _predicate in PERMISSIONS.items():
    rules.add_perm(_name, _predicate)


def may(user: Any, permission: str, obj: Any) -> bool:
    """Ask the policy directly, without a round of the authentication backends."""
    return rules.has_perm(permission, user, obj)


def visible_q(user: Any, path_field: str) -> Q:
    """A filter for rows whose unit (reached through `path_field`, e.g.
    "objective__scorecard__org_unit__path") lies in a subtree the user may read."""
    return _subtrees_q(user, path_field, roles={MANAGER, OWNER, VIEWER})


def managed_q(user: Any, path_field: str) -> Q:
    """Like visible_q, for the subtrees the user manages."""
    return _subtrees_q(user, path_field, roles={MANAGER})


def _subtrees_q(user: Any, path_field: str, *, roles: set[str]) -> Q:
    if is_administrator(user):
        return Q()
    paths = sorted({grant.path for grant in grants_of(user) if grant.role in roles})
    if not paths:
        return Q(pk__in=[])
    condition = Q()
    for path in paths:
        condition |= Q(**{f"{path_field}__startswith": path})
    return condition
