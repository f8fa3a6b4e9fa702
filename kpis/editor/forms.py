"""Forms of the scorecard editor. They validate what a person typed; the services decide
the rules and save."""

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from kpis.models import KPI
from scorecard.models import OrgUnit, Perspective, Scorecard
from strategy.models import Objective
from strategy.services import TITLE_REQUIRED

KPI_NAME_REQUIRED = "Give the KPI a name."
WEIGHT_NOT_A_NUMBER = "Enter the weight as a number, like 1 or 2.5."
CHOOSE_A_UNIT = "Choose at least one child unit."
GROWTH_NOT_A_NUMBER = "Enter the growth as a number of percent, like 5 or -2.5."

OBJECTIVE_FIELDS = ["perspective", "title", "description", "owner", "owning_team", "weight"]
KPI_FIELDS = [
    "name",
    "description",
    "unit",
    "decimals",
    "direction",
    "indicator_type",
    "owner",
    "owning_team",
    "weight",
    "tolerance_pct",
    "source",
    "rolls_up_to",
    "rollup_method",
    "missing_children",
]


def active_people() -> Any:
    return get_user_model().objects.filter(is_active=True)


class ObjectiveForm(forms.ModelForm):
    """Any active person may be chosen: the service refuses one who cannot see the unit
    with a message that says so (the page only offers those who can)."""

    owner = forms.ModelChoiceField(queryset=active_people(), required=False)
    owning_team = forms.ModelChoiceField(queryset=OrgUnit.objects.all(), required=False)
    perspective = forms.ModelChoiceField(queryset=Perspective.objects.all())

    class Meta:
        model = Objective
        fields = OBJECTIVE_FIELDS
        error_messages = {
            "title": {"required": TITLE_REQUIRED},
            "weight": {"invalid": WEIGHT_NOT_A_NUMBER},
        }

    def __init__(self, *args: Any, scorecard: Scorecard, **kwargs: Any) -> None:
        kwargs.setdefault("instance", Objective(scorecard=scorecard))
        super().__init__(*args, **kwargs)
        self.fields["weight"].required = False

    def clean_weight(self) -> Decimal:
        weight = self.cleaned_data.get("weight")
        return Decimal("1") if weight is None else weight


class KPIForm(forms.ModelForm):
    owner = forms.ModelChoiceField(queryset=active_people(), required=False)
    owning_team = forms.ModelChoiceField(queryset=OrgUnit.objects.all(), required=False)
    rolls_up_to = forms.ModelChoiceField(queryset=KPI.objects.all(), required=False)

    class Meta:
        model = KPI
        fields = KPI_FIELDS
        error_messages = {
            "name": {"required": KPI_NAME_REQUIRED},
            "weight": {"invalid": WEIGHT_NOT_A_NUMBER},
        }

    def __init__(self, *args: Any, objective: Objective, **kwargs: Any) -> None:
        kwargs.setdefault("instance", KPI(objective=objective))
        super().__init__(*args, **kwargs)
        for name in ("weight", "tolerance_pct", "decimals", "direction", "indicator_type"):
            self.fields[name].required = False
        self.fields["source"].required = False

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        defaults = {
            "weight": Decimal("1"),
            "tolerance_pct": Decimal("10"),
            "decimals": 1,
            "direction": KPI.Direction.UP,
            "indicator_type": KPI.IndicatorType.LAGGING,
            "source": KPI.Source.MANUAL,
        }
        for name, default in defaults.items():
            if data.get(name) in (None, "") and name not in self.errors:
                data[name] = default
        if data.get("source") == KPI.Source.MANUAL:
            data["rollup_method"] = None
            data["missing_children"] = None
        return data


class ObjectiveCascadeForm(forms.Form):
    """Child units to cascade to, and an owner for each (fields `owner_<unit id>`)."""

    # Any unit may be named: the service refuses one that is not a child, with a message.
    org_units = forms.ModelMultipleChoiceField(
        queryset=OrgUnit.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": CHOOSE_A_UNIT},
    )

    def __init__(self, *args: Any, children: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.children = children

    def ids_per_unit(self, prefix: str) -> dict[int, int]:
        """{unit id: the id chosen in field `<prefix>_<unit id>`} for the chosen units."""
        ids = {}
        for unit in self.cleaned_data["org_units"]:
            raw = str(self.data.get(f"{prefix}_{unit.pk}") or "")
            if raw.isascii() and raw.isdigit():
                ids[unit.pk] = int(raw)
        return ids

    def owners(self) -> dict[int, Any]:
        wanted = self.ids_per_unit("owner")
        people = active_people().in_bulk(list(wanted.values()))
        return {unit_id: people.get(user_id) for unit_id, user_id in wanted.items()}


class KPICascadeForm(ObjectiveCascadeForm):
    """Also a roll-up method, and the objective of each unit (fields `objective_<unit id>`)."""

    rollup_method = forms.ChoiceField(choices=KPI.RollupMethod.choices)

    def objectives(self) -> dict[int, Objective]:
        wanted = self.ids_per_unit("objective")
        found = Objective.objects.select_related("scorecard").in_bulk(list(wanted.values()))
        return {unit_id: found[pk] for unit_id, pk in wanted.items() if pk in found}


class RollForwardForm(forms.Form):
    grow_pct = forms.DecimalField(
        required=False,
        max_digits=7,
        decimal_places=3,
        error_messages={"invalid": GROWTH_NOT_A_NUMBER},
    )
