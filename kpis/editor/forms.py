"""Forms of the scorecard editor. They validate what a person typed; the services decide
the rules and save."""

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from kpis.editor import selectors
from kpis.models import KPI
from kpis.selectors import visible_kpis
from scorecard.models import OrgUnit, Perspective, Scorecard
from scorecard.selectors import visible_people, visible_units
from strategy.models import Objective
from strategy.services import TITLE_REQUIRED

KPI_NAME_REQUIRED = "Give the KPI a name."
WEIGHT_NOT_A_NUMBER = "Enter the weight as a number, like 1 or 2.5."
CHOOSE_A_UNIT = "Choose at least one child unit."
BASELINE_NOT_A_NUMBER = "Enter the baseline as a number, like 120 or 47.5, or leave it empty."
DECIMALS_NOT_A_NUMBER = "Enter the decimals as a whole number from 0 to 6."
GROWTH_NOT_A_NUMBER = "Enter the growth as a number of percent, like 5 or -2.5."

OBJECTIVE_FIELDS = [
    "perspective",
    "code",
    "title",
    "description",
    "owner",
    "owning_team",
    "weight",
]
KPI_FIELDS = [
    "code",
    "name",
    "description",
    "data_source",
    "unit",
    "decimals",
    "baseline",
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
    "formula",
    "missing_values",
    "target_type",
    "levels",
    "frequency",
    "time_aggregation",
]
LEVEL_SEPARATOR = "|"


class LevelsField(forms.CharField):
    """An ordinal KPI's levels as a person types them, worst first: `BBB | A | AA | AAA`.
    The model checks them (at least two, unique, none blank)."""

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return []
        return [name.strip() for name in text.split(LEVEL_SEPARATOR)]

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return f" {LEVEL_SEPARATOR} ".join(value)
        return value


def active_people() -> Any:
    return get_user_model().objects.filter(is_active=True)


def unit_choices(form: forms.BaseForm, **querysets: Any) -> None:
    """Limit each named choice field to `querysets[name]`: an id outside it, whether it
    exists elsewhere or not at all, gets Django's one "Select a valid choice", which names
    nothing it found (issue 14)."""
    for name, queryset in querysets.items():
        field = form.fields[name]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = queryset


class ObjectiveForm(forms.ModelForm):
    """The owner is a person the editing manager may see (`visible_people`, as in the API;
    the service refuses one who may not own the unit's items, by name) and the owning team
    a unit of the subtree. Any other id is answered like an unknown one."""

    owner = forms.ModelChoiceField(queryset=active_people().none(), required=False)
    owning_team = forms.ModelChoiceField(queryset=OrgUnit.objects.none(), required=False)
    perspective = forms.ModelChoiceField(queryset=Perspective.objects.all())

    class Meta:
        model = Objective
        fields = OBJECTIVE_FIELDS
        error_messages = {
            "title": {"required": TITLE_REQUIRED},
            "weight": {"invalid": WEIGHT_NOT_A_NUMBER},
        }

    def __init__(self, *args: Any, scorecard: Scorecard, user: Any, **kwargs: Any) -> None:
        kwargs.setdefault("instance", Objective(scorecard=scorecard))
        super().__init__(*args, **kwargs)
        self.fields["weight"].required = False
        unit_choices(
            self,
            owner=visible_people(user),
            owning_team=selectors.subtree_units(scorecard.org_unit),
        )

    def clean_weight(self) -> Decimal:
        weight = self.cleaned_data.get("weight")
        return Decimal("1") if weight is None else weight


class KPIForm(forms.ModelForm):
    """Like ObjectiveForm; and a KPI rolls up to a KPI the editing person may read
    (`visible_kpis`, the API's rule; the model refuses one that is no roll-up above it, by
    name) or keeps the parent it has, which a manager below it may not read."""

    owner = forms.ModelChoiceField(queryset=active_people().none(), required=False)
    owning_team = forms.ModelChoiceField(queryset=OrgUnit.objects.none(), required=False)
    rolls_up_to = forms.ModelChoiceField(queryset=KPI.objects.none(), required=False)
    levels = LevelsField(required=False, help_text="Worst first, separated by |: BBB | A | AA")

    class Meta:
        model = KPI
        fields = KPI_FIELDS
        error_messages = {
            "name": {"required": KPI_NAME_REQUIRED},
            "weight": {"invalid": WEIGHT_NOT_A_NUMBER},
            "baseline": {"invalid": BASELINE_NOT_A_NUMBER},
            "decimals": {"invalid": DECIMALS_NOT_A_NUMBER},
        }

    def __init__(self, *args: Any, objective: Objective, user: Any, **kwargs: Any) -> None:
        kwargs.setdefault("instance", KPI(objective=objective))
        super().__init__(*args, **kwargs)
        for name in (
            "weight",
            "tolerance_pct",
            "decimals",
            "direction",
            "indicator_type",
            "missing_values",
            "target_type",
            "frequency",
            "time_aggregation",
        ):
            self.fields[name].required = False
        self.fields["source"].required = False
        # The stored parent, read before the form's clean changes the instance.
        kept = self.instance.rolls_up_to_id if self.instance.pk else None
        parents = visible_kpis(user)
        if kept:
            parents = parents | KPI.objects.filter(pk=kept)
        unit_choices(
            self,
            owner=visible_people(user),
            owning_team=selectors.subtree_units(objective.scorecard.org_unit),
            rolls_up_to=parents,
        )

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
            "missing_values": KPI.MissingValues.BLANK,
        }
        for name, default in defaults.items():
            if data.get(name) in (None, "") and name not in self.errors:
                data[name] = default
        if not data.get("target_type") and "target_type" not in self.errors:
            # Not chosen: the stored one (a new KPI's follows its direction in the service).
            data["target_type"] = self.instance.target_type
        if not data.get("frequency") and "frequency" not in self.errors:
            data["frequency"] = self.instance.frequency
        if not data.get("time_aggregation") and "time_aggregation" not in self.errors:
            data["time_aggregation"] = self._default_aggregation(data["target_type"])
        if data.get("source") in (KPI.Source.MANUAL, KPI.Source.FORMULA):
            data["rollup_method"] = None
            data["missing_children"] = None
        if data.get("source") != KPI.Source.FORMULA:
            # The formula box is hidden for other sources: what it held is not kept.
            data["formula"] = ""
        return data

    def _default_aggregation(self, target_type: str) -> str:
        """Not chosen: the stored one, unless a milestone or a level cannot combine its
        periods by it (then the last one, as the service does for a new KPI)."""
        kept = self.instance.time_aggregation
        if target_type in (KPI.TargetType.MILESTONE, KPI.TargetType.ORDINAL) and kept not in (
            KPI.TimeAggregation.LAST,
            KPI.TimeAggregation.MIN,
            KPI.TimeAggregation.MAX,
        ):
            return KPI.TimeAggregation.LAST
        return kept


class ChildIdField(forms.ModelChoiceField):
    """The id chosen for one child unit (`owner_<unit id>`, `objective_<unit id>`)."""


class ObjectiveCascadeForm(forms.Form):
    """Child units to cascade to, and an owner for each (fields `owner_<unit id>`).

    A unit or an owner the person may not see and an objective of another scorecard are
    answered like unknown ids, by field, naming nothing. A unit they see that is no child,
    or an owner they see who may not own there, is the service's to refuse, by name."""

    org_units = forms.ModelMultipleChoiceField(
        queryset=OrgUnit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": CHOOSE_A_UNIT},
    )

    def __init__(self, *args: Any, children: list[OrgUnit], user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.children = children
        unit_choices(self, org_units=visible_units(user))
        for unit in children:
            self.fields[f"owner_{unit.pk}"] = ChildIdField(
                queryset=visible_people(user), required=False
            )

    def per_unit(self, prefix: str) -> dict[int, Any]:
        """{unit id: what field `<prefix>_<unit id>` chose} for the chosen units."""
        chosen = self.cleaned_data["org_units"]
        return {
            unit.pk: self.cleaned_data.get(f"{prefix}_{unit.pk}")
            for unit in chosen
            if self.cleaned_data.get(f"{prefix}_{unit.pk}") is not None
        }

    def owners(self) -> dict[int, Any]:
        return self.per_unit("owner")


class KPICascadeForm(ObjectiveCascadeForm):
    """Also a roll-up method, and the objective of each unit (fields `objective_<unit id>`),
    one of the active objectives of that unit's scorecard."""

    rollup_method = forms.ChoiceField(choices=KPI.RollupMethod.choices)

    def __init__(self, *args: Any, children: list[OrgUnit], user: Any, **kwargs: Any) -> None:
        super().__init__(*args, children=children, user=user, **kwargs)
        for unit in children:
            self.fields[f"objective_{unit.pk}"] = ChildIdField(
                queryset=Objective.objects.filter(
                    scorecard__org_unit=unit, archived_at__isnull=True
                ).select_related("scorecard"),
                required=False,
            )

    def objectives(self) -> dict[int, Objective]:
        return self.per_unit("objective")


class RollForwardForm(forms.Form):
    grow_pct = forms.DecimalField(
        required=False,
        max_digits=7,
        decimal_places=3,
        error_messages={"invalid": GROWTH_NOT_A_NUMBER},
    )
