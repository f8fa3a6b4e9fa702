"""`manage.py seed_demo`: build the demo organization once, then print how to sign in."""

import os
import time

from django.core.management.base import BaseCommand, CommandError

from demo.build import DEMO_PASSWORD, DemoConflict, demo_organization_build
from demo.loader import CatalogueError
from demo.logins import Login, demo_logins

# Where `make run` serves the site: runserver on 127.0.0.1, at $PORT (8000 by default).
DEFAULT_PORT = "8000"
SITE_URL = "http://127.0.0.1:{port}/"
BAD_PORT = "PORT should be a port number (1 to 65535), not {port!r}; or pass --url."
ALREADY_PRESENT = "Demo organization already present: nothing was changed."


class Command(BaseCommand):
    help = (
        "Build the demo organization (Northwind Group: units, scorecards, KPIs, three years "
        "of actuals, initiatives, actions, reviews and demo accounts). Does nothing when it "
        "is already there."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--url",
            help=(
                "The site's address to print with the logins (default: "
                "http://127.0.0.1:$PORT/, with the PORT environment variable or 8000)."
            ),
        )

    def handle(self, *args, **options) -> None:
        url = options["url"] or _site_url(os.environ.get("PORT") or DEFAULT_PORT)
        started = time.perf_counter()
        try:
            summary = demo_organization_build()
        except (DemoConflict, CatalogueError) as problem:
            raise CommandError(str(problem)) from None
        if summary is None:
            self.stdout.write(ALREADY_PRESENT)
        else:
            seconds = time.perf_counter() - started
            statuses = summary.statuses
            self.stdout.write(
                self.style.SUCCESS(
                    f"Built the demo organization in {seconds:.1f} s: {summary.units} units, "
                    f"{summary.kpis} KPIs ({summary.rollups} roll-ups), {summary.targets:,} "
                    f"targets, {summary.actuals:,} actuals ({statuses['green']} green, "
                    f"{statuses['amber']} amber, {statuses['red']} red)."
                )
            )
            for username in summary.kept_accounts:
                self.stdout.write(
                    f"The account {username} existed already and keeps its own password."
                )
        self.stdout.write(
            f"\nOpen {url} and sign in with one of these accounts "
            f"(the password of every demo account is {DEMO_PASSWORD}):\n"
        )
        self.stdout.write(_table(demo_logins()))


def _site_url(port: str) -> str:
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise CommandError(BAD_PORT.format(port=port))
    return SITE_URL.format(port=int(port))


def _table(logins: list[Login]) -> str:
    rows = [("username", "password", "name", "job", "roles")]
    rows += [(row.username, DEMO_PASSWORD, row.name, row.job, row.roles) for row in logins]
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    return "\n".join(
        "  "
        + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
        + "  "
        + row[-1]
        for row in rows
    )
