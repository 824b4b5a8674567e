"""axe-core (bundled by axe-playwright-python) against WCAG 2.1 A/AA, and a crawler for 'every page'."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlparse

from axe_playwright_python.sync_playwright import Axe

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
_axe = Axe()


def settled(page) -> None:
    """Wait until the page shown has loaded with its style sheets. A click that navigates returns once
    the new page has begun to load; checked before its CSS applies, a page is unstyled (a table with a
    long DN made the page 921 px wide at a 320 px window in CI)."""
    page.wait_for_load_state("load")


def assert_fits(page) -> None:
    """Nothing of the loaded page sticks out of the window sideways (WCAG 1.4.10, no horizontal
    scrolling)."""
    settled(page)
    window = page.viewport_size["width"]
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= window, f"{page.url}: {width} px wide at a {window} px window"


def assert_accessible(page) -> None:
    """No WCAG 2.1 AA violation on the loaded page as it is now (styles applied, so contrast counts)."""
    settled(page)
    result = _axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]})
    assert result.violations_count == 0, f"{page.url}\n{result.generate_report()}"


def _shape(path: str) -> str:
    """Pages that differ only by the measure or object they show share a shape."""
    path = re.sub(r"/massnahmen/(?!neu$)[^/]+", "/massnahmen/*", path)
    return re.sub(r"/\d+", "/#", path)


DOWNLOAD = re.compile(r"\.(yaml|yml|pdf|docx|xlsx|svg|png|ics|csv|json|xml)$|/download|/export")


def crawl(page, start: str, per_shape: int = 2, limit: int = 150, check=None) -> list[str]:
    """Every same-origin HTML page reachable by links from `start`, at most `per_shape` per shape;
    `check(page)` runs on each page after axe-core."""
    origin = urlparse(start).netloc
    seen: set[str] = set()
    counts: dict[str, int] = {}
    queue = [start]
    pages: list[str] = []
    while queue and len(pages) < limit:
        url = queue.pop(0).split("#")[0]
        parsed = urlparse(url)
        if url in seen or parsed.netloc != origin or DOWNLOAD.search(parsed.path):
            continue
        seen.add(url)
        shape = _shape(parsed.path)
        if counts.get(shape, 0) >= per_shape:
            continue
        response = page.goto(url)
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        counts[shape] = counts.get(shape, 0) + 1
        pages.append(url)
        assert response.status < 400, f"{url} answered {response.status}"
        assert_accessible(page)
        if check is not None:
            check(page)
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
            if href and not href.startswith(("mailto:", "javascript:")) and "logout" not in href:
                queue.append(urljoin(url, href))
    return pages
