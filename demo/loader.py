"""Read the demo catalogue from `demo/catalogue/*.yaml` into the spec dataclasses.

`organization.yaml` comes first: the people, the enterprise unit and, under `sides`, the files
(one per side of the business) that hold the other units, in the order the builder creates
them. `plans.yaml` holds what the company is doing about its numbers. Every entry is checked
while it is read, references included (`demo.references`); a mistake raises CatalogueError
naming the file and the entry.
"""

import functools
import string
from pathlib import Path

from demo import series as demo_series
from demo import specs
from demo.references import References
from demo.yaml_entries import REQUIRED, CatalogueError, Entry, read_yaml_file
from kpis import formulas
from kpis.models import KPI
from reviews.models import ActionItem, Initiative
from scorecard.models import Membership, OrgUnit

CATALOGUE_DIR = Path(__file__).resolve().parent / "catalogue"
ORGANIZATION_FILE = "organization.yaml"
PLANS_FILE = "plans.yaml"

PERSPECTIVES = {
    "learning": specs.LEARNING,
    "process": specs.PROCESS,
    "customer": specs.CUSTOMER,
    "financial": specs.FINANCIAL,
}
DIRECTIONS = [specs.UP, specs.DOWN]
INDICATORS = [specs.LEAD, specs.LAG]
# Placeholders each text of the plans may use.
RECOVERY_FIELDS = {"kpi", "period", "value", "target"}
RESULTS_FIELDS = {"period", "green", "amber", "total"}
REDS_FIELDS = {"names"}


@functools.cache
def load_catalogue() -> specs.Catalogue:
    return read_catalogue(CATALOGUE_DIR)


def read_catalogue(folder: Path) -> specs.Catalogue:
    references = References()
    organization = read_yaml_file(folder / ORGANIZATION_FILE)
    people = tuple(
        _person(entry, references)
        for entry in organization.entries("people", "person", key="username")
    )
    units = [_unit(entry, references) for entry in organization.entries("units", "unit")]
    sides = organization.texts("sides", ())
    organization.done()
    for name in sides:
        side = read_yaml_file(folder / name)
        units += [_unit(entry, references) for entry in side.entries("units", "unit")]
        side.done()
    if not units or units[0].parent is not None:
        organization.fail("the first unit should be the enterprise, without a parent.")
    plans_file = read_yaml_file(folder / PLANS_FILE)
    plans = _plans(plans_file, references)
    plans_file.done()
    references.check_deferred()
    return specs.Catalogue(people=people, units=tuple(units), plans=plans)


# People and units.


def _person(entry: Entry, references: References) -> specs.PersonSpec:
    roles = entry.pairs("roles")
    for unit, role in roles:
        if role not in Membership.Role.values:
            entry.fail(f"the role {role!r} should be one of {', '.join(Membership.Role.values)}.")
        references.later(entry, "unit", unit)
    person = specs.PersonSpec(
        username=entry.text("username"),
        first_name=entry.text("first_name"),
        last_name=entry.text("last_name"),
        job=entry.text("job"),
        roles=roles,
        is_superuser=entry.flag("superuser"),
    )
    entry.done()
    references.define_person(entry, person.username)
    return person


def _unit(entry: Entry, references: References) -> specs.UnitSpec:
    key = entry.text("key")
    parent = entry.optional_text("parent")
    if parent is not None:
        references.require_earlier(entry, "unit", parent)
    references.define_unit(entry, key, parent)
    objectives = tuple(
        _objective(item, key, references) for item in entry.entries("objectives", "objective")
    )
    links = tuple(_link(item, objectives) for item in entry.entries("links", "link", []))
    _check_codes(entry, objectives)
    unit = specs.UnitSpec(
        key=key,
        name=entry.text("name"),
        slug=entry.text("slug"),
        kind=entry.choice("kind", OrgUnit.Kind.values),
        parent=parent,
        description=entry.text("description", ""),
        objectives=objectives,
        links=links,
    )
    entry.done()
    return unit


def _check_codes(entry: Entry, objectives: tuple[specs.ObjectiveSpec, ...]) -> None:
    """Codes are unique within a unit's scorecard (objectives among objectives, KPIs among
    KPIs); another unit may reuse them."""
    for kind, codes in (
        ("objective", [objective.code for objective in objectives]),
        ("KPI", [kpi.code for objective in objectives for kpi in objective.kpis]),
    ):
        given = [code for code in codes if code]
        twice = sorted({code for code in given if given.count(code) > 1})
        if twice:
            entry.fail(f"the {kind} code {twice[0]!r} is used twice in this unit.")


def _objective(entry: Entry, unit: str, references: References) -> specs.ObjectiveSpec:
    key = entry.text("key")
    supports = entry.texts("supports", ())
    for supported in supports:
        references.require_objective_above(entry, supported, unit)
    owner = entry.text("owner")
    references.later(entry, "person", owner)
    references.define_objective(entry, key, unit)
    objective = specs.ObjectiveSpec(
        key=key,
        perspective=entry.choice("perspective", PERSPECTIVES),
        title=entry.text("title"),
        owner=owner,
        kpis=tuple(_kpi(item, unit, references) for item in entry.entries("kpis", "KPI")),
        supports=supports,
        code=entry.text("code", ""),
    )
    entry.done()
    return objective


def _link(entry: Entry, objectives: tuple[specs.ObjectiveSpec, ...]) -> specs.LinkSpec:
    link = specs.LinkSpec(
        source=entry.text("source"), target=entry.text("target"), note=entry.text("note")
    )
    entry.done()
    own = {objective.key for objective in objectives}
    for end in (link.source, link.target):
        if end not in own:
            entry.fail(f"{end!r} is not an objective of this unit; a link joins two of its own.")
    return link


# KPIs and their series.


def _kpi(entry: Entry, unit: str, references: References) -> specs.KpiSpec:
    is_rollup = entry.has("rollup")
    is_formula = entry.has("formula")
    is_given = entry.has("given")
    is_cadence = entry.has("cadence")
    if [is_rollup, entry.has("series"), is_formula, is_given, is_cadence].count(True) != 1:
        entry.fail(
            "a KPI has one of a `series` (its actuals are entered), a `rollup` method "
            "(its values come from the KPIs below it), a `formula` (it is calculated), "
            "`given` targets and actuals or a `cadence` (a monthly or yearly KPI's numbers)."
        )
    if (is_rollup or is_formula or is_given or is_cadence) and not entry.has("tolerance"):
        entry.fail(
            "a roll-up, calculated, given or monthly or yearly KPI needs a `tolerance` (per "
            "cent): it has no series to infer one."
        )
    kpi = specs.KpiSpec(
        key=entry.text("key"),
        name=entry.text("name"),
        unit=entry.text("unit"),
        direction=entry.choice("direction", DIRECTIONS),
        indicator=entry.choice(
            "indicator", INDICATORS, specs.LAG if is_rollup or is_formula else REQUIRED
        ),
        owner=entry.text("owner"),
        decimals=entry.integer("decimals"),
        series=(
            None
            if is_rollup or is_formula or is_given or is_cadence
            else _series(entry.mapping("series", "series"), references)
        ),
        rollup=entry.choice("rollup", KPI.RollupMethod.values, None),
        up_to=entry.optional_text("up_to"),
        weight=entry.decimal("weight", "1"),
        tolerance=entry.decimal("tolerance", None),
        description=entry.text("description", ""),
        code=entry.text("code", ""),
        data_source=entry.text("data_source", ""),
        baseline=entry.decimal("baseline", None),
        formula=entry.optional_text("formula"),
        target_type=entry.choice("target_type", KPI.TargetType.values, None) or "",
        levels=entry.texts("levels", ()),
        given=_given(entry.mapping("given", "given")) if is_given else None,
        frequency=entry.choice("frequency", KPI.Frequency.values, KPI.Frequency.QUARTER),
        time_aggregation=entry.choice("time_aggregation", KPI.TimeAggregation.values, None) or "",
        cadence=_cadence(entry.mapping("cadence", "cadence")) if is_cadence else None,
    )
    entry.done()
    if (kpi.cadence is None) != (kpi.frequency == KPI.Frequency.QUARTER):
        entry.fail("a monthly or yearly KPI has a `cadence`, and only it has one.")
    if kpi.formula is not None:
        _check_formula(entry, kpi.formula)
    if not 0 <= kpi.decimals <= 6:
        entry.fail(f"'decimals' should be between 0 and 6, not {kpi.decimals}.")
    references.later(entry, "person", kpi.owner)
    if kpi.up_to is not None:
        references.require_rollup_above(entry, kpi, unit)
    references.define_kpi(entry, kpi, unit)
    return kpi


def _check_formula(entry: Entry, text: str) -> None:
    """A formula that parses; its references are checked when the KPI is created."""
    try:
        formulas.parse(text)
    except formulas.FormulaError as error:
        entry.fail(f"its formula does not parse: {error}")


def _cadence(entry: Entry) -> specs.CadenceSpec:
    cadence = specs.CadenceSpec(
        start=float(entry.decimal("start")),
        trend=float(entry.decimal("trend", "0")),
        noise=float(entry.decimal("noise", "0")),
        gap=float(entry.decimal("gap", "0")),
    )
    entry.done()
    return cadence


def _given(entry: Entry) -> specs.GivenSpec:
    given = specs.GivenSpec(
        targets=entry.values("targets"),
        actuals=entry.values("actuals"),
        targets_high=entry.values("targets_high", ()),
    )
    entry.done()
    if given.targets_high and len(given.targets_high) != len(given.targets):
        entry.fail("`targets_high` covers the quarters of `targets`, one high edge each.")
    if not len(given.actuals) < len(given.targets) <= demo_series.STORED:
        entry.fail(
            "`targets` run up to the current quarter and `actuals` to the last ended one: "
            f"at most {demo_series.STORED} targets, and fewer actuals than targets."
        )
    return given


def _series(entry: Entry, references: References) -> specs.SeriesSpec:
    series = specs.SeriesSpec(
        start=entry.number("start"),
        trend=entry.number("trend"),
        noise=entry.number("noise"),
        swing=entry.number("swing", 0.0),
        driver=entry.optional_text("driver"),
        lag=entry.integer("lag", 1),
        gain=entry.number("gain", 1.5),
        independent_of=entry.optional_text("independent_of"),
        slip=entry.number("slip", 0.0),
        low=entry.number("low", 0.0, nullable=True),
        high=entry.number("high", None, nullable=True),
    )
    entry.done()
    if series.noise < 0 or series.swing < 0:
        entry.fail("'noise' and 'swing' are sizes of random moves: they cannot be negative.")
    if series.lag < 1:
        entry.fail(f"'lag' should be one quarter or more, not {series.lag}.")
    for other in filter(None, (series.driver, series.independent_of)):
        references.later(entry, "KPI with a series", other)
    return series


# Plans: initiatives, actions, comments and reviews.


def _plans(entry: Entry, references: References) -> specs.PlansSpec:
    initiatives = tuple(
        _initiative(item, references) for item in entry.entries("initiatives", "initiative")
    )
    recoveries = entry.entries("recovery_actions", "recovery action")
    if not recoveries:
        entry.fail("'recovery_actions' needs at least one entry to deal out.")
    comments, review, team = (
        entry.mapping("comments", "comments"),
        entry.mapping("review", "review"),
        entry.mapping("team_review", "team review"),
    )
    plans = specs.PlansSpec(
        initiatives=initiatives,
        enterprise_actions=tuple(
            _action(item, initiatives, references)
            for item in entry.entries("enterprise_actions", "action")
        ),
        recovery_actions=tuple(_recovery(item) for item in recoveries),
        recovery_title=_template(entry, "recovery_title", RECOVERY_FIELDS),
        recovery_description=_template(entry, "recovery_description", RECOVERY_FIELDS),
        comments=specs.CommentsSpec(
            green=comments.texts("green"), amber=comments.texts("amber"), red=comments.texts("red")
        ),
        review=_review(review, references),
        team_review=specs.TeamReviewSpec(
            unit=team.text("unit"),
            facilitator=team.text("facilitator"),
            participants=team.texts("participants"),
        ),
    )
    comments.done()
    team.done()
    references.require_earlier(team, "unit", plans.team_review.unit)
    for name in (plans.team_review.facilitator, *plans.team_review.participants):
        references.later(team, "person", name)
    return plans


def _initiative(entry: Entry, references: References) -> specs.InitiativeSpec:
    initiative = specs.InitiativeSpec(
        key=entry.text("key"),
        unit=entry.text("unit"),
        name=entry.text("name"),
        description=entry.text("description", ""),
        objectives=entry.texts("objectives"),
        owner=entry.text("owner"),
        budget=entry.decimal("budget"),
        start_quarter=entry.integer("start_quarter"),
        end_quarter=entry.integer("end_quarter"),
        status=entry.choice("status", Initiative.Status.values),
        percent_complete=entry.integer("percent_complete"),
        milestones=tuple(_milestone(item) for item in entry.entries("milestones", "milestone")),
    )
    entry.done()
    references.require_earlier(entry, "unit", initiative.unit)
    references.later(entry, "person", initiative.owner)
    for objective in initiative.objectives:
        references.require_objective_of(entry, objective, initiative.unit)
    if not 1 <= initiative.start_quarter <= initiative.end_quarter:
        entry.fail("'start_quarter' should be 1 or more and not after 'end_quarter'.")
    if not 0 <= initiative.percent_complete <= 100:
        entry.fail("'percent_complete' should be between 0 and 100.")
    return initiative


def _milestone(entry: Entry) -> specs.MilestoneSpec:
    milestone = specs.MilestoneSpec(
        title=entry.text("title"),
        quarter=entry.integer("quarter"),
        done_days_late=entry.optional_integer("done_days_late"),
    )
    entry.done()
    if milestone.quarter < 0:
        entry.fail("'quarter' counts from 0, the oldest stored quarter.")
    return milestone


def _action(entry: Entry, initiatives, references: References) -> specs.ActionSpec:
    action = specs.ActionSpec(
        title=entry.text("title"),
        owner=entry.text("owner"),
        due_in_days=entry.integer("due_in_days"),
        status=entry.choice("status", ActionItem.Status.values),
        initiative=entry.optional_text("initiative"),
        objective=entry.optional_text("objective"),
    )
    entry.done()
    references.later(entry, "person", action.owner)
    enterprise = references.enterprise()
    if action.initiative is not None and action.initiative not in {
        initiative.key for initiative in initiatives if initiative.unit == enterprise
    }:
        entry.fail(f"{action.initiative!r} is not an initiative of the enterprise unit.")
    if action.objective is not None:
        references.require_objective_of(entry, action.objective, enterprise)
    return action


def _recovery(entry: Entry) -> specs.RecoverySpec:
    recovery = specs.RecoverySpec(
        status=entry.choice("status", ActionItem.Status.values),
        due_in_days=entry.integer("due_in_days"),
    )
    entry.done()
    return recovery


def _review(entry: Entry, references: References) -> specs.ReviewSpec:
    review = specs.ReviewSpec(
        facilitator=entry.text("facilitator"),
        participants=entry.texts("participants"),
        results=_template(entry, "results", RESULTS_FIELDS),
        reds=_template(entry, "reds", REDS_FIELDS),
        no_reds=_template(entry, "no_reds", set()),
        context=_template(entry, "context", set()),
        decisions=entry.texts("decisions"),
    )
    entry.done()
    for name in (review.facilitator, *review.participants):
        references.later(entry, "person", name)
    return review


def _template(entry: Entry, name: str, allowed: set[str]) -> str:
    """A text with {placeholders}, of which only `allowed` are filled in."""
    text = entry.text(name)
    try:
        used = {field for _, field, _, _ in string.Formatter().parse(text) if field}
    except ValueError as error:
        entry.fail(f"{name!r} has a broken placeholder: {error}.")
    unknown = used - allowed
    if unknown:
        known = ", ".join(f"{{{field}}}" for field in sorted(allowed)) or "none"
        entry.fail(f"{name!r} uses {{{sorted(unknown)[0]}}}; it may use: {known}.")
    return text


__all__ = ["CatalogueError", "load_catalogue", "read_catalogue"]
