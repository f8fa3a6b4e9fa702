"""Forms of the review, action and notification pages. Rules live in the services; a form
only reads the input and shows the services' messages on the right field."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from reviews import selectors
from reviews.models import ActionItem, Initiative, Notification, Review
from reviews.services.workflow import MEETING_FIELDS
from scorecard.ids import BIGGEST_ID
from scorecard.models import OrgUnit, Period
from scorecard.rules import managed_q, visible_q
from scorecard.selectors import people_who_may_own, period_lookup, visible_people
from scorecard.text import coded, person_name
from strategy.models import Objective


def people_who_see(unit: OrgUnit):
    """The people who may own the unit's actions and initiatives or sit in its reviews: the
    one rule for who may own its items (`people_who_may_own`), by full name."""
    return people_who_may_own(unit).order_by("first_name", "last_name", "username")


def show_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's messages on the form's fields (on the form when no field matches)."""
    for field, messages in error.message_dict.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


class PersonChoiceField(forms.ModelChoiceField):
    """A select of people by full name; an id outside the offered people is refused on the
    field, like an unknown one."""

    def label_from_instance(self, obj) -> str:
        return person_name(obj)


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return person_name(obj)


class CodedChoiceField(forms.ModelMultipleChoiceField):
    """Objectives by their code and title ("1.2 Grow revenue"), as the scorecard lists them."""

    def label_from_instance(self, obj) -> str:
        return coded(obj)


class ReviewMeetingForm(forms.Form):
    meeting_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    participants = PeopleChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    summary = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
    decisions = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
    # A list of checkboxes sends nothing when every box is clear, exactly as a post that
    # never showed it: this marker says the list was on the page.
    participants_listed = forms.BooleanField(required=False, initial=True, widget=forms.HiddenInput)

    def __init__(self, *args, unit: OrgUnit, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["participants"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = people_who_see(unit)

    def posted_changes(self) -> dict:
        """The fields the post carried, for `review_update`: an autosave of one field (or a
        script posting only the summary) leaves the others as they are."""
        changes = {
            name: value
            for name, value in self.cleaned_data.items()
            if name in self.data and name in MEETING_FIELDS
        }
        if self.cleaned_data.get("participants_listed"):
            changes.setdefault("participants", self.cleaned_data["participants"])
        return changes


class ReviewPlanForm(forms.Form):
    unit = forms.ModelChoiceField(
        queryset=OrgUnit.objects.none(), label="Scorecard of", empty_label="Choose a scorecard"
    )
    period = forms.ChoiceField(
        label="Quarter",
        help_text="An annual review is held on the year's fourth quarter (Q4).",
    )
    kind = forms.ChoiceField(choices=Review.Kind.choices, initial=Review.Kind.QUARTERLY)
    meeting_date = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Meeting date"
    )
    # No empty choice: the page always names someone (the planner first); a post without
    # the field (a script's) plans the review with its sender as the facilitator.
    facilitator = PersonChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=None,
        help_text="Someone who may read the scorecard: you, unless you choose another.",
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The people this person may name anywhere; the service refuses one who cannot read
        # the chosen scorecard, beside this field.
        facilitator = self.fields["facilitator"]
        assert isinstance(facilitator, forms.ModelChoiceField)
        facilitator.queryset = visible_people(user).order_by("first_name", "last_name", "username")
        facilitator.initial = user.pk
        # Read once: a select with no empty choice reads its first choice to decide on
        # `required`, which would be a second query. Validation still reads the queryset.
        facilitator.choices = [(p.pk, person_name(p)) for p in facilitator.queryset]
        unit = self.fields["unit"]
        assert isinstance(unit, forms.ModelChoiceField)
        unit.queryset = OrgUnit.objects.filter(managed_q(user, "path"), scorecard__isnull=False)
        last_ended, periods = selectors.review_periods()
        period = self.fields["period"]
        assert isinstance(period, forms.ChoiceField)
        period.choices = [(choice.key, choice.label) for choice in periods]
        period.initial = last_ended.key

    def clean_period(self) -> Period:
        """The stored period (or its stand-in) of the key chosen: a key the select does not
        offer is refused before, on the field, by the choice."""
        try:
            return period_lookup(self.cleaned_data["period"])
        except ValidationError as error:
            raise ValidationError(error.message_dict["period"]) from None


class ReopenForm(forms.Form):
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class FindingCommentForm(forms.Form):
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


def subject_id_field() -> forms.IntegerField:
    return forms.IntegerField(required=False, min_value=1, max_value=BIGGEST_ID)


class ActionSubjectsForm(forms.Form):
    """What `/actions/new/?kpi=12&finding=4&unit=north-sales` names, typed before anything is
    looked up: text where an id goes, a fraction or a NUL is refused here, not by the
    database."""

    kpi = subject_id_field()
    objective = subject_id_field()
    finding = subject_id_field()
    initiative = subject_id_field()
    unit = forms.SlugField(required=False, max_length=100)


class ActionItemForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    owner = PersonChoiceField(
        queryset=get_user_model().objects.none(), required=False, empty_label="Choose someone"
    )
    due_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, unit: OrgUnit, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = people_who_see(unit)


class ActionUpdateForm(ActionItemForm):
    status = forms.ChoiceField(choices=ActionItem.Status.choices)


class ProgressNoteForm(forms.Form):
    text = forms.CharField(label="Progress note", widget=forms.Textarea(attrs={"rows": 2}))


class ActionFilterForm(forms.Form):
    STATUS_CHOICES = [
        ("open", "Open and in progress"),
        ("", "Any status"),
        *list(ActionItem.Status.choices),
    ]
    status = forms.ChoiceField(choices=STATUS_CHOICES, required=False, initial="open")
    unit = forms.ModelChoiceField(
        queryset=OrgUnit.objects.none(), required=False, empty_label="Every unit"
    )
    mine = forms.BooleanField(required=False, label="Only mine")
    overdue = forms.BooleanField(required=False, label="Only overdue")

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = OrgUnit.objects.filter(visible_q(user, "path"))


class EmailPreferencesForm(forms.Form):
    email_kinds = forms.MultipleChoiceField(
        label="Send me e-mail for",
        choices=Notification.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class InitiativeForm(forms.Form):
    name = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    objectives = CodedChoiceField(
        queryset=Objective.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    owner = PersonChoiceField(
        queryset=get_user_model().objects.none(), required=False, empty_label="Nobody yet"
    )
    budget = forms.DecimalField(required=False, min_value=0, max_digits=14, decimal_places=2)
    start_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    status = forms.ChoiceField(choices=Initiative.Status.choices)
    percent_complete = forms.IntegerField(min_value=0, max_value=100, initial=0)

    def __init__(self, *args, scorecard, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        objectives = self.fields["objectives"]
        assert isinstance(objectives, forms.ModelMultipleChoiceField)
        objectives.queryset = scorecard.objectives.filter(archived_at__isnull=True)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = people_who_see(scorecard.org_unit)


class MilestoneForm(forms.Form):
    title = forms.CharField(max_length=200)
    due_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
