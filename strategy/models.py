"""Objectives, the cascade between them (`supports`) and the strategy map's causal links."""

import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords

from scorecard.fields import CommentField, NoteField
from scorecard.models import OrgUnit, Period, Perspective, Scorecard, validate_weight
from scorecard.text import DisplayTextFields

# Published scorecards number their objectives and measures ("1.2", "1.2.1") and title them
# at length; a cascaded unit may reuse its parent's codes (DESIGN.md section 4).
CODE_LENGTH = 30
TITLE_LENGTH = 255
CODE_TAKEN = "This scorecard already has an objective with this code."
# Formulas name KPIs as `[CODE]` and `[unit-slug:CODE]`, so a code holds no brackets, colons
# or spaces: letters, digits and the separators published codes use ("1.2.1", "F1.1", "C-3").
CODE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*")
CODE_MALFORMED = (
    "Write the code with letters, digits and . - _ / only, no spaces (e.g. 1.2.1 or F1.1)."
)
TITLE_TAKEN = "This scorecard already has an objective with this title in this perspective."
OBJECTIVE_STAYS = "An objective stays on its scorecard; cascade it instead."
PERSPECTIVE_ARCHIVED = "This perspective is archived: choose one in use."
LINK_EXISTS = "These two objectives are already linked."
LINK_TO_ITSELF = "An objective cannot cause itself: choose two different objectives."
LINK_ACROSS_SCORECARDS = "Both objectives of a link must be on the same scorecard."
LINK_ON_OTHER_SCORECARD = "The objectives of a link must be on the link's scorecard."
LINK_CLOSES_CYCLE = (
    "This link would close a loop ({path}): cause and effect must not run in a circle."
)


def code_problem(code: str) -> str:
    """The message for a malformed code, or "" for a good one (blank is allowed)."""
    if code and not CODE_PATTERN.fullmatch(code):
        return CODE_MALFORMED
    return ""


def member_of_period_q(period: Period, prefix: str = "") -> Q:
    """The one membership rule, for any archivable row (`prefix` reaches it through a
    relation, e.g. "objective__"): an archived item stays a member of the periods that started
    on or before the day it was archived, so past quarters keep their scores and their boxes.
    The day is taken in the site's time zone, as the score engine takes it."""
    return Q(**{f"{prefix}archived_at__isnull": True}) | Q(
        **{f"{prefix}archived_at__date__gte": period.start}
    )


class ObjectiveQuerySet(models.QuerySet["Objective"]):
    def members_of(self, period: Period) -> "ObjectiveQuerySet":
        """The objectives that belong to the period (see `member_of_period_q`)."""
        return self.filter(member_of_period_q(period))


class Objective(DisplayTextFields, models.Model):
    display_text_fields = ("title",)
    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="objectives")
    perspective = models.ForeignKey(
        Perspective, on_delete=models.PROTECT, related_name="objectives"
    )
    code = models.CharField(
        max_length=CODE_LENGTH, blank=True, help_text="e.g. 1.2; unique within the scorecard"
    )
    title = models.CharField(max_length=TITLE_LENGTH)
    description = NoteField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_objectives",
    )
    owning_team = models.ForeignKey(
        OrgUnit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    weight = models.DecimalField(
        max_digits=9, decimal_places=4, default=Decimal("1"), validators=[validate_weight]
    )
    order = models.PositiveIntegerField(default=0)
    archived_at = models.DateTimeField(null=True, blank=True)
    # The cascade: objectives of ancestor units' scorecards that this one serves.
    supports = models.ManyToManyField(
        "self", symmetrical=False, related_name="supporters", blank=True
    )

    history = HistoricalRecords(m2m_fields=[supports])

    objects = ObjectiveQuerySet.as_manager()

    class Meta:
        ordering = ["scorecard", "perspective__order", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                "scorecard",
                "perspective",
                Lower("title"),
                condition=Q(archived_at__isnull=True),
                name="objective_title_unique_in_perspective",
                violation_error_message=TITLE_TAKEN,
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=0), name="objective_weight_not_negative"
            ),
            models.UniqueConstraint(
                "scorecard",
                "code",
                condition=~Q(code=""),
                name="objective_code_unique_in_scorecard",
                violation_error_message=CODE_TAKEN,
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def org_unit(self) -> OrgUnit:
        return self.scorecard.org_unit

    def clean(self) -> None:
        self._check_stays_on_its_scorecard()
        self.code = (self.code or "").strip()
        self._check_code()
        self._check_perspective_not_archived()
        # The database constraint guards the same rule; checking here puts the message on the
        # title field, where the person can act on it.
        if self.title and self.scorecard_id and self.perspective_id and self.archived_at is None:
            taken = Objective.objects.filter(
                scorecard_id=self.scorecard_id,
                perspective_id=self.perspective_id,
                title__iexact=self.title,
                archived_at__isnull=True,
            ).exclude(pk=self.pk)
            if taken.exists():
                raise ValidationError({"title": TITLE_TAKEN})

    def _check_code(self) -> None:
        # The database constraint guards uniqueness too; checking here puts the message on
        # the code field (the constraint's own message has no field, having a condition).
        problem = code_problem(self.code)
        if not problem and self.code and self.scorecard_id:
            taken = Objective.objects.filter(scorecard_id=self.scorecard_id, code=self.code)
            if taken.exclude(pk=self.pk).exists():
                problem = CODE_TAKEN
        if problem:
            raise ValidationError({"code": problem})

    def _check_perspective_not_archived(self) -> None:
        # An archived perspective keeps the objectives it holds; none is added or moved in.
        if not self.perspective_id or self.perspective.archived_at is None:
            return
        stored = Objective.objects.filter(pk=self.pk).values_list("perspective_id", flat=True)
        if self.pk is None or stored.first() != self.perspective_id:
            raise ValidationError({"perspective": PERSPECTIVE_ARCHIVED})

    def _check_stays_on_its_scorecard(self) -> None:
        # Its KPIs, their roll-ups, its supports and its links all hang on its unit's place in
        # the tree; a copy on another scorecard is what the cascade makes.
        if self.pk is None or self.scorecard_id is None:
            return
        stored = Objective.objects.filter(pk=self.pk).values_list("scorecard_id", flat=True)
        if stored.first() not in (None, self.scorecard_id):
            raise ValidationError({"scorecard": OBJECTIVE_STAYS})


class CausalLink(models.Model):
    """An arrow of the strategy map: `source` helps achieve `target`."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="links")
    source = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="links_in")
    note = CommentField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["scorecard", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "target"],
                name="link_unique_pair",
                violation_error_message=LINK_EXISTS,
            ),
            models.CheckConstraint(
                condition=~Q(source=models.F("target")),
                name="link_not_to_itself",
                violation_error_message=LINK_TO_ITSELF,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} → {self.target}"

    @property
    def org_unit(self) -> OrgUnit:
        return self.scorecard.org_unit

    def clean(self) -> None:
        if not (self.source_id and self.target_id and self.scorecard_id):
            return
        if self.source_id == self.target_id:
            raise ValidationError({"target": LINK_TO_ITSELF})
        if self.source.scorecard_id != self.target.scorecard_id:
            raise ValidationError({"target": LINK_ACROSS_SCORECARDS})
        if self.source.scorecard_id != self.scorecard_id:
            raise ValidationError({"scorecard": LINK_ON_OTHER_SCORECARD})
        duplicate = CausalLink.objects.filter(source_id=self.source_id, target_id=self.target_id)
        if duplicate.exclude(pk=self.pk).exists():
            raise ValidationError({"target": LINK_EXISTS})
        loop = self.loop_it_would_close()
        if loop:
            titles = " → ".join(
                Objective.objects.get(pk=pk).title for pk in [self.source_id, *loop]
            )
            raise ValidationError({"target": LINK_CLOSES_CYCLE.format(path=titles)})

    def loop_it_would_close(self) -> list[int]:
        """The path target → … → source that this link would turn into a cycle, or []."""
        edges: dict[int, list[int]] = {}
        others = CausalLink.objects.filter(scorecard_id=self.scorecard_id).exclude(pk=self.pk)
        for source_id, target_id in others.values_list("source_id", "target_id"):
            edges.setdefault(source_id, []).append(target_id)
        # Depth-first search from the new link's target back to its source.
        stack: list[list[int]] = [[self.target_id]]
        seen: set[int] = set()
        while stack:
            path = stack.pop()
            node = path[-1]
            if node == self.source_id:
                return path
            if node in seen:
                continue
            seen.add(node)
            stack.extend([*path, nxt] for nxt in edges.get(node, []))
        return []
