"""`GET /api/scorecards/<id>/linkage/`: whether the KPIs' history supports each link of a
scorecard's strategy map, one row per (leading KPI of the cause, lagging KPI of the effect)."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response

from kpis import linkage
from kpis.linkage_selectors import scorecard_linkage
from kpis.selectors import default_period
from scorecard.api_support import PeriodKeyField
from scorecard.selectors import visible_scorecards


class LinkageQuerySerializer(serializers.Serializer):
    period = PeriodKeyField(
        required=False,
        help_text=(
            "The last quarter of the history, e.g. FY2026-Q3; if left out, the last ended "
            "quarter, or the latest period with data when that one has none."
        ),
    )


class LinkageRowSerializer(serializers.Serializer):
    link = serializers.IntegerField()
    # A plain string in the schema: the same enum twice would be named twice.
    link_verdict = serializers.CharField(
        help_text=(
            "The link's verdict, one of the values of `verdict`: `contradicted` when any pair"
            " is (even if another supports it), else `supported` when any pair is, else"
            " `weak` (not enough evidence yet) or `insufficient_data`."
        )
    )
    source_kpi = serializers.IntegerField(allow_null=True)
    target_kpi = serializers.IntegerField(allow_null=True)
    lag = serializers.IntegerField(allow_null=True, help_text="The lag the verdict rests on.")
    correlation = serializers.FloatField(allow_null=True)
    n = serializers.IntegerField(help_text="Pairs of quarter-on-quarter changes at that lag.")
    p_value = serializers.FloatField(
        allow_null=True,
        help_text=(
            "One-sided (that the cause helps; hurts for `contradicted`), adjusted for the lags"
            " looked at and, by Holm's method, for the other pairs of the link."
        ),
    )
    verdict = serializers.ChoiceField(
        choices=linkage.VERDICT_RANK,
        help_text="This pair's verdict, judged with the other pairs of its link.",
    )


@extend_schema(parameters=[LinkageQuerySerializer], responses=LinkageRowSerializer(many=True))
@api_view(["GET"])
def scorecard_linkage_view(request: Request, pk: int) -> Response:
    """For each link, each pair of a leading KPI of its source objective and a lagging KPI of
    its target: the correlation of their quarter-on-quarter changes at the decisive lag, the
    number of pairs and the verdict (`supported`, `weak`, `contradicted`,
    `insufficient_data`), over the twelve quarters up to `period` (default: the last ended
    quarter, or the latest period with data when that one has none; DESIGN.md section 4). A
    link without such a pair is one row with `insufficient_data`. A scorecard the caller may
    not read answers 404."""
    scorecard = get_object_or_404(visible_scorecards(request.user), pk=pk)
    query = LinkageQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    period = query.validated_data.get("period") or default_period(scorecard=scorecard)
    result = scorecard_linkage(scorecard=scorecard, period=period)
    rows = [row for link_row in result.links for row in _rows(link_row)]
    return Response(LinkageRowSerializer(rows, many=True).data)


def _rows(link_row: Any) -> list[dict]:
    if not link_row.pairs:
        return [
            {
                "link": link_row.link.pk,
                "link_verdict": link_row.verdict,
                "source_kpi": None,
                "target_kpi": None,
                "lag": None,
                "correlation": None,
                "n": 0,
                "p_value": None,
                "verdict": linkage.INSUFFICIENT_DATA,
            }
        ]
    rows = []
    for pair in link_row.pairs:
        decisive = pair.result.decisive or pair.result.lags[1]
        rows.append(
            {
                "link": link_row.link.pk,
                "link_verdict": link_row.verdict,
                "source_kpi": pair.source_kpi.pk,
                "target_kpi": pair.target_kpi.pk,
                "lag": decisive.lag if decisive.correlation is not None else None,
                "correlation": (
                    None if decisive.correlation is None else round(decisive.correlation, 6)
                ),
                "n": decisive.n,
                "p_value": (
                    None if pair.result.adjusted_p is None else round(pair.result.adjusted_p, 6)
                ),
                "verdict": pair.verdict,
            }
        )
    return rows
