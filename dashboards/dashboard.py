"""The executive dashboard: the subtree a person may read, at a glance.

A face module: it reads the selectors of every layer (snapshots from `kpis`, action items
from `reviews`) and decides nothing about scores itself."""

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.validators import validate_slug
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from connections import selectors as connection_selectors
from dashboards import charts
from dashboards.selectors.heatmap import branch_rows, heatmap_rows
from dashboards.selectors.quarters import NO_DATA
from dashboards.selectors.trend import scorecard_trend
from dashboards.selectors.worst import worst_kpis
from kpis import selectors as kpi_selectors
from reviews import selectors as review_selectors
from scorecard import selectors
from scorecard.models import OrgUnit, Period, Perspective
from scorecard.page_support import (
    NOT_FOUND,
    HtmxHttpRequest,
    QueryForm,
    object_or_refuse,
    period_from_request,
)
from scorecard.rules import grants_of, is_administrator, may

TEMPLATE = "dashboards/dashboard.html"
NO_UNIT = "You have no role on any unit yet, so there is no dashboard to show."
NOT_YOURS = "You have no role on this unit or above it."
NOT_IN_TREE = "This unit is not in the tree shown."
STATUSES = ["red", "amber", "green", "no_data"]
ACTIONS_SHOWN = 10


@dataclass
class Filters:
    perspective_id: int | None
    status: str
    open: set[str]


def default_root(user) -> OrgUnit:
    """The top of what a person may read: the tree's root for an administrator, else the
    highest unit they hold a role on (the first by path among the shallowest)."""
    if is_administrator(user):
        root = OrgUnit.get_first_root_node()
    else:
        grants = sorted(grants_of(user), key=lambda grant: (len(grant.path), grant.path))
        root = OrgUnit.objects.get(pk=grants[0].unit_id) if grants else None
    if root is None:
        raise PermissionDenied(NO_UNIT)
    return root


class DashboardQuery(QueryForm):
    """`?root=north-sales&perspective=3&status=red&open=north,north-sales` (and `?period=`,
    read by `period_from_request`)."""

    root = forms.SlugField(required=False, max_length=100)
    perspective = forms.IntegerField(required=False, min_value=1)
    status = forms.ChoiceField(required=False, choices=[(status, status) for status in STATUSES])
    open = forms.CharField(required=False)


def root_for_reading(request: HttpRequest, query: DashboardQuery) -> OrgUnit:
    """The unit named in `?root=`, else the person's own top unit. A malformed slug is an
    unknown one: 404, as for a unit the person may not read."""
    if query.has_error("root"):
        raise Http404(NOT_FOUND)
    slug = query.values()["root"]
    if not slug:
        return default_root(request.user)
    return object_or_refuse(
        request, OrgUnit.objects.all(), "scorecard.view_orgunit", refused=NOT_YOURS, slug=slug
    )


def opened_slugs(text: str) -> set[str]:
    """The branches `?open=` names; a malformed slug names none."""
    return {slug for slug in text.split(",") if slug and is_slug(slug)}


def is_slug(text: str) -> bool:
    try:
        validate_slug(text)
    except forms.ValidationError:
        return False
    return True


def filters_from(query: DashboardQuery, root: OrgUnit) -> Filters:
    """Unknown filter values are ignored (a stale bookmark still opens the dashboard)."""
    values = query.values()
    return Filters(
        perspective_id=values["perspective"],
        status=values["status"] or "",
        # The root is always open: collapsed, the tree would be one row.
        open=opened_slugs(values["open"] or "") | {root.slug},
    )


def _query(root: OrgUnit, period: Period, filters: Filters, opened: set[str]) -> str:
    params = {"root": root.slug, "period": period.key, "open": ",".join(sorted(opened))}
    if filters.perspective_id:
        params["perspective"] = str(filters.perspective_id)
    if filters.status:
        params["status"] = filters.status
    return urlencode(params)


def shown_rows(rows, *, root: OrgUnit, period: Period, filters: Filters) -> list:
    """The rows the tree shows. Without a status filter: those the selector read (the units
    whose every ancestor from the root down is open). With one: every unit whose score has
    that status, with its ancestors so the tree stays readable (marked as context)."""
    by_path = {row.unit.path: row for row in rows}
    step = OrgUnit.steplen

    def ancestors(row) -> list:
        path = row.unit.path
        return [by_path[path[:end]] for end in range(len(root.path), len(path), step)]

    shown = rows  # without a status filter, the selector read the open branches only
    if filters.status:
        matching = [row for row in rows if _status_of(row, filters) == filters.status]
        keep = {row.unit.path for row in matching}
        keep |= {above.unit.path for row in matching for above in ancestors(row)}
        shown = [row for row in rows if row.unit.path in keep]
    for row in shown:
        row.is_open = filters.status != "" or row.unit.slug in filters.open
        row.matches = not filters.status or _status_of(row, filters) == filters.status
        toggled = filters.open ^ {row.unit.slug}
        row.toggle_query = _query(root, period, filters, toggled)
    return shown


def _status_of(row, filters: Filters) -> str:
    if filters.perspective_id:
        cell = row.cells.get(filters.perspective_id)
        return cell.status if cell else NO_DATA
    return row.overall.status


def _actions(root: OrgUnit, today: date) -> dict:
    items = review_selectors.open_action_items_in(
        Q(scorecard__org_unit__path__startswith=root.path)
    )
    # Both counts in one aggregate query; the list is the soonest due (overdue first).
    counts = items.aggregate(
        open_count=Count("pk"), overdue_count=Count("pk", filter=Q(due_date__lt=today))
    )
    return {**counts, "items": list(items[:ACTIONS_SHOWN]), "today": today}


def _stale_imports(user, root: OrgUnit):
    """The failed or late imports of the subtree, for the managers who keep them (one query;
    none, and no panel, for someone who manages no unit)."""
    if not may(user, "connections.pick_connection", None):
        return None
    return connection_selectors.stale_imports(user=user, root_path=root.path, now=timezone.now())


def _columns(filters: Filters) -> tuple[list[Perspective], list[Perspective]]:
    """Every perspective (for the filter) and those shown as columns: the one filtered on,
    else all (also when the filter names a perspective that no longer exists)."""
    perspectives = list(Perspective.objects.order_by("-order"))
    columns = [p for p in perspectives if p.pk == filters.perspective_id]
    if not columns:
        filters.perspective_id, columns = None, perspectives
    return perspectives, columns


def _branch_query(root: OrgUnit, period: Period, filters: Filters) -> str:
    """What every branch request of the page sends: the tree's root, the period and the
    perspective shown, so the rows it adds have the page's levels and columns."""
    params = {"root": root.slug, "period": period.key}
    if filters.perspective_id:
        params["perspective"] = str(filters.perspective_id)
    return urlencode(params)


def dashboard_context(*, request: HttpRequest, root: OrgUnit, period: Period) -> dict:
    filters = filters_from(DashboardQuery(request.GET), root)
    # Without a status filter the tree shows only the open branches: read just those.
    rows = heatmap_rows(
        root=root, period=period, open_slugs=None if filters.status else filters.open
    )
    perspectives, columns = _columns(filters)
    # The root is the first row (tree order); its scorecard came with it.
    root_scorecard = getattr(rows[0].unit, "scorecard", None)
    trend = scorecard_trend(scorecard_id=root_scorecard.pk, period=period) if root_scorecard else []
    for row in rows:
        row.columns = [(p, row.cells.get(p.pk)) for p in columns]
    return {
        "root": root,
        "period": period,
        "filters": filters,
        "statuses": STATUSES,
        "perspectives": perspectives,
        "columns": columns,
        "rows": shown_rows(rows, root=root, period=period, filters=filters),
        "trend": trend,
        "trend_has_scores": any(point.score is not None for point in trend),
        "trend_figure": charts.score_trend(trend),
        "worst": worst_kpis(
            root=root, period=period, perspective_id=filters.perspective_id, status=filters.status
        ),
        "actions": _actions(root, timezone.localdate()),
        "imports": _stale_imports(request.user, root),
        "query_open": ",".join(sorted(filters.open)),
        "branch_query": _branch_query(root, period, filters),
        "path_step": OrgUnit.steplen,
    }


@require_GET
@login_required
def dashboard(request: HtmxHttpRequest) -> HttpResponse:
    root = root_for_reading(request, DashboardQuery(request.GET))
    period = period_from_request(request, default=lambda: kpi_selectors.default_period(root=root))
    context = dashboard_context(request=request, root=root, period=period)
    if request.htmx and request.htmx.target == "heatmap":
        return render(request, f"{TEMPLATE}#heatmap", context)
    if request.htmx:
        return render(request, f"{TEMPLATE}#dashboard-body", context)
    context["periods"] = kpi_selectors.periods_for_switcher(around=period, root=root)
    context["grains"] = selectors.switcher_grains(period)
    return render(request, TEMPLATE, context)


@require_GET
@login_required
def dashboard_branch(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The heatmap rows of one unit's children, for the tree's "expand" and "Expand all":
    `?root=&period=&perspective=&open=` as the dashboard reads them. The unit is refused as
    the dashboard's root is (404 unknown, 403 outside the units one may read), and so is
    one outside the root's subtree (404), so no request reads rows the page could not show.
    The work is the branch's: its children and their scores, never the whole tree."""
    query = DashboardQuery(request.GET)
    root = root_for_reading(request, query)
    unit = object_or_refuse(
        request, OrgUnit.objects.all(), "scorecard.view_orgunit", refused=NOT_YOURS, slug=slug
    )
    if not unit.is_descendant_or_self(root):
        raise Http404(NOT_IN_TREE)
    period = period_from_request(request, default=lambda: kpi_selectors.default_period(root=root))
    filters = filters_from(query, root)
    filters.status = ""  # a status filter shows the whole tree at once: no branches to open
    _, columns = _columns(filters)
    rows = branch_rows(root=root, parent=unit, period=period)
    for row in rows:
        row.columns = [(p, row.cells.get(p.pk)) for p in columns]
        row.toggle_query = _query(root, period, filters, filters.open | {row.unit.slug})
    context = {"rows": rows, "period": period, "filters": filters, "columns": columns}
    return render(request, f"{TEMPLATE}#heat-rows", context)
