"""factory_boy factories. Org units go through the service, so the tree stays a real tree."""

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from kpis.models import KPI, Actual, Target
from scorecard import services as core
from scorecard.models import Perspective, Scorecard
from strategy.models import Objective

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(self, create, extracted, **kwargs):
        if create:
            self.save()


def org_unit(name: str, kind: str = "team", parent=None, *, with_scorecard: bool = True):
    unit = core.org_unit_create(name=name, kind=kind, parent=parent)
    if with_scorecard:
        core.scorecard_create(org_unit=unit, title=f"{name} scorecard")
    return unit


def perspective(name: str) -> Perspective:
    return Perspective.objects.get(name=name)


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objective

    scorecard = factory.LazyFunction(lambda: Scorecard.objects.first())
    perspective = factory.LazyFunction(lambda: Perspective.objects.get(order=4))
    title = factory.Sequence(lambda n: f"Grow revenue line {n}")
    weight = Decimal("1")


class KPIFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KPI

    objective = factory.SubFactory(ObjectiveFactory)
    name = factory.Sequence(lambda n: f"Revenue {n}")
    unit = "USD"
    direction = KPI.Direction.UP
    indicator_type = KPI.IndicatorType.LAGGING


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    kpi = factory.SubFactory(KPIFactory)
    value = Decimal("100")


class ActualFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Actual

    kpi = factory.SubFactory(KPIFactory)
    value = Decimal("100")
    entered_at = factory.Faker("date_time", tzinfo=__import__("datetime").UTC)
