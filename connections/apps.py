from django.apps import AppConfig


class ConnectionsConfig(AppConfig):
    name = "connections"
    verbose_name = "Data connections"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from connections import selectors
        from kpis import feeds

        # The KPI layer asks which import feeds a KPI before every hand-made write.
        feeds.register_feed_lookup(selectors.feed_of_kpi)
        # Reminders ask nobody for a fed KPI's actual: its import brings it.
        feeds.register_fed_ids(selectors.fed_kpi_ids)
        # My updates and the grid name the import next to a fed KPI.
        feeds.register_feed_name(selectors.feed_name_of_kpi)
        # History pages, the explanation and the API say which import and run brought a value.
        feeds.register_provenance_lookup(selectors.provenance_of)
