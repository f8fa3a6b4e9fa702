"""From the map's data to what the SVG template draws: lanes, boxes with their text lines,
arrows with their verdict, and the legend. The template `strategy/map_svg.svg` turns a
`Drawing` into markup, for the page (styled by `static/css/strategy_map.css`) and for the
standalone download (the same stylesheet embedded in the file)."""

import base64
import io
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from fontTools.subset import Subsetter
from fontTools.ttLib import TTFont

from scorecard.text import coded
from strategy import map_layout
from strategy.map_layout import LINE_HEIGHT, PADDING, Rect

STYLESHEET = Path(settings.BASE_DIR) / "static" / "css" / "strategy_map.css"
LEGEND_ROW = 26
UNRATED = "unrated"
VERDICT_WORDS = {
    "supported": "supported by the data",
    "weak": "not enough evidence yet",
    "contradicted": "contradicted by the data",
    "insufficient_data": "not enough data",
    UNRATED: "no leading/lagging KPI pair",
}
STATUS_ORDER = ("green", "amber", "red", "no_data")


@dataclass
class TextLine:
    x: float
    y: float
    text: str


@dataclass
class DrawnBox:
    id: int
    rect: Rect
    title: str
    title_lines: list[TextLine]
    truncated: bool
    owner: TextLine
    score_line: TextLine
    status: str
    score: Decimal | None
    cascade: TextLine | None = None
    cascade_detail: str = ""


@dataclass
class DrawnArrow:
    id: int
    path: str
    verdict: str
    label: str


@dataclass
class DrawnLane:
    perspective_id: int
    name: str
    rect: Rect
    label: TextLine


@dataclass
class LegendItem:
    kind: str  # "status" or "verdict"
    key: str
    x: float
    y: float
    text: str


@dataclass
class Drawing:
    width: float
    height: float
    lanes: list[DrawnLane]
    boxes: list[DrawnBox]
    arrows: list[DrawnArrow]
    legend: list[LegendItem] = field(default_factory=list)


def draw(
    *,
    perspectives,
    objectives,
    links,
    scores: dict[int, tuple[Decimal | None, str]],
    verdicts: dict[int, str],
    cascade: bool,
    owner_name,
    status_word,
) -> Drawing:
    """`scores`: objective id → (score, status) from the snapshots; `verdicts`: link id →
    the linkage verdict; `owner_name` and `status_word` format a person and a status."""
    lane_of = {perspective.pk: index for index, perspective in enumerate(perspectives)}
    nodes = [map_layout.Node(o.pk, lane_of[o.perspective_id], coded(o)) for o in objectives]
    edges = [map_layout.Edge(link.pk, link.source_id, link.target_id) for link in links]
    placed = map_layout.layout(
        nodes, edges, lanes=len(perspectives), extra_lines=1 if cascade else 0
    )
    by_id = {objective.pk: objective for objective in objectives}
    boxes = [
        _box(box, by_id[box.node.id], scores, cascade, owner_name, status_word)
        for box in placed.boxes.values()
    ]
    arrows = [
        DrawnArrow(
            id=route.edge.id,
            path=route.path,
            verdict=verdicts.get(route.edge.id, UNRATED),
            label=(
                f"{by_id[route.edge.source].title} → {by_id[route.edge.target].title}: "
                f"{VERDICT_WORDS[verdicts.get(route.edge.id, UNRATED)]}"
            ),
        )
        for route in placed.routes
    ]
    lanes = [
        DrawnLane(
            perspective_id=perspectives[lane.index].pk,
            name=perspectives[lane.index].name,
            rect=lane.rect,
            label=TextLine(lane.rect.x + PADDING, lane.rect.y + LINE_HEIGHT + PADDING, ""),
        )
        for lane in placed.lanes
    ]
    legend, legend_height = _legend(placed.height, placed.width, status_word)
    return Drawing(placed.width, placed.height + legend_height, lanes, boxes, arrows, legend)


@dataclass
class OutlineLink:
    """One cause-and-effect link as the list view says it: "X drives Y", and what the
    KPIs' history says of it."""

    cause: str
    effect: str
    verdict: str
    verdict_words: str


@dataclass
class OutlineObjective:
    id: int
    title: str
    owner: str
    score_text: str
    status: str
    status_words: str
    drives: list[OutlineLink]
    driven_by: list[OutlineLink]


@dataclass
class OutlineLane:
    perspective_id: int
    name: str
    objectives: list[OutlineObjective]


def outline(
    *,
    perspectives,
    objectives,
    links,
    scores: dict[int, tuple[Decimal | None, str]],
    verdicts: dict[int, str],
    owner_name,
    status_word,
) -> list[OutlineLane]:
    """The map as a list a screen reader can follow: the perspectives from the top of the
    map down (the reverse of `perspectives`, which starts at the bottom), each with its
    objectives in the map's order, their score and status in words, and the links that
    leave and reach each one. The same data as the drawing: no query of its own."""
    by_id = {objective.pk: objective for objective in objectives}
    said = {}
    for link in links:
        verdict = verdicts.get(link.pk, UNRATED)
        said[link.pk] = OutlineLink(
            cause=coded(by_id[link.source_id]),
            effect=coded(by_id[link.target_id]),
            verdict=verdict,
            verdict_words=VERDICT_WORDS[verdict],
        )
    lanes = []
    for perspective in reversed(list(perspectives)):
        items = []
        for objective in objectives:
            if objective.perspective_id != perspective.pk:
                continue
            score, status = scores.get(objective.pk, (None, "no_data"))
            items.append(
                OutlineObjective(
                    id=objective.pk,
                    title=coded(objective),
                    owner=owner_name(objective.owner),
                    score_text="no score" if score is None else f"{score:.1f} of 10",
                    status=status,
                    status_words=status_word(status),
                    drives=[said[link.pk] for link in links if link.source_id == objective.pk],
                    driven_by=[said[link.pk] for link in links if link.target_id == objective.pk],
                )
            )
        lanes.append(OutlineLane(perspective.pk, perspective.name, items))
    return lanes


def _box(box, objective, scores, cascade, owner_name, status_word) -> DrawnBox:
    rect = box.rect
    x = rect.x + PADDING
    lines = [
        TextLine(x, rect.y + PADDING + LINE_HEIGHT * (number + 1) + 1, text)
        for number, text in enumerate(box.lines)
    ]
    base = rect.y + PADDING + LINE_HEIGHT * map_layout.TITLE_LINES
    score, status = scores.get(objective.pk, (None, "no_data"))
    score_text = "–" if score is None else f"{score:.1f}"
    drawn = DrawnBox(
        id=objective.pk,
        rect=rect,
        title=coded(objective),
        title_lines=lines,
        truncated=box.truncated,
        owner=TextLine(x, base + LINE_HEIGHT + 1, _fit(f"Owner: {owner_name(objective.owner)}")),
        score_line=TextLine(x, base + 2 * LINE_HEIGHT + 1, f"{score_text} · {status_word(status)}"),
        status=status,
        score=score,
    )
    if cascade:
        parents = list(objective.supports.all())
        parts = []
        if parents:
            more = f" +{len(parents) - 1}" if len(parents) > 1 else ""
            parts.append(f"↑ {coded(parents[0])}{more}")
        if objective.supporter_count:
            parts.append(f"↓ {objective.supporter_count} supporting")
        detail = [
            f"Supports “{coded(parent)}” ({parent.scorecard.org_unit.name})" for parent in parents
        ]
        if objective.supporter_count:
            detail.append(f"{objective.supporter_count} objectives of units below support it")
        drawn.cascade = TextLine(
            x, base + 3 * LINE_HEIGHT + 1, _fit(" · ".join(reversed(parts)) or "No cascade")
        )
        drawn.cascade_detail = "; ".join(detail)
    return drawn


def _fit(text: str) -> str:
    width = map_layout.CHARS_PER_LINE
    return text if len(text) <= width else text[: width - 1].rstrip() + map_layout.ELLIPSIS


def _legend(top: float, width: float, status_word) -> tuple[list[LegendItem], float]:
    """Status swatches, then the arrow styles, flowing onto new rows as the width needs.
    Returns the items and the height they take."""
    entries = [("status", status, status_word(status), 120) for status in STATUS_ORDER] + [
        ("verdict", verdict, VERDICT_WORDS[verdict], 230)
        for verdict in ("supported", "weak", "contradicted", "insufficient_data", UNRATED)
    ]
    items = []
    left = map_layout.MARGIN + PADDING
    x, y = left, top + 20
    previous_kind = "status"
    for kind, key, text, step in entries:
        if x + step > width or kind != previous_kind:
            x, y = left, y + LEGEND_ROW
        items.append(LegendItem(kind, key, x, y, text))
        x += step
        previous_kind = kind
    return items, y - top + LEGEND_ROW / 2


# DejaVu Sans, as Debian's fonts-dejavu-core installs it (the Makefile and the image do).
FONT_FILES = {
    "normal": Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    "bold": Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
}
EMBEDDED_FAMILY = "Sightline Map Sans"


def embedded_fonts(text: str) -> str:
    """@font-face rules that carry DejaVu Sans, cut down to the characters the map uses, so
    the downloaded file looks the same where the font is not installed. Empty when the
    font files are missing here; the named font stack then stands in."""
    rules = []
    for weight, path in FONT_FILES.items():
        if not path.exists():
            continue
        font = TTFont(path)
        subsetter = Subsetter()
        subsetter.populate(text=text)
        subsetter.subset(font)
        buffer = io.BytesIO()
        font.save(buffer)
        data = base64.b64encode(buffer.getvalue()).decode("ascii")
        rules.append(
            f'@font-face {{ font-family: "{EMBEDDED_FAMILY}"; font-weight: {weight}; '
            f'src: url(data:font/ttf;base64,{data}) format("truetype"); }}'
        )
    if rules:
        rules.append(
            f'.strategy-map {{ font-family: "{EMBEDDED_FAMILY}", "DejaVu Sans", Arial, '
            "Helvetica, sans-serif; }"
        )
    return "\n".join(rules)


def standalone_stylesheet(perspectives) -> str:
    """The map's stylesheet for the downloaded file, with the perspective colours written
    out (office suites do not resolve CSS variables)."""
    colours = "\n".join(
        f".perspective-{p.pk} .map-lane-band, .perspective-{p.pk} .map-lane-edge "
        f"{{ fill: {p.color}; }}"
        for p in perspectives
    )
    return f"{STYLESHEET.read_text()}\n{colours}\n"


SPARK_WIDTH = 160
SPARK_HEIGHT = 36


def sparkline(values: list[float | None]) -> list[str]:
    """Polyline point lists ("x,y x,y …") for one series scaled into the sparkline box, one
    list per unbroken run (a quarter without a value breaks the line)."""
    known = [value for value in values if value is not None]
    if not known or len(values) < 2:
        return []
    low, high = min(known), max(known)
    span = (high - low) or 1.0
    step = SPARK_WIDTH / (len(values) - 1)
    runs: list[list[str]] = [[]]
    for index, value in enumerate(values):
        if value is None:
            runs.append([])
            continue
        y = SPARK_HEIGHT - 2 - (value - low) / span * (SPARK_HEIGHT - 4)
        runs[-1].append(f"{index * step:.1f},{y:.1f}")
    return [" ".join(run) for run in runs if len(run) >= 2]
