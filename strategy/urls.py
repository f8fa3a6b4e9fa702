from django.urls import path

from strategy import views

app_name = "strategy"
urlpatterns = [
    path("units/<slug:slug>/map/", views.strategy_map, name="map"),
    path("units/<slug:slug>/map/links/", views.link_add, name="link_add"),
    path(
        "units/<slug:slug>/map/links/<int:link_id>/remove/", views.link_remove, name="link_remove"
    ),
    path("units/<slug:slug>/map.svg", views.map_export, name="map_export"),
]
