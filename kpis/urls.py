from django.urls import path

from kpis.editor import urls as editor_urls
from kpis.views import explanation, grid, my_updates, spreadsheets

# The namespace ("kpis") is given where scorecard/urls.py includes these patterns.
urlpatterns = [
    path(
        "units/<slug:slug>/why/<str:subject_type>/<int:subject_id>/",
        explanation.score_explanation,
        name="explanation",
    ),
    path("my-updates/", my_updates.my_updates, name="my_updates"),
    path("my-updates/grid/", grid.updates_grid, name="grid"),
    path("my-updates/import/", spreadsheets.actuals_import, name="import"),
    path("my-updates/import/confirm/", spreadsheets.actuals_import_confirm, name="import_confirm"),
    path("my-updates/import/<int:job_id>/", spreadsheets.import_job, name="import_job"),
    path(
        "my-updates/import/<int:job_id>/confirm/",
        spreadsheets.import_job_confirm,
        name="import_job_confirm",
    ),
    path("my-updates/<int:kpi_id>/", my_updates.actual_row, name="actual_row"),
    path("my-updates/<int:kpi_id>/save/", my_updates.actual_save, name="actual_save"),
    path("my-updates/<int:kpi_id>/freshness/", my_updates.actual_freshness, name="freshness"),
    path("my-updates/<int:kpi_id>/history/", my_updates.actual_history, name="actual_history"),
    path("units/<slug:slug>/actuals-template/", spreadsheets.actuals_template, name="template"),
    path("units/<slug:slug>/export/", spreadsheets.scorecard_export, name="export"),
]
# The scorecard editor's pages are `editor:<name>` (kpis/editor/urls.py). Its patterns are
# added here too, so the old names (`kpis:editor`, `kpis:targets`, ...) that people's scripts
# and bookmarks reverse stay as aliases of the same paths.
urlpatterns += editor_urls.urlpatterns
