from django.urls import path

from scorecard import views

app_name = "scorecard"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("perspectives.css", views.perspective_css, name="perspective_css"),
    path("units/<slug:slug>/", views.scorecard_detail, name="scorecard"),
    # The top bar's Scorecards, Strategy maps and Initiatives: the units one may see, each
    # linking to its own page of that kind (the per-unit URLs stay as they were).
    path("scorecards/", views.unit_index, {"section": "scorecards"}, name="scorecards"),
    path("maps/", views.unit_index, {"section": "maps"}, name="maps"),
    path("initiatives/", views.unit_index, {"section": "initiatives"}, name="initiative_index"),
]
