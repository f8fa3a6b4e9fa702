"""The core of the domain: the org tree, who holds which role, perspectives, the fiscal
calendar and its periods, organization settings and scorecards."""

import re
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from treebeard.mp_tree import MP_Node

from scorecard import fiscal
from scorecard.fields import NoteField
from scorecard.text import DisplayTextFields

WEIGHT_NEGATIVE = "A weight cannot be negative."
FISCAL_START_LOCKED = (
    "The fiscal year's start month cannot change once quarters hold data: "
    "every stored quarter would shift."
)
SCORECARD_STAYS = "A scorecard stays with its unit; create one for the other unit."
UNKNOWN_KIND = "“{kind}” is not one of the organization's unit kinds: {kinds}."
KIND_LENGTH = 20
KIND_NOT_A_KEY = (
    "Write each kind as a short key of lower-case letters, digits and hyphens, "
    "like focus-area (at most 20 characters)."
)
KIND_TWICE = "“{kind}” is listed twice."
NO_KINDS = "List at least one unit kind."
KIND_IN_USE = "“{kind}” cannot be removed: {count} unit(s) are of that kind."
KIND_KEY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def default_unit_kinds() -> list[str]:
    return ["enterprise", "division", "department", "team"]


def kind_label(kind: str) -> str:
    return kind.replace("-", " ").capitalize()


def validate_weight(value: Decimal) -> None:
    if value is not None and value < 0:
        raise ValidationError(WEIGHT_NEGATIVE, code="negative_weight")


class OrgUnit(DisplayTextFields, MP_Node):
    """A unit of the organization. A materialised-path tree, so a subtree is one
    `path__startswith` query."""

    display_text_fields = ("name",)

    class Kind(models.TextChoices):
        """The kinds every organization starts with; its own list is
        `OrganizationSettings.unit_kinds`, which administrators extend."""

        ENTERPRISE = "enterprise", "Enterprise"
        DIVISION = "division", "Division"
        DEPARTMENT = "department", "Department"
        TEAM = "team", "Team"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    kind = models.CharField(
        max_length=KIND_LENGTH, help_text="One of the organization's unit kinds (settings)."
    )

    # No node_order_by: a sorted tree rewrites siblings' paths on every insert, which would
    # leave unit objects already in memory with stale paths (and wrong permission answers).
    # New units go last under their parent; pages sort by name where they list siblings.

    class Meta:
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    @property
    def org_unit(self) -> "OrgUnit":
        # Every unit-scoped object answers `.org_unit`; the policy module relies on it.
        return self

    def is_descendant_or_self(self, other: "OrgUnit") -> bool:
        return self.path.startswith(other.path)

    def get_kind_display(self) -> str:
        """The kind as pages show it, read from its key (`focus-area` is "Focus area"), so
        that a page listing units needs no query for it."""
        return kind_label(self.kind)

    def clean(self) -> None:
        kinds_listed = OrganizationSettings.unit_kinds_listed()
        if self.kind and self.kind not in kinds_listed:
            kinds = ", ".join(kinds_listed)
            raise ValidationError({"kind": UNKNOWN_KIND.format(kind=self.kind, kinds=kinds)})


class Membership(models.Model):
    """A person's role on a unit; it applies to the unit's whole subtree."""

    class Role(models.TextChoices):
        MANAGER = "manager", "Manager"
        OWNER = "owner", "Owner"
        VIEWER = "viewer", "Viewer"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "org_unit", "role"], name="membership_unique_role_per_unit"
            )
        ]
        ordering = ["org_unit__path", "user__username"]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} of {self.org_unit}"


class Perspective(DisplayTextFields, models.Model):
    """One global, ordered list; order 1 is the bottom of the strategy map."""

    display_text_fields = ("name",)

    name = models.CharField(max_length=100, unique=True)
    order = models.PositiveSmallIntegerField(unique=True)
    color = models.CharField(
        max_length=7,
        default="#4b5563",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use a colour like #1d4ed8.")],
        help_text="CSS colour, #rrggbb",
    )
    description = NoteField(blank=True)
    archived_at = models.DateTimeField(
        null=True, blank=True, help_text="Archived: kept for the objectives it holds, no new ones."
    )

    class Meta:
        ordering = ["order"]

    def __str__(self) -> str:
        return self.name

    @property
    def archived(self) -> bool:
        return self.archived_at is not None


class OrganizationSettings(models.Model):
    """The one row of organization-wide settings."""

    fiscal_start_month = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    reminder_lead_days = models.PositiveSmallIntegerField(default=7)
    grace_days = models.PositiveSmallIntegerField(default=10)
    red_needs_comment = models.BooleanField(default=True)
    red_drafts_action = models.BooleanField(default=True)
    extra_action_verbs = NoteField(
        blank=True, help_text="Extra verbs accepted at the start of objective titles, one a line."
    )
    unit_kinds = models.JSONField(
        default=default_unit_kinds,
        help_text="The kinds of unit, as keys like focus-area; pages show them as Focus area.",
    )

    class Meta:
        verbose_name = "organization settings"
        verbose_name_plural = "organization settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(fiscal_start_month__gte=1, fiscal_start_month__lte=12),
                name="settings_fiscal_start_month_is_a_month",
            )
        ]

    def __str__(self) -> str:
        return "Organization settings"

    def save(self, *args, **kwargs) -> None:
        self.pk = 1
        super().save(*args, **kwargs)

    def clean(self) -> None:
        # Periods store their fiscal year, quarter and dates: a new start month would leave
        # every stored quarter (and the actuals and targets keyed to it) on the old calendar.
        stored = OrganizationSettings.objects.filter(pk=1).values_list(
            "fiscal_start_month", flat=True
        )
        # Before the row exists, the calendar is the default one.
        before = (
            stored.first() or OrganizationSettings._meta.get_field("fiscal_start_month").default
        )
        if self.fiscal_start_month != before and Period.objects.exists():
            raise ValidationError({"fiscal_start_month": FISCAL_START_LOCKED})
        self._check_unit_kinds()

    def _check_unit_kinds(self) -> None:
        kinds = self.unit_kinds
        if not isinstance(kinds, list) or not kinds:
            raise ValidationError({"unit_kinds": NO_KINDS})
        for kind in kinds:
            if not isinstance(kind, str) or len(kind) > KIND_LENGTH or not KIND_KEY.match(kind):
                raise ValidationError({"unit_kinds": KIND_NOT_A_KEY})
            if kinds.count(kind) > 1:
                raise ValidationError({"unit_kinds": KIND_TWICE.format(kind=kind)})
        removed = OrgUnit.objects.exclude(kind__in=kinds).values_list("kind", flat=True)
        for kind in sorted(set(removed)):
            count = OrgUnit.objects.filter(kind=kind).count()
            raise ValidationError({"unit_kinds": KIND_IN_USE.format(kind=kind, count=count)})

    @classmethod
    def unit_kinds_listed(cls) -> list[str]:
        """The organization's unit kinds, read without creating the settings row."""
        stored = cls.objects.filter(pk=1).values_list("unit_kinds", flat=True).first()
        return list(stored) if stored is not None else default_unit_kinds()

    @classmethod
    def load(cls) -> "OrganizationSettings":
        instance, _ = cls.objects.get_or_create(pk=1)
        return instance


STAND_IN_SAVED = (
    "{period} was built by a read and is not stored: open it with "
    "scorecard.services.period_open instead of saving it."
)


class Period(models.Model):
    """One period of the fiscal calendar: a calendar month, a fiscal quarter or a fiscal
    year (`grain`; DESIGN.md section 3). Rows are created by the services that write into a
    period (and the daily task that opens the running quarter), never by a read: a read of a
    period without a row gets a stand-in (`Period.stand_in`).

    `fiscal_year` is the fiscal year that holds the period; `quarter` the fiscal quarter that
    holds it (null for a year); `month` the calendar month of a month (null otherwise)."""

    class Grain(models.TextChoices):
        # The same strings as kpis.scoring's MONTH/QUARTER/YEAR (a KPI's frequency).
        MONTH = fiscal.MONTH, "Month"
        QUARTER = fiscal.QUARTER, "Quarter"
        YEAR = fiscal.YEAR, "Year"

    grain = models.CharField(max_length=7, choices=Grain.choices, default=Grain.QUARTER)
    fiscal_year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    month = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    start = models.DateField()
    end = models.DateField()

    class Meta:
        ordering = ["start", "grain"]
        constraints = [
            models.UniqueConstraint(fields=["grain", "start"], name="period_unique_grain_start"),
            models.UniqueConstraint(
                fields=["fiscal_year", "quarter"],
                condition=Q(grain="quarter"),
                name="period_unique_fiscal_quarter",
            ),
            models.CheckConstraint(
                condition=Q(quarter__isnull=True) | Q(quarter__gte=1, quarter__lte=4),
                name="period_quarter_1_to_4",
            ),
            models.CheckConstraint(
                condition=Q(month__isnull=True) | Q(month__gte=1, month__lte=12),
                name="period_month_1_to_12",
            ),
            models.CheckConstraint(
                condition=Q(grain="month", quarter__isnull=False, month__isnull=False)
                | Q(grain="quarter", quarter__isnull=False, month__isnull=True)
                | Q(grain="year", quarter__isnull=True, month__isnull=True),
                name="period_fields_fit_grain",
            ),
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="period_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def save(self, *args, **kwargs) -> None:
        if self._state.adding and self.pk is not None and self.pk < 0:
            raise ValueError(STAND_IN_SAVED.format(period=self.label))
        super().save(*args, **kwargs)

    @classmethod
    def stand_in(cls, period: fiscal.FiscalPeriod) -> "Period":
        """The period as a read sees it before anyone wrote into it: not stored, with an id
        no stored period has and no other period's stand-in has (negative, from its grain
        and place in the calendar), so that every query for its rows finds none ("no data")
        instead of refusing an unsaved instance, and two stand-ins of one period are equal."""
        return cls(pk=stand_in_id(period), **cls.fields_of(period))

    @staticmethod
    def fields_of(period: fiscal.FiscalPeriod) -> dict:
        """The stored fields of a fiscal period (its grain, years, quarter, month, dates)."""
        quarter = period.containing(fiscal.QUARTER) if period.grain != fiscal.YEAR else None
        return {
            "grain": period.grain,
            "fiscal_year": period.fiscal_year,
            "quarter": quarter.quarter if isinstance(quarter, fiscal.FiscalQuarter) else None,
            "month": period.month if isinstance(period, fiscal.FiscalMonth) else None,
            "start": period.start,
            "end": period.end,
        }

    @property
    def is_stored(self) -> bool:
        return not self._state.adding

    @property
    def label(self) -> str:
        # Names do not depend on the start month: a month is a calendar month, and a
        # quarter's and a year's names carry their fiscal year.
        if self.grain == fiscal.MONTH:
            return fiscal.month_label(self.start.year, self.start.month)
        if self.grain == fiscal.YEAR:
            return fiscal.year_key(self.fiscal_year)
        return fiscal.quarter_label(self.fiscal_year, self.quarter or 0)

    @property
    def key(self) -> str:
        if self.grain == fiscal.MONTH:
            return fiscal.month_key(self.start.year, self.start.month)
        if self.grain == fiscal.YEAR:
            return fiscal.year_key(self.fiscal_year)
        return fiscal.quarter_key(self.fiscal_year, self.quarter or 0)

    @property
    def is_quarter(self) -> bool:
        return self.grain == fiscal.QUARTER

    def has_started(self, today: date) -> bool:
        return self.start <= today

    def is_provisional(self, today: date) -> bool:
        """Its numbers are provisional until it has ended (DESIGN.md section 4)."""
        return today <= self.end

    @property
    def provisional(self) -> bool:
        """Provisional today: computed when read, never stored."""
        return self.is_provisional(timezone.localdate())

    def as_fiscal(self, start_month: int) -> fiscal.FiscalPeriod:
        """The period as a value of the fiscal calendar that starts in `start_month`."""
        if self.grain == fiscal.MONTH:
            return fiscal.FiscalMonth(self.start.year, self.start.month, start_month)
        if self.grain == fiscal.YEAR:
            return fiscal.FiscalYear(self.fiscal_year, start_month)
        return fiscal.FiscalQuarter(self.fiscal_year, self.quarter or 0, start_month)

    def as_fiscal_quarter(self, start_month: int) -> fiscal.FiscalQuarter:
        """A quarter's value in the calendar (a month's: the quarter that holds it)."""
        if self.grain == fiscal.YEAR:
            raise ValueError(f"{self.label} is a year, not a quarter.")
        return fiscal.FiscalQuarter(self.fiscal_year, self.quarter or 0, start_month)


# The stand-ins' ids: quarters keep the ids they always had (minus the quarter's number
# counted from FY0 Q1, at most 40,000); months and years lie in ranges of their own.
_STAND_IN_MONTHS_FROM = 100_000
_STAND_IN_YEARS_FROM = 1_000_000


def stand_in_id(period: fiscal.FiscalPeriod) -> int:
    if isinstance(period, fiscal.FiscalMonth):
        return -(_STAND_IN_MONTHS_FROM + period.year * fiscal.MONTHS_PER_YEAR + period.month)
    if isinstance(period, fiscal.FiscalYear):
        return -(_STAND_IN_YEARS_FROM + period.fiscal_year)
    return -(period.fiscal_year * fiscal.QUARTERS_PER_YEAR + period.quarter)


class Scorecard(DisplayTextFields, models.Model):
    """One per org unit."""

    display_text_fields = ("title",)

    org_unit = models.OneToOneField(OrgUnit, on_delete=models.CASCADE, related_name="scorecard")
    title = models.CharField(max_length=200)
    description = NoteField(blank=True)
    perspectives = models.ManyToManyField(
        Perspective, through="PerspectiveWeight", related_name="+", blank=True
    )

    class Meta:
        ordering = ["org_unit__path"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        # Its objectives, KPIs and snapshots belong to the unit's place in the tree.
        if self.pk is None or self.org_unit_id is None:
            return
        stored = Scorecard.objects.filter(pk=self.pk).values_list("org_unit_id", flat=True)
        if stored.first() not in (None, self.org_unit_id):
            raise ValidationError({"org_unit": SCORECARD_STAYS})


class PerspectiveWeight(models.Model):
    """A scorecard's weight for one perspective. A perspective without a row weighs 1, so
    the default is equal weights."""

    DEFAULT = Decimal("1")

    scorecard = models.ForeignKey(
        Scorecard, on_delete=models.CASCADE, related_name="perspective_weights"
    )
    perspective = models.ForeignKey(Perspective, on_delete=models.CASCADE, related_name="+")
    weight = models.DecimalField(
        max_digits=9, decimal_places=4, default=DEFAULT, validators=[validate_weight]
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scorecard", "perspective"], name="perspective_weight_unique"
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=0), name="perspective_weight_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scorecard}: {self.perspective} × {self.weight}"
