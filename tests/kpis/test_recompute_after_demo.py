"""The demo as `seed_demo` leaves it holds fresh numbers: the nightly recompute finds nothing
to change (the browser journeys check the same after each of them: tests/browser/conftest.py)."""

import re
from io import StringIO

from django.core.management import call_command

from scorecard.models import Period


def test_recompute_scores_writes_nothing_after_seed_demo(demo):
    output = StringIO()

    call_command("recompute_scores", stdout=output)

    periods = Period.objects.count()
    assert re.fullmatch(
        rf"Recomputed {periods} periods: 0 snapshots written, 0 removed\.\n", output.getvalue()
    ), output.getvalue()
