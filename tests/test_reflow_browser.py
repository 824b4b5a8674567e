"""Reflow at 320 CSS pixels (WCAG 1.4.10): every page fits the width of a narrow window; wide
tables scroll inside their own labelled, keyboard-focusable region; the header menu wraps."""

from __future__ import annotations

import pytest
from a11y import assert_accessible, crawl
from conftest import DATA, PEINE, import_file
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

WIDTH = 320


def _fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{page.url}: {width} px wide at a {WIDTH} px window"
    # every table scrolls in a region that has a name and takes the keyboard focus
    for region in page.locator("table.table, table.anlage1").evaluate_all(
        "ts => ts.map(t => { const r = t.closest('.table-scroll');"
        " return r && r.getAttribute('role') === 'region'"
        " && (r.getAttribute('aria-label') || r.getAttribute('aria-labelledby')) && r.tabIndex === 0; })"
    ):
        assert region, f"{page.url}: a table outside a labelled, focusable scroll region"


def test_every_page_reflows_at_320_px(page: Page, live_server, live_app):
    import_file(live_app, DATA / "sample.yaml")
    import_file(live_app, PEINE)
    page.set_viewport_size({"width": WIDTH, "height": 720})
    pages = crawl(page, live_server.url + "/", per_shape=1, check=_fits)
    assert len(pages) >= 30, pages


def test_header_menu_wraps_and_logout_stays_readable(page: Page, live_server, live_app, screenshot):
    sid = import_file(live_app, PEINE)
    page.set_viewport_size({"width": WIDTH, "height": 720})
    page.goto(f"{live_server.url}/strategien/{sid}/reifegrad/messungen/1")
    logout = page.get_by_role("button", name="Abmelden")
    expect(logout).to_be_visible()
    box = logout.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH
    # on the header's dark blue, inside the header
    header = page.locator(".site-header").bounding_box()
    assert header["y"] <= box["y"] and box["y"] + box["height"] <= header["y"] + header["height"]
    region = page.get_by_role("region", name="Messung vom", exact=False).first
    region.focus()
    expect(region).to_be_focused()
    page.keyboard.press("ArrowRight")
    assert_accessible(page)
    screenshot("reflow-320-anlage1")
