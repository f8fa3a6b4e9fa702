"""In-app notifications, the e-mail that follows each, and the kinds a person wants no
e-mail for."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from reviews.models import EmailOptOut, Notification
from scorecard.text import fitted

NOTIFICATION_NOT_YOURS = "This notification is someone else's."


def notify(*, recipient, kind: str, title: str, body: str = "", url: str = "") -> Notification:
    """An in-app notification, and its e-mail after commit unless the person opted out of
    that kind. The mail task retries a failing mail server. The title is cut to fit its
    column: it quotes titles of other things (an action's, a KPI's) that may fill their own."""
    # Imported here: the tasks import the reminders, which import this module.
    from reviews import tasks

    notification = Notification(
        recipient=recipient,
        kind=kind,
        title=fitted(title, Notification, "title"),
        body=body,
        url=url,
    )
    notification.full_clean()
    notification.save()
    if recipient.email and not recipient.email_opt_outs.filter(kind=kind).exists():
        transaction.on_commit(lambda: tasks.email_notification.delay(notification.pk))
    return notification


@transaction.atomic
def notification_mark_read(*, notification: Notification, user) -> Notification:
    if notification.recipient_id != user.pk:
        raise ValidationError({"notification": NOTIFICATION_NOT_YOURS})
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def email_opt_outs_set(*, user, kinds: Iterable[str]) -> None:
    """The kinds of notification the person wants no e-mail for (in-app stays)."""
    wanted = set(kinds)
    valid = set(Notification.Kind.values)
    unknown = wanted - valid
    if unknown:
        raise ValidationError({"kinds": f"Unknown kind: {', '.join(sorted(unknown))}."})
    EmailOptOut.objects.filter(user=user).exclude(kind__in=wanted).delete()
    for kind in wanted:
        EmailOptOut.objects.get_or_create(user=user, kind=kind)
