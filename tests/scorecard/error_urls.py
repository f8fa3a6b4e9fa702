"""The project's URLs plus a page that fails, for the 500 page's test."""

from django.urls import path

from scorecard.urls import urlpatterns as project_urlpatterns


def boom(request):
    raise RuntimeError("a bug in a view")


urlpatterns = [*project_urlpatterns, path("boom/", boom)]
