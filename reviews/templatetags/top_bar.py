"""The top bar: the main navigation with the current section marked, the bell and the
user menu. One query per page (`top_bar_facts`), whoever is signed in."""

import re

from django import template

from reviews.selectors import top_bar_facts

register = template.Library()

# Which section of the bar a path belongs to, tried in order (the first match wins), so a
# unit's map or initiatives are not taken for its scorecard.
SECTIONS = [
    ("home", re.compile(r"^/$")),
    ("maps", re.compile(r"^/maps/|^/units/[^/]+/map")),
    ("initiatives", re.compile(r"^/initiatives/|^/units/[^/]+/initiatives/")),
    ("dashboard", re.compile(r"^/dashboard/")),
    ("reviews", re.compile(r"^/reviews/|^/findings/")),
    ("actions", re.compile(r"^/actions/")),
    ("updates", re.compile(r"^/my-updates/")),
    ("notifications", re.compile(r"^/notifications/")),
    ("imports", re.compile(r"^/imports/|^/settings/connections/")),
    ("settings", re.compile(r"^/settings/")),
    ("scorecards", re.compile(r"^/scorecards/|^/units/")),
]


def section_of(path: str) -> str:
    return next((name for name, pattern in SECTIONS if pattern.search(path)), "")


@register.inclusion_tag("partials/top_bar.html", takes_context=True)
def top_bar(context) -> dict:
    request = context.get("request")
    user = context.get("user") or getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    facts = top_bar_facts(user) if signed_in else None
    return {
        "user": user,
        "signed_in": signed_in,
        "facts": facts,
        "unread": facts.unread if facts else 0,
        # The rule "connections.pick_connection" read from the bar's one query, so that
        # nobody is offered an imports page that would refuse them.
        "may_import": bool(facts and user and (user.is_superuser or facts.manages_a_unit)),
        "section": section_of(request.path) if request else "",
        "csrf_token": context.get("csrf_token"),
    }
