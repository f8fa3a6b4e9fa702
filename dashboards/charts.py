"""Plotly figures as plain data. Pages hand them to the template with `json_script` and
static/js/charts.js draws them; nothing here draws or imports Plotly itself.

The functions take what the selectors return (anything with the named attributes), so this
module imports no app at all."""

import html
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

# The status colours of static/css/app.css as markers on a white chart: each at least 3:1
# against white (WCAG 2.1 AA for graphics). Amber is a shade darker than the pages' fill
# (#f59e0b, which carries dark text) so that a marker on white still stands out.
STATUS_COLOURS = {
    "green": "#15803d",
    "amber": "#d97706",
    "red": "#991b1b",
    "no_data": "#6b7280",
    "no_target": "#6b7280",
}
# Status is never told by colour alone: each has its own marker shape too (as on the pages:
# ● green, ◆ amber, ■ red, ○ none).
STATUS_SYMBOLS = {
    "green": "circle",
    "amber": "diamond",
    "red": "square",
    "no_data": "circle-open",
    "no_target": "circle-open",
}
GREEN_FROM = 6.666667
RED_BELOW = 3.333333
FONT = {"family": "system-ui, -apple-system, Segoe UI, Roboto, DejaVu Sans, sans-serif"}


def plotly_text(text: str) -> str:
    """User text as Plotly shows it literally. Plotly reads a subset of HTML in every title,
    label, trace name, hover template and annotation (`<a href>` becomes a link, `<b>` bold),
    so each text that people typed goes into a figure through here, with `<`, `>` and `&`
    as entities, which Plotly shows as the characters."""
    return html.escape(text, quote=False)


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _layout(**extra: Any) -> dict[str, Any]:
    return {
        "margin": {"l": 48, "r": 16, "t": 16, "b": 40},
        "height": 280,
        "font": FONT,
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "showlegend": True,
        "legend": {"orientation": "h", "y": -0.2},
        **extra,
    }


def _band(y0: float, y1: float, colour: str) -> dict[str, Any]:
    return {
        "type": "rect",
        "xref": "paper",
        "x0": 0,
        "x1": 1,
        "y0": y0,
        "y1": y1,
        "fillcolor": colour,
        "opacity": 0.08,
        "line": {"width": 0},
        "layer": "below",
    }


def score_trend(points: Iterable[Any]) -> dict[str, Any]:
    """A scorecard's score over quarters, on the 0–10 scale with the red, amber and green
    bands behind it. `points` have `.period.label`, `.score` and `.status`."""
    points = list(points)
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "lines+markers+text",
                "name": "Overall score",
                "x": [plotly_text(point.period.label) for point in points],
                "y": [_number(point.score) for point in points],
                "text": ["" if point.score is None else f"{point.score:.1f}" for point in points],
                "textposition": "top center",
                "line": {"color": "#1f2937", "width": 2},
                "marker": {
                    "size": 11,
                    "color": [STATUS_COLOURS.get(p.status, "#4b5563") for p in points],
                    "symbol": [STATUS_SYMBOLS.get(p.status, "circle-open") for p in points],
                },
                "hovertemplate": "%{x}: %{y:.1f}<extra></extra>",
            }
        ],
        "layout": _layout(
            yaxis={
                "range": [0, 10.5],
                "title": {"text": "Score (0–10)"},
                "dtick": 2,
                "automargin": True,
            },
            xaxis={"type": "category", "automargin": True},
            shapes=[
                _band(0, RED_BELOW, STATUS_COLOURS["red"]),
                _band(RED_BELOW, GREEN_FROM, STATUS_COLOURS["amber"]),
                _band(GREEN_FROM, 10.5, STATUS_COLOURS["green"]),
            ],
            showlegend=False,
        ),
    }


def kpi_history(rows: Iterable[Any], *, unit: str, decimals: int = 1) -> dict[str, Any]:
    """A KPI's values against its targets over quarters, with the band between the target
    and the red flag (the amber zone) shaded. `rows` have `.period.label`, `.value`,
    `.target`, `.red_flag` and `.status`. Values show as the pages show them: the KPI's
    decimals and thousands separators (d3-format, which Plotly speaks)."""
    rows = list(rows)
    labels = [plotly_text(row.period.label) for row in rows]
    unit = plotly_text(unit)
    suffix = f":,.{int(decimals)}f}}" + (f" {unit}" if unit else "")
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "lines",
                "name": "Red flag",
                "x": labels,
                "y": [_number(row.red_flag) for row in rows],
                "line": {"color": STATUS_COLOURS["red"], "dash": "dot", "width": 1.5},
                "hovertemplate": f"Red flag %{{y{suffix}<extra></extra>",
            },
            {
                "type": "scatter",
                "mode": "lines",
                "name": "Target (band to the red flag)",
                "x": labels,
                "y": [_number(row.target) for row in rows],
                "fill": "tonexty",
                "fillcolor": "rgba(146, 64, 14, 0.12)",
                "line": {"color": "#1d4ed8", "dash": "dash", "width": 1.5},
                "hovertemplate": f"Target %{{y{suffix}<extra></extra>",
            },
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": "Actual",
                "x": labels,
                "y": [_number(row.value) for row in rows],
                "line": {"color": "#1f2937", "width": 2},
                "marker": {
                    "size": 10,
                    "color": [STATUS_COLOURS.get(row.status, "#4b5563") for row in rows],
                    "symbol": [STATUS_SYMBOLS.get(row.status, "circle-open") for row in rows],
                },
                "hovertemplate": f"Actual %{{y{suffix}<extra></extra>",
            },
        ],
        "layout": _layout(
            xaxis={"type": "category", "automargin": True},
            yaxis={"title": {"text": unit}, "automargin": True, "tickformat": ","},
        ),
    }
