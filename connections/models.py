"""Data connections and the imports that read them (issue 16).

A connection is where numbers live (an SQL database, a file, a JSON web service); an import
reads rows from one, maps them to KPIs and periods, and writes actuals through the KPI
layer's services, all or nothing, in a run. Each actual a run writes keeps the source rows
behind it (`Lineage`)."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q

from connections import secrets
from kpis.models import KPI, Actual
from scorecard.models import OrgUnit

NAME_LENGTH = 120


class Connection(models.Model):
    class Kind(models.TextChoices):
        SQL = "sql", "SQL database"
        FILE = "file", "File (CSV or XLSX)"
        HTTP_JSON = "http_json", "JSON web service"

    name = models.CharField(max_length=NAME_LENGTH, unique=True)
    kind = models.CharField(max_length=9, choices=Kind.choices)
    url = models.CharField(
        max_length=1000,
        help_text="An SQLAlchemy URL, a path under the connections folder, or an HTTP(S) URL.",
    )
    options = models.JSONField(default=dict, blank=True)
    # Encrypted (connections.secrets); read only by the readers, never shown or logged.
    secret_encrypted = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def set_secret(self, secret: str) -> None:
        self.secret_encrypted = secrets.encrypt(secret)

    def secret(self) -> str:
        """The secret in clear (raises SecretUnreadable when no key opens it)."""
        return secrets.decrypt(self.secret_encrypted)

    @property
    def has_secret(self) -> bool:
        return bool(self.secret_encrypted)


class Import(models.Model):
    name = models.CharField(max_length=NAME_LENGTH)
    connection = models.ForeignKey(Connection, on_delete=models.PROTECT, related_name="imports")
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    query = models.TextField(
        blank=True, help_text="One SQL SELECT, a sheet name, or a JMESPath selecting the rows."
    )
    mapping = models.JSONField(default=dict)
    # A cron expression in the organization's time zone; blank runs only when asked.
    schedule = models.CharField(max_length=100, blank=True)
    enabled = models.BooleanField(default=True)
    next_run_at = models.DateTimeField(null=True, blank=True)
    # The KPIs its runs wrote (and its fixed KPI): they are fed, not entered by hand.
    fed_kpis = models.ManyToManyField(KPI, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["enabled", "next_run_at"])]

    def __str__(self) -> str:
        return self.name


class ImportRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", "Schedule"
        MANUAL = "manual", "Run now"

    import_job = models.ForeignKey(Import, on_delete=models.CASCADE, related_name="runs")
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.QUEUED)
    trigger = models.CharField(max_length=8, choices=Trigger.choices, default=Trigger.MANUAL)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    rows_read = models.PositiveIntegerField(default=0)
    rows_changed = models.PositiveIntegerField(default=0)
    rows_unchanged = models.PositiveIntegerField(default=0)
    rows_refused = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-queued_at", "-pk"]
        constraints = [
            # One run of an import at a time, held by the database, not by a lock in memory.
            models.UniqueConstraint(
                fields=["import_job"],
                condition=Q(status__in=["queued", "running"]),
                name="one_active_run_per_import",
            )
        ]

    def __str__(self) -> str:
        return f"{self.import_job} run {self.pk}"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class Lineage(models.Model):
    """The source rows behind one actual a run wrote (several when dates folded into it).
    `version` is the actual's version the run wrote: the drill-down of an actual shows the
    lineage of its current version."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="lineage")
    actual = models.ForeignKey(Actual, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField()
    # Source values as JSON holds them: decimals and dates as text.
    source_rows = models.JSONField(default=list, encoder=DjangoJSONEncoder)

    class Meta:
        indexes = [models.Index(fields=["actual", "version"])]

    def __str__(self) -> str:
        return f"{self.run}: actual {self.actual_id}"
