"""Connections and imports in the Django admin: writes through the services; the secret is
write-only (a blank field keeps the stored one) and never shown."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from connections import services
from connections.models import Connection, Import, ImportRun
from scorecard.admin_support import ServiceAdmin, ServiceForm, ShownOnlyAdmin

SECRET_HELP = (
    "Write-only: the password substituted into an SQL URL, or the token sent to a web "
    "service. Leave blank to keep the stored secret."
)


class ConnectionAdminForm(ServiceForm):
    secret = forms.CharField(
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=SECRET_HELP,
    )

    class Meta:
        model = Connection
        fields = ["name", "kind", "url", "options"]


@admin.register(Connection)
class ConnectionAdmin(ServiceAdmin):
    form = ConnectionAdminForm
    list_display = ["name", "kind", "has_secret"]
    search_fields = ["name"]

    @admin.display(boolean=True, description="Secret stored")
    def has_secret(self, obj: Connection) -> bool:
        return obj.has_secret

    def create_with_service(self, request: HttpRequest, data: dict[str, Any]) -> Connection:
        return services.connection_create(**data)

    def update_with_service(
        self, request: HttpRequest, stored: Connection, data: dict[str, Any]
    ) -> Connection:
        secret = data.pop("secret", "") or None
        return services.connection_update(connection=stored, secret=secret, **data)

    def delete_with_service(self, request: HttpRequest, obj: Connection) -> None:
        obj.delete()


@admin.register(Import)
class ImportAdmin(ServiceAdmin):
    list_display = ["name", "connection", "org_unit", "owner", "schedule", "enabled"]
    list_select_related = ["connection", "org_unit", "owner"]
    exclude = ["next_run_at", "fed_kpis"]
    search_fields = ["name"]

    def create_with_service(self, request: HttpRequest, data: dict[str, Any]) -> Import:
        return services.import_create(**data)

    def update_with_service(
        self, request: HttpRequest, stored: Import, data: dict[str, Any]
    ) -> Import:
        return services.import_update(import_job=stored, **data)

    def delete_with_service(self, request: HttpRequest, obj: Import) -> None:
        obj.delete()


@admin.register(ImportRun)
class ImportRunAdmin(ShownOnlyAdmin):
    shown_only_because = "Runs are written by the imports themselves (Run now, or the schedule)."
    list_display = ["import_job", "status", "queued_at", "finished_at", "rows_read", "rows_changed"]
    list_select_related = ["import_job"]
