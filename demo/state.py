"""What a build of the demo knows as it goes: the catalogue, the numbers made from it before
anything is written, and the rows written so far, by catalogue key."""

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from demo import series as demo_series
from demo.specs import Catalogue, KpiSpec
from kpis.models import KPI
from scorecard import fiscal
from scorecard.models import OrganizationSettings, OrgUnit, Period, Perspective
from strategy.models import Objective

# Every random number of the demo comes from this seed: the same catalogue, the same demo.
SEED = 2026


@dataclass
class DemoSummary:
    units: int = 0
    kpis: int = 0
    rollups: int = 0
    targets: int = 0
    actuals: int = 0
    statuses: Counter = field(default_factory=Counter)
    # Accounts that existed before the build and keep their own password.
    kept_accounts: list[str] = field(default_factory=list)


@dataclass
class DemoState:
    catalogue: Catalogue
    today: date
    specs: dict[str, KpiSpec]
    numbers: dict[str, demo_series.KpiNumbers]
    # KPI key -> target per stored quarter; roll-ups get theirs once their children have.
    targets: dict[str, list[Decimal]]
    # The stored quarters, oldest first; the last is the current one.
    quarters: list[fiscal.FiscalQuarter]
    rng: random.Random = field(default_factory=lambda: random.Random(SEED))
    summary: DemoSummary = field(default_factory=DemoSummary)
    people: dict[str, Any] = field(default_factory=dict)
    units: dict[str, OrgUnit] = field(default_factory=dict)
    perspectives: dict[int, Perspective] = field(default_factory=dict)
    objectives: dict[str, Objective] = field(default_factory=dict)
    kpis: dict[str, KPI] = field(default_factory=dict)
    periods: list[Period] = field(default_factory=list)
    # KPI key -> status per stored quarter (None where no actual was entered).
    statuses: dict[str, list[str | None]] = field(default_factory=dict)

    @classmethod
    def prepare(cls, catalogue: Catalogue, today: date) -> "DemoState":
        """Every number is made here, before anything is written."""
        specs = catalogue.kpis()
        numbers = demo_series.generate_catalog(list(specs.values()), seed=SEED)
        start_month = OrganizationSettings.load().fiscal_start_month
        quarters = [fiscal.quarter_of(today, start_month)]
        for _ in range(demo_series.ENDED):
            quarters.insert(0, quarters[0].previous())
        return cls(
            catalogue=catalogue,
            today=today,
            specs=specs,
            numbers=numbers,
            targets={key: kpi_numbers.targets for key, kpi_numbers in numbers.items()},
            quarters=quarters,
        )
