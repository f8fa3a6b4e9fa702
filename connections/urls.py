from django.urls import path

from connections import views

app_name = "connections"

urlpatterns = [
    path("settings/connections/", views.connection_list, name="connection_list"),
    path("settings/connections/<int:pk>/", views.connection_edit, name="connection_edit"),
    path("imports/", views.import_list, name="import_list"),
    path("imports/new/", views.import_new, name="import_new"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/preview/", views.import_preview, name="import_preview"),
    path("imports/<int:pk>/run/", views.import_run, name="import_run"),
    path("imports/<int:pk>/runs/<int:run_id>/", views.run_detail, name="import_run_detail"),
    path("actuals/<int:actual_id>/sources/", views.actual_sources, name="actual_sources"),
]
