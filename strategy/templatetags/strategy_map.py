"""Words for the strategy map's linkage verdicts."""

from django import template

register = template.Library()

VERDICT_LABELS = {
    "supported": "Supported",
    "weak": "Weak",
    "contradicted": "Contradicted",
    "insufficient_data": "Insufficient data",
}


@register.filter
def verdict_label(verdict: str) -> str:
    return VERDICT_LABELS.get(verdict, verdict)
