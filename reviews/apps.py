from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Reviews"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kpis.signals import kpi_status_changed
        from reviews import handlers

        kpi_status_changed.connect(handlers.kpi_turned_red, dispatch_uid="reviews.kpi_turned_red")
