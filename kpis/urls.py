from django.urls import path

from kpis import detail, views
from kpis.editor import urls as editor_urls

app_name = "kpis"
urlpatterns = [
    path(
        "units/<slug:slug>/why/<str:subject_type>/<int:subject_id>/",
        views.score_explanation,
        name="explanation",
    ),
    # The KPI detail page (issue 8), the end of the dashboard's drill-down.
    path("units/<slug:slug>/kpis/<int:kpi_id>/", detail.kpi_detail, name="kpi_detail"),
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
]
# The scorecard editor's pages are `editor:<name>` (kpis/editor/urls.py). Its patterns are
# added here too, so the old names (`kpis:editor`, `kpis:targets`, ...) that people's scripts
# and bookmarks reverse stay as aliases of the same paths.
urlpatterns += editor_urls.urlpatterns
