"""Formatting that every page shares: numbers in a KPI's own precision, scores, statuses."""

from decimal import Decimal

from django import template

from scorecard import text

register = template.Library()

STATUS_LABELS = {
    "green": "On target",
    "amber": "At risk",
    "red": "Off target",
    "no_data": "No data",
    "no_target": "No target",
}


@register.filter
def measure(value: Decimal | None, decimals: int = 1) -> str:
    """A KPI value with the KPI's decimals and thousands separators; an en dash if none."""
    return text.measure_text(value, decimals)


@register.filter
def coded(item) -> str:
    """An objective's or a KPI's code, then its title: "1.2.1 Revenue"."""
    return text.coded(item)


@register.filter
def score(value: Decimal | None) -> str:
    """Pages show a score with one decimal (DESIGN.md section 4)."""
    return text.score_text(value)


@register.filter
def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


@register.inclusion_tag("partials/score_badge.html")
def score_badge(snapshot, scorecard, period, subject_type: str, subject_id: int, status=None):
    """A score with its status in words, marked "so far" while its quarter runs, and a link
    to why it is what it is."""
    return {
        "score": snapshot.score if snapshot else None,
        "status": status or (snapshot.status if snapshot else "no_data"),
        "slug": scorecard.org_unit.slug,
        "period": period,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "provisional": is_provisional(period),
    }


def is_provisional(period) -> bool:
    """Whether a period's numbers are provisional (it has not ended): read, never stored."""
    return bool(getattr(period, "provisional", False))


@register.inclusion_tag("partials/so_far.html")
def so_far(period):
    """The mark of a provisional number, in words and a shape of its own, not colour alone."""
    return {"provisional": is_provisional(period), "period": period}


@register.inclusion_tag("partials/provisional_notice.html")
def provisional_notice(period):
    """A page's note that the period shown has not ended, so its numbers are provisional."""
    return {"provisional": is_provisional(period), "period": period}


@register.filter
def person(user) -> str:
    """A person's full name, else their username; "nobody" when there is none."""
    return text.person_name(user)
