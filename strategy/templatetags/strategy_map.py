"""Words for the strategy map's linkage verdicts."""

from django import template

register = template.Library()

VERDICT_LABELS = {
    "supported": "Supported",
    # The API's `weak`: the data neither bears the link out nor contradicts it, which twelve
    # quarters often cannot do even for a real effect.
    "weak": "Not enough evidence yet",
    "contradicted": "Contradicted",
    "insufficient_data": "Insufficient data",
}


@register.filter
def verdict_label(verdict: str) -> str:
    return VERDICT_LABELS.get(verdict, verdict)
