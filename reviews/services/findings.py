"""What a meeting writes on its agenda: a comment on a finding, or a free note."""

from django.db import transaction

from reviews.models import Finding, Review
from reviews.services.workflow import check_review_open


@transaction.atomic
def finding_comment(*, finding: Finding, comment: str) -> Finding:
    check_review_open(finding.review)
    finding.comment = comment.strip()
    finding.full_clean()
    finding.save(update_fields=["comment"])
    return finding


@transaction.atomic
def finding_add_note(*, review: Review, comment: str) -> Finding:
    check_review_open(review)
    finding = Finding(review=review, kind=Finding.Kind.NOTE, comment=comment.strip())
    finding.full_clean()
    finding.save()
    return finding
