"""Writes with rules for connections, imports and their runs (issue 16).

A run reads the source, maps its rows, checks them with the spreadsheet import's row checks
(`kpis.imports.preview`, as the import's owner) and writes the actuals through the KPI
layer's services, all in one transaction: any refused row fails the run and nothing is
written. The run's own row is saved outside that transaction, so a failure is recorded."""

import logging
from dataclasses import dataclass, field
from datetime import datetime

from croniter import croniter
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from connections import mapping as mappings
from connections import progress, readers
from connections.models import Connection, Import, ImportRun, Lineage
from connections.readers import ReadFailed
from connections.schedules import late_since, next_run
from connections.selectors import failures_in_a_row
from kpis import feeds, imports
from kpis import services as kpi_services
from kpis.imports.checks import write_of
from kpis.models import Actual
from reviews.models import Notification
from reviews.services import notify
from scorecard.models import Membership
from scorecard.rules import may

logger = logging.getLogger(__name__)

PREVIEW_ROWS = 50
BAD_SCHEDULE = 'The schedule "{schedule}" is not a cron expression, e.g. "0 6 * * *" (06:00 daily).'
OWNER_NOT_MANAGER = "The owner must be a manager of {unit} (or of a unit above it)."
ALREADY_RUNNING = "This import is already running; wait for its run to finish."
REFUSED_ROWS = "{count} source row(s) were refused, so nothing was written. {first}"
ROW_REFUSED = "Row {number}: {reason}"
NOT_WRITTEN = "The rows could not be written, so nothing was written. {first}"
UNEXPECTED = "The run failed unexpectedly; the administrators can find the details in the log."
OPTIONS_NOT_OBJECT = "Options must be a JSON object."
URL_NOT_HTTP = "Use an http:// or https:// address."
FILE_URL = "Use a path under the connections folder (data/sales.csv) or an http(s):// address."
LATE_TITLE = 'The import "{name}" is late: no successful run since {since}'
LATE_BODY = (
    "Its schedule ({schedule}) should have brought the numbers in by now; its KPIs are not "
    "entered by hand while it feeds them. Check its run history."
)
FAILED_TITLE = 'The import "{name}" failed'
ESCALATED_TITLE = 'The import "{name}" failed {count} times in a row'


# Connections -------------------------------------------------------------------------------


def _check_connection(connection: Connection) -> None:
    """Refuse a connection whose URL cannot be used (ValidationError on `url`/`options`)."""
    if not isinstance(connection.options, dict):
        raise ValidationError({"options": OPTIONS_NOT_OBJECT})
    url = connection.url.strip()
    try:
        if connection.kind == Connection.Kind.SQL:
            _check_sql_url(url)
        elif connection.kind == Connection.Kind.HTTP_JSON or "://" in url:
            _check_http_url(url)
        else:
            readers.inside_root(url)
            if not url.lower().endswith((".csv", ".xlsx")):
                raise ValidationError({"url": readers.FILE_TYPE})
    except ReadFailed as error:
        raise ValidationError({"url": str(error)}) from None


def _check_sql_url(url: str) -> None:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as error:
        raise ReadFailed(readers.BAD_URL.format(problem=error)) from None
    if readers.sql_backend(parsed) == "sqlite":
        readers.inside_root(parsed.database or "")
        return
    readers.check_host(parsed.host or "")


def _check_http_url(url: str) -> None:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError({"url": URL_NOT_HTTP})
    readers.check_host(parts.hostname)


@transaction.atomic
def connection_create(
    *, name: str, kind: str, url: str, options: dict | None = None, secret: str = ""
) -> Connection:
    connection = Connection(name=name, kind=kind, url=url.strip(), options=options or {})
    connection.set_secret(secret)
    connection.full_clean()
    _check_connection(connection)
    connection.save()
    return connection


@transaction.atomic
def connection_update(*, connection: Connection, secret: str | None = None, **fields) -> Connection:
    """Change a connection; `secret` None keeps the stored one, "" removes it."""
    for name, value in fields.items():
        setattr(connection, name, value.strip() if name == "url" else value)
    if secret is not None:
        connection.set_secret(secret)
    connection.full_clean()
    _check_connection(connection)
    connection.save()
    return connection


def connection_test(*, connection: Connection) -> str:
    """'' when the source answers as an import would reach it, else what failed, in words."""
    try:
        readers.test(connection)
    except ReadFailed as error:
        return str(error)
    return ""


# Imports -----------------------------------------------------------------------------------


def _check_import(import_job: Import) -> None:
    errors: dict[str, list[str]] = {}
    try:
        mappings.check_mapping(import_job.mapping)
    except ValidationError as error:
        errors.update(error.message_dict)
    if import_job.schedule.strip() and not croniter.is_valid(import_job.schedule):
        errors["schedule"] = [BAD_SCHEDULE.format(schedule=import_job.schedule)]
    kind = import_job.connection.kind if import_job.connection_id else ""
    try:
        if kind == Connection.Kind.SQL:
            readers.check_select(import_job.query)
        elif kind == Connection.Kind.HTTP_JSON and import_job.query.strip():
            readers.check_jmespath(import_job.query)
    except ReadFailed as error:
        errors["query"] = [str(error)]
    owner_known = import_job.owner_id and import_job.org_unit_id
    if owner_known and not may(import_job.owner, "connections.change_import", import_job):
        errors["owner"] = [OWNER_NOT_MANAGER.format(unit=import_job.org_unit.name)]
    if errors:
        raise ValidationError(errors)


def _save_import(import_job: Import) -> Import:
    import_job.full_clean()
    _check_import(import_job)
    import_job.next_run_at = next_run(import_job.schedule, timezone.now())
    import_job.save()
    fixed = import_job.mapping.get("kpi")
    if fixed is not None and import_job.enabled:
        # A fixed KPI is fed from the moment the import exists, before its first run.
        from kpis.models import KPI

        import_job.fed_kpis.add(*KPI.objects.filter(pk=int(fixed)))
    return import_job


@transaction.atomic
def import_create(
    *,
    name: str,
    connection: Connection,
    org_unit,
    owner,
    query: str = "",
    mapping: dict,
    schedule: str = "",
    enabled: bool = True,
) -> Import:
    import_job = Import(
        name=name,
        connection=connection,
        org_unit=org_unit,
        owner=owner,
        query=query,
        mapping=mapping,
        schedule=schedule.strip(),
        enabled=enabled,
    )
    return _save_import(import_job)


@transaction.atomic
def import_update(*, import_job: Import, **fields) -> Import:
    for name, value in fields.items():
        setattr(import_job, name, value.strip() if name == "schedule" else value)
    return _save_import(import_job)


# Previews and runs -------------------------------------------------------------------------


@dataclass
class Checked:
    """What reading and checking an import's source found."""

    preview: imports.Preview
    mapped: mappings.Mapped
    rows_read: int
    refusal: str = ""

    @property
    def refused_source_rows(self) -> int:
        refused = [row for row in self.preview.rows if row.kind == imports.ERROR]
        return sum(len(self.mapped.sources.get(row.number, [None])) for row in refused)


@dataclass
class ImportPreview:
    rows: list[imports.ImportRow] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    rows_read: int = 0
    error: str = ""


def _check_source(import_job: Import, run_id: int | None = None) -> Checked:
    """Read, map and check the import's rows; the checks try the writes and roll them back.
    Raises ReadFailed when the source cannot be read or lacks a mapped column. With
    `run_id`, the run's progress says it is checking the rows it read."""
    table = readers.read(import_job.connection, import_job.query)
    missing = mappings.check_columns(table, import_job.mapping)
    if missing:
        raise ReadFailed(missing)
    if run_id is not None:
        progress.progress_set(run_id, progress.CHECKING, total=len(table.rows))
    mapped = mappings.map_rows(table=table, mapping=import_job.mapping, unit=import_job.org_unit)
    with feeds.writing_as(_feed(import_job)):
        preview = imports.preview(rows=mapped.rows, user=import_job.owner)
    return Checked(preview=preview, mapped=mapped, rows_read=len(table.rows))


def _feed(import_job: Import) -> feeds.Feed:
    return feeds.Feed(import_job.pk, import_job.name)


def import_preview(*, import_job: Import) -> ImportPreview:
    """The first rows as they would land, with the counts of every row. Writes nothing."""
    try:
        with transaction.atomic():
            checked = _check_source(import_job)
            # Opening periods while checking is undone: a preview writes nothing.
            transaction.set_rollback(True)
    except ReadFailed as error:
        return ImportPreview(error=str(error))
    rows = checked.preview.rows
    return ImportPreview(
        rows=rows[:PREVIEW_ROWS], counts=checked.preview.counts, rows_read=checked.rows_read
    )


@transaction.atomic
def run_request(
    *, import_job: Import, by=None, trigger: str = ImportRun.Trigger.MANUAL, start: bool = True
):
    """Queue a run (refused while another run of the import is queued or running) and start
    it on the worker after commit, unless the caller carries it out itself (`start`)."""
    from connections import tasks

    try:
        with transaction.atomic():
            run = ImportRun.objects.create(import_job=import_job, requested_by=by, trigger=trigger)
    except IntegrityError:
        raise ValidationError({"import": ALREADY_RUNNING}) from None
    if start:
        transaction.on_commit(lambda: tasks.run_import.delay(run.pk))
    return run


class RunRefused(Exception):
    def __init__(self, message: str, refused: int = 0):
        self.refused = refused
        super().__init__(message)


def run_execute(*, run_id: int) -> ImportRun:
    """Carry out a queued run: all of it, or nothing of it. Safe to call twice."""
    claimed = ImportRun.objects.filter(pk=run_id, status=ImportRun.Status.QUEUED).update(
        status=ImportRun.Status.RUNNING, started_at=timezone.now()
    )
    run = ImportRun.objects.select_related(
        "import_job__connection", "import_job__org_unit", "import_job__owner"
    ).get(pk=run_id)
    if not claimed:
        return run
    progress.progress_set(run.pk, progress.READING)
    try:
        _write_run(run)
    except (ReadFailed, RunRefused) as error:
        run.error = str(error)
        run.rows_refused = getattr(error, "refused", 0)
    except Exception:
        # The log has the details; the run's message stays free of sources' internals.
        logger.exception("Import run %s failed", run.pk)
        run.error = UNEXPECTED
    run.status = ImportRun.Status.FAILED if run.error else ImportRun.Status.SUCCEEDED
    run.finished_at = timezone.now()
    if run.error:
        run.rows_changed = run.rows_unchanged = 0
    run.save()
    # The stored run says how it ended from here on.
    progress.progress_clear(run.pk)
    if run.error:
        _tell_about_failure(run)
    return run


@transaction.atomic
def _write_run(run: ImportRun) -> None:
    import_job = run.import_job
    checked = _check_source(import_job, run_id=run.pk)
    run.rows_read = checked.rows_read
    refused = [row for row in checked.preview.rows if row.kind == imports.ERROR]
    if refused:
        first = refused[0]
        raise RunRefused(
            REFUSED_ROWS.format(
                count=checked.refused_source_rows,
                first=ROW_REFUSED.format(number=first.number, reason=" ".join(first.errors)),
            ),
            refused=checked.refused_source_rows,
        )
    to_write = checked.preview.to_write
    progress.progress_set(run.pk, progress.WRITING, total=len(to_write))
    with feeds.writing_as(_feed(import_job)):
        outcome = kpi_services.actuals_enter_rows(
            rows=[write_of(row) for row in to_write],
            by=import_job.owner,
            source=Actual.Source.IMPORT,
            all_or_nothing=True,
            on_row=progress.row_reporter(run.pk, progress.WRITING, len(to_write)),
        )
    if outcome.errors:
        index, errors = next(iter(outcome.errors.items()))
        reason = " ".join(message for messages in errors.values() for message in messages)
        raise RunRefused(
            NOT_WRITTEN.format(
                first=ROW_REFUSED.format(number=to_write[index].number, reason=reason)
            ),
            refused=len(outcome.errors),
        )
    Lineage.objects.bulk_create(
        Lineage(
            run=run,
            actual=actual,
            version=actual.version,
            source_rows=checked.mapped.sources.get(row.number, []),
        )
        for row, actual in zip(to_write, outcome.saved, strict=True)
    )
    # The KPIs it wrote, and those it found already equal (a first run over values entered by
    # hand changes nothing, yet the import is their source from now on), unless another
    # import feeds them.
    written = {actual.kpi_id for actual in outcome.saved}
    equal = {
        row.kpi.pk for row in checked.preview.rows if row.kpi and row.kind == imports.UNCHANGED
    }
    fed_elsewhere = set(
        Import.fed_kpis.through.objects.filter(kpi_id__in=equal, **{"import__enabled": True})
        .exclude(**{"import_id": import_job.pk})
        .values_list("kpi_id", flat=True)
    )
    import_job.fed_kpis.add(*(written | (equal - fed_elsewhere)))
    run.rows_changed = len(outcome.saved)
    run.rows_unchanged = checked.preview.count(imports.UNCHANGED)


def _tell_about_failure(run: ImportRun) -> None:
    """The owner hears of every failed run; the unit's managers of the third in a row."""
    from django.urls import reverse

    import_job = run.import_job
    url = reverse("connections:import_detail", args=[import_job.pk])
    notify(
        recipient=import_job.owner,
        kind=Notification.Kind.IMPORT_FAILED,
        title=FAILED_TITLE.format(name=import_job.name),
        body=run.error,
        url=url,
    )
    count = failures_in_a_row(import_job)
    if count < 3 or count % 3:
        return
    managers = Membership.objects.filter(
        org_unit=import_job.org_unit, role=Membership.Role.MANAGER
    ).select_related("user")
    for membership in managers:
        if membership.user_id != import_job.owner_id and membership.user.is_active:
            notify(
                recipient=membership.user,
                kind=Notification.Kind.IMPORT_FAILED,
                title=ESCALATED_TITLE.format(name=import_job.name, count=count),
                body=run.error,
                url=url,
            )


@transaction.atomic
def imports_claim_due(*, now: datetime | None = None) -> list[int]:
    """Queue a run of every enabled import whose time has come, and set its next time.

    Rows another beat (or a slow one of ours) holds are skipped, not waited for, so two beats
    never queue the same import twice; an import still running is not queued again."""
    now = now or timezone.now()
    due = (
        Import.objects.select_for_update(skip_locked=True)
        .filter(enabled=True, next_run_at__lte=now)
        .exclude(schedule="")
    )
    queued: list[int] = []
    for import_job in due:
        import_job.next_run_at = next_run(import_job.schedule, now)
        import_job.save(update_fields=["next_run_at"])
        if import_job.runs.filter(
            status__in=[ImportRun.Status.QUEUED, ImportRun.Status.RUNNING]
        ).exists():
            continue
        run = ImportRun.objects.create(import_job=import_job, trigger=ImportRun.Trigger.SCHEDULE)
        queued.append(run.pk)
    transaction.on_commit(lambda: _start_runs(queued))
    return queued


def _start_runs(run_ids: list[int]) -> None:
    from connections import tasks

    for run_id in run_ids:
        tasks.run_import.delay(run_id)


def runs_prune(*, now: datetime | None = None) -> int:
    """Delete finished runs (and their lineage) older than SIGHTLINE_CONNECTION_RUNS_KEPT_DAYS."""
    from datetime import timedelta

    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.SIGHTLINE_CONNECTION_RUNS_KEPT_DAYS)
    old = ImportRun.objects.filter(finished_at__lt=cutoff)
    deleted, _ = old.delete()
    return deleted


def imports_remind_late(*, now: datetime | None = None) -> int:
    """Tell the owner of each enabled, scheduled import that had no successful run within
    twice its schedule's interval; once per stretch of lateness (the reminder log's key is the
    import and the time of its last success)."""
    from django.db.models import Max
    from django.urls import reverse

    from reviews.reminders import SweepResult, send_once

    now = now or timezone.now()
    result = SweepResult()
    scheduled = (
        Import.objects.filter(enabled=True)
        .exclude(schedule="")
        .select_related("owner")
        .annotate(
            last_success=Max("runs__finished_at", filter=Q(runs__status=ImportRun.Status.SUCCEEDED))
        )
    )
    for import_job in scheduled:
        since = late_since(
            schedule=import_job.schedule,
            last_success=import_job.last_success,
            created_at=import_job.created_at,
            now=now,
        )
        if since is None:
            continue
        send_once(
            person=import_job.owner,
            kind=Notification.Kind.IMPORT_LATE,
            subject=f"import:{import_job.pk}",
            period_key="",
            step=since.date().isoformat(),
            result=result,
            title=LATE_TITLE.format(name=import_job.name, since=since.date().isoformat()),
            body=LATE_BODY.format(schedule=import_job.schedule),
            url=reverse("connections:import_detail", args=[import_job.pk]),
        )
    return len(result.sent)
