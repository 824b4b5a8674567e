"""Reflow at 320 CSS pixels (WCAG 1.4.10): every page fits the width of a narrow window; wide
tables scroll inside their own labelled, keyboard-focusable region; the header menu wraps."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from a11y import assert_accessible, assert_fits, crawl
from auth_support import ADMIN_USERNAME
from conftest import DATA, PEINE, STEINFURT, import_file
from playwright.sync_api import Page, expect

from planner.extensions import db
from planner.formats.strategy_file import load_strategy
from planner.models.auth import User
from planner.services import land_sample, tokens

pytestmark = pytest.mark.browser

WIDTH = 320


def _fits(page: Page) -> None:
    assert_fits(page)
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


def _hint_on_every_overflowing_table(page: Page) -> int:
    """A visible cue before every table region that scrolls sideways; returns how many scroll."""
    regions = page.locator(".table-scroll").evaluate_all(
        "rs => rs.map(r => { const hint = r.previousElementSibling;"
        " return [r.scrollWidth > r.clientWidth + 1, !!hint && hint.classList.contains('scroll-hint')"
        " && !hint.hidden && hint.getBoundingClientRect().height > 0, r.classList.contains('more-right')]; })"
    )
    for overflows, hinted, faded in regions:
        assert not overflows or (hinted and faded), f"{page.url}: a table scrolls sideways without a visible cue"
    return sum(1 for overflows, _, _ in regions if overflows)


def test_state_office_and_tokens_reflow_with_a_cue_for_wide_tables(page: Page, live_server, live_app, screenshot):
    import_file(live_app, PEINE)
    import_file(live_app, STEINFURT)
    with live_app.app_context():
        land = land_sample.seed_sample_land(
            db.session, load_strategy(land_sample.SAMPLE_FILE.read_text(encoding="utf-8"))
        ).organisation_id
        admin = db.session.scalar(sa.select(User).where(User.username == ADMIN_USERNAME))
        tokens.create(db.session, admin, "api", "Auswertung Landesstelle")
        db.session.commit()
    page.set_viewport_size({"width": WIDTH, "height": 720})
    scrolling = 0
    for path, name in ((f"/landesebene/{land}", "landesebene"), ("/profil/zugaenge", "zugaenge")):
        page.goto(live_server.url + path)
        _fits(page)
        scrolling += _hint_on_every_overflowing_table(page)
        assert_accessible(page)
        screenshot(f"reflow-320-{name}")
    assert scrolling >= 2, scrolling  # the heat map and the token table scroll sideways at 320 px
    # headings break with a hyphen (German hyphenation), not anywhere
    assert page.locator("h1").evaluate("h => getComputedStyle(h).hyphens") == "auto"
    # at 1280 px the token table fits: no cue
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/profil/zugaenge")
    expect(page.get_by_role("region", name="Angelegte API-Zugänge")).to_be_visible()
    assert _hint_on_every_overflowing_table(page) == 0
    expect(page.locator(".scroll-hint:visible")).to_have_count(0)
    screenshot("reflow-1280-zugaenge")
