"""Every id that a page form, an API serializer or an API filter accepts, tried with an id of
something the person may not see (issue 14, "What to build" item 2).

The fields are found by introspection, not listed by hand: every `forms.BaseForm`,
`serializers.BaseSerializer` and `django_filters.FilterSet` subclass of the project's modules,
and in each every choice of model rows (`ModelChoiceField`, DRF's related fields,
`ModelChoiceFilter`). Each one found must be mapped below (the data connections' in
test_foreign_ids_connections), to a CASE that sends a foreign id through a real request or to
an EXCEPTION that says why no request can carry one, so a new field fails
`test_every_id_field_is_mapped` until someone tries it.

A case sends the field once with another division's object and once with an id nobody has
(99999999), as a person of the demo who may not see that object (Daniel, who manages Sales,
unless the case says otherwise), and asserts: the same answer (status and body, CSRF tokens
aside and the sent id written as ID), nothing of the foreign object in it (title, name,
headline, person's name), and no row changed.
"""

import hashlib
import importlib
import json
import pkgutil
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import django_filters
import pytest
from django import forms
from django.apps import apps
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from rest_framework import serializers
from rest_framework.test import APIClient

from connections.models import Connection
from demo.data_connection import CONNECTION_NAME
from kpis.models import KPI
from reviews import services as review_services
from reviews.models import ActionItem, Finding, Initiative, Review
from scorecard.models import OrgUnit, Period, Scorecard
from scorecard.selectors import last_ended_period
from strategy.models import Objective

UNKNOWN = 99_999_999
PROJECT_APPS = (
    "scorecard", "strategy", "kpis", "reviews", "dashboards", "demo", "connections",
)  # fmt: skip
SKIPPED_MODULES = (".migrations", ".management", ".settings", ".wsgi", ".asgi")


# Discovery --------------------------------------------------------------------------------


def project_modules() -> None:
    for app in PROJECT_APPS:
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, f"{app}."):
            if not any(part in module.name for part in SKIPPED_MODULES):
                importlib.import_module(module.name)


def subclasses_of(base: type) -> list[type]:
    found, todo = set(), [base]
    while todo:
        for child in todo.pop().__subclasses__():
            if child not in found:
                found.add(child)
                todo.append(child)
    return sorted(
        (cls for cls in found if cls.__module__.split(".")[0] in PROJECT_APPS),
        key=lambda cls: f"{cls.__module__}.{cls.__qualname__}",
    )


def key(cls: type, name: str) -> str:
    return f"{cls.__module__}.{cls.__qualname__}.{name}"


def form_id_fields() -> set[str]:
    return {
        key(cls, name)
        for cls in subclasses_of(forms.BaseForm)
        for name, form_field in cls.base_fields.items()
        if isinstance(form_field, forms.ModelChoiceField)
    }


def serializer_id_fields() -> set[str]:
    found = set()
    for cls in subclasses_of(serializers.BaseSerializer):
        if cls.__module__.startswith("rest_framework"):
            continue
        if issubclass(cls, serializers.ListSerializer):
            continue  # A list of its child: the child's fields are found on the child.
        for name, serializer_field in cls().fields.items():
            if isinstance(
                serializer_field, serializers.ManyRelatedField | serializers.RelatedField
            ):
                found.add(key(cls, name))
    return found


def filter_id_fields() -> set[str]:
    return {
        key(cls, name)
        for cls in subclasses_of(django_filters.FilterSet)
        for name, id_filter in cls.base_filters.items()
        if isinstance(
            id_filter, django_filters.ModelChoiceFilter | django_filters.ModelMultipleChoiceFilter
        )
    }


def discovered() -> set[str]:
    project_modules()
    return form_id_fields() | serializer_id_fields() | filter_id_fields()


# The demo, as the cases read it ---------------------------------------------------------


def person(username: str):
    return get_user_model().objects.get(username=username)


class World:
    """What the cases need from the demo, read when first asked (after the demo's restore)."""

    @cached_property
    def sales(self) -> OrgUnit:
        return OrgUnit.objects.get(slug="sales")

    @cached_property
    def field_sales(self) -> OrgUnit:
        return OrgUnit.objects.get(slug="field-sales")

    @cached_property
    def finance(self) -> OrgUnit:
        """Another division: Daniel may not see it."""
        return OrgUnit.objects.get(slug="finance")

    @cached_property
    def sales_scorecard(self) -> Scorecard:
        return self.sales.scorecard

    @cached_property
    def sales_kpi(self) -> KPI:
        return KPI.objects.get(objective__scorecard=self.sales_scorecard, name="Average deal size")

    @cached_property
    def sales_objective(self) -> Objective:
        return self.sales_kpi.objective

    @cached_property
    def sales_action(self) -> ActionItem:
        return ActionItem.objects.filter(scorecard=self.sales_scorecard).order_by("pk").first()

    @cached_property
    def sales_initiative(self) -> Initiative:
        return Initiative.objects.filter(scorecard=self.sales_scorecard).order_by("pk").first()

    @cached_property
    def sales_review(self) -> Review:
        return review_services.review_create(scorecard=self.sales_scorecard, period=self.period)

    @cached_property
    def period(self) -> Period:
        return Period.objects.get(pk=last_ended_period().pk)

    @cached_property
    def grace(self):
        """Manages Manufacturing, in Operations: nobody in Sales may see her."""
        return person("grace")

    @cached_property
    def finance_kpi(self) -> KPI:
        return KPI.objects.filter(objective__scorecard__org_unit=self.finance).first()

    @cached_property
    def finance_objective(self) -> Objective:
        return Objective.objects.filter(scorecard__org_unit=self.finance).first()

    @cached_property
    def group_revenue(self) -> KPI:
        """The enterprise's roll-up KPI of finding 5."""
        return KPI.objects.get(objective__scorecard__org_unit__depth=1, name="Revenue")

    @cached_property
    def sales_revenue(self) -> KPI:
        return KPI.objects.get(objective__scorecard=self.sales_scorecard, name="Revenue")

    @cached_property
    def foreign_review(self) -> Review:
        return Review.objects.exclude(scorecard__org_unit__path__startswith=self.sales.path).first()

    @cached_property
    def foreign_finding(self) -> Finding:
        return Finding.objects.filter(review=self.foreign_review).first()

    @cached_property
    def foreign_initiative(self) -> Initiative:
        return Initiative.objects.exclude(
            scorecard__org_unit__path__startswith=self.sales.path
        ).first()

    @cached_property
    def demo_connection(self) -> Connection:
        """The demo's one data connection (issue 16), which every manager may pick."""
        return Connection.objects.get(name=CONNECTION_NAME)


# Requests -------------------------------------------------------------------------------


def page_client(username: str) -> Client:
    client = Client()
    client.force_login(person(username))
    return client


def api_client(username: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(person(username))
    return client


def editor(name: str, w: World, *args: Any) -> str:
    return reverse(f"editor:{name}", args=["sales", *args])


def kpi_fields(kpi: KPI, **overrides: Any) -> dict:
    data = {
        "name": kpi.name, "description": kpi.description, "unit": kpi.unit,
        "decimals": kpi.decimals, "direction": kpi.direction,
        "indicator_type": kpi.indicator_type, "owner": kpi.owner_id or "",
        "owning_team": kpi.owning_team_id or "", "weight": kpi.weight,
        "tolerance_pct": kpi.tolerance_pct, "source": kpi.source,
        "rolls_up_to": kpi.rolls_up_to_id or "", "rollup_method": kpi.rollup_method or "",
        "missing_children": kpi.missing_children or "",
    }  # fmt: skip
    return data | overrides


def objective_fields(objective: Objective, **overrides: Any) -> dict:
    data = {
        "perspective": objective.perspective_id, "title": objective.title,
        "description": objective.description, "owner": objective.owner_id or "",
        "owning_team": objective.owning_team_id or "", "weight": objective.weight,
    }  # fmt: skip
    return data | overrides


def action_fields(**overrides: Any) -> dict:
    return {"title": "Recover the deal size", "description": "", "owner": "",
            "due_date": "2099-01-15"} | overrides  # fmt: skip


def initiative_fields(**overrides: Any) -> dict:
    return {"name": "Sales academy", "description": "", "status": "planned",
            "percent_complete": "0"} | overrides  # fmt: skip


def api_action(w: World, **overrides: Any) -> dict:
    return {"scorecard": w.sales_scorecard.pk, "title": "Recover the deal size",
            "owner": person("daniel").pk, "due_date": "2099-01-15"} | overrides  # fmt: skip


@dataclass
class Case:
    """How one field is sent: `send(w, id)` makes the request with `id` in the field, as
    `persona`; `foreign(w)` is the object the persona may not see."""

    send: Callable[[World, Any], Any]
    foreign: Callable[[World], Any]
    persona: str = "daniel"
    note: str = ""
    # An object the persona may use in the field: its answer must differ from the unknown
    # id's, or the request fails for another reason and the case proves nothing.
    own: Callable[[World], Any] | None = None


def post_page(url: Callable[[World], str], data: Callable[[World, Any], dict], persona="daniel"):
    return lambda w, pk, who=persona: page_client(who).post(url(w), data(w, pk))


def get_page(url: Callable[[World, Any], str], persona="daniel"):
    return lambda w, pk, who=persona: page_client(who).get(url(w, pk))


def api(
    method: str, url: Callable[[World], str], body: Callable[[World, Any], Any], persona="daniel"
):
    def send(w: World, pk: Any, who: str = persona):
        return getattr(api_client(who), method)(url(w), body(w, pk), format="json")

    return send


def api_get(url: Callable[[World, Any], str], persona="daniel"):
    return lambda w, pk, who=persona: api_client(who).get(url(w, pk))


FOREIGN_UNIT = lambda w: w.finance  # noqa: E731
FOREIGN_PERSON = lambda w: w.grace  # noqa: E731
FOREIGN_KPI = lambda w: w.finance_kpi  # noqa: E731
FOREIGN_OBJECTIVE = lambda w: w.finance_objective  # noqa: E731
FOREIGN_SCORECARD = lambda w: w.finance.scorecard  # noqa: E731

KPI_EDIT = lambda w: editor("kpi_edit", w, w.sales_kpi.pk)  # noqa: E731
OBJECTIVE_EDIT = lambda w: editor("objective_edit", w, w.sales_objective.pk)  # noqa: E731
KPI_CASCADE = lambda w: editor("kpi_cascade", w, w.sales_kpi.pk)  # noqa: E731
OBJECTIVE_CASCADE = lambda w: editor("objective_cascade", w, w.sales_objective.pk)  # noqa: E731
ACTION_NEW = lambda w: f"/actions/new/?kpi={w.sales_kpi.pk}"  # noqa: E731

F = "kpis.editor.forms."
R = "reviews.forms."
CASES: dict[str, Case] = {
    # Page forms.
    F + "KPIForm.owner": Case(
        post_page(KPI_EDIT, lambda w, pk: kpi_fields(w.sales_kpi, owner=pk)), FOREIGN_PERSON
    ),
    F + "KPIForm.owning_team": Case(
        post_page(KPI_EDIT, lambda w, pk: kpi_fields(w.sales_kpi, owning_team=pk)), FOREIGN_UNIT
    ),
    F + "KPIForm.rolls_up_to": Case(
        post_page(KPI_EDIT, lambda w, pk: kpi_fields(w.sales_kpi, rolls_up_to=pk)),
        lambda w: w.group_revenue,
        note="finding 5",
        own=lambda w: w.sales_revenue,
    ),
    F + "ObjectiveForm.owner": Case(
        post_page(OBJECTIVE_EDIT, lambda w, pk: objective_fields(w.sales_objective, owner=pk)),
        FOREIGN_PERSON,
    ),
    F + "ObjectiveForm.owning_team": Case(
        post_page(
            OBJECTIVE_EDIT, lambda w, pk: objective_fields(w.sales_objective, owning_team=pk)
        ),
        FOREIGN_UNIT,
        note="finding 7",
    ),
    F + "ObjectiveCascadeForm.org_units": Case(
        post_page(OBJECTIVE_CASCADE, lambda w, pk: {"org_units": [pk]}), FOREIGN_UNIT
    ),
    F + "ObjectiveCascadeForm.owner_<unit id>": Case(
        post_page(
            OBJECTIVE_CASCADE,
            lambda w, pk: {"org_units": [w.field_sales.pk], f"owner_{w.field_sales.pk}": pk},
        ),
        FOREIGN_PERSON,
    ),
    F + "KPICascadeForm.org_units": Case(
        post_page(KPI_CASCADE, lambda w, pk: {"org_units": [pk], "rollup_method": "sum"}),
        FOREIGN_UNIT,
    ),
    F + "KPICascadeForm.owner_<unit id>": Case(
        post_page(
            KPI_CASCADE,
            lambda w, pk: {
                "org_units": [w.field_sales.pk],
                "rollup_method": "sum",
                f"owner_{w.field_sales.pk}": pk,
            },
        ),
        FOREIGN_PERSON,
    ),
    F + "KPICascadeForm.objective_<unit id>": Case(
        post_page(
            KPI_CASCADE,
            lambda w, pk: {
                "org_units": [w.field_sales.pk],
                "rollup_method": "sum",
                f"objective_{w.field_sales.pk}": pk,
            },
        ),
        FOREIGN_OBJECTIVE,
        note="finding 7: the cascade's error named the foreign objective",
        own=lambda w: Objective.objects.filter(scorecard__org_unit=w.field_sales).first(),
    ),
    "strategy.map_forms.LinkForm.source": Case(
        post_page(
            lambda w: reverse("strategy:link_add", args=["sales"]),
            lambda w, pk: {"source": pk, "target": w.sales_objective.pk},
        ),
        FOREIGN_OBJECTIVE,
    ),
    "strategy.map_forms.LinkForm.target": Case(
        post_page(
            lambda w: reverse("strategy:link_add", args=["sales"]),
            lambda w, pk: {"source": w.sales_objective.pk, "target": pk},
        ),
        FOREIGN_OBJECTIVE,
    ),
    R + "ActionFilterForm.unit": Case(get_page(lambda w, pk: f"/actions/?unit={pk}"), FOREIGN_UNIT),
    R + "ActionItemForm.owner": Case(
        post_page(ACTION_NEW, lambda w, pk: action_fields(owner=pk)), FOREIGN_PERSON
    ),
    R + "ActionUpdateForm.owner": Case(
        post_page(
            lambda w: reverse("reviews:action", args=[w.sales_action.pk]),
            lambda w, pk: action_fields(owner=pk, status="open"),
        ),
        FOREIGN_PERSON,
    ),
    R + "InitiativeForm.objectives": Case(
        post_page(
            lambda w: reverse("reviews:initiatives", args=["sales"]),
            lambda w, pk: initiative_fields(objectives=[pk]),
        ),
        FOREIGN_OBJECTIVE,
    ),
    R + "InitiativeForm.owner": Case(
        post_page(
            lambda w: reverse("reviews:initiative", args=[w.sales_initiative.pk]),
            lambda w, pk: initiative_fields(owner=pk),
        ),
        FOREIGN_PERSON,
    ),
    R + "ReviewMeetingForm.participants": Case(
        post_page(
            lambda w: reverse("reviews:review", args=[w.sales_review.pk]),
            lambda w, pk: {"participants": [pk], "summary": "", "decisions": ""},
        ),
        FOREIGN_PERSON,
    ),
    R + "ReviewPlanForm.facilitator": Case(
        post_page(
            lambda w: reverse("reviews:review_plan"),
            lambda w, pk: {
                "unit": w.sales.pk,
                "period": w.period.key,
                "kind": "quarterly",
                "facilitator": pk,
            },
        ),
        FOREIGN_PERSON,
    ),
    R + "ReviewPlanForm.unit": Case(
        post_page(
            lambda w: reverse("reviews:review_plan"),
            lambda w, pk: {"unit": pk, "period": w.period.key, "kind": "quarterly"},
        ),
        FOREIGN_UNIT,
    ),
    # API serializers.
    "kpis.api.bulk.ActualRowSerializer.kpi": Case(
        api(
            "post",
            lambda w: "/api/actuals/bulk/",
            lambda w, pk: [{"kpi": pk, "period": w.period.key, "value": "1"}],
        ),
        FOREIGN_KPI,
    ),
    "kpis.api.bulk.TargetRowSerializer.kpi": Case(
        api(
            "post",
            lambda w: "/api/targets/bulk/",
            lambda w, pk: [{"kpi": pk, "period": w.period.key, "value": "1"}],
        ),
        FOREIGN_KPI,
    ),
    "kpis.api.kpis.KPISerializer.objective": Case(
        api("patch", lambda w: f"/api/kpis/{w.sales_kpi.pk}/", lambda w, pk: {"objective": pk}),
        FOREIGN_OBJECTIVE,
    ),
    "kpis.api.kpis.KPISerializer.owner": Case(
        api("patch", lambda w: f"/api/kpis/{w.sales_kpi.pk}/", lambda w, pk: {"owner": pk}),
        FOREIGN_PERSON,
    ),
    "kpis.api.kpis.KPISerializer.rolls_up_to": Case(
        api("patch", lambda w: f"/api/kpis/{w.sales_kpi.pk}/", lambda w, pk: {"rolls_up_to": pk}),
        lambda w: w.group_revenue,
        own=lambda w: w.sales_revenue,
    ),
    "kpis.api.kpis.KPICascadeSerializer.org_units": Case(
        api(
            "post",
            lambda w: f"/api/kpis/{w.sales_kpi.pk}/cascade/",
            lambda w, pk: {"org_units": [pk], "rollup_method": "sum", "objectives": {}},
        ),
        FOREIGN_UNIT,
    ),
    "kpis.api.kpis.KPICascadeSerializer.objectives{unit: id}": Case(
        api(
            "post",
            lambda w: f"/api/kpis/{w.sales_kpi.pk}/cascade/",
            lambda w, pk: {
                "org_units": [w.field_sales.pk],
                "rollup_method": "sum",
                "objectives": {str(w.field_sales.pk): pk},
            },
        ),
        FOREIGN_OBJECTIVE,
    ),
    "kpis.api.kpis.KPICascadeSerializer.owners{unit: id}": Case(
        api(
            "post",
            lambda w: f"/api/kpis/{w.sales_kpi.pk}/cascade/",
            lambda w, pk: {
                "org_units": [w.field_sales.pk],
                "rollup_method": "sum",
                "objectives": {},
                "owners": {str(w.field_sales.pk): pk},
            },
        ),
        FOREIGN_PERSON,
    ),
    "kpis.api.scores.ExplainQuerySerializer.scorecard": Case(
        api_get(
            lambda w, pk: (
                f"/api/scores/explain/?period={w.period.key}&scorecard={pk}"
                f"&subject_type=scorecard&subject_id={w.sales_scorecard.pk}"
            )
        ),
        FOREIGN_SCORECARD,
    ),
    "reviews.api.actions.ActionItemSerializer.scorecard": Case(
        api("post", lambda w: "/api/actions/", lambda w, pk: api_action(w, scorecard=pk)),
        FOREIGN_SCORECARD,
    ),
    "reviews.api.actions.ActionItemSerializer.owner": Case(
        api("post", lambda w: "/api/actions/", lambda w, pk: api_action(w, owner=pk)),
        FOREIGN_PERSON,
    ),
    "reviews.api.actions.ActionItemSerializer.kpi": Case(
        api("post", lambda w: "/api/actions/", lambda w, pk: api_action(w, kpi=pk)), FOREIGN_KPI
    ),
    "reviews.api.actions.ActionItemSerializer.objective": Case(
        api("post", lambda w: "/api/actions/", lambda w, pk: api_action(w, objective=pk)),
        FOREIGN_OBJECTIVE,
    ),
    "reviews.api.actions.ActionItemSerializer.initiative": Case(
        api("post", lambda w: "/api/actions/", lambda w, pk: api_action(w, initiative=pk)),
        lambda w: w.foreign_initiative,
        own=lambda w: w.sales_initiative,
    ),
    "reviews.api.actions.ActionItemSerializer.finding": Case(
        api("post", lambda w: "/api/actions/", lambda w, pk: api_action(w, finding=pk)),
        lambda w: w.foreign_finding,
    ),
    "reviews.api.initiatives.InitiativeSerializer.scorecard": Case(
        api(
            "post",
            lambda w: "/api/initiatives/",
            lambda w, pk: {"scorecard": pk, "name": "Sales academy"},
        ),
        FOREIGN_SCORECARD,
    ),
    "reviews.api.initiatives.InitiativeSerializer.objectives": Case(
        api(
            "post",
            lambda w: "/api/initiatives/",
            lambda w, pk: {
                "scorecard": w.sales_scorecard.pk,
                "name": "Sales academy",
                "objectives": [pk],
            },
        ),
        FOREIGN_OBJECTIVE,
    ),
    "reviews.api.initiatives.InitiativeSerializer.owner": Case(
        api(
            "post",
            lambda w: "/api/initiatives/",
            lambda w, pk: {"scorecard": w.sales_scorecard.pk, "name": "Sales academy", "owner": pk},
        ),
        FOREIGN_PERSON,
    ),
    "reviews.api.reviews.FindingSerializer.review": Case(
        api("post", lambda w: "/api/findings/", lambda w, pk: {"review": pk, "comment": "Note"}),
        lambda w: w.foreign_review,
        own=lambda w: w.sales_review,
    ),
    "reviews.api.reviews.ReviewSerializer.scorecard": Case(
        api(
            "post",
            lambda w: "/api/reviews/",
            lambda w, pk: {"scorecard": pk, "period": w.period.key, "kind": "quarterly"},
        ),
        FOREIGN_SCORECARD,
    ),
    "reviews.api.reviews.ReviewSerializer.facilitator": Case(
        api(
            "post",
            lambda w: "/api/reviews/",
            lambda w, pk: {
                "scorecard": w.sales_scorecard.pk,
                "period": w.period.key,
                "kind": "quarterly",
                "facilitator": pk,
            },
        ),
        FOREIGN_PERSON,
    ),
    "reviews.api.reviews.ReviewSerializer.participants": Case(
        api(
            "post",
            lambda w: "/api/reviews/",
            lambda w, pk: {
                "scorecard": w.sales_scorecard.pk,
                "period": w.period.key,
                "kind": "quarterly",
                "participants": [pk],
            },
        ),
        FOREIGN_PERSON,
    ),
    "scorecard.api.MembershipSerializer.user": Case(
        api(
            "post",
            lambda w: "/api/memberships/",
            lambda w, pk: {"user": pk, "org_unit": w.field_sales.pk, "role": "viewer"},
            persona="owner",
        ),
        FOREIGN_PERSON,
        persona="owner",
        note="as the owner persona: a manager may grant a role to anyone, a newcomer "
        "without any role included, so people are not hidden from managers here",
    ),
    "scorecard.api.MembershipSerializer.org_unit": Case(
        api(
            "post",
            lambda w: "/api/memberships/",
            lambda w, pk: {"user": person("noah").pk, "org_unit": pk, "role": "viewer"},
        ),
        FOREIGN_UNIT,
    ),
    "scorecard.api.OrgUnitSerializer.parent": Case(
        api(
            "post",
            lambda w: "/api/org-units/",
            lambda w, pk: {"name": "Sales desk", "kind": "team", "parent": pk},
        ),
        FOREIGN_UNIT,
    ),
    "scorecard.api.ScorecardSerializer.org_unit": Case(
        api(
            "patch",
            lambda w: f"/api/scorecards/{w.sales_scorecard.pk}/",
            lambda w, pk: {"org_unit": pk},
        ),
        FOREIGN_UNIT,
    ),
    "strategy.api.LinkSerializer.scorecard": Case(
        api(
            "post",
            lambda w: "/api/links/",
            lambda w, pk: {
                "scorecard": pk,
                "source": w.sales_objective.pk,
                "target": w.sales_objective.pk,
            },
        ),
        FOREIGN_SCORECARD,
    ),
    "strategy.api.LinkSerializer.source": Case(
        api(
            "post",
            lambda w: "/api/links/",
            lambda w, pk: {
                "scorecard": w.sales_scorecard.pk,
                "source": pk,
                "target": w.sales_objective.pk,
            },
        ),
        FOREIGN_OBJECTIVE,
    ),
    "strategy.api.LinkSerializer.target": Case(
        api(
            "post",
            lambda w: "/api/links/",
            lambda w, pk: {
                "scorecard": w.sales_scorecard.pk,
                "source": w.sales_objective.pk,
                "target": pk,
            },
        ),
        FOREIGN_OBJECTIVE,
    ),
    "strategy.api.ObjectiveCascadeSerializer.org_units": Case(
        api(
            "post",
            lambda w: f"/api/objectives/{w.sales_objective.pk}/cascade/",
            lambda w, pk: {"org_units": [pk]},
        ),
        FOREIGN_UNIT,
    ),
    "strategy.api.ObjectiveCascadeSerializer.owners{unit: id}": Case(
        api(
            "post",
            lambda w: f"/api/objectives/{w.sales_objective.pk}/cascade/",
            lambda w, pk: {"org_units": [w.field_sales.pk], "owners": {str(w.field_sales.pk): pk}},
        ),
        FOREIGN_PERSON,
    ),
    "strategy.api.ObjectiveSerializer.scorecard": Case(
        api(
            "post",
            lambda w: "/api/objectives/",
            lambda w, pk: {
                "scorecard": pk,
                "perspective": w.sales_objective.perspective_id,
                "title": "Grow the academy",
            },
        ),
        FOREIGN_SCORECARD,
    ),
    "strategy.api.ObjectiveSerializer.owner": Case(
        api(
            "patch",
            lambda w: f"/api/objectives/{w.sales_objective.pk}/",
            lambda w, pk: {"owner": pk},
        ),
        FOREIGN_PERSON,
    ),
    "strategy.api.ObjectiveSerializer.supports": Case(
        api(
            "patch",
            lambda w: f"/api/objectives/{w.sales_objective.pk}/",
            lambda w, pk: {"supports": [pk]},
        ),
        FOREIGN_OBJECTIVE,
    ),
}


def filter_case(url: str, foreign: Callable[[World], Any], own=None) -> Case:
    return Case(api_get(lambda w, pk: url.format(id=pk)), foreign, own=own)


# API filters: each on its list endpoint.
CASES |= {
    "kpis.api.kpis.KPIFilter.objective": filter_case(
        "/api/kpis/?objective={id}", FOREIGN_OBJECTIVE
    ),
    "kpis.api.kpis.KPIFilter.owner": filter_case("/api/kpis/?owner={id}", FOREIGN_PERSON),
    "kpis.api.kpis.KPIFilter.rolls_up_to": filter_case(
        "/api/kpis/?rolls_up_to={id}", lambda w: w.group_revenue, own=lambda w: w.sales_revenue
    ),
    "kpis.api.actuals.ActualFilter.kpi": filter_case("/api/actuals/?kpi={id}", FOREIGN_KPI),
    "kpis.api.targets.TargetFilter.kpi": filter_case("/api/targets/?kpi={id}", FOREIGN_KPI),
    # The filter actuals and targets share, declared once.
    "kpis.api.actuals.KPIValueFilter.kpi": filter_case("/api/targets/?kpi={id}", FOREIGN_KPI),
    "strategy.api.ObjectiveFilter.scorecard": filter_case(
        "/api/objectives/?scorecard={id}", FOREIGN_SCORECARD
    ),
    "strategy.api.ObjectiveFilter.owner": filter_case(
        "/api/objectives/?owner={id}", FOREIGN_PERSON
    ),
    "strategy.api.LinkFilter.scorecard": filter_case(
        "/api/links/?scorecard={id}", FOREIGN_SCORECARD
    ),
    "strategy.api.LinkFilter.source": filter_case("/api/links/?source={id}", FOREIGN_OBJECTIVE),
    "strategy.api.LinkFilter.target": filter_case("/api/links/?target={id}", FOREIGN_OBJECTIVE),
    "reviews.api.actions.ActionItemFilter.scorecard": filter_case(
        "/api/actions/?scorecard={id}", FOREIGN_SCORECARD
    ),
    "reviews.api.actions.ActionItemFilter.owner": filter_case(
        "/api/actions/?owner={id}", FOREIGN_PERSON
    ),
    "reviews.api.actions.ActionItemFilter.kpi": filter_case("/api/actions/?kpi={id}", FOREIGN_KPI),
    "reviews.api.reviews.ReviewFilter.scorecard": filter_case(
        "/api/reviews/?scorecard={id}", FOREIGN_SCORECARD
    ),
    "reviews.api.reviews.FindingFilter.review": filter_case(
        "/api/findings/?review={id}", lambda w: w.foreign_review, own=lambda w: w.sales_review
    ),
    "reviews.api.initiatives.InitiativeFilter.scorecard": filter_case(
        "/api/initiatives/?scorecard={id}", FOREIGN_SCORECARD
    ),
    "scorecard.api.MembershipFilter.user": filter_case(
        "/api/memberships/?user={id}", FOREIGN_PERSON
    ),
    "scorecard.api.MembershipFilter.org_unit": filter_case(
        "/api/memberships/?org_unit={id}", FOREIGN_UNIT
    ),
    "scorecard.api.ScorecardFilter.org_unit": filter_case(
        "/api/scorecards/?org_unit={id}", FOREIGN_UNIT
    ),
}

# What the persona may use instead, by the kind of foreign object.
OWN_BY_FOREIGN: dict[Any, Callable[[World], Any]] = {
    FOREIGN_UNIT: lambda w: w.field_sales,
    FOREIGN_PERSON: lambda w: person("noah"),  # Noah owns KPIs of Sales
    FOREIGN_KPI: lambda w: w.sales_kpi,
    FOREIGN_OBJECTIVE: lambda w: w.sales_objective,
    FOREIGN_SCORECARD: lambda w: w.sales_scorecard,
}


# Fields that no request of a person can fill with a foreign id, and why.
GLOBAL_LIST = (
    "perspectives are one global list that everyone reads: no perspective id is foreign "
    "(an unknown one is refused as unknown)"
)
READ_ONLY = "read-only: the API writes it out and never reads it from a request"
ADMIN_ONLY = (
    "a form of the Django admin, which only administrators open (the policy grants model "
    "permissions to nobody else), and administrators see every unit"
)
SETTINGS_PAGES = (
    "a form of the settings pages (/settings/), which only administrators open "
    "(scorecard.administer; every other persona is refused with 403 before the form is read, "
    "tests/scorecard/test_administration_pages.py), and administrators see every unit and person"
)
EXCEPTIONS: dict[str, str] = {
    "scorecard.forms.UnitNewForm.parent": SETTINGS_PAGES,
    "scorecard.forms.UnitParentForm.parent": SETTINGS_PAGES,
    "scorecard.forms.UnitRoleForm.user": SETTINGS_PAGES,
    "scorecard.forms.PersonRoleForm.org_unit": SETTINGS_PAGES,
    F + "ObjectiveForm.perspective": GLOBAL_LIST,
    "strategy.api.ObjectiveSerializer.perspective": GLOBAL_LIST,
    "strategy.api.ObjectiveFilter.perspective": GLOBAL_LIST,
    "kpis.api.actuals.ActualSerializer.kpi": READ_ONLY,
    "kpis.api.actuals.ActualSerializer.entered_by": READ_ONLY,
    "kpis.api.targets.TargetSerializer.kpi": READ_ONLY,
    "reviews.api.reviews.FindingSerializer.kpi": READ_ONLY,
    "reviews.api.reviews.FindingSerializer.objective": READ_ONLY,
    "reviews.api.reviews.FindingSerializer.link": READ_ONLY,
    "reviews.api.reviews.FindingSerializer.action_item": READ_ONLY,
    "scorecard.admin.OrgUnitForm.parent": ADMIN_ONLY,
    "scorecard.admin.UnitMoveForm.node": ADMIN_ONLY,
    "scorecard.admin.UnitMoveForm.target": ADMIN_ONLY,
}

# Fields added per child unit when a cascade form is built, which `base_fields` cannot show:
# the test below builds the forms as their views do and checks these are all of them.
PER_UNIT_FIELDS = {
    F + "ObjectiveCascadeForm": ["owner_<unit id>"],
    F + "KPICascadeForm": ["owner_<unit id>", "objective_<unit id>"],
}
# Ids inside a JSON object ({unit id: id}), which no related field describes.
DICT_FIELDS = {
    "kpis.api.kpis.KPICascadeSerializer.objectives{unit: id}",
    "kpis.api.kpis.KPICascadeSerializer.owners{unit: id}",
    "strategy.api.ObjectiveCascadeSerializer.owners{unit: id}",
}


def every_case_and_exception() -> tuple[dict[str, Case], dict[str, str]]:
    """These modules' and those of the apps mapped in modules of their own."""
    from tests.scorecard import test_foreign_ids_connections as connections_ids

    assert not CASES.keys() & connections_ids.CASES.keys()
    return CASES | connections_ids.CASES, EXCEPTIONS | connections_ids.EXCEPTIONS


def test_every_id_field_is_mapped():
    found = discovered()
    per_unit = {f"{form}.{name}" for form, names in PER_UNIT_FIELDS.items() for name in names}
    cases, exceptions = every_case_and_exception()

    assert len(found) > 50, sorted(found)
    assert sorted(found - cases.keys() - exceptions.keys()) == [], "fields without a case"
    stale = (cases.keys() | exceptions.keys()) - found - per_unit - DICT_FIELDS
    assert sorted(stale) == [], "cases for fields that no longer exist"
    assert not cases.keys() & exceptions.keys()


@pytest.mark.django_db
def test_the_cascade_forms_add_only_the_per_unit_fields_listed(org, people):
    from kpis.editor.forms import KPICascadeForm, ObjectiveCascadeForm

    for form_class in (ObjectiveCascadeForm, KPICascadeForm):
        built = form_class(children=[org.north], user=people.manager)
        added = {
            name.replace(str(org.north.pk), "<unit id>")
            for name, form_field in built.fields.items()
            if name not in form_class.base_fields and isinstance(form_field, forms.ModelChoiceField)
        }
        assert added == set(PER_UNIT_FIELDS[F + form_class.__qualname__])


# The cases --------------------------------------------------------------------------------

WATCHED_MODELS = [
    ("scorecard", "OrgUnit"), ("scorecard", "Membership"), ("scorecard", "Scorecard"),
    ("scorecard", "Period"), ("strategy", "Objective"), ("strategy", "CausalLink"),
    ("kpis", "KPI"), ("kpis", "Target"), ("kpis", "Actual"), ("reviews", "Review"),
    ("reviews", "Finding"), ("reviews", "Initiative"), ("reviews", "ActionItem"),
    ("reviews", "Notification"), ("connections", "Connection"), ("connections", "Import"),
    ("connections", "ImportRun"),
]  # fmt: skip


def database_state() -> str:
    digest = hashlib.sha256()
    for app_label, model_name in WATCHED_MODELS:
        model = apps.get_model(app_label, model_name)
        rows = list(model.objects.order_by("pk").values())
        digest.update(json.dumps(rows, default=str, sort_keys=True).encode())
        digest.update(str(model.history.count() if hasattr(model, "history") else 0).encode())
    return digest.hexdigest()


def answer(response: Any, sent: Any) -> tuple[int, str]:
    body = response.content.decode()
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", body)
    body = re.sub(r'"X-CSRFToken": "[^"]*"', "", body)
    sent = str(sent)
    if response.get("Content-Type", "").startswith("application/json"):
        # DRF repeats the id that was sent ("Invalid pk \"12\"", "No objective ... id 12").
        body = re.sub(rf"(?<!\d){re.escape(sent)}(?!\d)", "ID", body)
    else:
        body = body.replace(f"Select a valid choice. {sent} is", "Select a valid choice. ID is")
    return response.status_code, body


def words_of(thing: Any) -> list[str]:
    words = [str(thing)]
    for attribute in ("title", "name", "headline"):
        value = getattr(thing, attribute, "")
        if isinstance(value, str) and len(value) > 3:
            words.append(value)
    if isinstance(thing, get_user_model()):
        words += [thing.get_full_name(), thing.username]
    return [word for word in words if word]


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_foreign_id_is_answered_like_an_unknown_one(demo, name):
    try_case(name, CASES[name])


def try_case(name: str, case: Case) -> None:
    """Send the case's foreign id, an unknown id and (when there is one) an id the persona
    may use, and assert what the module's docstring says."""
    w = World()
    foreign = case.foreign(w)
    assert foreign is not None, f"the demo has no foreign object for {name}"
    w.sales_review  # noqa: B018 -- created before the state is read, not by the request
    w.period  # noqa: B018
    before = database_state()

    hidden = case.send(w, foreign.pk)
    after_hidden = database_state()
    unknown = case.send(w, UNKNOWN)

    assert after_hidden == before, f"{name}: the foreign id changed a row"
    assert database_state() == before, f"{name}: the unknown id changed a row"
    assert hidden.status_code < 500
    assert answer(hidden, foreign.pk) == answer(unknown, UNKNOWN), name
    # Words the page shows anyway (Sales has a "Revenue" of its own) are no echo.
    shown_anyway = unknown.content.decode()
    for word in words_of(foreign):
        if word not in shown_anyway:
            assert word not in hidden.content.decode(), f"{name} echoes {word!r}"
    own = case.own or OWN_BY_FOREIGN.get(case.foreign)
    if own is not None:
        allowed = own(w)
        assert answer(case.send(w, allowed.pk), allowed.pk) != answer(unknown, UNKNOWN), (
            f"{name}: an id the person may use gets the unknown id's answer too, so the "
            "request fails elsewhere and proves nothing"
        )
