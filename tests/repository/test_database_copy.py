"""The demo copy that browser journeys restore leaves the database as a fresh one would be:
every table's next id is free, the join tables of many-to-many fields included (on
PostgreSQL, Django adds many-to-many rows ignoring conflicts, so a stale sequence there drops
a cascade's "supports" link without a word)."""

import pytest

from strategy import services
from strategy.models import Objective

pytestmark = pytest.mark.slow


def test_a_cascade_after_a_restore_keeps_its_supports_link(demo):
    top = Objective.objects.filter(scorecard__org_unit__depth=1).first()
    child_unit = top.scorecard.org_unit.get_children().filter(scorecard__isnull=False).last()
    created = services.objective_create(
        scorecard=child_unit.scorecard,
        perspective=top.perspective,
        title="Serve the restored objective",
        supports=[top],
    )

    assert list(created.supports.all()) == [top]
