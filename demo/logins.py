"""The demo's accounts, as the command prints them after a build (or instead of one)."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model

from demo.loader import load_catalogue
from scorecard.models import Membership


@dataclass(frozen=True)
class Login:
    username: str
    name: str
    job: str
    roles: str


def demo_logins() -> list[Login]:
    """The demo's accounts as they are now, with their roles, for the command to print."""
    people = load_catalogue().people
    wanted = [person.username for person in people]
    users = {user.username: user for user in get_user_model().objects.filter(username__in=wanted)}
    roles: dict[str, list[str]] = {}
    memberships = Membership.objects.filter(user__username__in=wanted).select_related(
        "user", "org_unit"
    )
    for membership in memberships.order_by("org_unit__path", "role"):
        roles.setdefault(membership.user.username, []).append(
            f"{membership.role} of {membership.org_unit.name}"
        )
    logins = []
    for person in people:
        user = users.get(person.username)
        if user is None:
            continue
        held = roles.get(person.username, [])
        if user.is_superuser:
            held.insert(0, "administrator (everything, and /admin/)")
        logins.append(
            Login(user.username, user.get_full_name(), person.job, "; ".join(held) or "none")
        )
    return logins
