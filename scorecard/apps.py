from django.apps import AppConfig


class ScorecardConfig(AppConfig):
    name = "scorecard"
    verbose_name = "Scorecard"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Connects the counter of failed sign-ins per name (the admin's sign-in page too).
        from scorecard import sign_in  # noqa: F401
