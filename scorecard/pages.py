from django.urls import path

from scorecard import views

app_name = "scorecard"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("perspectives.css", views.perspective_css, name="perspective_css"),
    path("units/<slug:slug>/", views.scorecard_detail, name="scorecard"),
]
