"""`manage.py send_reminders [--today YYYY-MM-DD]`: run the reminder sweep now.

Beat runs the same sweep every morning; the date override is for tests and for catching up.
Running it twice sends nothing twice (see reviews.reminders)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reviews import reminders

BAD_DATE = 'Unknown date "{text}": use the form 2026-03-31.'


class Command(BaseCommand):
    help = "Send the reminders and escalations that are due (actuals, actions, meetings)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--today", help="Sweep as if today were this date (YYYY-MM-DD).")

    def handle(self, *args, today: str | None = None, **options) -> None:
        try:
            day = date.fromisoformat(today) if today else timezone.localdate()
        except ValueError:
            raise CommandError(BAD_DATE.format(text=today)) from None
        result = reminders.sweep(today=day)
        for kind, username, step in result.sent:
            self.stdout.write(f"{kind} to {username} ({step})")
        self.stdout.write(f"Sent {len(result.sent)} reminders for {day.isoformat()}.")
