"""Recompute every score snapshot now, as the nightly task does: shared out among the
running Celery workers, stage by stage, waiting for each (issue 18)."""

from celery import current_app
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from kpis import recompute, tasks
from scorecard.services import period_for_key

NO_WORKER = (
    "No Celery worker answers: start one (`make run` does) or recompute in this process "
    "with --here."
)


class Command(BaseCommand):
    help = (
        "Recompute all score snapshots (every period, or one with --period FY2026-Q3), "
        "shared out among the running Celery workers (--here: in this process)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", help="One period, e.g. FY2026-Q3")
        parser.add_argument(
            "--here", action="store_true", help="Recompute in this process, not on workers."
        )
        parser.add_argument(
            "--timeout",
            type=float,
            default=3600,
            help="Seconds to wait for one stage of the workers' jobs (default 3600).",
        )

    def handle(self, *args, **options):
        period_ids = None
        if options["period"]:
            try:
                period_ids = [period_for_key(options["period"]).pk]
            except ValidationError as error:
                raise CommandError(error.message_dict["period"][0]) from None
        if options["timeout"] <= 0:
            raise CommandError("The timeout must be a positive number of seconds.")
        if options["here"] or not tasks.shares_out():
            results = recompute.recompute_everything(period_ids=period_ids)
        else:
            if not current_app.control.ping(timeout=2):
                raise CommandError(NO_WORKER)
            results = tasks.run_on_workers(
                recompute.full_stages(period_ids=period_ids), timeout=options["timeout"]
            )
        written = sum(result.written for result in results)
        deleted = sum(result.deleted for result in results)
        self.stdout.write(
            f"Recomputed {len(results)} periods: {written} snapshots written, {deleted} removed."
        )
