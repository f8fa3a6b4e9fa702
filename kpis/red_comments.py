"""The rule "a red actual needs a comment", in one place, whatever the order of entry.

Entering an actual checks it (`kpis.services.actuals`); so does every write of a target,
since a target or red flag that arrives after the actual can make it red (`ask_after_commit`,
which asks the owner through the `actual_needs_comment` signal). My updates flags the row and
the review agenda lists the KPI (`kpis_needing_comment`). The organization can switch the rule
off (`OrganizationSettings.red_needs_comment`)."""

from django.db import transaction

from kpis import scoring
from kpis.models import KPI, Actual, QuarterLock, Target
from kpis.signals import actual_needs_comment
from scorecard.models import OrganizationSettings, Period


def red_without_comment(
    *, kpi: KPI, actual: Actual | None, target: Target | None, required: bool | None = None
) -> bool:
    """Whether the actual is past the red flag of its target and carries no comment, in an
    organization that asks for one (`required`; None reads the organization's setting).

    A target that cannot be scored (a red flag on the good side, as after a direction flip)
    gives no status, so it cannot make the actual red: the rule does not apply, and this
    raises nothing."""
    if actual is None or actual.value is None or actual.comment.strip() or target is None:
        return False
    if required is None:
        required = OrganizationSettings.load().red_needs_comment
    if not required:
        return False
    try:
        result = kpi.score(actual.value, target)
    except (scoring.TargetError, scoring.ActualError):
        return False
    return result.status == scoring.RED


def kpis_needing_comment(*, kpi_ids: list[int], period: Period) -> set[int]:
    """Of these KPIs, those whose actual for the period is red without a comment: three
    queries whatever their number (settings, actuals without a comment, their targets)."""
    required = OrganizationSettings.load().red_needs_comment
    if not required:
        return set()
    actuals = {
        actual.kpi_id: actual
        for actual in Actual.objects.filter(
            kpi_id__in=kpi_ids, period=period, comment=""
        ).select_related("kpi")
    }
    targets = {
        target.kpi_id: target
        for target in Target.objects.filter(kpi_id__in=list(actuals), period=period)
    }
    return {
        kpi_id
        for kpi_id, actual in actuals.items()
        if red_without_comment(
            kpi=actual.kpi, actual=actual, target=targets.get(kpi_id), required=True
        )
    }


def ask_after_commit(*, kpi: KPI, period: Period) -> None:
    """After a target of the KPI changed: once the transaction commits, if the period's
    actual is now red without a comment, tell the layers above (reviews asks the owner).

    The rule is checked at commit time, on what was committed: a batch that sets a target
    twice asks about the last one only."""
    if not Actual.objects.filter(kpi=kpi, period=period, comment="").exists():
        return
    kpi_id, period_id = kpi.pk, period.pk
    transaction.on_commit(lambda: _ask_if_red_without_comment(kpi_id, period_id))


def _ask_if_red_without_comment(kpi_id: int, period_id: int) -> None:
    actual = (
        Actual.objects.filter(kpi_id=kpi_id, period_id=period_id)
        .select_related("kpi__objective", "period")
        .first()
    )
    if actual is None or _quarter_closed(actual):
        # A closed quarter's actuals are read-only: the owner could not add the comment.
        return
    target = Target.objects.filter(kpi_id=kpi_id, period_id=period_id).first()
    if red_without_comment(kpi=actual.kpi, actual=actual, target=target):
        actual_needs_comment.send(sender=Actual, kpi_id=kpi_id, period_id=period_id)


def _quarter_closed(actual: Actual) -> bool:
    return (
        QuarterLock.objects.covering(actual.period)
        .filter(scorecard_id=actual.kpi.objective.scorecard_id)
        .exists()
    )
