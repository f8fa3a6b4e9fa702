from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Reviews"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kpis.signals import actual_needs_comment, kpi_status_changed
        from reviews import handlers

        kpi_status_changed.connect(handlers.kpi_turned_red, dispatch_uid="reviews.kpi_turned_red")
        actual_needs_comment.connect(
            handlers.ask_owner_for_comment, dispatch_uid="reviews.ask_owner_for_comment"
        )
