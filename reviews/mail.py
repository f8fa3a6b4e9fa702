"""Notification e-mail: plain text and HTML, each with a link straight to the place to act."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from reviews.models import Notification
from scorecard.text import one_line


def site_url(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


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
