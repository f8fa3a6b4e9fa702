from django.urls import path

from reviews.views import actions, initiatives, notifications, reviews

# The namespace ("reviews") is given where scorecard/urls.py includes these patterns.
urlpatterns = [
    path("reviews/", reviews.review_list, name="reviews"),
    path("reviews/plan/", reviews.review_plan, name="review_plan"),
    path("reviews/<int:pk>/", reviews.review_detail, name="review"),
    path("reviews/<int:pk>/open/", reviews.review_open, name="review_open"),
    path("reviews/<int:pk>/close/", reviews.review_close, name="review_close"),
    path("reviews/<int:pk>/reopen/", reviews.review_reopen, name="review_reopen"),
    path("reviews/<int:pk>/notes/", reviews.finding_note, name="finding_note"),
    path("findings/<int:pk>/", reviews.finding_comment, name="finding_comment"),
    path("actions/", actions.action_list, name="actions"),
    path("actions/new/", actions.action_new, name="action_new"),
    path("actions/<int:pk>/", actions.action_detail, name="action"),
    path("actions/<int:pk>/notes/", actions.action_note, name="action_note"),
    path("units/<slug:slug>/initiatives/", initiatives.initiative_list, name="initiatives"),
    path("initiatives/<int:pk>/", initiatives.initiative_edit, name="initiative"),
    path("initiatives/<int:pk>/milestones/", initiatives.milestone_add, name="milestone_add"),
    path("milestones/<int:pk>/done/", initiatives.milestone_done, name="milestone_done"),
    path("notifications/", notifications.notification_list, name="notifications"),
    path(
        "notifications/read-all/",
        notifications.notification_read_all,
        name="notifications_read_all",
    ),
    path("notifications/email/", notifications.email_preferences, name="email_preferences"),
    path(
        "notifications/<int:pk>/read/",
        notifications.notification_read,
        name="notification_read",
    ),
]
