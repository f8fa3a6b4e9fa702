from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class KpisConfig(AppConfig):
    name = "kpis"
    verbose_name = "KPIs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kpis import handlers
        from scorecard.models import Perspective
        from scorecard.signals import period_opened, structure_changed

        structure_changed.connect(
            handlers.recompute_after_structure_change, dispatch_uid="kpis.structure_changed"
        )
        period_opened.connect(handlers.recompute_opened_period, dispatch_uid="kpis.period_opened")
        post_save.connect(
            handlers.recompute_after_perspective_added,
            sender=Perspective,
            dispatch_uid="kpis.perspective_saved",
        )
        post_delete.connect(
            handlers.recompute_after_perspective_removed,
            sender=Perspective,
            dispatch_uid="kpis.perspective_deleted",
        )
