from django.urls import path

from kpis import editor, editor_reading, editor_targets, views

# The namespace ("kpis") is given where scorecard/urls.py includes these patterns.
urlpatterns = [
    path(
        "units/<slug:slug>/why/<str:subject_type>/<int:subject_id>/",
        views.score_explanation,
        name="explanation",
    ),
    path("my-updates/", views.my_updates, name="my_updates"),
    path("my-updates/grid/", views.updates_grid, name="grid"),
    path("my-updates/import/", views.actuals_import, name="import"),
    path("my-updates/import/confirm/", views.actuals_import_confirm, name="import_confirm"),
    path("my-updates/import/<int:job_id>/", views.import_job, name="import_job"),
    path(
        "my-updates/import/<int:job_id>/confirm/",
        views.import_job_confirm,
        name="import_job_confirm",
    ),
    path("my-updates/<int:kpi_id>/", views.actual_row, name="actual_row"),
    path("my-updates/<int:kpi_id>/save/", views.actual_save, name="actual_save"),
    path("my-updates/<int:kpi_id>/freshness/", views.actual_freshness, name="freshness"),
    path("my-updates/<int:kpi_id>/history/", views.actual_history, name="actual_history"),
    path("units/<slug:slug>/actuals-template/", views.actuals_template, name="template"),
    path("units/<slug:slug>/export/", views.scorecard_export, name="export"),
    # The scorecard editor (issue 6).
    path("units/<slug:slug>/edit/", editor.editor, name="editor"),
    path("units/<slug:slug>/edit/undo/", editor.undo, name="editor_undo"),
    path("units/<slug:slug>/edit/objectives/", editor.objective_add, name="objective_add"),
    path(
        "units/<slug:slug>/edit/objectives/<int:objective_id>/",
        editor.objective_edit,
        name="objective_edit",
    ),
    path(
        "units/<slug:slug>/edit/objectives/<int:objective_id>/archive/",
        editor.objective_archive,
        name="objective_archive",
    ),
    path(
        "units/<slug:slug>/edit/objectives/<int:objective_id>/delete/",
        editor.objective_delete,
        name="objective_delete",
    ),
    path(
        "units/<slug:slug>/edit/objectives/<int:objective_id>/move/",
        editor.objective_move,
        name="objective_move",
    ),
    path(
        "units/<slug:slug>/edit/objectives/<int:objective_id>/cascade/",
        editor.objective_cascade,
        name="objective_cascade",
    ),
    path(
        "units/<slug:slug>/edit/objectives/<int:objective_id>/kpis/",
        editor.kpi_add,
        name="kpi_add",
    ),
    path("units/<slug:slug>/edit/kpis/<int:kpi_id>/", editor.kpi_edit, name="kpi_edit"),
    path(
        "units/<slug:slug>/edit/kpis/<int:kpi_id>/archive/",
        editor.kpi_archive,
        name="kpi_archive",
    ),
    path("units/<slug:slug>/edit/kpis/<int:kpi_id>/delete/", editor.kpi_delete, name="kpi_delete"),
    path("units/<slug:slug>/edit/kpis/<int:kpi_id>/move/", editor.kpi_move, name="kpi_move"),
    path(
        "units/<slug:slug>/edit/kpis/<int:kpi_id>/cascade/",
        editor.kpi_cascade,
        name="kpi_cascade",
    ),
    path(
        "units/<slug:slug>/edit/history/<str:kind>/<int:item_id>/",
        editor_reading.history,
        name="item_history",
    ),
    path("units/<slug:slug>/edit/targets/", editor_targets.targets, name="targets"),
    path(
        "units/<slug:slug>/edit/targets/roll-forward/",
        editor_targets.roll_forward,
        name="roll_forward",
    ),
    path("units/<slug:slug>/health/", editor_reading.health, name="health"),
    path("units/<slug:slug>/line-of-sight/", editor_reading.line_of_sight, name="line_of_sight"),
]
