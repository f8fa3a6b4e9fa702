"""A review's agenda, read from the score snapshots when the review opens.

In this order: red KPIs (saying so when the owner has not commented a red actual yet, as when
its target came after it), amber KPIs, KPIs without data, objectives whose score fell since the
quarter before, causal links the data contradicts and then links to watch (linkage verdicts
`contradicted` and `weak`, over the twelve quarters up to the review's: a weak link has not
enough evidence yet, which twelve quarters often cannot give even for a real effect, so it is
no sign that the link is broken), overdue action items, late milestones of the scorecard's
initiatives. Each item becomes a finding with a headline that keeps the numbers it was
opened with.
"""

from datetime import date

from kpis import linkage, red_comments
from kpis.linkage_selectors import scorecard_linkage
from kpis.models import KPI, ScoreSnapshot
from reviews.models import ActionItem, Finding, Milestone, Review
from scorecard.models import Period
from scorecard.text import coded, day_text, person_name
from strategy.models import Objective

KPI_HEADLINE = "{name}: {status}, score {score}"
NO_COMMENT_YET = " — no comment from its owner yet"
KPI_NO_DATA_HEADLINE = "{name}: no actual for {period}"
SCORE_FELL_HEADLINE = "{title}: score fell from {before} to {after}"
OVERDUE_HEADLINE = "{title}: due {due}, {owner}"
LINK_HEADLINE = "{source} → {target}: {verdict}"
# In this order on the agenda: broken links first, then the ones to watch.
LINK_VERDICTS = {
    linkage.CONTRADICTED: "the data contradicts the link",
    linkage.WEAK: "to watch, not enough evidence yet",
}
MILESTONE_HEADLINE = "{initiative}: milestone “{title}” was due {due}"

KPI_ORDER = (ScoreSnapshot.Status.RED, ScoreSnapshot.Status.AMBER, ScoreSnapshot.Status.NO_DATA)


def _one_decimal(score) -> str:
    return "–" if score is None else f"{score:.1f}"


def previous_period(period: Period) -> Period | None:
    """The stored period of the same grain just before this one."""
    return (
        Period.objects.filter(grain=period.grain, end__lt=period.start).order_by("-start").first()
    )


def write_findings(*, review: Review, today: date) -> list[Finding]:
    scorecard = review.scorecard
    findings = _kpi_findings(review)
    findings += _score_fell_findings(review)
    findings += _link_findings(review)
    overdue = ActionItem.objects.filter(
        scorecard=scorecard, status__in=ActionItem.OPEN_STATUSES, due_date__lt=today
    ).select_related("owner")
    for item in overdue:
        findings.append(
            Finding(
                review=review,
                kind=Finding.Kind.OVERDUE_ACTION,
                action_item=item,
                headline=OVERDUE_HEADLINE.format(
                    title=item.title,
                    due=day_text(item.due_date),
                    owner=person_name(item.owner) if item.owner else "no owner",
                ),
            )
        )
    late = Milestone.objects.filter(
        initiative__scorecard=scorecard, done_at__isnull=True, due_date__lt=today
    ).select_related("initiative")
    for milestone in late:
        findings.append(
            Finding(
                review=review,
                kind=Finding.Kind.LATE_MILESTONE,
                headline=MILESTONE_HEADLINE.format(
                    initiative=milestone.initiative.name,
                    title=milestone.title,
                    due=day_text(milestone.due_date),
                ),
            )
        )
    for finding in findings:
        finding.full_clean()
    return Finding.objects.bulk_create(findings)


def _kpi_findings(review: Review) -> list[Finding]:
    snapshots = ScoreSnapshot.objects.filter(
        scorecard=review.scorecard,
        period=review.period,
        subject_type=ScoreSnapshot.SubjectType.KPI,
        status__in=KPI_ORDER,
    )
    by_kpi = {row.subject_id: row for row in snapshots}
    kpis = {kpi.pk: kpi for kpi in KPI.objects.filter(pk__in=by_kpi)}
    uncommented = red_comments.kpis_needing_comment(kpi_ids=list(by_kpi), period=review.period)
    ordered = sorted(
        by_kpi.values(), key=lambda row: (KPI_ORDER.index(row.status), kpis[row.subject_id].name)
    )
    findings = []
    for row in ordered:
        kpi = kpis[row.subject_id]
        if row.status == ScoreSnapshot.Status.NO_DATA:
            kind = Finding.Kind.NO_DATA
            headline = KPI_NO_DATA_HEADLINE.format(name=coded(kpi), period=review.period.label)
        else:
            kind = Finding.Kind.PERFORMANCE_GAP
            headline = KPI_HEADLINE.format(
                name=coded(kpi),
                status=row.get_status_display().lower(),
                score=_one_decimal(row.score),
            )
            if kpi.pk in uncommented:
                headline += NO_COMMENT_YET
        findings.append(Finding(review=review, kind=kind, kpi=kpi, headline=headline))
    return findings


def _score_fell_findings(review: Review) -> list[Finding]:
    before = previous_period(review.period)
    if before is None:
        return []
    rows = ScoreSnapshot.objects.filter(
        scorecard=review.scorecard,
        period__in=[before, review.period],
        subject_type=ScoreSnapshot.SubjectType.OBJECTIVE,
        score__isnull=False,
    )
    scores: dict[int, dict[int, object]] = {}
    for row in rows:
        scores.setdefault(row.subject_id, {})[row.period_id] = row.score
    fell = {
        pk: (pair[before.pk], pair[review.period.pk])
        for pk, pair in scores.items()
        if len(pair) == 2 and pair[review.period.pk] < pair[before.pk]  # type: ignore[operator]
    }
    objectives = Objective.objects.filter(pk__in=fell).order_by("title")
    return [
        Finding(
            review=review,
            kind=Finding.Kind.SCORE_FELL,
            objective=objective,
            headline=SCORE_FELL_HEADLINE.format(
                title=coded(objective),
                before=_one_decimal(fell[objective.pk][0]),
                after=_one_decimal(fell[objective.pk][1]),
            ),
        )
        for objective in objectives
    ]


def _link_findings(review: Review) -> list[Finding]:
    judged = scorecard_linkage(scorecard=review.scorecard, period=review.period)
    filed = [row for row in judged.links if row.verdict in LINK_VERDICTS]
    filed.sort(key=lambda row: list(LINK_VERDICTS).index(row.verdict))
    return [
        Finding(
            review=review,
            kind=Finding.Kind.WEAK_LINK,
            link=row.link,
            headline=LINK_HEADLINE.format(
                source=row.link.source.title,
                target=row.link.target.title,
                verdict=LINK_VERDICTS[row.verdict],
            ),
        )
        for row in filed
    ]
