"""KPIs, their targets and actuals per period, and the materialised scores."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from kpis import scoring
from scorecard.fields import CommentField, NoteField
from scorecard.models import OrgUnit, Period, Scorecard, validate_weight
from scorecard.text import DisplayTextFields
from strategy.models import (
    CODE_LENGTH,
    TITLE_LENGTH,
    Objective,
    code_problem,
    member_of_period_q,
)

TOLERANCE_NOT_POSITIVE = "The tolerance must be greater than 0 %."
ROLLUP_NEEDS_METHOD = "A roll-up KPI needs a roll-up method."
ROLLUP_METHOD_ONLY_FOR_ROLLUPS = "Only a roll-up KPI has a roll-up method."
ROLLUP_PARENT_NOT_ANCESTOR = (
    "A KPI can only roll up to a KPI of an ancestor unit ({unit} is not above {own})."
)
ROLLUP_PARENT_NOT_ROLLUP = "The KPI it rolls up to must have the source 'roll-up'."
ROLLUP_UNIT_MISMATCH = 'Units must match: this KPI is in "{own}", the roll-up KPI in "{parent}".'
ROLLUP_CYCLE = "This roll-up would run in a circle."
VALUE_NOT_FINITE = "Enter a finite number."
VALUE_OUT_OF_BOUND = "Enter a number between -{bound} and {bound}."
MISSING_CHILDREN_ONLY_FOR_ROLLUPS = "Only a roll-up KPI has a rule for missing children."
KPI_CODE_TAKEN = "This scorecard already has a KPI with this code."
DECIMALS_OUT_OF_RANGE = "Show between 0 and {most} decimals (values are stored with {most})."
LEVELS_ONLY_FOR_ORDINAL = "Only an ordinal KPI has levels."
AGGREGATION_FOR_MILESTONE_OR_ORDINAL = (
    "A milestone or ordinal KPI combines its periods by last, minimum or maximum only."
)
ACTUAL_ON_ROLLUP = "A roll-up KPI's value is computed from its children; it cannot be entered."
ACTUAL_ON_FORMULA = "A calculated KPI's value is computed by its formula; it cannot be entered."

UNIT_LENGTH = 40
DATA_SOURCE_LENGTH = 255
FORMULA_LENGTH = 2000

VALUE_DIGITS = 20
VALUE_PLACES = 6
COMPUTED_VALUE_DIGITS = scoring.COMPUTED_VALUE_DIGITS  # snapshots: any aggregate of values
SCORE_DIGITS = 9


def validate_finite(value: Decimal) -> None:
    if value is not None and not value.is_finite():
        raise ValidationError(VALUE_NOT_FINITE, code="not_finite")


def validate_within_bound(value: Decimal) -> None:
    """Entered values (actuals, targets, red flags) lie within ±SIGHTLINE_VALUE_BOUND."""
    bound = settings.SIGHTLINE_VALUE_BOUND
    if value is not None and value.is_finite() and value.copy_abs() > bound:
        raise ValidationError(VALUE_OUT_OF_BOUND.format(bound=f"{bound:,}"), code="out_of_bound")


def validate_tolerance(value: Decimal) -> None:
    if value is not None and value <= 0:
        raise ValidationError(TOLERANCE_NOT_POSITIVE, code="tolerance_not_positive")


class KPIQuerySet(models.QuerySet["KPI"]):
    def members_of(self, period: Period) -> "KPIQuerySet":
        """The KPIs that belong to the period: the KPI itself a member and its objective a
        member (see `strategy.models.member_of_period_q`) — the engine's rule, which takes the
        earlier of the two archive dates."""
        return self.filter(member_of_period_q(period), member_of_period_q(period, "objective__"))


class KPI(DisplayTextFields, models.Model):
    display_text_fields = ("name", "unit")

    class Direction(models.TextChoices):
        UP = scoring.UP, "Higher is better"
        DOWN = scoring.DOWN, "Lower is better"

    class IndicatorType(models.TextChoices):
        LEADING = "leading", "Leading"
        LAGGING = "lagging", "Lagging"

    class Source(models.TextChoices):
        MANUAL = "manual", "Entered"
        ROLLUP = "rollup", "Roll-up"
        FORMULA = "formula", "Calculated"

    class TargetType(models.TextChoices):
        AT_LEAST = scoring.AT_LEAST, "At least the target"
        AT_MOST = scoring.AT_MOST, "At most the target"
        MORE_THAN = scoring.MORE_THAN, "More than the target"
        LESS_THAN = scoring.LESS_THAN, "Less than the target"
        BAND = scoring.BAND, "Within a band"
        MILESTONE = scoring.MILESTONE, "Milestone (done or not)"
        ORDINAL = scoring.ORDINAL, "Levels (e.g. BBB to AAA)"
        TRACK = scoring.TRACK, "Tracked, no target"

    class Frequency(models.TextChoices):
        MONTH = scoring.MONTH, "Monthly"
        QUARTER = scoring.QUARTER, "Quarterly"
        YEAR = scoring.YEAR, "Yearly"

    class TimeAggregation(models.TextChoices):
        SUM = scoring.SUM, "Sum"
        AVERAGE = scoring.AVERAGE, "Average"
        LAST = scoring.LAST, "Last"
        MIN = scoring.MIN, "Minimum"
        MAX = scoring.MAX, "Maximum"

    class MissingValues(models.TextChoices):
        BLANK = "blank", "A missing input leaves the result blank"
        ZERO = "zero", "A missing input counts as 0"

    class RollupMethod(models.TextChoices):
        SUM = "sum", "Sum"
        AVERAGE = "average", "Average"
        MIN = "min", "Minimum"
        MAX = "max", "Maximum"
        WEIGHTED_AVERAGE = "weighted_average", "Weighted average"

    class MissingChildren(models.TextChoices):
        REQUIRE_ALL = scoring.REQUIRE_ALL, "No value until every child has one"
        IGNORE = scoring.IGNORE, "The children that have a value"
        ZERO = scoring.ZERO, "A missing child counts as 0"

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="kpis")
    code = models.CharField(
        max_length=CODE_LENGTH, blank=True, help_text="e.g. 1.2.1; unique within the scorecard"
    )
    name = models.CharField(max_length=TITLE_LENGTH)
    description = NoteField(blank=True)
    data_source = models.CharField(
        max_length=DATA_SOURCE_LENGTH, blank=True, help_text="Where the numbers come from"
    )
    unit = models.CharField(max_length=UNIT_LENGTH, blank=True, help_text="e.g. %, USD, days")
    baseline = models.DecimalField(
        max_digits=VALUE_DIGITS,
        decimal_places=VALUE_PLACES,
        null=True,
        blank=True,
        validators=[validate_finite, validate_within_bound],
    )
    decimals = models.PositiveSmallIntegerField(default=1)
    direction = models.CharField(max_length=4, choices=Direction.choices, default=Direction.UP)
    indicator_type = models.CharField(
        max_length=7, choices=IndicatorType.choices, default=IndicatorType.LAGGING
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_kpis",
    )
    owning_team = models.ForeignKey(
        OrgUnit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    weight = models.DecimalField(
        max_digits=9, decimal_places=4, default=Decimal("1"), validators=[validate_weight]
    )
    tolerance_pct = models.DecimalField(
        max_digits=7, decimal_places=3, default=Decimal("10"), validators=[validate_tolerance]
    )
    source = models.CharField(max_length=7, choices=Source.choices, default=Source.MANUAL)
    frequency = models.CharField(max_length=7, choices=Frequency.choices, default=Frequency.QUARTER)
    time_aggregation = models.CharField(
        max_length=7, choices=TimeAggregation.choices, default=TimeAggregation.AVERAGE
    )
    target_type = models.CharField(
        max_length=9, choices=TargetType.choices, default=TargetType.AT_LEAST
    )
    # Ordinal KPIs: the level names, worst first; values store positions (0 = worst).
    levels = models.JSONField(default=list, blank=True)
    # Calculated KPIs (source "formula"): the expression of DESIGN.md section 4.
    formula = models.CharField(max_length=FORMULA_LENGTH, blank=True)
    missing_values = models.CharField(
        max_length=5, choices=MissingValues.choices, default=MissingValues.BLANK
    )
    rolls_up_to = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="rollup_children"
    )
    rollup_method = models.CharField(
        max_length=16, choices=RollupMethod.choices, null=True, blank=True
    )
    # Empty: the default by method (require_all for sum, else ignore), following its changes.
    missing_children = models.CharField(
        max_length=11, choices=MissingChildren.choices, null=True, blank=True
    )
    order = models.PositiveIntegerField(default=0)
    archived_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    objects = KPIQuerySet.as_manager()

    class Meta:
        verbose_name = "KPI"
        ordering = ["objective", "order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(weight__gte=0), name="kpi_weight_not_negative"),
            models.CheckConstraint(condition=Q(tolerance_pct__gt=0), name="kpi_tolerance_positive"),
            models.CheckConstraint(
                condition=Q(source="rollup", rollup_method__isnull=False)
                | (~Q(source="rollup") & Q(rollup_method__isnull=True)),
                name="kpi_rollup_method_iff_rollup",
            ),
            models.CheckConstraint(
                condition=~Q(rolls_up_to=models.F("id")), name="kpi_not_rolling_up_to_itself"
            ),
            models.CheckConstraint(
                condition=Q(source="rollup") | Q(missing_children__isnull=True),
                name="kpi_missing_children_only_for_rollups",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # more_than/less_than set the direction; at_least/at_most follow it.
        self.target_type, self.direction = scoring.aligned(self.target_type, self.direction)
        super().save(*args, **kwargs)

    @property
    def org_unit(self) -> OrgUnit:
        return self.objective.scorecard.org_unit

    @property
    def is_rollup(self) -> bool:
        return self.source == self.Source.ROLLUP

    @property
    def is_formula(self) -> bool:
        return self.source == self.Source.FORMULA

    @property
    def is_computed(self) -> bool:
        """A roll-up or calculated KPI: its value is computed, never entered."""
        return self.source in (self.Source.ROLLUP, self.Source.FORMULA)

    @property
    def effective_missing_children(self) -> str | None:
        """The policy the engine applies (None for a KPI that is no roll-up)."""
        if not self.is_rollup:
            return None
        method = self.rollup_method or scoring.SUM
        return scoring.missing_children_policy(method, self.missing_children)

    @property
    def is_tracked(self) -> bool:
        """A `track` KPI: measured, never scored, no member of any aggregate."""
        return self.target_type == self.TargetType.TRACK

    @property
    def is_ordinal(self) -> bool:
        return self.target_type == self.TargetType.ORDINAL

    def target_spec(self, target: "Target | None" = None) -> scoring.TargetSpec:
        """What "on target" means for this KPI, with the given target's values (none: no
        target), for `scoring.score_against`. at_least/at_most follow the direction even
        before the KPI is saved (see `save`)."""
        target_type, direction = scoring.aligned(self.target_type, self.direction)
        return scoring.TargetSpec(
            target_type=target_type,
            value=target.value if target else None,
            red_flag=target.red_flag if target else None,
            value_high=target.value_high if target else None,
            red_flag_high=target.red_flag_high if target else None,
            direction=direction,
            tolerance_pct=self.tolerance_pct,
            levels=tuple(self.levels or ()),
        )

    def score(self, value: Decimal | None, target: "Target | None") -> scoring.KpiResult:
        """Score a value against a target of this KPI (raises scoring.TargetError for a
        target that cannot score, scoring.ActualError for a value the type cannot hold)."""
        return scoring.score_against(value, self.target_spec(target))

    def clean(self) -> None:
        errors: dict[str, str] = {}
        self.code = (self.code or "").strip()
        code_message = code_problem(self.code) or self._code_taken()
        if code_message:
            errors["code"] = code_message
        if self.decimals is not None and self.decimals > VALUE_PLACES:
            errors["decimals"] = DECIMALS_OUT_OF_RANGE.format(most=VALUE_PLACES)
        self._clean_target_type(errors)
        if self.is_rollup and not self.rollup_method:
            errors["rollup_method"] = ROLLUP_NEEDS_METHOD
        if not self.is_rollup and self.rollup_method:
            errors["rollup_method"] = ROLLUP_METHOD_ONLY_FOR_ROLLUPS
        if not self.is_rollup and self.missing_children:
            errors["missing_children"] = MISSING_CHILDREN_ONLY_FOR_ROLLUPS
        if self.rolls_up_to_id and self.objective_id:
            message = self._rollup_parent_problem()
            if message:
                errors["rolls_up_to"] = message
        if errors:
            raise ValidationError(errors)

    def _code_taken(self) -> str:
        """A KPI's scorecard is its objective's: no two KPIs of one scorecard share a code
        (archived ones included, as their history and formulas still name them). Another
        scorecard, a cascaded unit's say, may use the same codes."""
        if not self.code or not self.objective_id:
            return ""
        taken = KPI.objects.filter(
            objective__scorecard_id=self.objective.scorecard_id, code=self.code
        ).exclude(pk=self.pk)
        return KPI_CODE_TAKEN if taken.exists() else ""

    def _clean_target_type(self, errors: dict[str, str]) -> None:
        if self.is_ordinal:
            if not isinstance(self.levels, list):
                errors["levels"] = scoring.LEVELS_TOO_FEW
            else:
                try:
                    scoring.check_levels(self.levels)
                except scoring.TargetError as error:
                    errors["levels"] = str(error)
        elif self.levels:
            errors["levels"] = LEVELS_ONLY_FOR_ORDINAL
        if self.target_type in (
            self.TargetType.MILESTONE,
            self.TargetType.ORDINAL,
        ) and self.time_aggregation not in (
            self.TimeAggregation.LAST,
            self.TimeAggregation.MIN,
            self.TimeAggregation.MAX,
        ):
            errors["time_aggregation"] = AGGREGATION_FOR_MILESTONE_OR_ORDINAL

    def _rollup_parent_problem(self) -> str:
        assert self.rolls_up_to_id is not None
        parent = KPI.objects.select_related("objective__scorecard__org_unit").get(
            pk=self.rolls_up_to_id
        )
        own_unit = self.org_unit
        parent_unit = parent.org_unit
        if parent_unit == own_unit or not own_unit.is_descendant_or_self(parent_unit):
            return ROLLUP_PARENT_NOT_ANCESTOR.format(unit=parent_unit, own=own_unit)
        if not parent.is_rollup:
            return ROLLUP_PARENT_NOT_ROLLUP
        if parent.unit != self.unit:
            return ROLLUP_UNIT_MISMATCH.format(own=self.unit, parent=parent.unit)
        if self.pk and self._is_above(parent):
            return ROLLUP_CYCLE
        return ""

    def _is_above(self, other: "KPI") -> bool:
        # Walk up from `other`; the chain is as deep as the org tree, a handful of rows.
        current = other
        while current.rolls_up_to_id:
            if current.rolls_up_to_id == self.pk:
                return True
            current = KPI.objects.only("rolls_up_to_id").get(pk=current.rolls_up_to_id)
        return False


class KPIValue(models.Model):
    """What a target and an actual share: one value of one KPI (the subclass's `kpi`, each
    with its own reverse name) for one period."""

    kpi: models.ForeignKey
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(
        max_digits=VALUE_DIGITS,
        decimal_places=VALUE_PLACES,
        validators=[validate_finite, validate_within_bound],
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.kpi} {self.period}: {self.value}"

    @property
    def org_unit(self) -> OrgUnit:
        return self.kpi.org_unit


def one_per_kpi_and_period(kind: str, message: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(
        fields=["kpi", "period"],
        name=f"{kind}_unique_per_kpi_and_period",
        violation_error_message=message,
    )


class Target(KPIValue):
    """`value` and `red_flag` are a band's low edges (with `value_high` and `red_flag_high`),
    an ordinal KPI's level positions, or a plain target and its red flag."""

    kpi = models.ForeignKey(KPI, on_delete=models.CASCADE, related_name="targets")
    red_flag = models.DecimalField(
        max_digits=VALUE_DIGITS,
        decimal_places=VALUE_PLACES,
        null=True,
        blank=True,
        validators=[validate_finite, validate_within_bound],
    )
    value_high = models.DecimalField(
        max_digits=VALUE_DIGITS,
        decimal_places=VALUE_PLACES,
        null=True,
        blank=True,
        validators=[validate_finite, validate_within_bound],
    )
    red_flag_high = models.DecimalField(
        max_digits=VALUE_DIGITS,
        decimal_places=VALUE_PLACES,
        null=True,
        blank=True,
        validators=[validate_finite, validate_within_bound],
    )

    history = HistoricalRecords()

    class Meta:
        constraints = [
            one_per_kpi_and_period("target", "This KPI already has a target for this quarter.")
        ]

    def effective_red_flag(self, *, kpi: "KPI | None" = None) -> Decimal | None:
        """The red flag this target scores with: its own (checked) or the default from the
        KPI's tolerance. None when the target cannot score (no value, or a red flag on the
        wrong side or equal to the target: scoring.TargetError); `clean` reports that error.
        `kpi` is the target's KPI when the caller already holds it (saves a query)."""
        return self.effective_red_flags(kpi=kpi)[0]

    def effective_red_flags(
        self, *, kpi: "KPI | None" = None
    ) -> tuple[Decimal | None, Decimal | None]:
        """(red flag, high red flag): a band's two, else (the red flag, None); (None, None)
        when the target cannot score, or for a milestone or a `track` KPI."""
        kpi = kpi or self.kpi
        if self.value is None or kpi.is_tracked:
            return None, None
        try:
            return scoring.effective_red_flags(kpi.target_spec(self))
        except (scoring.TargetError, ValueError):
            return None, None

    def clean(self) -> None:
        if self.value is None or not self.kpi_id:
            return
        kpi = self.kpi
        if kpi.is_tracked:
            raise ValidationError({"value": TRACK_HAS_NO_TARGETS})
        try:
            scoring.effective_red_flags(kpi.target_spec(self))
        except scoring.TargetError as error:
            raise ValidationError({_target_field(str(error)): str(error)}) from None


TRACK_HAS_NO_TARGETS = "A tracked KPI has no targets."

# Which field of a target a refusal of scoring names; the others name the red flag.
TARGET_FIELD_OF = {
    scoring.BAND_NEEDS_HIGH_EDGE: "value_high",
    scoring.BAND_LOW_ABOVE_HIGH: "value_high",
    scoring.RED_FLAG_HIGH_NOT_ABOVE: "red_flag_high",
    scoring.HIGH_EDGE_ONLY_FOR_BANDS: "value_high",
    scoring.MILESTONE_TARGET_NOT_ONE: "value",
    scoring.ORDINAL_TARGET_AT_WORST_LEVEL: "value",
    scoring.LEVELS_TOO_FEW: "value",
    scoring.LEVEL_BLANK: "value",
    scoring.LEVELS_NOT_UNIQUE: "value",
}


def _target_field(message: str) -> str:
    if message.startswith(scoring.LEVEL_UNKNOWN.split("{", 1)[0]):
        return "value"
    return TARGET_FIELD_OF.get(message, "red_flag")


def check_actual_fits(kpi: KPI, value: Decimal | None) -> None:
    """An actual the KPI's target type can hold: a milestone's 0 or 1, a level's position."""
    if value is None or not value.is_finite():
        return
    if kpi.target_type == KPI.TargetType.MILESTONE and value not in (0, 1):
        raise ValidationError({"value": scoring.MILESTONE_ACTUAL_NOT_DONE_OR_NOT})
    if kpi.is_ordinal and scoring.level_name(kpi.levels or (), value) is None:
        levels = ", ".join(kpi.levels or ())
        raise ValidationError({"value": scoring.LEVEL_UNKNOWN.format(levels=levels)})


class Actual(KPIValue):
    class Source(models.TextChoices):
        FORM = "form", "Form"
        GRID = "grid", "Grid"
        IMPORT = "import", "Import"
        API = "api", "API"

    kpi = models.ForeignKey(KPI, on_delete=models.CASCADE, related_name="actuals")
    comment = CommentField(blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    entered_at = models.DateTimeField()
    source = models.CharField(max_length=6, choices=Source.choices, default=Source.FORM)
    # Optimistic concurrency: a write based on an older version is refused.
    version = models.PositiveIntegerField(default=1)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            one_per_kpi_and_period("actual", "This KPI already has an actual for this quarter.")
        ]

    def clean(self) -> None:
        # A computed KPI (roll-up or calculated) has no entered actuals.
        if self.kpi_id and self.kpi.is_computed:
            message = ACTUAL_ON_ROLLUP if self.kpi.is_rollup else ACTUAL_ON_FORMULA
            raise ValidationError({"kpi": message})
        if self.kpi_id:
            check_actual_fits(self.kpi, self.value)


class ScoreSnapshot(models.Model):
    """The engine's materialised result for one subject in one period. Pages read these.

    `subject_id` is the id of the KPI, objective, perspective or scorecard; `scorecard` is
    the scorecard the subject belongs to, which is what tells one scorecard's perspective
    apart from another's."""

    class SubjectType(models.TextChoices):
        KPI = "kpi", "KPI"
        OBJECTIVE = "objective", "Objective"
        PERSPECTIVE = "perspective", "Perspective"
        SCORECARD = "scorecard", "Scorecard"

    class Status(models.TextChoices):
        GREEN = scoring.GREEN, "On target"
        AMBER = scoring.AMBER, "At risk"
        RED = scoring.RED, "Off target"
        NO_DATA = scoring.NO_DATA, "No data"
        NO_TARGET = scoring.NO_TARGET, "No target"
        TRACKED = scoring.TRACKED, "Tracked"

    # No index of its own: the unique constraint's index starts with the period, and every
    # index more is one more to update for each of the full recompute's writes.
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="+", db_index=False)
    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="snapshots")
    subject_type = models.CharField(max_length=11, choices=SubjectType.choices)
    subject_id = models.BigIntegerField()
    value = models.DecimalField(
        max_digits=COMPUTED_VALUE_DIGITS, decimal_places=VALUE_PLACES, null=True, blank=True
    )
    score = models.DecimalField(max_digits=SCORE_DIGITS, decimal_places=6, null=True, blank=True)
    status = models.CharField(max_length=9, choices=Status.choices)
    reported = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    # A KPI seen at a longer period than its frequency: the sub-periods that counted and all
    # of them ("2 of 3 months"); null at its own frequency and for aggregates.
    periods_reported = models.PositiveIntegerField(null=True, blank=True)
    periods_total = models.PositiveIntegerField(null=True, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["period", "scorecard", "subject_type", "subject_id"],
                name="snapshot_unique_per_subject_and_period",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=10),
                name="snapshot_score_0_to_10",
            ),
        ]
        indexes = [
            models.Index(fields=["subject_type", "subject_id", "period"]),
            # The dashboard's ten lowest-scoring KPIs of a subtree (issue 18): walked in score
            # order, the whole organization's are the index's first rows, where reading every
            # KPI's snapshot of the period to sort them grew with the organization (29 ms at
            # 20,000 KPIs, 0.4 ms so). A small subtree is still read through its scorecards.
            models.Index(
                fields=["period", "score", "subject_id"],
                condition=Q(subject_type="kpi", score__isnull=False),
                name="snapshot_lowest_kpi_scores",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject_type} {self.subject_id} {self.period}: {self.score} {self.status}"


LOCK_REASON_LENGTH = 200


class QuarterLockQuerySet(models.QuerySet):
    def covering(self, period: Period) -> "QuarterLockQuerySet":
        """The locks on this period or on a longer one that holds it (a quarter's lock
        covers its months, a year's its quarters and months). By dates, so no calendar is
        needed and an unstored period (a stand-in) is covered too: a period holds another
        exactly when its days hold the other's."""
        return self.filter(period__start__lte=period.start, period__end__gte=period.end)


class QuarterLock(models.Model):
    """A scorecard's period (of any grain, despite the older name) whose actuals are
    read-only, because its review closed; it covers every period inside it. The reviews
    layer locks and unlocks through the services; this layer enforces it."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="locks")
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="+")
    locked_at = models.DateTimeField(auto_now_add=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=LOCK_REASON_LENGTH, blank=True)

    objects = QuarterLockQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "period"], name="quarter_locked_once")
        ]

    def __str__(self) -> str:
        return f"{self.scorecard} {self.period} locked"


class ImportJob(models.Model):
    """A large spreadsheet import that runs in Celery: first checked (the preview), then,
    once its person confirms, applied. The page polls it for progress."""

    class Status(models.TextChoices):
        CHECKING = "checking", "Checking rows"
        CHECKED = "checked", "Checked"
        APPLYING = "applying", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Not imported"

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_jobs"
    )
    file_name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.CHECKING)
    # The file's cells and row numbers, as read at upload.
    rows = models.JSONField(default=list)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    # The preview: every row's outcome, and after applying how many were saved.
    preview = models.JSONField(default=list, blank=True)
    saved = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        return round(100 * self.processed / self.total) if self.total else 100

    @property
    def running(self) -> bool:
        return self.status in (self.Status.CHECKING, self.Status.APPLYING)
