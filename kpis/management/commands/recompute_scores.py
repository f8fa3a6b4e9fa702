"""Recompute every score snapshot now, as the nightly task does."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from kpis import recompute
from scorecard.services import period_for_key


class Command(BaseCommand):
    help = "Recompute all score snapshots (every period, or one with --period FY2026-Q3)."

    def add_arguments(self, parser):
        parser.add_argument("--period", help="One period, e.g. FY2026-Q3")

    def handle(self, *args, **options):
        period_ids = None
        if options["period"]:
            try:
                period_ids = [period_for_key(options["period"]).pk]
            except ValidationError as error:
                raise CommandError(error.message_dict["period"][0]) from None
        results = recompute.recompute_everything(period_ids=period_ids)
        written = sum(result.written for result in results)
        deleted = sum(result.deleted for result in results)
        self.stdout.write(
            f"Recomputed {len(results)} periods: {written} snapshots written, {deleted} removed."
        )
