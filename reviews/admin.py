from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from reviews.models import (
    ActionItem,
    EmailOptOut,
    Finding,
    Initiative,
    Milestone,
    Notification,
    ProgressNote,
    ReminderLog,
    Review,
)
from scorecard.admin_support import ShownOnlyAdmin

REVIEWS_SHOWN_ONLY = (
    "Reviews are shown here, not edited: plan, open, close and reopen them on their pages or "
    "through the API (/api/reviews/). Closing keeps the pack and locks the quarter's actuals, "
    "reopening asks for a reason; a change here would do neither."
)


class FindingInline(admin.TabularInline):
    model = Finding
    extra = 0
    fields = ["kind", "kpi", "objective", "link", "action_item", "comment"]
    raw_id_fields = ["kpi", "objective", "link", "action_item"]


@admin.register(Review)
class ReviewAdmin(ShownOnlyAdmin, SimpleHistoryAdmin):
    shown_only_because = REVIEWS_SHOWN_ONLY
    list_display = ["scorecard", "period", "kind", "status", "meeting_date", "facilitator"]
    list_filter = ["kind", "status", "period"]
    search_fields = ["scorecard__title", "summary", "decisions"]
    list_select_related = ["scorecard", "period", "facilitator"]
    inlines = [FindingInline]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


@admin.register(Initiative)
class InitiativeAdmin(ShownOnlyAdmin, SimpleHistoryAdmin):
    shown_only_because = (
        "Initiatives are edited on their unit's Initiatives page or through /api/initiatives/, "
        "where the rules of their objectives and dates are checked."
    )
    list_display = ["name", "scorecard", "owner", "status", "percent_complete", "end_date"]
    list_filter = ["status"]
    search_fields = ["name", "description"]
    autocomplete_fields = ["objectives", "owner"]
    list_select_related = ["scorecard", "owner"]
    inlines = [MilestoneInline]


class ProgressNoteInline(admin.TabularInline):
    model = ProgressNote
    extra = 0


@admin.register(ActionItem)
class ActionItemAdmin(ShownOnlyAdmin, SimpleHistoryAdmin):
    shown_only_because = (
        "Action items are edited on their own pages or through /api/actions/, where their "
        "owner, due date and notifications are checked."
    )
    list_display = ["title", "owner", "due_date", "status", "scorecard", "kpi"]
    list_filter = ["status", "is_draft", "due_date"]
    search_fields = ["title", "description"]
    raw_id_fields = ["kpi", "objective", "finding", "initiative"]
    list_select_related = ["owner", "scorecard", "kpi"]
    inlines = [ProgressNoteInline]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "kind", "created_at", "read_at", "emailed_at"]
    list_filter = ["kind"]
    search_fields = ["title", "recipient__username"]


@admin.register(ReminderLog)
class ReminderLogAdmin(admin.ModelAdmin):
    list_display = ["kind", "person", "subject", "period_key", "step", "sent_at"]
    list_filter = ["kind", "step"]
    search_fields = ["person__username", "subject"]


@admin.register(EmailOptOut)
class EmailOptOutAdmin(admin.ModelAdmin):
    list_display = ["user", "kind"]
    list_filter = ["kind"]
    search_fields = ["user__username"]
