"""Reads of the scorecard editor: the scorecard as it is edited, the choices its forms
offer, the targets grid of a fiscal year, the line of sight down the cascade and the audit
trail of one item."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Case, Exists, OuterRef, Prefetch, QuerySet, When

from kpis import scoring
from kpis.explain import zones_sentence
from kpis.models import KPI, Actual, ScoreSnapshot, Target
from kpis.selectors import visible_kpis
from scorecard import fiscal
from scorecard.models import OrgUnit, Period, Perspective, Scorecard
from scorecard.selectors import people_who_may_own
from strategy.models import CausalLink, Objective


@dataclass
class EditorPerspective:
    perspective: Perspective
    objectives: list[Objective] = field(default_factory=list)


def editor_sheet(*, scorecard: Scorecard) -> list[EditorPerspective]:
    """Perspectives from the top of the map down with their active objectives and KPIs.

    Four queries whatever the size: perspectives, objectives (with owner, team and whether
    anything hangs on them), their KPIs (with owner, team, roll-up parent and whether they
    hold data) and the objectives they support (with their unit)."""
    kpis = (
        KPI.objects.filter(archived_at__isnull=True)
        .select_related("owner", "owning_team", "rolls_up_to__objective__scorecard__org_unit")
        # Whether the KPI holds data decides between "delete" and "archive".
        .annotate(
            has_data=Exists(Target.objects.filter(kpi=OuterRef("pk")))
            | Exists(Actual.objects.filter(kpi=OuterRef("pk")))
            | Exists(KPI.objects.filter(rolls_up_to=OuterRef("pk")))
        )
        .order_by("order", "id")
    )
    supported = Objective.objects.select_related("scorecard__org_unit")
    objectives = (
        Objective.objects.filter(scorecard=scorecard, archived_at__isnull=True)
        .select_related("owner", "owning_team")
        .annotate(
            has_links=Exists(CausalLink.objects.filter(source=OuterRef("pk")))
            | Exists(CausalLink.objects.filter(target=OuterRef("pk"))),
            has_supporters=Exists(
                Objective.supports.through.objects.filter(to_objective=OuterRef("pk"))
            ),
        )
        .prefetch_related(Prefetch("kpis", queryset=kpis), Prefetch("supports", supported))
        .order_by("order", "id")
    )
    by_perspective: dict[int, list[Objective]] = {}
    for objective in objectives:
        by_perspective.setdefault(objective.perspective_id, []).append(objective)
    return [
        EditorPerspective(perspective=p, objectives=by_perspective.get(p.pk, []))
        for p in Perspective.objects.order_by("-order")
    ]


def people_who_see(unit: OrgUnit) -> QuerySet:
    """Who the editor offers as owner of the unit's items: the services' own rule."""
    return people_who_may_own(unit)


def subtree_units(unit: OrgUnit) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(path__startswith=unit.path).order_by("path")


def objectives_by_unit(units: list[OrgUnit]) -> dict[int, list[Objective]]:
    """The active objectives of each unit's scorecard (those a cascaded KPI may measure)."""
    objectives_of: dict[int, list[Objective]] = {unit.pk: [] for unit in units}
    for objective in Objective.objects.filter(
        scorecard__org_unit__in=units, archived_at__isnull=True
    ).order_by("order", "id"):
        objectives_of.setdefault(objective.scorecard.org_unit_id, []).append(objective)
    return objectives_of


@dataclass(frozen=True)
class FormulaReference:
    text: str  # what the formula writes: [1.2] or [unit-slug:1.2]
    kpi: KPI


NOT_READ_BY_FORMULAS = (scoring.ORDINAL, scoring.MILESTONE, scoring.TRACK)


def formula_references_for(scorecard: Scorecard, user: Any) -> list[FormulaReference]:
    """The KPIs a calculated KPI of `scorecard` may refer to, by code: numeric KPIs with a
    code that `user` may read, this scorecard's first (as `[code]`), then other units' (as
    `[unit-slug:code]`). At most SIGHTLINE_FORMULA_REFERENCES_LISTED; one query."""
    limit = settings.SIGHTLINE_FORMULA_REFERENCES_LISTED
    kpis = (
        visible_kpis(user)
        .filter(archived_at__isnull=True)
        .exclude(code="")
        .exclude(target_type__in=NOT_READ_BY_FORMULAS)
        .select_related("objective__scorecard__org_unit")
        .annotate(elsewhere=Case(When(objective__scorecard=scorecard, then=0), default=1))
        .order_by("elsewhere", "objective__scorecard__org_unit__path", "code", "id")[:limit]
    )
    return [
        FormulaReference(
            text=f"[{kpi.code}]"
            if kpi.objective.scorecard_id == scorecard.pk
            else f"[{kpi.objective.scorecard.org_unit.slug}:{kpi.code}]",
            kpi=kpi,
        )
        for kpi in kpis
    ]


def rollup_parents_for(unit: OrgUnit, user: Any) -> QuerySet[KPI]:
    """The roll-up KPIs a KPI of `unit` is offered to roll up to: those of the units above
    `unit` that `user` may read (`visible_kpis`, the rule the form and the API check)."""
    ancestors = [unit.path[:end] for end in range(OrgUnit.steplen, len(unit.path), 4)]
    return (
        visible_kpis(user)
        .filter(
            source=KPI.Source.ROLLUP,
            archived_at__isnull=True,
            objective__scorecard__org_unit__path__in=ancestors,
        )
        .select_related("objective__scorecard__org_unit")
        .order_by("objective__scorecard__org_unit__path", "name")
    )


@dataclass
class GridCell:
    period: fiscal.FiscalPeriod
    target: Target | None
    value: Any = ""
    red_flag: Any = ""
    # A band's high edge and its red flag; empty for every other type.
    value_high: Any = ""
    red_flag_high: Any = ""
    error: str = ""
    # Where the red flag lies for the numbers shown, e.g. "red below 90".
    preview: str = ""

    @property
    def key(self) -> str:
        """What the cell's field names carry: a quarter's `2026-1` (as always), a month's
        or a year's own key (`2026-03`, `FY2026`)."""
        if isinstance(self.period, fiscal.FiscalQuarter):
            return f"{self.period.fiscal_year}-{self.period.quarter}"
        return self.period.key


@dataclass
class GridRow:
    kpi: KPI
    cells: list[GridCell]


@dataclass
class GridSection:
    """The KPIs of one frequency, with the year's periods of that grain as columns."""

    grain: str
    periods: list[fiscal.FiscalPeriod]
    rows: list[GridRow]

    @property
    def title(self) -> str:
        return GRID_SECTION_TITLES[self.grain]


GRID_SECTION_TITLES = {
    fiscal.QUARTER: "Quarterly KPIs",
    fiscal.MONTH: "Monthly KPIs",
    fiscal.YEAR: "Yearly KPIs",
}
# Quarterly KPIs first: most KPIs are quarterly, and the grid was theirs alone before.
GRID_SECTION_ORDER = (fiscal.QUARTER, fiscal.MONTH, fiscal.YEAR)


def fiscal_year_quarters(year: int, start_month: int) -> list[fiscal.FiscalQuarter]:
    return [fiscal.FiscalQuarter(year, quarter, start_month) for quarter in (1, 2, 3, 4)]


def fiscal_year_periods(year: int, start_month: int, grain: str) -> list[fiscal.FiscalPeriod]:
    """The periods of `grain` in the fiscal year: twelve months, four quarters or the year."""
    return fiscal.FiscalYear(year, start_month).sub_periods(grain)


def targets_grid(
    *, scorecard: Scorecard, year: int, start_month: int, posted: dict | None = None
) -> list[GridRow]:
    """Every active KPI of the scorecard that takes targets (not a `track` KPI) with the
    periods of `year` at its own frequency (twelve months, four quarters or the year):
    stored targets, or what was posted when a save was refused. Two queries: KPIs (with
    their objective) and the year's targets of every grain."""
    kpis = list(
        KPI.objects.filter(
            objective__scorecard=scorecard,
            archived_at__isnull=True,
            objective__archived_at__isnull=True,
        )
        .exclude(target_type=KPI.TargetType.TRACK)
        .select_related("objective__perspective")
        .order_by("-objective__perspective__order", "objective__order", "objective_id", "order")
    )
    # A month stores the fiscal year that holds it, so one filter reads every grain's.
    stored = {
        (t.kpi_id, t.period.grain, t.period.start): t
        for t in Target.objects.filter(kpi__in=kpis, period__fiscal_year=year).select_related(
            "period"
        )
    }
    rows = []
    for kpi in kpis:
        cells = []
        for period in fiscal_year_periods(year, start_month, kpi.frequency):
            target = stored.get((kpi.pk, period.grain, period.start))
            cell = GridCell(period=period, target=target)
            if posted is not None:
                cell.value = posted.get(f"target-{kpi.pk}-{cell.key}", "")
                cell.red_flag = posted.get(f"red-{kpi.pk}-{cell.key}", "")
                cell.value_high = posted.get(f"high-{kpi.pk}-{cell.key}", "")
                cell.red_flag_high = posted.get(f"redhigh-{kpi.pk}-{cell.key}", "")
                cell.error = posted.get(f"error-{kpi.pk}-{cell.key}", "")
            elif target is not None:
                cell.value = _shown(kpi, target.value)
                cell.red_flag = _shown(kpi, target.red_flag)
                cell.value_high = _plain(target.value_high)
                cell.red_flag_high = _plain(target.red_flag_high)
            cell.preview = red_flag_preview(
                kpi, cell.value, cell.red_flag, cell.value_high, cell.red_flag_high
            )
            cells.append(cell)
        rows.append(GridRow(kpi=kpi, cells=cells))
    return rows


def grid_sections(rows: list[GridRow], *, year: int, start_month: int) -> list[GridSection]:
    """The grid's rows by frequency, each section with its columns; no empty section."""
    return [
        GridSection(
            grain=grain,
            periods=fiscal_year_periods(year, start_month, grain),
            rows=[row for row in rows if row.kpi.frequency == grain],
        )
        for grain in GRID_SECTION_ORDER
        if any(row.kpi.frequency == grain for row in rows)
    ]


def _plain(value: Decimal | None) -> str:
    if value is None:
        return ""
    return format(value.normalize(), "f")


def _shown(kpi: KPI, value: Decimal | None) -> str:
    """A target's number as the grid shows it: an ordinal KPI's level name."""
    if kpi.is_ordinal:
        return scoring.level_name(kpi.levels or (), value) or _plain(value)
    return _plain(value)


def red_flag_preview(
    kpi: KPI, value: Any, red_flag: Any, value_high: Any = "", red_flag_high: Any = ""
) -> str:
    """Where the red flag lies for the numbers in a cell, as a person reads it; for bands,
    levels and milestones, where green, amber and red lie."""
    if kpi.target_type in (scoring.ORDINAL, scoring.MILESTONE):
        return _zones_preview(kpi, value, red_flag)
    try:
        target = Decimal(str(value))
        explicit = Decimal(str(red_flag)) if str(red_flag).strip() else None
        high = Decimal(str(value_high)) if str(value_high).strip() else None
        high_flag = Decimal(str(red_flag_high)) if str(red_flag_high).strip() else None
    except (ArithmeticError, ValueError):
        return ""
    if kpi.target_type == scoring.BAND:
        if high is None:
            return ""
        band = Target(
            kpi=kpi, value=target, red_flag=explicit, value_high=high, red_flag_high=high_flag
        )
        try:
            return zones_sentence(kpi, band)
        except (scoring.TargetError, ArithmeticError, ValueError):
            return ""
    flag = Target(kpi=kpi, value=target, red_flag=explicit).effective_red_flag(kpi=kpi)
    if flag is None:
        return ""
    side = "below" if kpi.direction == KPI.Direction.UP else "above"
    return f"red {side} {_plain(flag)}"


@dataclass
class SightNode:
    objective: Objective
    snapshot: ScoreSnapshot | None
    kpis: list[tuple[KPI, ScoreSnapshot | None]]
    children: list["SightNode"] = field(default_factory=list)


@dataclass
class LineOfSight:
    roots: list[SightNode]
    unaligned: list[Objective]


def line_of_sight(*, unit: OrgUnit, period: Period) -> LineOfSight:
    """The cascade below `unit`: each of its objectives, the objectives of units below that
    support it (recursively) and every objective's KPIs, with the period's stored status.
    Objectives of units below that support nothing are listed apart: they have no line of
    sight. Five queries whatever the size: objectives of the subtree, supports, KPIs,
    snapshots, and nothing per node."""
    objectives = {
        o.pk: o
        for o in Objective.objects.filter(
            scorecard__org_unit__path__startswith=unit.path, archived_at__isnull=True
        )
        .select_related("scorecard__org_unit", "owner", "perspective")
        .order_by("scorecard__org_unit__path", "-perspective__order", "order", "id")
    }
    edges = Objective.supports.through.objects.filter(from_objective_id__in=objectives).values_list(
        "from_objective_id", "to_objective_id"
    )
    supporters: dict[int, list[int]] = {}
    supports_any: set[int] = set()
    for child_id, parent_id in edges:
        supports_any.add(child_id)
        if parent_id in objectives:
            supporters.setdefault(parent_id, []).append(child_id)
    kpis_of: dict[int, list[KPI]] = {}
    for kpi in KPI.objects.filter(objective_id__in=objectives, archived_at__isnull=True).order_by(
        "order", "id"
    ):
        kpis_of.setdefault(kpi.objective_id, []).append(kpi)
    snapshots = {
        (row.subject_type, row.subject_id): row
        for row in ScoreSnapshot.objects.filter(
            period=period,
            scorecard__org_unit__path__startswith=unit.path,
            subject_type__in=["objective", "kpi"],
        )
    }

    def node(objective_id: int, seen: frozenset[int]) -> SightNode:
        objective = objectives[objective_id]
        return SightNode(
            objective=objective,
            snapshot=snapshots.get(("objective", objective_id)),
            kpis=[(k, snapshots.get(("kpi", k.pk))) for k in kpis_of.get(objective_id, [])],
            children=[
                node(child, seen | {child})
                for child in supporters.get(objective_id, [])
                if child not in seen
            ],
        )

    roots = [
        node(pk, frozenset({pk}))
        for pk, objective in objectives.items()
        if objective.scorecard.org_unit_id == unit.pk
    ]
    unaligned = [
        objective
        for pk, objective in objectives.items()
        if objective.scorecard.org_unit.depth > 1 and pk not in supports_any
    ]
    return LineOfSight(roots=roots, unaligned=unaligned)


@dataclass
class AuditEntry:
    when: Any
    who: Any
    kind: str
    changes: list[tuple[str, str, str]]


def audit_trail(item: Objective | KPI) -> list[AuditEntry]:
    """Every recorded version of the item, newest first, with what changed from the one
    before (field, old, new). One query for the history with who made each change, and one
    per kind of related row that changed (owners, teams, perspectives...), to show names
    instead of ids."""
    records = list(item.history.select_related("history_user").order_by("-history_date", "-pk"))  # type: ignore[union-attr]
    raw: list[tuple[Any, list[Any]]] = []
    wanted: dict[Any, set[Any]] = {}
    for index, record in enumerate(records):
        older = records[index + 1] if index + 1 < len(records) else None
        changes = record.diff_against(older).changes if older is not None else []
        raw.append((record, changes))
        for change in changes:
            related = getattr(item._meta.get_field(change.field), "related_model", None)
            if related is not None:
                ids = {*_ids(change.old), *_ids(change.new)}
                wanted.setdefault(related, set()).update(ids)
    names = {
        model: {pk: str(row) for pk, row in model._default_manager.in_bulk(list(ids)).items()}
        for model, ids in wanted.items()
    }
    entries = []
    for record, changes in raw:
        shown = []
        for change in changes:
            model_field = item._meta.get_field(change.field)
            label = str(getattr(model_field, "verbose_name", change.field))
            lookup = names.get(getattr(model_field, "related_model", None), {})
            shown.append((label, _named(change.old, lookup), _named(change.new, lookup)))
        entries.append(
            AuditEntry(
                when=record.history_date,
                who=record.history_user,
                kind={"+": "created", "~": "changed", "-": "deleted"}[record.history_type],
                changes=shown,
            )
        )
    return entries


def _ids(value: Any) -> list[Any]:
    """The related ids in a recorded value: a foreign key's id, or the rows of a
    many-to-many field (simple-history records them as dicts of the through table)."""
    if isinstance(value, list):
        return [v for row in value for k, v in row.items() if k.startswith("to_")]
    return [] if value is None else [value]


def _named(value: Any, names: dict[Any, str]) -> str:
    if isinstance(value, list):
        return ", ".join(names.get(pk, str(pk)) for pk in _ids(value)) or "—"
    if value is None or value == "":
        return "—"
    return names.get(value, str(value))


def _zones_preview(kpi: KPI, value: Any, red_flag: Any) -> str:
    def number(text: Any) -> Decimal | None:
        text = str(text).strip()
        if not text:
            return None
        if kpi.is_ordinal:
            return scoring.level_position(kpi.levels or (), text)
        return Decimal(text)

    try:
        at, flag = number(value), number(red_flag)
    except (ArithmeticError, ValueError):
        return ""
    if at is None:
        return ""
    return zones_sentence(kpi, Target(kpi=kpi, value=at, red_flag=flag))
