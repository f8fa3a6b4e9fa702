from django.apps import AppConfig


class ScorecardConfig(AppConfig):
    name = "scorecard"
    verbose_name = "Scorecard"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # `sign_in` connects the counter of failed sign-ins per name (the admin's sign-in
        # page too); `lookups` registers `__any` (one array parameter) on every field.
        from scorecard import lookups, sign_in  # noqa: F401
