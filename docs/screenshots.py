"""Take the user guide's screenshots (docs/handbuch-*.png) from the running app with Playwright.

    python docs/screenshots.py      # from the repository root; needs the system Chromium

The app runs in-process on a temporary SQLite database with the bundled Kreis Steinfurt strategy,
"today" fixed at 30.11.2026, logged in as an administrator.
"""

from __future__ import annotations

import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from playwright.sync_api import sync_playwright  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from planner import create_app  # noqa: E402
from planner.extensions import db  # noqa: E402
from planner.models import Model  # noqa: E402

DOCS = ROOT / "docs"
CHROMIUM = "/usr/bin/chromium"


def main() -> None:
    from auth_support import admin_client  # the tests' login helper
    from conftest import STEINFURT, import_file

    tmp = tempfile.mkdtemp()
    app = create_app(
        {
            "SECRET_KEY": "screenshots",
            "SQLALCHEMY_ENGINES": {"default": f"sqlite:///{tmp}/db.sqlite"},
            "TODAY": "2026-11-30",
        }
    )
    with app.app_context():
        Model.metadata.create_all(db.engine)
    sid = import_file(app, STEINFURT)
    cookie = admin_client(app).get_cookie("session").value
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    base = f"{url}/strategien/{sid}"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(locale="de-DE", viewport={"width": 1280, "height": 860})
        page.context.add_cookies([{"name": "session", "value": cookie, "url": url}])

        def shot(name: str) -> None:
            page.screenshot(path=str(DOCS / f"handbuch-{name}.png"))

        page.goto(url + "/")
        shot("start")
        page.goto(f"{base}/statusabfrage")
        for title in ("Inventur Hardware", "Beschaffung Hardware", "Entwicklung eines Schulungskonzepts"):
            page.get_by_label(f"Status: {title}", exact=True).select_option("abgeschlossen")
            page.get_by_label(f"Tatsächliches Ende: {title}", exact=True).fill("10/2026")
        page.get_by_label("Stand: Inventur Hardware", exact=True).fill("Inventur im Oktober abgeschlossen")
        page.locator(".table-scroll").evaluate("e => { e.scrollLeft = 0; }")
        page.locator("h1").scroll_into_view_if_needed()
        shot("statusabfrage")
        page.get_by_role("button", name="Alle Änderungen speichern").click()
        page.goto(f"{base}/bewertungsworkshop")
        page.get_by_label("Machbarkeit: Hinzuziehen einer externen Moderation", exact=True).select_option("hoch")
        page.get_by_label("Machbarkeit: Entwicklung eines Kommunikationskonzepts", exact=True).select_option("mittel")
        page.get_by_label("Machbarkeit: Entwicklung eines Kommunikationskonzepts", exact=True).focus()
        shot("bewertungsworkshop")
        page.get_by_role("button", name="Bewertung speichern und Matrix zeigen").click()
        shot("bewertung")
        page.goto(f"{base}/evaluationen")
        page.locator("#demnaechst-h").scroll_into_view_if_needed()
        shot("evaluationen")
        page.goto(f"{base}/massnahmen/inventur-hardware/evaluation?art=prozess&faellig=2026-11")
        shot("evaluation")
        page.goto(f"{base}/strategiereviews")
        shot("review")
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main()
