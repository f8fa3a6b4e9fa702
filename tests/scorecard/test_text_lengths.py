"""Issue 14, finding 13 (comments): every free text a person writes has a maximum length, a
setting (SIGHTLINE_COMMENT_MAX_LENGTH, SIGHTLINE_NOTE_MAX_LENGTH), refused with the same
field error on every path — services, pages, the API, the import and the admin."""

import datetime as dt

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import reverse
from rest_framework.test import APIClient

from kpis import services as kpi_services
from kpis.models import Actual
from reviews import services as review_services
from scorecard import services as core
from scorecard.fields import CommentField, NoteField
from strategy import services as strategy_services
from strategy.models import Objective
from tests.admin_forms import form_errors, post_change

Q1 = "FY2026-Q1"
# Texts the application writes itself, never a person.
WRITTEN_BY_THE_APPLICATION = {("kpis", "importjob", "message"), ("reviews", "notification", "body")}


def too_long(limit: int) -> str:
    return f"Ensure this value has at most {limit} characters (it has {limit + 1})."


@pytest.fixture
def short_limits(settings):
    settings.SIGHTLINE_COMMENT_MAX_LENGTH = 10
    settings.SIGHTLINE_NOTE_MAX_LENGTH = 20


@pytest.fixture
def q1(db):
    return core.period_for_key(Q1)


def test_every_text_field_a_person_writes_has_a_limit():
    unlimited = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        if model._meta.app_label in {"scorecard", "strategy", "kpis", "reviews"}
        and not model._meta.label.split(".")[1].startswith("Historical")
        for field in model._meta.get_fields()
        if isinstance(field, models.TextField)
        and not isinstance(field, CommentField | NoteField)
        and (model._meta.app_label, model._meta.model_name, field.name)
        not in WRITTEN_BY_THE_APPLICATION
    ]
    assert unlimited == []


def test_the_limits_default_to_four_thousand_and_twenty_thousand_characters(settings):
    assert settings.SIGHTLINE_COMMENT_MAX_LENGTH == 4000
    assert settings.SIGHTLINE_NOTE_MAX_LENGTH == 20000


def test_a_comment_of_a_megabyte_is_refused_and_one_at_the_limit_kept(q1, people, north_sales_kpi):
    with pytest.raises(ValidationError) as refused:
        kpi_services.actual_enter(
            kpi=north_sales_kpi, period=q1, value="95", comment="x" * 1024 * 1024
        )
    assert refused.value.message_dict == {
        "comment": ["Ensure this value has at most 4000 characters (it has 1048576)."]
    }

    kpi_services.actual_enter(kpi=north_sales_kpi, period=q1, value="95", comment="x" * 4000)
    assert len(Actual.objects.get().comment) == 4000


def test_the_services_refuse_every_kind_past_its_limit(
    short_limits, q1, org, people, north_sales_kpi, financial
):
    scorecard = org.north_sales.scorecard
    item = review_services.action_item_create(
        scorecard=scorecard, title="Call", owner=people.owner, due_date=dt.date(2030, 1, 1)
    )
    review = review_services.review_create(scorecard=scorecard, period=q1)
    writes = {
        "comment": lambda: kpi_services.actual_enter(
            kpi=north_sales_kpi, period=q1, value="95", comment="c" * 11
        ),
        "text": lambda: review_services.progress_note_add(
            item=item, author=people.owner, text="n" * 21
        ),
        "description": lambda: strategy_services.objective_create(
            scorecard=scorecard, perspective=financial, title="Grow", description="d" * 21
        ),
        "summary": lambda: review_services.review_update(review=review, summary="s" * 21),
    }
    for field, write in writes.items():
        with pytest.raises(ValidationError) as refused:
            write()
        limit = 10 if field == "comment" else 20
        assert refused.value.message_dict == {field: [too_long(limit)]}, field
    finding = review_services.finding_add_note(review=review, comment="c" * 10)
    with pytest.raises(ValidationError) as refused:
        review_services.finding_comment(finding=finding, comment="c" * 11)
    assert refused.value.message_dict == {"comment": [too_long(10)]}


def test_my_updates_refuse_a_long_comment_next_to_the_field(
    short_limits, client, q1, people, north_sales_kpi
):
    client.force_login(people.owner)
    url = f"{reverse('kpis:actual_save', args=[north_sales_kpi.pk])}?period={Q1}"

    response = client.post(
        url, {"value": "95", "comment": "c" * 11, "version": "0"}, HTTP_HX_REQUEST="true"
    )

    assert too_long(10) in response.content.decode()
    assert not Actual.objects.exists()


def test_the_api_refuses_a_long_text_with_a_field_error(
    short_limits, q1, people, north_sales_kpi, financial, org
):
    api = APIClient()
    api.force_authenticate(people.manager)
    actual = kpi_services.actual_enter(kpi=north_sales_kpi, period=q1, value="95")

    bulk = api.post(
        "/api/actuals/bulk/",
        [{"kpi": north_sales_kpi.pk, "period": Q1, "value": "95", "comment": "c" * 11}],
        format="json",
    )
    patch = api.patch(
        f"/api/actuals/{actual.pk}/", {"value": "95", "comment": "c" * 11, "version": 1}
    )
    objective = api.post(
        "/api/objectives/",
        {
            "scorecard": org.north_sales.scorecard.pk,
            "perspective": financial.pk,
            "title": "Grow revenue",
            "description": "d" * 21,
        },
        format="json",
    )

    assert (bulk.status_code, bulk.json()) == (
        400,
        {"errors": [{"index": 0, "fields": {"comment": [too_long(10)]}}]},
    )
    assert (patch.status_code, patch.json()) == (400, {"comment": [too_long(10)]})
    assert (objective.status_code, objective.json()) == (400, {"description": [too_long(20)]})
    assert Actual.objects.get().comment == ""
    assert not Objective.objects.filter(title="Grow revenue").exists()


def test_the_schema_gives_the_limit_as_max_length(admin_client):
    schema = admin_client.get("/api/schema/?format=json").json()

    description = schema["components"]["schemas"]["Objective"]["properties"]["description"]
    assert description["maxLength"] == 20000


def test_the_import_refuses_a_long_comment_in_its_row(
    short_limits, client, q1, people, north_sales_kpi
):
    client.force_login(people.owner)
    file = SimpleUploadedFile(
        "actuals.csv", f"kpi,period,value,comment\nRegional revenue,{Q1},95,{'c' * 11}\n".encode()
    )

    response = client.post(reverse("kpis:import"), {"file": file})

    assert [row.errors for row in response.context["preview"].rows] == [[too_long(10)]]
    assert not Actual.objects.exists()


def test_the_admin_refuses_a_long_description_next_to_the_field(
    short_limits, client, people, org, financial
):
    client.force_login(people.admin)
    objective = strategy_services.objective_create(
        scorecard=org.north_sales.scorecard, perspective=financial, title="Grow"
    )

    response = post_change(client, Objective, objective.pk, description="d" * 21)

    assert form_errors(response) == {"description": [too_long(20)]}
    objective.refresh_from_db()
    assert objective.description == ""
