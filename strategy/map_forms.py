"""The strategy map's form: a new arrow between two boxes of the map."""

from django import forms

from strategy.models import Objective

SAME_BOXES = "Choose two different objectives: an objective cannot cause itself."


class LinkForm(forms.Form):
    source = forms.ModelChoiceField(queryset=Objective.objects.none(), label="From (cause)")
    target = forms.ModelChoiceField(queryset=Objective.objects.none(), label="To (effect)")
    note = forms.CharField(required=False, max_length=500, label="Why (optional)")

    def __init__(self, *args, objectives, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the boxes of this map can be chosen: an id from another scorecard is
        # answered like one that does not exist.
        for name in ("source", "target"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = objectives
            field.label_from_instance = lambda objective: objective.title  # type: ignore[method-assign,assignment]
