"""Formatting that every page shares: numbers in a KPI's own precision, scores, statuses."""

from decimal import Decimal

from django import template
from django.template.defaultfilters import date
from django.urls import reverse
from django.utils.html import format_html

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


# The badge and the marks below are built in Python, not included templates: a scorecard
# page shows dozens, and an inclusion tag costs a template render (with two URL lookups)
# each. The HTML is the same as a template would give; format_html escapes every value.
@register.simple_tag
def score_badge(snapshot, scorecard, period, subject_type: str, subject_id: int, status=None):
    """A score with its status in words, marked "so far" while its quarter runs, and a link
    to why it is what it is."""
    status = status or (snapshot.status if snapshot else "no_data")
    label = status_label(status)
    explanation = reverse(
        "kpis:explanation", args=[scorecard.org_unit.slug, subject_type, subject_id]
    )
    why = f"{explanation}?period={period.key}"
    return format_html(
        '<span class="score-badge"><span class="score-number">{}</span> '
        '<span class="status status-{}" data-status="{}">{}</span>{} '
        '<a class="why" href="{}" hx-get="{}" hx-target="#explain-panel" hx-swap="innerHTML"'
        ' title="Why is this {}?">why?</a></span>\n',
        score(snapshot.score if snapshot else None),
        status,
        status,
        label,
        format_html(" {}", so_far(period)) if is_provisional(period) else "",
        why,
        why,
        label.lower(),
    )


def is_provisional(period) -> bool:
    """Whether a period's numbers are provisional (it has not ended): read, never stored."""
    return bool(getattr(period, "provisional", False))


def _ends(period) -> str:
    return date(period.end, "j M Y")


@register.simple_tag
def so_far(period):
    """The mark of a provisional number, in words and a shape of its own, not colour alone."""
    if not is_provisional(period):
        return ""
    return format_html(
        '<span class="so-far" data-provisional title="{} has not ended: provisional until {}">'
        "◔ so far</span>",
        period.label,
        _ends(period),
    )


@register.simple_tag
def provisional_notice(period):
    """A page's note that the period shown has not ended, so its numbers are provisional."""
    if not is_provisional(period):
        return ""
    return format_html(
        '<p class="provisional-notice" role="note" data-provisional><span class="so-far">'
        "◔ so far</span> {} runs until {}: its numbers are provisional until then.</p>",
        period.label,
        _ends(period),
    )


@register.filter
def person(user) -> str:
    """A person's full name, else their username; "nobody" when there is none."""
    return text.person_name(user)
