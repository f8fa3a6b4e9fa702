"""`make screenshots` (issue 17) does not rot: its core, run against the live demo as one
persona, writes a real picture of each page at both widths."""

import struct

import pytest

from demo.screenshots import WIDTHS, photograph

pytestmark = [pytest.mark.browser]

PAGES = {"home", "scorecard", "map", "dashboard", "review", "actions", "my-updates"}


def png_width(data: bytes) -> int:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">I", data[16:20])[0]


def test_it_writes_each_page_at_both_widths(demo, browser, live_server, tmp_path):
    shots = photograph(browser, live_server.url, tmp_path, ["manager"])
    assert {(shot.page, shot.width) for shot in shots} == {
        (page, width) for page in PAGES for width in WIDTHS
    }
    for shot in shots:
        assert shot.path == tmp_path / f"manager-{shot.page}-{shot.width}.png"
        data = shot.path.read_bytes()
        # A blank or error page compresses to a few kilobytes; the product's pages do not.
        assert len(data) > 20_000, (shot.path.name, len(data))
        assert png_width(data) == shot.width, shot.path.name
