from django.urls import path

from kpis import views

app_name = "kpis"
urlpatterns = [
    path(
        "units/<slug:slug>/why/<str:subject_type>/<int:subject_id>/",
        views.score_explanation,
        name="explanation",
    ),
]
