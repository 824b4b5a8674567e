"""Fetching a document that is made in the background (services/jobs.py) through the web client,
as a browser would: the request answers with the job's page, the page's progress is polled, the
file is downloaded when ready."""

from __future__ import annotations

import time

WAIT_SECONDS = 180


def fetch_document(client, url: str, wait: float = WAIT_SECONDS):
    """The finished document's response for the export at `url` (the job page's download)."""
    started = client.get(url)
    assert started.status_code == 303, (url, started.status_code)
    page = started.headers["Location"]
    assert "/dokumente/" in page, page
    assert client.get(page).status_code == 200
    deadline = time.monotonic() + wait
    while True:
        state = client.get(page.rstrip("/") + "/stand").get_json()
        if state["done"]:
            break
        assert not state["failed"], state["error"]
        assert time.monotonic() < deadline, f"{url}: nach {wait} s nicht fertig ({state})"
        time.sleep(0.2)
    response = client.get(state["download"])
    assert response.status_code == 200
    return response
