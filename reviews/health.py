"""The health check of a scorecard: where it breaks the rules of good Balanced Scorecard
practice. It reads every layer (objectives, KPIs, targets, actuals, snapshots, action
items), which is why it lives in the top app.

It reads the period on the screen (with none: the default period of DESIGN.md section 4,
`kpis.selectors.default_period`). A KPI is asked for its target and its actual in the
periods at its own frequency that meet that period: a monthly KPI seen in a quarter in the
quarter's months, a yearly one in the year that holds the quarter. A `track` KPI is not asked
for targets.

A fixed number of queries whatever the scorecard's size: the period (the default's one or
two, and the calendar), the organization settings, perspectives, objectives (with how many
they support), KPIs, targets (which KPIs have one in any period, and which in the period),
actuals, KPI snapshots, links and open action items."""

import re
from dataclasses import dataclass

import lemminflect
from django.db.models import Case, Count, F, Max, Q, When

from kpis.models import KPI, Actual, ScoreSnapshot, Target
from kpis.selectors import default_period
from reviews.models import ActionItem
from scorecard.models import OrganizationSettings, Period, Perspective, Scorecard
from scorecard.text import coded
from strategy.models import CausalLink, Objective

KPI_COUNT_HIGH = 20
KPI_COUNT_LOW = 15
KPIS_PER_OBJECTIVE = 2

WARNING = "warning"
HINT = "hint"

MESSAGES = {
    "kpi_count_high": "{count} KPIs: more than {limit} makes a scorecard hard to steer by.",
    "kpi_count_low": "{count} KPIs: fewer than {limit}; check that every objective is measured.",
    "objective_without_kpi": "“{title}” has no KPI: nothing tells whether it is achieved.",
    "objective_too_many_kpis": "“{title}” has {count} KPIs: keep one or two per objective.",
    "objective_missing_owner": "“{title}” has no owner.",
    "kpi_missing_owner": "KPI “{title}” has no owner.",
    "no_target": "KPI “{title}” has no target for {period}.",
    "never_scores": "KPI “{title}” has no target in any period, so it can never score.",
    "perspective_empty": "No objective in the {title} perspective.",
    "objective_not_verb": "“{title}” does not start with an action verb (e.g. “Grow”, “Reduce”).",
    "no_leading_indicator": "“{title}” is measured by lagging indicators only: add a leading one.",
    "orphan_objective": "“{title}” has no cause-and-effect link on the strategy map.",
    "downward_link": "“{source}” → “{target}” points down the perspectives, against the map.",
    "no_line_of_sight": "“{title}” supports no objective of the units above.",
    "stale_actuals": "KPI “{title}” has no actual for {period}.",
    "red_without_action": "KPI “{title}” is red in {period} and has no open action item.",
}


@dataclass(frozen=True)
class HealthFinding:
    code: str
    severity: str
    message: str
    subject_type: str
    subject_id: int


# A code typed into the title ("1.2 Grow revenue", "F1.1: Grow", "3) Grow"): a first word of
# code characters holding a digit, with the punctuation that closes it.
TYPED_CODE = re.compile(r"[A-Za-z]{0,3}\d[A-Za-z0-9._/-]*[.:)]?")
CODE_DASHES = {"-", "–", "—", ":"}
# After a word that is a noun as well as a verb, these make it the head of a noun phrase:
# "Use of Competition", "Access to Strategic Information" (not "Use data", "Access markets").
NOUN_PHRASE_NEXT = {"of", "to"}


def title_words(title: str, code: str = "") -> list[str]:
    """The words of an objective's title after its code: the objective's own code, or one
    typed into the title, is not the title's first word."""
    words = title.split()
    if words and (words[0].rstrip(".:)") == code or TYPED_CODE.fullmatch(words[0])):
        words = words[1:]
        if words and words[0] in CODE_DASHES:
            words = words[1:]
    return words


def starts_with_verb(title: str, extra_verbs: set[str], code: str = "") -> bool:
    """Whether the title (after its code) starts with an action verb: one of the
    organization's extra verbs, or an English verb (LemmInflect's dictionary, which ships with
    the package) that does not head a noun phrase. A word that is a noun too ("use",
    "access", "increase") followed by "of" or "to" reads as a noun ("Use of Competition")."""
    words = [word.strip(".,:;!?\"'()").lower() for word in title_words(title, code)]
    if not words or not words[0]:
        return False
    word = words[0]
    if word in extra_verbs:
        return True
    if not lemminflect.getAllLemmas(word, upos="VERB"):
        return False
    also_noun = bool(lemminflect.getAllLemmas(word, upos="NOUN"))
    return not (also_noun and len(words) > 1 and words[1] in NOUN_PHRASE_NEXT)


def extra_verbs_of(settings: OrganizationSettings) -> set[str]:
    return {line.strip().lower() for line in settings.extra_action_verbs.splitlines() if line}


def meets(period: Period, prefix: str = "period__") -> Q:
    """Rows whose period is at their KPI's own frequency and meets `period`: the period
    itself, a shorter one inside it or a longer one that holds it (periods of the calendar
    nest, so meeting is overlapping). By dates, so a stand-in period is read too."""
    return Q(
        **{
            f"{prefix}grain": F("kpi__frequency"),
            f"{prefix}start__lte": period.end,
            f"{prefix}end__gte": period.start,
        }
    )


def scorecard_health(*, scorecard: Scorecard, period: Period | None = None) -> list[HealthFinding]:
    period = period or default_period(scorecard=scorecard)
    settings = OrganizationSettings.load()
    perspectives = list(Perspective.objects.order_by("-order"))
    top_order = perspectives[0].order if perspectives else 0
    objectives = list(
        Objective.objects.filter(scorecard=scorecard, archived_at__isnull=True)
        .select_related("perspective")
        # How many objectives above it this one serves, counted by the database.
        .annotate(supported=Count("supports", distinct=True))
        .order_by("-perspective__order", "order", "id")
    )
    kpis = list(
        KPI.objects.filter(objective__in=objectives, archived_at__isnull=True).order_by(
            "objective_id", "order", "id"
        )
    )
    kpi_ids = [kpi.pk for kpi in kpis]
    # One row per KPI with a target in some period (any grain; without one a KPI can never
    # score), saying whether one of them meets the period shown: one query, a row per KPI.
    targeted = list(
        Target.objects.filter(kpi_id__in=kpi_ids)
        .values("kpi_id")
        .annotate(current=Max(Case(When(meets(period), then=1), default=0)))
    )
    ever_targeted = {row["kpi_id"] for row in targeted}
    with_target = {row["kpi_id"] for row in targeted if row["current"]}
    with_actual = set(
        Actual.objects.filter(meets(period), kpi_id__in=kpi_ids).values_list("kpi_id", flat=True)
    )
    # The period's own snapshots, and for a KPI of a longer frequency (which has none in it)
    # the snapshot of its period that holds this one: one query.
    snapshots: dict[int, ScoreSnapshot] = {}
    for row in (
        ScoreSnapshot.objects.filter(
            scorecard=scorecard,
            subject_type=ScoreSnapshot.SubjectType.KPI,
            period__start__lte=period.start,
            period__end__gte=period.end,
        )
        .only("subject_id", "status", "value", "period__grain")
        .select_related("period")
        .order_by("-period__start", "period__end")
    ):
        snapshots.setdefault(row.subject_id, row)
    frequency = {kpi.pk: kpi.frequency for kpi in kpis}
    snapshots = {
        pk: row
        for pk, row in snapshots.items()
        if row.period.grain in (period.grain, frequency.get(pk))
    }
    links = list(
        CausalLink.objects.filter(scorecard=scorecard).select_related(
            "source__perspective", "target__perspective"
        )
    )
    red_ids = [pk for pk, row in snapshots.items() if row.status == ScoreSnapshot.Status.RED]
    acted_on = set(
        ActionItem.objects.filter(
            kpi_id__in=red_ids, status__in=ActionItem.OPEN_STATUSES
        ).values_list("kpi_id", flat=True)
    )

    findings: list[HealthFinding] = []

    def add(code: str, subject_type: str, subject_id: int, severity: str = WARNING, **kw) -> None:
        key = code if code in MESSAGES else f"{subject_type}_{code}"
        findings.append(
            HealthFinding(code, severity, MESSAGES[key].format(**kw), subject_type, subject_id)
        )

    if len(kpis) > KPI_COUNT_HIGH:
        add("kpi_count_high", "scorecard", scorecard.pk, count=len(kpis), limit=KPI_COUNT_HIGH)
    elif len(kpis) < KPI_COUNT_LOW:
        add("kpi_count_low", "scorecard", scorecard.pk, HINT, count=len(kpis), limit=KPI_COUNT_LOW)
    used = {objective.perspective_id for objective in objectives}
    for perspective in perspectives:
        if perspective.pk not in used:
            add("perspective_empty", "perspective", perspective.pk, title=perspective.name)

    kpis_of: dict[int, list[KPI]] = {}
    for kpi in kpis:
        kpis_of.setdefault(kpi.objective_id, []).append(kpi)
    linked = {link.source_id for link in links} | {link.target_id for link in links}
    extra = extra_verbs_of(settings)
    below_root = scorecard.org_unit.depth > 1
    for objective in objectives:
        _check_objective(add, objective, kpis_of.get(objective.pk, []), top_order, extra)
        if objective.pk not in linked:
            add("orphan_objective", "objective", objective.pk, HINT, title=coded(objective))
        if below_root and not objective.supported:
            add("no_line_of_sight", "objective", objective.pk, title=coded(objective))
    for link in links:
        if link.source.perspective.order > link.target.perspective.order:
            add(
                "downward_link",
                "link",
                link.pk,
                source=coded(link.source),
                target=coded(link.target),
            )
    for kpi in kpis:
        _check_kpi(add, kpi, with_target, ever_targeted, with_actual, snapshots, acted_on, period)
    return findings


def _check_objective(add, objective: Objective, kpis: list[KPI], top_order: int, extra) -> None:
    title = coded(objective)
    if not kpis:
        add("objective_without_kpi", "objective", objective.pk, title=title)
    elif len(kpis) > KPIS_PER_OBJECTIVE:
        add("objective_too_many_kpis", "objective", objective.pk, title=title, count=len(kpis))
    if objective.owner_id is None:
        add("missing_owner", "objective", objective.pk, title=title)
    if not starts_with_verb(objective.title, extra, objective.code):
        add("objective_not_verb", "objective", objective.pk, HINT, title=title)
    lagging_only = kpis and all(k.indicator_type == KPI.IndicatorType.LAGGING for k in kpis)
    if objective.perspective.order < top_order and lagging_only:
        add("no_leading_indicator", "objective", objective.pk, title=title)


def _check_kpi(add, kpi: KPI, with_target, ever_targeted, with_actual, snapshots, acted_on, period):
    name = coded(kpi)
    if kpi.owner_id is None:
        add("missing_owner", "kpi", kpi.pk, title=name)
    if kpi.target_type == KPI.TargetType.TRACK:
        pass  # A tracked KPI has no target by design (DESIGN.md section 4).
    elif kpi.pk not in ever_targeted:
        # One finding for one cause: "no target for this quarter" would say it again.
        add("never_scores", "kpi", kpi.pk, title=name)
    elif kpi.pk not in with_target:
        add("no_target", "kpi", kpi.pk, title=name, period=period.label)
    snapshot = snapshots.get(kpi.pk)
    if kpi.is_computed:
        # A roll-up or calculated KPI has no entered actuals: the engine stores its value.
        reported = snapshot is not None and snapshot.value is not None
    else:
        reported = kpi.pk in with_actual
    if not reported:
        add("stale_actuals", "kpi", kpi.pk, title=name, period=period.label)
    if snapshot and snapshot.status == ScoreSnapshot.Status.RED and kpi.pk not in acted_on:
        add("red_without_action", "kpi", kpi.pk, title=name, period=period.label)


def health_summary(findings: list[HealthFinding]) -> dict[str, int]:
    """How many findings of each severity, for a panel's heading."""
    counts = {WARNING: 0, HINT: 0}
    for finding in findings:
        counts[finding.severity] += 1
    return counts
