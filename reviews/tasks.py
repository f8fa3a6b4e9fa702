"""Celery tasks of the reviews layer: the daily reminder sweep and notification e-mail."""

import logging
import smtplib
from datetime import date

from celery import shared_task
from django.db import OperationalError, transaction
from django.utils import timezone

from reviews import mail, reminders
from reviews.models import Notification

logger = logging.getLogger(__name__)

RETRY = {"retry_backoff": True, "retry_backoff_max": 600, "max_retries": 8}


@shared_task(name="reviews.tasks.send_reminders", autoretry_for=(OperationalError,), **RETRY)
def send_reminders(today: str | None = None) -> int:
    """The daily sweep (beat runs it every morning); safe to run twice, see reviews.reminders."""
    day = timezone.localdate() if today is None else date.fromisoformat(today)
    return len(reminders.sweep(today=day).sent)


@shared_task(
    name="reviews.tasks.email_notification",
    autoretry_for=(OperationalError, OSError, smtplib.SMTPException),
    **RETRY,
)
def email_notification(notification_id: int) -> bool:
    """Mail one notification. A mail server that fails makes the task retry with backoff;
    the notification row is marked only once the mail went out, so nothing is sent twice
    and nothing is lost."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .select_related("recipient")
            .filter(pk=notification_id, emailed_at__isnull=True)
            .first()
        )
        if notification is None:
            return False
        mail.send_notification(notification)
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    logger.info("mailed notification %s to %s", notification_id, notification.recipient)
    return True
