"""Reviews and their findings, initiatives, action items, notifications and the reminder log."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from kpis.models import KPI
from scorecard.fields import CommentField, NoteField
from scorecard.models import OrgUnit, Period, Scorecard
from scorecard.text import DisplayTextFields
from strategy.models import CausalLink, Objective


class Review(models.Model):
    """A quarterly or annual review of a scorecard. An annual review is held on the fiscal
    year's last quarter."""

    class Kind(models.TextChoices):
        QUARTERLY = "quarterly", "Quarterly"
        ANNUAL = "annual", "Annual"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        COLLECTING = "collecting", "Collecting"
        IN_REVIEW = "in_review", "In review"
        CLOSED = "closed", "Closed"

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="reviews")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=9, choices=Kind.choices, default=Kind.QUARTERLY)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    meeting_date = models.DateField(null=True, blank=True)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    participants = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    summary = NoteField(blank=True)
    decisions = NoteField(blank=True)
    # The frozen copy of the scorecard's snapshots taken when the review closed.
    pack = models.JSONField(default=dict, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    reopen_reason = CommentField(blank=True)

    history = HistoricalRecords(m2m_fields=[participants])

    class Meta:
        ordering = ["-period__start", "scorecard"]
        constraints = [
            models.UniqueConstraint(
                fields=["scorecard", "period", "kind"],
                name="review_unique_per_scorecard_period_kind",
                violation_error_message="This scorecard already has such a review for this "
                "quarter.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.scorecard} {self.get_kind_display()} review {self.period}"

    @property
    def org_unit(self) -> OrgUnit:
        return self.scorecard.org_unit


class Initiative(DisplayTextFields, models.Model):
    """A strategic project serving one or more objectives: the scorecard's fourth column."""

    display_text_fields = ("name",)

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        ON_TRACK = "on_track", "On track"
        AT_RISK = "at_risk", "At risk"
        OFF_TRACK = "off_track", "Off track"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="initiatives")
    objectives = models.ManyToManyField(Objective, related_name="initiatives", blank=True)
    name = models.CharField(max_length=200)
    description = NoteField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    budget = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    percent_complete = models.PositiveSmallIntegerField(
        default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )

    history = HistoricalRecords(m2m_fields=[objectives])

    class Meta:
        ordering = ["scorecard", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent_complete__lte=100), name="initiative_percent_at_most_100"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="initiative_ends_after_start",
                violation_error_message="An initiative cannot end before it starts.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def org_unit(self) -> OrgUnit:
        return self.scorecard.org_unit


class Milestone(DisplayTextFields, models.Model):
    display_text_fields = ("title",)
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=200)
    due_date = models.DateField()
    done_at = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["initiative", "due_date"]

    def __str__(self) -> str:
        return self.title

    @property
    def org_unit(self) -> OrgUnit:
        return self.initiative.scorecard.org_unit


class Finding(models.Model):
    """A review's note on one subject; opening a review writes one per agenda item."""

    class Kind(models.TextChoices):
        PERFORMANCE_GAP = "performance_gap", "Performance gap"
        NO_DATA = "no_data", "No data"
        SCORE_FELL = "score_fell", "Score fell"
        OVERDUE_ACTION = "overdue_action", "Overdue action"
        LATE_MILESTONE = "late_milestone", "Late milestone"
        WEAK_LINK = "weak_link", "Weak or contradicted link"
        NOTE = "note", "Note"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.NOTE)
    kpi = models.ForeignKey(KPI, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    objective = models.ForeignKey(
        Objective, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    link = models.ForeignKey(
        CausalLink, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    action_item = models.ForeignKey(
        "ActionItem", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # What the agenda said when the review opened ("Revenue: red, 2.9 of 10"), so the
    # finding reads the same after the numbers move on.
    headline = models.CharField(max_length=300, blank=True)
    comment = CommentField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["review", "id"]
        constraints = [
            models.CheckConstraint(
                # At most one subject; a finding without one is a free note.
                condition=(
                    Q(kpi__isnull=True, objective__isnull=True, link__isnull=True)
                    | Q(kpi__isnull=True, objective__isnull=True, action_item__isnull=True)
                    | Q(kpi__isnull=True, link__isnull=True, action_item__isnull=True)
                    | Q(objective__isnull=True, link__isnull=True, action_item__isnull=True)
                ),
                name="finding_at_most_one_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.review})"

    @property
    def org_unit(self) -> OrgUnit:
        return self.review.scorecard.org_unit


class ActionItem(DisplayTextFields, models.Model):
    display_text_fields = ("title",)

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS)

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="action_items")
    title = models.CharField(max_length=200)
    description = NoteField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="action_items",
    )
    due_date = models.DateField()
    status = models.CharField(max_length=11, choices=Status.choices, default=Status.OPEN)
    is_draft = models.BooleanField(
        default=False, help_text="Drafted automatically for a red KPI; the owner completes it."
    )
    kpi = models.ForeignKey(
        KPI, on_delete=models.SET_NULL, null=True, blank=True, related_name="action_items"
    )
    objective = models.ForeignKey(
        Objective, on_delete=models.SET_NULL, null=True, blank=True, related_name="action_items"
    )
    finding = models.ForeignKey(
        Finding, on_delete=models.SET_NULL, null=True, blank=True, related_name="action_items"
    )
    initiative = models.ForeignKey(
        Initiative, on_delete=models.SET_NULL, null=True, blank=True, related_name="action_items"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["owner", "status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def org_unit(self) -> OrgUnit:
        return self.scorecard.org_unit

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class ProgressNote(models.Model):
    action_item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = NoteField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["action_item", "created_at"]

    def __str__(self) -> str:
        return self.text[:60]


class Notification(models.Model):
    class Kind(models.TextChoices):
        ACTUAL_DUE = "actual_due", "Actual due"
        ESCALATION = "escalation", "Missing actuals"
        ACTION_OVERDUE = "action_overdue", "Action overdue"
        REVIEW_MEETING = "review_meeting", "Review meeting"
        KPI_RED = "kpi_red", "KPI turned red"
        ACTION_ASSIGNED = "action_assigned", "Action assigned to you"
        IMPORT_FAILED = "import_failed", "Import failed"
        IMPORT_LATE = "import_late", "Import late"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # Set once the e-mail went out; a mail task that is retried skips what was sent.
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.title


class ReminderLog(models.Model):
    """One row per reminder sent; its unique key is what makes every sweep idempotent."""

    class Step(models.TextChoices):
        BEFORE_END = "before_end", "Before the quarter ends"
        LAST_DAY = "last_day", "Last day of the quarter"
        ESCALATION = "escalation", "Escalation after the grace period"
        MEETING = "meeting", "Before the review meeting"
        TURNED_RED = "turned_red", "The KPI turned red"
        ASK_COMMENT = "ask_comment", "A later target made the actual red"

    kind = models.CharField(max_length=16, choices=Notification.Kind.choices)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # "kpi:12", "action:7", "review:3": the thing the reminder is about.
    subject = models.CharField(max_length=40)
    # The period's key (FY2026-Q3), or "" where the reminder is not about a quarter.
    period_key = models.CharField(max_length=10, blank=True, default="")
    # A Step value, or the ISO week ("2026-W48") of a weekly overdue reminder.
    step = models.CharField(max_length=12)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "person", "subject", "period_key", "step"],
                name="reminder_sent_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.person} about {self.subject} {self.period_key} {self.step}"


class EmailOptOut(models.Model):
    """A person who wants no e-mail of one kind; in-app notifications still arrive."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_opt_outs"
    )
    kind = models.CharField(max_length=16, choices=Notification.Kind.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="email_opt_out_once_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user} wants no {self.kind} e-mail"
