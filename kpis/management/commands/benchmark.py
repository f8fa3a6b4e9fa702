"""Build a synthetic organization and measure recomputes and the scorecard page."""

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kpis import benchmark

MAX_WORKERS = 16


class Command(BaseCommand):
    help = (
        "Build a synthetic organization (depth 4) in the configured, empty database and "
        "measure the full and incremental recompute and the enterprise scorecard page."
    )

    def add_arguments(self, parser):
        parser.add_argument("--units", type=int, default=200)
        parser.add_argument("--kpis-per-unit", type=int, default=20)
        parser.add_argument("--quarters", type=int, default=12)
        parser.add_argument(
            "--monthly-share",
            type=float,
            default=0.33,
            help="The share of KPIs reported monthly, with monthly actuals (0 to 1).",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=0,
            help=(
                "Also run the full recompute shared out among this many real Celery workers "
                "(needs REDIS_URL; 0: only in this process)."
            ),
        )
        parser.add_argument("--json", dest="json_path", help="Write the figures to this file.")

    def handle(self, *args, **options):
        if options["units"] < 1 or options["kpis_per_unit"] < 1 or options["quarters"] < 1:
            raise CommandError("Units, KPIs per unit and quarters must each be at least 1.")
        if not 0 <= options["workers"] <= MAX_WORKERS:
            raise CommandError(f"The workers must number 0 to {MAX_WORKERS}.")
        if options["workers"] and not settings.REDIS_URL:
            raise CommandError("--workers needs REDIS_URL: the workers share the jobs on Redis.")
        if not 0 <= options["monthly_share"] <= 1:
            raise CommandError("The monthly share must lie between 0 and 1.")
        shape = benchmark.Shape(
            units=options["units"],
            kpis_per_unit=options["kpis_per_unit"],
            quarters=options["quarters"],
            monthly_share=options["monthly_share"],
        )
        try:
            figures = benchmark.measure(shape, workers=options["workers"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        if options["json_path"]:
            benchmark.write_json(figures, options["json_path"])
        self.stdout.write(json.dumps(figures, indent=2))
