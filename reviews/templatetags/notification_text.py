"""A notification's text as the notifications page and its e-mail show it: each place in the
app it names is a link (reviews.mail.text_parts finds them)."""

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from reviews import mail

register = template.Library()


def _linked(text: str, *, absolute: bool) -> SafeString:
    html = []
    for words, path in mail.text_parts(text):
        if path:
            href = mail.site_url(path) if absolute else path
            html.append(f'<a href="{escape(href)}">{escape(path)}</a>')
        else:
            html.append(escape(words).replace("\n", "<br>"))
    # Every part is escaped above: the words, the paths and their addresses.
    return mark_safe("".join(html))


@register.filter
def notification_body(text: str) -> SafeString:
    """In the app: line breaks kept, links relative to the app."""
    return _linked(text or "", absolute=False)


@register.filter
def notification_mail_body(text: str) -> SafeString:
    """In the HTML e-mail: the same links with the site's address."""
    return _linked(text or "", absolute=True)


@register.filter
def notification_mail_text(text: str) -> str:
    """In the plain-text e-mail: the paths written out with the site's address."""
    return mail.mail_text(text or "")
