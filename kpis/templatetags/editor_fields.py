"""The editor's forms after a refused save: the person's own input back in the fields, and
each message next to the field it is about."""

from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()


def _here(failed, prefix: str, number) -> bool:
    return failed is not None and failed.slot == f"{prefix}{number}"


@register.simple_tag
def failed_here(failed, prefix: str, number) -> bool:
    """Whether the refused form is this one (so its <details> opens)."""
    return _here(failed, prefix, number)


@register.simple_tag
def posted(failed, prefix: str, number, name: str, stored):
    """What the person typed, if this is the refused form; else the stored value."""
    if _here(failed, prefix, number):
        return failed.data.get(name, "")
    return "" if stored is None else stored


@register.simple_tag
def field_errors(failed, prefix: str, number, name: str) -> str:
    if not _here(failed, prefix, number) or name not in failed.errors:
        return ""
    return format_html(
        '<ul class="field-errors" id="{}{}-{}-errors" role="alert">{}</ul>',
        prefix,
        number,
        name,
        format_html_join("", "<li>{}</li>", ((message,) for message in failed.errors[name])),
    )
