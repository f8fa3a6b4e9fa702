"""Pages of the executive dashboard and the quarterly pack."""

from django.urls import path

from scorecard import dashboard, pack

app_name = "dashboard"
urlpatterns = [
    path("dashboard/", dashboard.dashboard, name="home"),
    path("units/<slug:slug>/pack/", pack.pack_page, name="pack"),
    path("units/<slug:slug>/pack.pdf", pack.pack_pdf, name="pack_pdf"),
]
