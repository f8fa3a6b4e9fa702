from django.apps import AppConfig


class ScorecardConfig(AppConfig):
    name = "scorecard"
    verbose_name = "Scorecard"
    default_auto_field = "django.db.models.BigAutoField"
