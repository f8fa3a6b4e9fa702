"""Status you can read without colour (issue 17): the fills' luminances differ clearly, the
text on each reaches WCAG 2.1 AA (4.5:1), amber is amber, every status has its own shape and
no trend arrow borrows one. Read from the stylesheet itself, so a changed token is checked."""

import re
from decimal import Decimal
from itertools import pairwise
from pathlib import Path

from dashboards.charts import STATUS_COLOURS, STATUS_SYMBOLS
from dashboards.templatetags.dashboard import delta

CSS = (Path(__file__).resolve().parents[2] / "static" / "css" / "app.css").read_text()


def token(name: str) -> str:
    match = re.search(rf"--{name}:\s*(#[0-9a-fA-F]{{6}})", CSS)
    assert match, name
    return match.group(1)


def luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(one: str, other: str) -> float:
    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


STATUSES = ["green", "amber", "red", "grey"]


def test_it_puts_aa_text_on_every_status_fill():
    for status in STATUSES:
        assert contrast(token(status), token(f"on-{status}")) >= 4.5, status


def test_the_fills_differ_clearly_in_luminance():
    fills = sorted(luminance(token(status)) for status in ("green", "amber", "red"))
    # Each step at least 1.5 times lighter (as a contrast ratio): told apart in greyscale.
    for darker, lighter in pairwise(fills):
        assert (lighter + 0.05) / (darker + 0.05) >= 1.5


def test_amber_reads_as_amber():
    r, g, b = (int(token("amber")[i : i + 2], 16) for i in (1, 3, 5))
    # An orange-yellow hue, and light: the old #92400e (brown) fails both.
    assert r > g > b and g / r > 0.5 and luminance(token("amber")) > 0.3


def test_each_status_has_its_own_shape_and_trends_use_arrows():
    shapes = {
        status: re.search(rf'\.status-{status}::before[^{{]*{{ content: "(.) "; }}', CSS).group(1)
        for status in ("green", "amber", "red", "no_data")
    }
    assert len(set(shapes.values())) == 4
    trends = {delta(Decimal("1")), delta(Decimal("-1")), delta(Decimal("0"))}
    assert {text[0] for text in trends} == {"↑", "↓", "→"}
    assert not {text[0] for text in trends} & set(shapes.values())


def test_the_charts_markers_stand_out_on_white_each_in_its_shape():
    for status, colour in STATUS_COLOURS.items():
        assert contrast(colour, "#ffffff") >= 3, status
    assert len({STATUS_SYMBOLS[s] for s in ("green", "amber", "red", "no_data")}) == 4
