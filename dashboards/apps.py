from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    """The pages that read every layer (the executive dashboard, the KPI detail page and the
    packs). It sits above `reviews`: it may import any app, and no app imports it."""

    name = "dashboards"
    verbose_name = "Dashboards"
    default_auto_field = "django.db.models.BigAutoField"
