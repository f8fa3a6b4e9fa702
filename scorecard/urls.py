from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from connections import api as connections_api
from dashboards import api as dashboard_api
from dashboards import urls as dashboards_urls
from kpis import urls as kpis_urls
from kpis.api import (
    ActualViewSet,
    KPIViewSet,
    ScoreViewSet,
    TargetViewSet,
    actuals_bulk,
    targets_bulk,
)
from kpis.linkage_api import scorecard_linkage_view
from reviews import api as review_api
from reviews import urls as reviews_urls
from reviews.health_api import scorecard_health_view
from scorecard import api as core_api
from scorecard.sign_in import SignInView
from strategy.api import LinkViewSet, ObjectiveViewSet

router = DefaultRouter()
router.register("org-units", core_api.OrgUnitViewSet, basename="org-unit")
router.register("memberships", core_api.MembershipViewSet, basename="membership")
router.register("perspectives", core_api.PerspectiveViewSet, basename="perspective")
router.register("scorecards", core_api.ScorecardViewSet, basename="scorecard")
router.register("users", core_api.PersonViewSet, basename="user")
router.register("objectives", ObjectiveViewSet, basename="objective")
router.register("kpis", KPIViewSet, basename="kpi")
router.register("links", LinkViewSet, basename="link")
router.register("scores", ScoreViewSet, basename="score")
router.register("reviews", review_api.ReviewViewSet, basename="review")
router.register("findings", review_api.FindingViewSet, basename="finding")
router.register("initiatives", review_api.InitiativeViewSet, basename="initiative")
router.register("actions", review_api.ActionItemViewSet, basename="action")
router.register("notifications", review_api.NotificationViewSet, basename="notification")
router.register("actuals", ActualViewSet, basename="actual")
router.register("targets", TargetViewSet, basename="target")
router.register("connections", connections_api.ConnectionViewSet, basename="connection")
router.register("imports", connections_api.ImportViewSet, basename="import")

urlpatterns = [
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # A person invited through /api/users/ sets their password here (the mailed link).
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("admin/", admin.site.urls),
    path("api/me/", core_api.me, name="api-me"),
    path("api/settings/", core_api.OrganizationSettingsView.as_view(), name="api-settings"),
    path("api/targets/bulk/", targets_bulk, name="api-targets-bulk"),
    path("api/actuals/bulk/", actuals_bulk, name="api-actuals-bulk"),
    path("api/scorecards/<int:pk>/health/", scorecard_health_view, name="api-scorecard-health"),
    path("api/scorecards/<int:pk>/linkage/", scorecard_linkage_view, name="api-scorecard-linkage"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/dashboard/", dashboard_api.dashboard, name="api-dashboard"),
    path("api/", include(router.urls)),
    path("", include("scorecard.pages")),
    path("", include("kpis.editor.urls")),
    # The dashboards app holds pages named in the "kpis" and "reviews" namespaces (the KPI
    # detail page, the review pack), and Django does not merge two includes of one namespace:
    # so those namespaces are composed here, the one module allowed to import every app.
    path("", include((kpis_urls.urlpatterns + dashboards_urls.kpi_detail_patterns, "kpis"))),
    path("", include("strategy.urls")),
    path("", include("connections.urls")),
    path(
        "",
        include((reviews_urls.urlpatterns + dashboards_urls.review_pack_patterns, "reviews")),
    ),
    path("", include((dashboards_urls.dashboard_patterns, "dashboard"))),
]
