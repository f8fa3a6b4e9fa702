"""The reviews layer's API, one module per idea: reviews and their findings, initiatives,
action items, notifications."""

from reviews.api.actions import ActionItemViewSet
from reviews.api.initiatives import InitiativeViewSet
from reviews.api.notifications import NotificationViewSet
from reviews.api.reviews import FindingViewSet, ReviewViewSet

__all__ = [
    "ActionItemViewSet",
    "FindingViewSet",
    "InitiativeViewSet",
    "NotificationViewSet",
    "ReviewViewSet",
]
