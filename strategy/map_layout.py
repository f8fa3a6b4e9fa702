"""Where the boxes and arrows of a strategy map go. Pure geometry, no Django.

One horizontal lane per perspective, the first lane at the bottom. Every box has the same
size and sits on one global grid of columns, so the gaps between columns are free corridors
from the top of the map to the bottom and the gaps between rows are free channels across it.
A lane with more boxes than the grid has columns wraps into more rows. Boxes therefore never
overlap, whatever their number or the length of their titles (a title is wrapped into at
most `TITLE_LINES` lines, and cut with an ellipsis beyond).

Order within a lane: barycentre ordering, a few sweeps up and down, each box moving towards
the mean position of the boxes it is linked with; ties keep the previous order, so the same
input always gives the same map.

Arrows are orthogonal routes that only run along corridors and channels: out of the source
box's top (or bottom), along the channel next to it, up or down a corridor, along the channel
next to the target, and into the target's bottom (or top). No segment crosses a box.
"""

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

BOX_WIDTH = 184
TITLE_LINES = 3
LINE_HEIGHT = 15
PADDING = 8
# Width of one character of the 12 px title font, on the generous side so that wrapped
# lines stay inside the box.
CHAR_WIDTH = 6.9
# Title lines, then the owner and the score.
BOX_HEIGHT = PADDING * 2 + LINE_HEIGHT * (TITLE_LINES + 2)
COLUMN_GAP = 36
ROW_GAP = 40
LANE_PADDING = 20
LABEL_WIDTH = 130
MARGIN = 12
MAX_COLUMNS = 6
SWEEPS = 6
ELLIPSIS = "…"
CHARS_PER_LINE = int((BOX_WIDTH - 2 * PADDING) // CHAR_WIDTH)


@dataclass(frozen=True)
class Node:
    id: int
    lane: int  # 0 is the bottom lane
    title: str


@dataclass(frozen=True)
class Edge:
    id: int
    source: int
    target: int


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height

    def overlaps(self, other: "Rect") -> bool:
        return (
            self.x < other.right
            and other.x < self.right
            and self.y < other.bottom
            and other.y < self.bottom
        )

    def contains(self, other: "Rect") -> bool:
        return (
            self.x <= other.x
            and self.y <= other.y
            and other.right <= self.right
            and other.bottom <= self.bottom
        )


@dataclass(frozen=True)
class PlacedBox:
    node: Node
    rect: Rect
    lines: tuple[str, ...]
    truncated: bool  # the title did not fit: show the full title as a tooltip


@dataclass(frozen=True)
class PlacedLane:
    index: int
    rect: Rect


@dataclass(frozen=True)
class Route:
    edge: Edge
    points: tuple[tuple[float, float], ...]

    @property
    def path(self) -> str:
        return " ".join(
            f"{'M' if i == 0 else 'L'} {x:g} {y:g}" for i, (x, y) in enumerate(self.points)
        )


@dataclass(frozen=True)
class Layout:
    width: float
    height: float
    lanes: tuple[PlacedLane, ...]
    boxes: dict[int, PlacedBox] = field(default_factory=dict)
    routes: tuple[Route, ...] = ()


def wrap_title(title: str, width: int = CHARS_PER_LINE, lines: int = TITLE_LINES):
    """The title in at most `lines` lines of at most `width` characters, broken between
    words. A word longer than a line, or text beyond the last line, is cut and ends in an
    ellipsis. Returns (lines, truncated)."""
    words = title.split()
    out: list[str] = []
    current = ""
    truncated = False
    for word in words:
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= width:
            current = candidate
            continue
        if current:
            out.append(current)
        current = word
        if len(current) > width:
            out.append(current[: width - 1] + ELLIPSIS)
            current = ""
            truncated = True
    if current:
        out.append(current)
    if len(out) > lines:
        out = [*out[: lines - 1], _with_ellipsis(out[lines - 1], width)]
        truncated = True
    return tuple(out), truncated


def _with_ellipsis(line: str, width: int) -> str:
    """The line with an ellipsis at its end, dropping whole words to make room."""
    line = line.removesuffix(ELLIPSIS)
    while len(line) + 1 > width and " " in line:
        line = line.rsplit(" ", 1)[0]
    return line[: width - 1] + ELLIPSIS


def order_lanes(nodes: Sequence[Node], edges: Sequence[Edge], lanes: int) -> list[list[Node]]:
    """Each lane's boxes, ordered to reduce crossings by barycentre sweeps."""
    by_lane: list[list[Node]] = [[] for _ in range(lanes)]
    for node in nodes:
        by_lane[node.lane].append(node)
    neighbours: dict[int, list[int]] = {node.id: [] for node in nodes}
    for edge in edges:
        if edge.source in neighbours and edge.target in neighbours:
            neighbours[edge.source].append(edge.target)
            neighbours[edge.target].append(edge.source)
    lane_of = {node.id: node.lane for node in nodes}
    for sweep in range(SWEEPS):
        order = range(lanes) if sweep % 2 == 0 else range(lanes - 1, -1, -1)
        for lane in order:
            position = _positions(by_lane)
            boxes = by_lane[lane]

            def key(item: tuple[int, Node], *, position=position, lane=lane) -> tuple[float, int]:
                index, node = item
                others = [position[n] for n in neighbours[node.id] if lane_of[n] != lane]
                centre = sum(others) / len(others) if others else position[node.id]
                return (centre, index)

            by_lane[lane] = [node for _, node in sorted(enumerate(boxes), key=key)]
    return by_lane


def _positions(by_lane: list[list[Node]]) -> dict[int, float]:
    # A box's place in its lane as a fraction of the lane, so lanes of different sizes
    # compare.
    return {
        node.id: (index + 0.5) / len(boxes) for boxes in by_lane for index, node in enumerate(boxes)
    }


def layout(
    nodes: Sequence[Node], edges: Sequence[Edge], *, lanes: int, extra_lines: int = 0
) -> Layout:
    """Place the boxes (each `extra_lines` lines taller than the standard box) and route
    the arrows. `lanes` is the number of lanes, empty ones included."""
    ordered = order_lanes(nodes, edges, lanes)
    box_height = BOX_HEIGHT + extra_lines * LINE_HEIGHT
    columns = max(1, min(MAX_COLUMNS, max((len(boxes) for boxes in ordered), default=1)))
    pitch = BOX_WIDTH + COLUMN_GAP
    grid_left = MARGIN + LABEL_WIDTH + COLUMN_GAP
    width = grid_left + columns * pitch + MARGIN
    placed_lanes: list[PlacedLane] = []
    boxes: dict[int, PlacedBox] = {}
    lane_heights = [
        2 * LANE_PADDING + max(1, math.ceil(len(b) / columns)) * (box_height + ROW_GAP) - ROW_GAP
        for b in ordered
    ]
    height = 2 * MARGIN + sum(lane_heights)
    # The first lane is drawn at the bottom.
    top = height - MARGIN
    for index, lane_boxes in enumerate(ordered):
        top -= lane_heights[index]
        placed_lanes.append(
            PlacedLane(index, Rect(MARGIN, top, width - 2 * MARGIN, lane_heights[index]))
        )
        for slot, node in enumerate(lane_boxes):
            row, column = divmod(slot, columns)
            in_row = min(columns, len(lane_boxes) - row * columns)
            # Centred by whole columns, so every box stays on the shared grid.
            column += (columns - in_row) // 2
            y = top + LANE_PADDING + row * (box_height + ROW_GAP)
            x = grid_left + column * pitch
            lines, truncated = wrap_title(node.title)
            boxes[node.id] = PlacedBox(node, Rect(x, y, BOX_WIDTH, box_height), lines, truncated)
    routes = _routes(edges, boxes, grid_left=grid_left, pitch=pitch)
    return Layout(width, height, tuple(placed_lanes), boxes, routes)


def _routes(
    edges: Sequence[Edge], boxes: dict[int, PlacedBox], *, grid_left: float, pitch: float
) -> tuple[Route, ...]:
    usable = [e for e in edges if e.source in boxes and e.target in boxes]
    ports = _ports(usable, boxes)
    routes = []
    for number, edge in enumerate(usable):
        source, target = boxes[edge.source].rect, boxes[edge.target].rect
        goes_up = target.y <= source.y
        sx, tx = ports[(edge.id, "out")], ports[(edge.id, "in")]
        # Tracks spread parallel runs of different arrows within the same gap.
        track = (number % 5 - 2) * 4
        if goes_up:
            start, end = (sx, source.y), (tx, target.bottom)
            source_channel = source.y - ROW_GAP / 2 + track
            target_channel = target.bottom + ROW_GAP / 2 + track
        else:
            start, end = (sx, source.bottom), (tx, target.y)
            source_channel = source.bottom + ROW_GAP / 2 + track
            target_channel = target.y - ROW_GAP / 2 + track
        if target.y == source.y:
            # Same row: over the top of the row, through the channel above it.
            end = (tx, target.y)
            target_channel = source_channel
        if abs(source_channel - target_channel) < 1e-9:
            points = [start, (sx, source_channel), (tx, source_channel), end]
        else:
            corridor = _corridor(sx, tx, grid_left=grid_left, pitch=pitch) + track / 2
            points = [
                start,
                (sx, source_channel),
                (corridor, source_channel),
                (corridor, target_channel),
                (tx, target_channel),
                end,
            ]
        routes.append(Route(edge, tuple(_simplified(points))))
    return tuple(routes)


def _ports(edges: Sequence[Edge], boxes: dict[int, PlacedBox]) -> dict[tuple[int, str], float]:
    """Where each arrow leaves or enters a box's edge: spread along it, in the order of the
    other ends, so arrows sharing a box do not share a line."""
    ends: dict[tuple[int, str], list[tuple[float, int, str]]] = {}
    for edge in edges:
        source, target = boxes[edge.source].rect, boxes[edge.target].rect
        up = target.y <= source.y
        target_side = "bottom" if up and target.y != source.y else "top"
        ends.setdefault((edge.source, "top" if up else "bottom"), []).append(
            (target.x, edge.id, "out")
        )
        ends.setdefault((edge.target, target_side), []).append((source.x, edge.id, "in"))
    ports: dict[tuple[int, str], float] = {}
    for (box_id, _side), items in ends.items():
        rect = boxes[box_id].rect
        items.sort()
        step = rect.width / (len(items) + 1)
        for index, (_, edge_id, kind) in enumerate(items):
            ports[(edge_id, kind)] = rect.x + step * (index + 1)
    return ports


def _corridor(sx: float, tx: float, *, grid_left: float, pitch: float) -> float:
    # Corridor k runs through the middle of the gap left of column k.
    middle = (sx + tx) / 2
    k = round((middle - grid_left) / pitch)
    return grid_left + k * pitch - COLUMN_GAP / 2


def _simplified(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for point in points:
        if out and out[-1] == point:
            continue
        if len(out) >= 2 and _collinear(out[-2], out[-1], point):
            out[-1] = point
            continue
        out.append(point)
    return out


def _collinear(a, b, c) -> bool:
    return (a[0] == b[0] == c[0]) or (a[1] == b[1] == c[1])


def segment_crosses(rect: Rect, a: tuple[float, float], b: tuple[float, float]) -> bool:
    """Whether an axis-parallel segment passes through the inside of a rectangle (touching
    its edge does not count: that is where arrows start and end)."""
    (x1, y1), (x2, y2) = a, b
    if x1 == x2:
        low, high = sorted((y1, y2))
        return rect.x < x1 < rect.right and low < rect.bottom and rect.y < high
    low, high = sorted((x1, x2))
    return rect.y < y1 < rect.bottom and low < rect.right and rect.x < high


def crossings(layout_: Layout) -> int:
    """How many pairs of arrows cross (used by tests to judge the ordering)."""
    segments = [
        (route.edge.id, a, b)
        for route in layout_.routes
        for a, b in itertools.pairwise(route.points)
    ]
    count = 0
    for i, (edge_a, a1, a2) in enumerate(segments):
        for edge_b, b1, b2 in segments[i + 1 :]:
            if edge_a != edge_b and _proper_cross(a1, a2, b1, b2):
                count += 1
    return count


def _proper_cross(a1, a2, b1, b2) -> bool:
    a_vertical = a1[0] == a2[0]
    b_vertical = b1[0] == b2[0]
    if a_vertical == b_vertical:
        return False
    vertical, horizontal = ((a1, a2), (b1, b2)) if a_vertical else ((b1, b2), (a1, a2))
    x = vertical[0][0]
    y = horizontal[0][1]
    y_low, y_high = sorted((vertical[0][1], vertical[1][1]))
    x_low, x_high = sorted((horizontal[0][0], horizontal[1][0]))
    return x_low < x < x_high and y_low < y < y_high
