"""Pages of the dashboards. They keep the URL names of the apps they came from, so each list
is composed into its namespace by the root URLconf (`scorecard/urls.py`)."""

from django.urls import path

from dashboards import dashboard, kpi_detail, quarterly_pack, review_pack

# The executive dashboard and the quarterly pack (namespace "dashboard").
dashboard_patterns = [
    path("dashboard/", dashboard.dashboard, name="home"),
    path("dashboard/branch/<slug:slug>/", dashboard.dashboard_branch, name="branch"),
    path("units/<slug:slug>/pack/", quarterly_pack.pack_page, name="pack"),
    path("units/<slug:slug>/pack.pdf", quarterly_pack.pack_pdf, name="pack_pdf"),
]
# The KPI detail page, the end of the dashboard's drill-down (namespace "kpis").
kpi_detail_patterns = [
    path("units/<slug:slug>/kpis/<int:kpi_id>/", kpi_detail.kpi_detail, name="kpi_detail"),
]
# A closed review's pack (namespace "reviews").
review_pack_patterns = [
    path("reviews/<int:pk>/pack/", review_pack.review_pack, name="review_pack"),
    path("reviews/<int:pk>/pack.pdf", review_pack.review_pack_pdf, name="review_pack_pdf"),
]
