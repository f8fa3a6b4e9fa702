"""The scorecard editor's pages (issue 6), under the `editor:` namespace. `kpis/urls.py` adds
the same patterns to its own list, so the names they had there (`kpis:editor`, ...) still
reverse, to the same paths."""

from django.urls import path

from kpis.editor.views import kpis as kpi_views
from kpis.editor.views import objectives, reading, sheet, targets

app_name = "editor"
urlpatterns = [
    path("units/<slug:slug>/edit/", sheet.editor, name="editor"),
    path("units/<slug:slug>/edit/undo/", sheet.undo, name="editor_undo"),
    path("units/<slug:slug>/edit/objectives/", objectives.objective_add, name="objective_add"),
    path(
        "units/<slug:slug>/edit/objectives/<int:objective_id>/",
        objectives.objective_edit,
        name="objective_edit",
    ),
    path(
        "units/<slug:slug>/edit/objectives/<int:objective_id>/archive/",
        objectives.objective_archive,
        name="objective_archive",
    ),
    path(
        "units/<slug:slug>/edit/objectives/<int:objective_id>/delete/",
        objectives.objective_delete,
        name="objective_delete",
    ),
    path(
        "units/<slug:slug>/edit/objectives/<int:objective_id>/move/",
        objectives.objective_move,
        name="objective_move",
    ),
    path(
        "units/<slug:slug>/edit/objectives/<int:objective_id>/cascade/",
        objectives.objective_cascade,
        name="objective_cascade",
    ),
    path(
        "units/<slug:slug>/edit/objectives/<int:objective_id>/kpis/",
        kpi_views.kpi_add,
        name="kpi_add",
    ),
    path("units/<slug:slug>/edit/kpis/<int:kpi_id>/", kpi_views.kpi_edit, name="kpi_edit"),
    path(
        "units/<slug:slug>/edit/formula-check/",
        kpi_views.formula_check,
        name="formula_check",
    ),
    path(
        "units/<slug:slug>/edit/kpis/<int:kpi_id>/archive/",
        kpi_views.kpi_archive,
        name="kpi_archive",
    ),
    path(
        "units/<slug:slug>/edit/kpis/<int:kpi_id>/delete/",
        kpi_views.kpi_delete,
        name="kpi_delete",
    ),
    path("units/<slug:slug>/edit/kpis/<int:kpi_id>/move/", kpi_views.kpi_move, name="kpi_move"),
    path(
        "units/<slug:slug>/edit/kpis/<int:kpi_id>/cascade/",
        kpi_views.kpi_cascade,
        name="kpi_cascade",
    ),
    path(
        "units/<slug:slug>/edit/history/<str:kind>/<int:item_id>/",
        reading.history,
        name="item_history",
    ),
    path("units/<slug:slug>/edit/targets/", targets.targets, name="targets"),
    path(
        "units/<slug:slug>/edit/targets/roll-forward/",
        targets.roll_forward,
        name="roll_forward",
    ),
    path("units/<slug:slug>/health/", reading.health, name="health"),
    path("units/<slug:slug>/line-of-sight/", reading.line_of_sight, name="line_of_sight"),
]
