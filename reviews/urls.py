from django.urls import path

from reviews import views

# The namespace ("reviews") is given where scorecard/urls.py includes these patterns.
urlpatterns = [
    path("reviews/", views.review_list, name="reviews"),
    path("reviews/plan/", views.review_plan, name="review_plan"),
    path("reviews/<int:pk>/", views.review_detail, name="review"),
    path("reviews/<int:pk>/open/", views.review_open, name="review_open"),
    path("reviews/<int:pk>/close/", views.review_close, name="review_close"),
    path("reviews/<int:pk>/reopen/", views.review_reopen, name="review_reopen"),
    path("reviews/<int:pk>/notes/", views.finding_note, name="finding_note"),
    path("findings/<int:pk>/", views.finding_comment, name="finding_comment"),
    path("actions/", views.action_list, name="actions"),
    path("actions/new/", views.action_new, name="action_new"),
    path("actions/<int:pk>/", views.action_detail, name="action"),
    path("actions/<int:pk>/notes/", views.action_note, name="action_note"),
    path("units/<slug:slug>/initiatives/", views.initiative_list, name="initiatives"),
    path("initiatives/<int:pk>/", views.initiative_edit, name="initiative"),
    path("initiatives/<int:pk>/milestones/", views.milestone_add, name="milestone_add"),
    path("milestones/<int:pk>/done/", views.milestone_done, name="milestone_done"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read-all/", views.notification_read_all, name="notifications_read_all"),
    path("notifications/email/", views.email_preferences, name="email_preferences"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
]
