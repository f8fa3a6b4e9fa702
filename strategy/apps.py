from django.apps import AppConfig


class StrategyConfig(AppConfig):
    name = "strategy"
    verbose_name = "Strategy"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from scorecard.signals import unit_moving
        from strategy import handlers

        unit_moving.connect(
            handlers.refuse_moving_units_with_objectives, dispatch_uid="strategy.unit_moving"
        )
