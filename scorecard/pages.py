from django.urls import path

from scorecard import administration, views

app_name = "scorecard"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("perspectives.css", views.perspective_css, name="perspective_css"),
    path("units/<slug:slug>/", views.scorecard_detail, name="scorecard"),
    # The unit picker (issue 18): outside /units/, where any word could be a unit's slug.
    path("find-unit/", views.unit_picker, name="unit_picker"),
    # The settings pages (administrators): scorecard.administration.
    path("settings/", administration.settings_index, name="settings"),
    path("settings/units/", administration.unit_list, name="settings_units"),
    path("settings/units/<slug:slug>/", administration.unit_settings, name="settings_unit"),
    path(
        "settings/roles/<int:pk>/revoke/",
        administration.membership_revoke,
        name="membership_revoke",
    ),
    path("settings/people/", administration.people_list, name="settings_people"),
    path("settings/people/<int:pk>/", administration.person_roles, name="person_roles"),
    path("settings/perspectives/", administration.perspective_list, name="perspective_list"),
    path(
        "settings/perspectives/<int:pk>/",
        administration.perspective_settings,
        name="perspective_settings",
    ),
    path(
        "settings/perspectives/<int:pk>/archive/",
        administration.perspective_archive,
        name="perspective_archive",
    ),
    path(
        "settings/perspectives/<int:pk>/move/",
        administration.perspective_move,
        name="perspective_move",
    ),
    path(
        "settings/organization/",
        administration.organization_settings,
        name="organization_settings",
    ),
    # The top bar's Scorecards, Strategy maps and Initiatives: the units one may see, each
    # linking to its own page of that kind (the per-unit URLs stay as they were).
    path("scorecards/", views.unit_index, {"section": "scorecards"}, name="scorecards"),
    path("maps/", views.unit_index, {"section": "maps"}, name="maps"),
    path("initiatives/", views.unit_index, {"section": "initiatives"}, name="initiative_index"),
]
