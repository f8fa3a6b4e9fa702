import pytest
import time_machine

from tests.repository.scaled_world import TODAY, World, build_world


@pytest.fixture(scope="module")
def world(module_db) -> World:
    """The small and the large team, built once per module (each test still runs in its own
    savepoint), on a fixed day in FY2026 Q2."""
    with time_machine.travel(TODAY, tick=False):
        yield build_world()
