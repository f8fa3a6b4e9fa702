"""What the demo catalogue has defined so far, to check what its entries refer to.

The builder creates everything in catalogue order and looks each reference up as it goes, so a
unit's parent, a supported objective and a roll-up parent must come earlier; people, drivers
and the units people hold roles in may come anywhere, and are checked once all is read."""

from demo.specs import KpiSpec
from demo.yaml_entries import Entry


class References:
    def __init__(self) -> None:
        self.people: set[str] = set()
        self.parents: dict[str, str | None] = {}  # unit key -> its parent's key
        self.objectives: dict[str, str] = {}  # objective key -> unit key
        self.kpis: dict[str, tuple[KpiSpec, str, Entry]] = {}  # KPI key -> spec, unit, entry
        self.deferred: list[tuple[Entry, str, str]] = []

    # What is defined.

    def define_person(self, entry: Entry, username: str) -> None:
        _unique(entry, "person", username, self.people)
        self.people.add(username)

    def define_unit(self, entry: Entry, key: str, parent: str | None) -> None:
        _unique(entry, "unit", key, self.parents)
        self.parents[key] = parent

    def define_objective(self, entry: Entry, key: str, unit: str) -> None:
        _unique(entry, "objective", key, self.objectives)
        self.objectives[key] = unit

    def define_kpi(self, entry: Entry, kpi: KpiSpec, unit: str) -> None:
        _unique(entry, "KPI", kpi.key, self.kpis)
        self.kpis[kpi.key] = (kpi, unit, entry)

    def enterprise(self) -> str:
        return next(iter(self.parents))

    # What must already be there.

    def require_earlier(self, entry: Entry, kind: str, key: str) -> None:
        assert kind == "unit"
        if key not in self.parents:
            entry.fail(f"refers to the unit {key!r}, which is not defined before it.")

    def require_objective_above(self, entry: Entry, key: str, unit: str) -> None:
        if key not in self.objectives:
            entry.fail(f"supports the objective {key!r}, which is not defined before it.")
        if self.objectives[key] not in self._ancestors(unit):
            entry.fail(f"supports {key!r}, which is not on a unit above {unit!r}.")

    def require_objective_of(self, entry: Entry, key: str, unit: str) -> None:
        if self.objectives.get(key) != unit:
            entry.fail(f"refers to {key!r}, which is not an objective of the unit {unit!r}.")

    def require_rollup_above(self, entry: Entry, kpi: KpiSpec, unit: str) -> None:
        parent_key = kpi.up_to
        if parent_key not in self.kpis:
            entry.fail(f"rolls up to {parent_key!r}, which is not a KPI defined before it.")
        parent, parent_unit, _ = self.kpis[parent_key]
        if parent.rollup is None:
            entry.fail(f"rolls up to {parent_key!r}, which is not a roll-up KPI.")
        if parent_unit not in self._ancestors(unit):
            entry.fail(f"rolls up to {parent_key!r}, which is not on a unit above {unit!r}.")
        if parent.unit != kpi.unit:
            entry.fail(f"is in {kpi.unit!r} but rolls up to {parent_key!r}, in {parent.unit!r}.")

    def _ancestors(self, unit: str) -> list[str]:
        found, current = [], self.parents.get(unit)
        while current is not None:
            found.append(current)
            current = self.parents.get(current)
        return found

    # What may come anywhere.

    def later(self, entry: Entry, kind: str, key: str) -> None:
        self.deferred.append((entry, kind, key))

    def check_deferred(self) -> None:
        known = {"person": self.people, "unit": self.parents, "KPI with a series": self._series()}
        for entry, kind, key in self.deferred:
            if key not in known[kind]:
                entry.fail(f"refers to {key!r}, which is not a {kind} of the catalogue.")
        self._check_rollups_have_children()
        self._check_drivers_do_not_loop()

    def _series(self) -> dict[str, KpiSpec]:
        return {key: kpi for key, (kpi, _, _) in self.kpis.items() if kpi.series is not None}

    def _check_rollups_have_children(self) -> None:
        parents = {kpi.up_to for kpi, _, _ in self.kpis.values()}
        for kpi, _, entry in self.kpis.values():
            if kpi.rollup is not None and kpi.key not in parents:
                entry.fail("is a roll-up KPI, but no KPI rolls up to it (`up_to`).")

    def _check_drivers_do_not_loop(self) -> None:
        """A series is made after the ones it follows or stays independent of: no loops."""
        following = {
            key: [other for other in (kpi.series.driver, kpi.series.independent_of) if other]
            for key, kpi in self._series().items()
            if kpi.series is not None
        }
        finished: set[str] = set()

        def visit(key: str, path: list[str]) -> None:
            if key in path:
                loop = [*path[path.index(key) :], key]
                self.kpis[key][2].fail(f"its series follows a loop: {' -> '.join(loop)}.")
            if key not in finished:
                for other in following[key]:
                    visit(other, [*path, key])
                finished.add(key)

        for key in following:
            visit(key, [])


def _unique(entry: Entry, kind: str, key: str, defined) -> None:
    if key in defined:
        entry.fail(f"the {kind} key {key!r} is used twice.")
