"""The notification bell in the top bar: one count query per page that shows it."""

from django import template

from reviews.selectors import unread_count

register = template.Library()


@register.inclusion_tag("reviews/bell.html")
def notification_bell(user) -> dict:
    return {"unread": unread_count(user) if user.is_authenticated else 0}
