from django.apps import AppConfig


class KpisConfig(AppConfig):
    name = "kpis"
    verbose_name = "KPIs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kpis.handlers import recompute_after_structure_change
        from scorecard.signals import structure_changed

        structure_changed.connect(
            recompute_after_structure_change, dispatch_uid="kpis.recompute_after_structure"
        )
