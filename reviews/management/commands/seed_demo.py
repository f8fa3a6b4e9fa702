"""`manage.py seed_demo`: build the demo organization once, then print how to sign in."""

import time

from django.core.management.base import BaseCommand, CommandError

from reviews.demo import (
    DEMO_PASSWORD,
    DemoConflict,
    Login,
    demo_logins,
    demo_organization_build,
)

DEMO_URL = "http://127.0.0.1:8000/"
ALREADY_PRESENT = "Demo organization already present: nothing was changed."


class Command(BaseCommand):
    help = (
        "Build the demo organization (Northwind Group: units, scorecards, KPIs, three years "
        "of actuals, initiatives, actions, reviews and demo accounts). Does nothing when it "
        "is already there."
    )

    def handle(self, *args, **options) -> None:
        started = time.perf_counter()
        try:
            summary = demo_organization_build()
        except DemoConflict as conflict:
            raise CommandError(str(conflict)) from None
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
            f"\nOpen {DEMO_URL} and sign in with one of these accounts "
            f"(the password of every demo account is {DEMO_PASSWORD}):\n"
        )
        self.stdout.write(_table(demo_logins()))


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
