"""The strategy map's layout: pure geometry, no database."""

import itertools
import random

import pytest

from strategy import map_layout
from strategy.map_layout import Edge, Node, layout, segment_crosses, wrap_title

LONG = (
    "Increase the proportion of strategic enterprise customers who renew their multi-year "
    "service agreements early and expand into adjacent product lines across every region"
)


def random_map(count: int, *, lanes: int = 4, links: int = 60, seed: int = 7, title=LONG):
    rng = random.Random(seed)
    nodes = [Node(i, rng.randrange(lanes), f"{title} {i}") for i in range(count)]
    edges = []
    for number in range(links):
        source, target = rng.sample(range(count), 2)
        edges.append(Edge(number, source, target))
    return nodes, edges


def assert_clean(result: map_layout.Layout, nodes: list[Node]) -> None:
    boxes = list(result.boxes.values())
    assert len(boxes) == len(nodes)
    for i, box in enumerate(boxes):
        for other in boxes[i + 1 :]:
            assert not box.rect.overlaps(other.rect), (box.node.id, other.node.id)
        # Every box inside its own lane, and inside the picture.
        assert result.lanes[box.node.lane].rect.contains(box.rect)
        assert box.rect.x >= 0 and box.rect.right <= result.width
        assert box.rect.y >= 0 and box.rect.bottom <= result.height
    for route in result.routes:
        for start, end in itertools.pairwise(route.points):
            # Orthogonal segments only.
            assert start[0] == end[0] or start[1] == end[1]
            for box in boxes:
                assert not segment_crosses(box.rect, start, end), (route.edge.id, box.node.id)


@pytest.mark.parametrize("count", [1, 5, 12, 40])
def test_it_places_up_to_forty_long_titled_boxes_without_overlaps(count):
    nodes, edges = random_map(count, links=min(60, count * 2) if count > 1 else 0)

    result = layout(nodes, edges, lanes=4)

    assert_clean(result, nodes)


def test_it_wraps_forty_boxes_of_one_lane_into_rows_inside_the_lane():
    nodes = [Node(i, 2, LONG) for i in range(40)]
    edges = [Edge(i, i, i + 1) for i in range(39)]

    result = layout(nodes, edges, lanes=4)

    assert_clean(result, nodes)
    rows = {box.rect.y for box in result.boxes.values()}
    assert len(rows) == 40 // map_layout.MAX_COLUMNS + 1  # 6 full rows and one of 4


def test_it_keeps_boxes_apart_with_the_cascade_line_too():
    nodes, edges = random_map(40, seed=3)

    result = layout(nodes, edges, lanes=4, extra_lines=1)

    assert_clean(result, nodes)
    assert {box.rect.height for box in result.boxes.values()} == {
        map_layout.BOX_HEIGHT + map_layout.LINE_HEIGHT
    }


def test_it_draws_the_first_perspective_at_the_bottom():
    nodes = [Node(1, 0, "Build skills"), Node(2, 3, "Grow revenue")]

    result = layout(nodes, [Edge(1, 1, 2)], lanes=4)

    lane_tops = [lane.rect.y for lane in result.lanes]
    assert lane_tops == sorted(lane_tops, reverse=True)
    assert result.boxes[1].rect.y > result.boxes[2].rect.y


def test_it_gives_the_same_picture_for_the_same_input():
    nodes, edges = random_map(40, seed=11)

    assert layout(nodes, edges, lanes=4) == layout(nodes, edges, lanes=4)


def test_it_orders_boxes_so_that_crossed_arrows_untangle():
    # Bottom: A, B; top: C, D. A → D and B → C cross in the given order.
    nodes = [Node(1, 0, "A"), Node(2, 0, "B"), Node(3, 1, "C"), Node(4, 1, "D")]
    edges = [Edge(1, 1, 4), Edge(2, 2, 3)]

    result = layout(nodes, edges, lanes=2)

    x = {node_id: box.rect.x for node_id, box in result.boxes.items()}
    assert (x[1] < x[2]) == (x[4] < x[3])
    assert map_layout.crossings(result) == 0


def test_it_reduces_crossings_against_the_given_order():
    # A ladder whose rungs are reversed in the top lane: every pair crosses if left alone.
    nodes = [Node(i, 0, f"Bottom {i}") for i in range(5)] + [
        Node(10 + i, 1, f"Top {i}") for i in range(5)
    ]
    edges = [Edge(i, i, 14 - i) for i in range(5)]

    result = layout(nodes, edges, lanes=2)

    order_bottom = sorted(range(5), key=lambda i: result.boxes[i].rect.x)
    order_top = sorted(range(10, 15), key=lambda i: result.boxes[i].rect.x)
    assert [14 - i for i in order_bottom] == order_top


def test_it_starts_and_ends_every_arrow_on_its_boxes_edges():
    nodes = [Node(1, 0, "Cause"), Node(2, 2, "Effect"), Node(3, 1, "Middle")]
    edges = [Edge(1, 1, 2), Edge(2, 2, 3)]

    result = layout(nodes, edges, lanes=3)

    up, down = result.routes
    cause, effect, middle = (result.boxes[i].rect for i in (1, 2, 3))
    assert up.points[0][1] == cause.y and cause.x < up.points[0][0] < cause.right
    assert up.points[-1][1] == effect.bottom and effect.x < up.points[-1][0] < effect.right
    # A link pointing down the map leaves from the bottom and enters from the top.
    assert down.points[0][1] == effect.bottom
    assert down.points[-1][1] == middle.y


def test_it_routes_an_arrow_between_boxes_of_one_row_over_the_row():
    nodes = [Node(i, 0, f"Box {i}") for i in range(3)]

    result = layout(nodes, [Edge(1, 0, 2)], lanes=1)

    route = result.routes[0]
    top = result.boxes[0].rect.y
    assert route.points[0][1] == top and route.points[-1][1] == top
    assert all(y < top for _, y in route.points[1:-1])
    assert_clean(result, nodes)


def test_it_leaves_out_arrows_whose_boxes_are_not_on_the_map():
    result = layout([Node(1, 0, "Alone")], [Edge(1, 1, 99)], lanes=1)

    assert result.routes == ()


def test_it_wraps_titles_between_words():
    lines, truncated = wrap_title("Grow revenue profitably in every region", width=16)

    assert lines == ("Grow revenue", "profitably in", "every region")
    assert truncated is False


def test_it_ends_a_title_too_long_for_three_lines_with_an_ellipsis():
    lines, truncated = wrap_title(LONG)

    assert truncated is True
    assert len(lines) == map_layout.TITLE_LINES
    assert lines[-1].endswith("…")
    assert all(len(line) <= map_layout.CHARS_PER_LINE for line in lines)
    # Whole words only, except where an ellipsis says something is missing.
    words = set(LONG.split())
    for line in lines:
        for word in line.removesuffix("…").split():
            assert word in words


def test_it_cuts_a_word_longer_than_a_line_only_with_an_ellipsis():
    lines, truncated = wrap_title("Pneumonoultramicroscopicsilicovolcanoconiosis cases", width=12)

    assert lines == ("Pneumonoult…", "cases")
    assert truncated is True


def test_it_reports_whether_a_segment_passes_through_a_box():
    box = map_layout.Rect(10, 10, 20, 20)

    assert segment_crosses(box, (20, 0), (20, 40))  # straight through
    assert not segment_crosses(box, (20, 0), (20, 10))  # ends on the top edge
    assert not segment_crosses(box, (10, 0), (10, 40))  # runs along the left edge
    assert segment_crosses(box, (0, 15), (15, 15))  # enters from the left
    assert not segment_crosses(box, (0, 35), (40, 35))  # passes below
