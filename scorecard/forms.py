"""The forms of the settings pages (administrators). They only read and type what was sent:
every rule a write obeys is the service's (scorecard.services) or the model's, and a refusal
comes back beside its field through `add_service_errors`."""

from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import MaxLengthValidator
from django.utils.dates import MONTHS

from scorecard.fields import note_max_length
from scorecard.models import (
    KIND_LENGTH,
    Membership,
    OrganizationSettings,
    OrgUnit,
    Perspective,
    kind_label,
)

UNIT_KINDS_AT_MOST = 100  # as the API's /api/settings/ accepts
SMALL_NUMBER = 32_767  # the PositiveSmallIntegerField columns of the settings
UNIT_KINDS_HELP = "One a line, as keys like focus-area; pages show them as “Focus area”."


def limit(field: forms.Field, most: int) -> None:
    """A length read from the settings when the form is built (a class attribute would fix
    it at import): checked here, and told to the browser."""
    field.validators.append(MaxLengthValidator(most))
    field.widget.attrs["maxlength"] = str(most)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        name = obj.get_full_name() or obj.username
        return name if obj.is_active else f"{name} (deactivated)"


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        # Indented by depth, so the select reads as the tree.
        return f"{'\u2003' * (obj.depth - 1)}{obj.name}"


def unit_kind_choices() -> list[tuple[str, str]]:
    return [(kind, kind_label(kind)) for kind in OrganizationSettings.unit_kinds_listed()]


class UnitNewForm(forms.Form):
    name = forms.CharField(max_length=OrgUnit._meta.get_field("name").max_length)
    kind = forms.ChoiceField()
    parent = UnitChoiceField(
        queryset=OrgUnit.objects.order_by("path"),
        required=False,
        empty_label="(none: the top unit)",
        help_text="The new unit goes last under its parent.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["kind"]).choices = unit_kind_choices()


class UnitNameForm(forms.Form):
    name = forms.CharField(max_length=OrgUnit._meta.get_field("name").max_length)
    kind = forms.ChoiceField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["kind"]).choices = unit_kind_choices()


class UnitParentForm(forms.Form):
    parent = UnitChoiceField(
        queryset=OrgUnit.objects.none(),
        label="New parent",
        help_text="The unit and every unit under it move, as the last child of the parent.",
    )

    def __init__(self, *args: Any, unit: OrgUnit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A unit cannot go under itself: its own subtree is not offered (the service refuses
        # it too, and whatever else a move may not do, beside this field).
        others = OrgUnit.objects.exclude(path__startswith=unit.path).order_by("path")
        cast(forms.ModelChoiceField, self.fields["parent"]).queryset = others


class UnitRoleForm(forms.Form):
    """A role on the unit of the page, for a person chosen here."""

    user = PersonChoiceField(
        queryset=get_user_model()
        .objects.filter(is_active=True)
        .order_by("last_name", "first_name", "username"),
        label="Person",
    )
    role = forms.ChoiceField(choices=Membership.Role.choices)


class PersonRoleForm(forms.Form):
    """A role for the person of the page, on a unit chosen here."""

    org_unit = UnitChoiceField(queryset=OrgUnit.objects.order_by("path"), label="Unit")
    role = forms.ChoiceField(choices=Membership.Role.choices)


class PersonInviteForm(forms.Form):
    name = forms.CharField(max_length=301, help_text="First and last name.")
    email = forms.EmailField(
        label="E-mail address", help_text="The link to set a password is mailed there."
    )


class PerspectiveForm(forms.Form):
    name = forms.CharField(max_length=Perspective._meta.get_field("name").max_length)
    color = forms.CharField(
        label="Colour",
        max_length=7,
        widget=forms.TextInput(attrs={"type": "color"}),
        initial=Perspective._meta.get_field("color").default,
    )
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit(self.fields["description"], note_max_length())


class OrganizationSettingsForm(forms.Form):
    fiscal_start_month = forms.TypedChoiceField(
        choices=sorted(MONTHS.items()),
        coerce=int,
        label="The fiscal year starts in",
        help_text="Fixed once quarters hold data.",
    )
    reminder_lead_days = forms.IntegerField(
        min_value=0, max_value=SMALL_NUMBER, label="Remind owners this many days before"
    )
    grace_days = forms.IntegerField(
        min_value=0, max_value=SMALL_NUMBER, label="Days of grace after a quarter ends"
    )
    red_needs_comment = forms.BooleanField(required=False, label="A red actual needs a comment")
    red_drafts_action = forms.BooleanField(
        required=False, label="A red actual drafts an action item"
    )
    extra_action_verbs = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Extra verbs accepted at the start of objective titles, one a line.",
    )
    unit_kinds = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), label="Unit kinds", help_text=UNIT_KINDS_HELP
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit(self.fields["extra_action_verbs"], note_max_length())
        # A list of at most a hundred kinds, each a key of at most KIND_LENGTH characters.
        limit(self.fields["unit_kinds"], UNIT_KINDS_AT_MOST * (KIND_LENGTH + 2))

    @classmethod
    def of(cls, stored: OrganizationSettings) -> "OrganizationSettingsForm":
        initial = {name: getattr(stored, name) for name in cls.base_fields}
        initial["unit_kinds"] = "\n".join(stored.unit_kinds)
        return cls(initial=initial)

    def clean_unit_kinds(self) -> list[str]:
        # Only split into lines: whether the kinds are keys, repeated or in use is the
        # model's rule (OrganizationSettings.clean), said beside this field.
        return [
            line.strip() for line in self.cleaned_data["unit_kinds"].splitlines() if line.strip()
        ]
