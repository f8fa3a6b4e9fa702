"""Pages of a person's own notifications and of their e-mail choices."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reviews import selectors, services
from reviews.forms import EmailPreferencesForm
from reviews.models import Notification
from scorecard.page_support import HtmxHttpRequest


@require_GET
@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    notifications = selectors.notifications_of(request.user)[:200]
    context = {"notifications": notifications, "unread": selectors.unread_count(request.user)}
    return render(request, "reviews/notifications.html", context)


@require_POST
@login_required
def notification_read(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    # A notification belongs to a person, not to a unit, so the policy has no say here: the
    # service refuses another person's, and the page answers that refusal with a 403.
    notification = get_object_or_404(Notification, pk=pk)
    try:
        services.notification_mark_read(notification=notification, user=request.user)
    except ValidationError:
        raise PermissionDenied(services.NOTIFICATION_NOT_YOURS) from None
    if request.htmx:
        return render(
            request, "reviews/notifications.html#notification", {"notification": notification}
        )
    return redirect("reviews:notifications")


@require_POST
@login_required
def notification_read_all(request: HttpRequest) -> HttpResponse:
    services.notifications_mark_all_read(user=request.user)
    return redirect("reviews:notifications")


@require_http_methods(["GET", "POST"])
@login_required
def email_preferences(request: HttpRequest) -> HttpResponse:
    every_kind = set(Notification.Kind.values)
    opted_out = set(request.user.email_opt_outs.values_list("kind", flat=True))  # type: ignore[union-attr]
    form = EmailPreferencesForm(
        request.POST or None, initial={"email_kinds": sorted(every_kind - opted_out)}
    )
    if request.method == "POST" and form.is_valid():
        services.email_opt_outs_set(
            user=request.user, kinds=every_kind - set(form.cleaned_data["email_kinds"])
        )
        messages.success(
            request, "Your e-mail choices are saved; in-app notifications always arrive."
        )
        return redirect("reviews:email_preferences")
    return render(request, "reviews/email_preferences.html", {"form": form})
