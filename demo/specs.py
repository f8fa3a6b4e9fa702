"""The typed shape of the demo catalogue: people, units, objectives, KPIs, links and plans.

`demo.loader` reads them from the YAML files in `demo/catalogue/`. Every item has a short key
("fs.revenue") by which other items refer to it: an objective's `supports`, a KPI's `up_to`
(the roll-up parent), a series' driver."""

import math
from dataclasses import dataclass, field

UP = "up"
DOWN = "down"
LEAD = "leading"
LAG = "lagging"

# Perspective orders, bottom of the strategy map first.
LEARNING = 1
PROCESS = 2
CUSTOMER = 3
FINANCIAL = 4


@dataclass(frozen=True)
class SeriesSpec:
    """How one KPI behaves, in its own units per quarter."""

    start: float
    trend: float
    noise: float
    swing: float = 0.0
    # The leading KPI (by catalogue key) that moves this one `lag` quarters later, and how
    # strongly: `gain` 1 means a swing of one of the driver's typical deviations moves this
    # KPI by one of its own.
    driver: str | None = None
    lag: int = 1
    gain: float = 1.5
    # A KPI (by key) that this one must visibly NOT follow: the demo's unsupported links.
    independent_of: str | None = None
    # Drift to the bad side over the last quarters, in typical deviations per quarter.
    slip: float = 0.0
    low: float | None = 0.0
    high: float | None = None

    @property
    def scale(self) -> float:
        return math.hypot(self.noise, self.swing) or 1.0


@dataclass(frozen=True)
class PersonSpec:
    username: str
    first_name: str
    last_name: str
    job: str
    # (unit key, role) pairs.
    roles: tuple[tuple[str, str], ...] = ()
    is_superuser: bool = False


@dataclass(frozen=True)
class GivenSpec:
    """Targets and actuals written out in the catalogue: the targets of the last quarters up
    to the current one, the actuals of the last quarters up to the last ended one (a band's
    high edges beside its targets; level names for an ordinal KPI)."""

    targets: tuple[str | None, ...]
    actuals: tuple[str | None, ...]
    targets_high: tuple[str | None, ...] = ()


@dataclass(frozen=True)
class CadenceSpec:
    """A monthly or yearly KPI's numbers, made per period from its own random generator
    (seeded from its key, so the quarterly KPIs' shared draws are as before): a plan that
    starts at `start` and moves by `trend` a period, noise of `noise` around it, and targets
    `gap` per cent better than the plan."""

    start: float
    trend: float
    noise: float
    gap: float


@dataclass(frozen=True)
class KpiSpec:
    key: str
    name: str
    unit: str
    direction: str
    indicator: str
    owner: str
    decimals: int
    series: SeriesSpec | None = None
    rollup: str | None = None
    up_to: str | None = None
    weight: str = "1"
    tolerance: str | None = None
    description: str = ""
    # Issue 15, measures as published: "F1.1", where the numbers come from, a baseline.
    code: str = ""
    data_source: str = ""
    baseline: str | None = None
    # A calculated KPI's formula (DESIGN.md section 4, "Calculated KPIs"); its targets are
    # the formula over its inputs' targets.
    formula: str | None = None
    # A target type other than at_least/at_most (blank: by the direction), with its levels.
    target_type: str = ""
    levels: tuple[str, ...] = ()
    given: GivenSpec | None = None
    # Issue 15: reported monthly or yearly (the default is quarterly), with its numbers.
    frequency: str = "quarter"
    time_aggregation: str = ""
    cadence: CadenceSpec | None = None

    @property
    def sign(self) -> int:
        return 1 if self.direction == UP else -1


@dataclass(frozen=True)
class ObjectiveSpec:
    key: str
    perspective: int
    title: str
    owner: str
    kpis: tuple[KpiSpec, ...]
    supports: tuple[str, ...] = ()
    code: str = ""


@dataclass(frozen=True)
class LinkSpec:
    source: str
    target: str
    note: str


@dataclass(frozen=True)
class UnitSpec:
    key: str
    name: str
    slug: str
    kind: str
    parent: str | None
    description: str
    objectives: tuple[ObjectiveSpec, ...]
    links: tuple[LinkSpec, ...] = field(default=())


@dataclass(frozen=True)
class MilestoneSpec:
    title: str
    # The stored quarter whose last day is the due date: 0 is the oldest of the twelve ended
    # quarters, 12 the current one, 13 and on are quarters still to come.
    quarter: int
    # Days after the due date it was reached (negative: early); None while it is not done.
    done_days_late: int | None = None


@dataclass(frozen=True)
class InitiativeSpec:
    key: str
    unit: str
    name: str
    description: str
    objectives: tuple[str, ...]
    owner: str
    budget: str
    start_quarter: int
    end_quarter: int
    status: str
    percent_complete: int
    milestones: tuple[MilestoneSpec, ...]


@dataclass(frozen=True)
class ActionSpec:
    """An action item that does not come from a red KPI."""

    title: str
    owner: str
    due_in_days: int
    status: str
    initiative: str | None = None
    objective: str | None = None


@dataclass(frozen=True)
class RecoverySpec:
    """The status and due date (in days from today) of a red KPI's recovery action."""

    status: str
    due_in_days: int


@dataclass(frozen=True)
class CommentsSpec:
    """What owners write next to an actual, by its status."""

    green: tuple[str, ...]
    amber: tuple[str, ...]
    red: tuple[str, ...]


@dataclass(frozen=True)
class ReviewSpec:
    """The enterprise's quarterly reviews: one closed, one under way."""

    facilitator: str
    participants: tuple[str, ...]
    # The closed review's summary is `results`, then `reds` or `no_reds`, then `context`.
    results: str
    reds: str
    no_reds: str
    context: str
    decisions: tuple[str, ...]


@dataclass(frozen=True)
class TeamReviewSpec:
    """A team's review of the last quarter, under way."""

    unit: str
    facilitator: str
    participants: tuple[str, ...]


@dataclass(frozen=True)
class PlansSpec:
    initiatives: tuple[InitiativeSpec, ...]
    enterprise_actions: tuple[ActionSpec, ...]
    # Dealt out in turn to the KPIs that were red last quarter.
    recovery_actions: tuple[RecoverySpec, ...]
    recovery_title: str
    recovery_description: str
    comments: CommentsSpec
    review: ReviewSpec
    team_review: TeamReviewSpec


@dataclass(frozen=True)
class Catalogue:
    people: tuple[PersonSpec, ...]
    # Parents before children: the builder creates them in this order.
    units: tuple[UnitSpec, ...]
    plans: PlansSpec

    @property
    def enterprise(self) -> UnitSpec:
        return self.units[0]

    def kpis(self) -> dict[str, KpiSpec]:
        """Every KPI by key, in catalogue order."""
        return {
            spec.key: spec for unit in self.units for goal in unit.objectives for spec in goal.kpis
        }
