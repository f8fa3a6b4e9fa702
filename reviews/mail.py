"""Notification e-mail: plain text and HTML, each with a link straight to the place to act."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from reviews.models import Notification


def site_url(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def send_notification(notification: Notification) -> None:
    context = {
        "notification": notification,
        "link": site_url(notification.url or reverse("reviews:notifications")),
        "preferences": site_url(reverse("reviews:email_preferences")),
    }
    message = EmailMultiAlternatives(
        subject=f"[Sightline] {notification.title}",
        body=render_to_string("reviews/email/notification.txt", context),
        to=[notification.recipient.email],
    )
    message.attach_alternative(
        render_to_string("reviews/email/notification.html", context), "text/html"
    )
    message.send()
