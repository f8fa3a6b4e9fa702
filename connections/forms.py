"""The forms of the connection settings page and the import pages."""

from typing import Any, cast

from django import forms

from connections.models import Connection, Import
from scorecard.models import OrgUnit
from scorecard.rules import managed_q
from scorecard.selectors import visible_people

SECRET_HELP = (
    "Write-only: the password put into an SQL URL, or the token sent to a web service. Leave "
    "blank to keep the stored secret."
)


class ConnectionForm(forms.ModelForm):
    secret = forms.CharField(
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=SECRET_HELP,
    )

    class Meta:
        model = Connection
        fields = ["name", "kind", "url", "options"]


class ImportForm(forms.ModelForm):
    mapping = forms.JSONField(
        help_text='e.g. {"kpi_code_column": "region", "date_column": "day", '
        '"value_column": "amount"}'
    )

    class Meta:
        model = Import
        fields = [
            "name",
            "connection",
            "org_unit",
            "owner",
            "query",
            "mapping",
            "schedule",
            "enabled",
        ]
        widgets = {"query": forms.Textarea(attrs={"rows": 4, "class": "code"})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Managers pick a connection by its name; its URL and secret stay with the admins.
        connection = cast(forms.ModelChoiceField, self.fields["connection"])
        connection.queryset = Connection.objects.order_by("name")
        unit = cast(forms.ModelChoiceField, self.fields["org_unit"])
        unit.queryset = OrgUnit.objects.filter(managed_q(user, "path"))
        # The owner is a person the manager may see, as in the API: anyone else's id is
        # answered like an unknown one (the service refuses an owner who manages nothing here).
        owner = cast(forms.ModelChoiceField, self.fields["owner"])
        owner.queryset = visible_people(user)
        self.fields["schedule"].help_text = (
            'A cron expression in the organization\'s time zone, e.g. "0 6 * * 1" (Mondays at '
            "06:00); blank runs only when asked."
        )
