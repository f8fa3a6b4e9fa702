"""Notification e-mail: plain text and HTML, each with a link straight to the place to act.

A notification's text names the places to act by their path in the app ("The numbers:
/units/north/?period=FY2026-Q1"): the notifications page shows each as a link there, and
the e-mail writes it out with the site's address (`text_parts` finds them, one rule for
both)."""

import re

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve, reverse

from reviews.models import Notification
from scorecard.text import one_line


def site_url(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


# Words and the white space between them, kept, so the text reads as it was written.
_WORDS = re.compile(r"(\s+)")
# What may close a sentence after a link without being part of it.
_TRAILING = ".,;:!?)”’"


def app_path(word: str) -> str:
    """The path in the app a word of a notification's text names (also when written out with
    the site's address, as notifications stored before issue 17 are), else "". Only a path
    the app answers is one: "/etc/hosts" in an import's error message stays text."""
    site = settings.SITE_URL.rstrip("/")
    path = word[len(site) :] if site and word.startswith(site + "/") else word
    if not path.startswith("/") or path.startswith("//"):
        return ""
    try:
        resolve(path.split("?", 1)[0].split("#", 1)[0])
    except Resolver404:
        return ""
    return path


def text_parts(text: str) -> list[tuple[str, str]]:
    """A notification's text as (text, path) parts: a path for each link to a place in the
    app, "" for the words around them."""
    parts: list[tuple[str, str]] = []
    for word in _WORDS.split(text):
        core = word.rstrip(_TRAILING)
        path = app_path(core) if core else ""
        if path:
            parts.append((path, path))
            if core != word:
                parts.append((word[len(core) :], ""))
        else:
            parts.append((word, ""))
    return parts


def mail_text(text: str) -> str:
    """A notification's text for its e-mail: each path in the app with the site's address."""
    return "".join(site_url(path) if path else words for words, path in text_parts(text))


def subject_line(title: str) -> str:
    """The subject of every mail Sightline sends: one line, whatever the title holds."""
    return one_line(f"[Sightline] {title}")


def send_notification(notification: Notification) -> None:
    context = {
        "notification": notification,
        "link": site_url(notification.url or reverse("reviews:notifications")),
        "preferences": site_url(reverse("reviews:email_preferences")),
    }
    message = EmailMultiAlternatives(
        # A mail header refuses a line break, and a title may hold one: sending would raise
        # and the mail would be lost.
        subject=subject_line(notification.title),
        body=render_to_string("reviews/email/notification.txt", context),
        to=[notification.recipient.email],
    )
    message.attach_alternative(
        render_to_string("reviews/email/notification.html", context), "text/html"
    )
    message.send()
