"""Findings of walking the product as its users do (strategy team, measure owner, admin)."""

from __future__ import annotations

from lxml import html as lxml_html


def form_data(page: str) -> dict[str, list[str] | str]:
    """The values a browser would submit for the page's main form (checked boxes, selected options)."""
    doc = lxml_html.fromstring(page)
    form = doc.xpath("//form[contains(@class,'form')][not(contains(@class,'inline'))]")[0]
    data: dict[str, list[str]] = {}
    for el in form.xpath(".//input[@name]|.//textarea[@name]|.//select[@name]"):
        name = el.get("name")
        if el.tag == "input" and el.get("type") in ("checkbox", "radio") and el.get("checked") is None:
            continue
        if el.tag == "select":
            values = [o.get("value") for o in el.xpath(".//option[@selected]")] or []
        elif el.tag == "textarea":
            values = [el.text or ""]
        else:
            values = [el.get("value") or ""]
        data.setdefault(name, []).extend(values)
    return {k: v if len(v) != 1 else v[0] for k, v in data.items()}


def test_saving_a_measure_that_now_starts_too_early_warns_and_the_page_names_the_conflict(client, steinfurt_id):
    base = f"/strategien/{steinfurt_id}/massnahmen/beschaffung-hardware"
    page = client.get(base).text
    assert "Zeitkonflikt" not in page
    data = form_data(client.get(f"{base}/bearbeiten").text)
    assert data["start"] == "05/2023"
    response = client.post(f"{base}/bearbeiten", data={**data, "start": "03/2023"}, follow_redirects=True)
    assert response.status_code == 200
    text = response.text
    assert "Die Maßnahme wurde gespeichert." in text
    assert "flash-warning" in text
    assert "„Beschaffung Hardware“ beginnt 03/2023, hängt aber von „Anforderungsprofile an die Arbeitsplätze“ ab (endet 04/2023)" in text
    # the prerequisite's page shows the same conflict
    other = client.get(f"/strategien/{steinfurt_id}/massnahmen/anforderungsprofile").text
    assert "Zeitkonflikt" in other and "beginnt 03/2023" in other


def test_saving_without_conflict_gives_no_warning(client, steinfurt_id):
    base = f"/strategien/{steinfurt_id}/massnahmen/beschaffung-hardware"
    data = form_data(client.get(f"{base}/bearbeiten").text)
    response = client.post(f"{base}/bearbeiten", data={**data, "start": "04/2023"}, follow_redirects=True)
    assert "Die Maßnahme wurde gespeichert." in response.text
    assert "flash-warning" not in response.text


def test_progress_page_calls_a_measure_past_its_planned_end_late_like_the_review(app, client, steinfurt_id):
    app.config["VERSTETIGUNG_TODAY"] = "2024-03-15"
    page = client.get(f"/strategien/{steinfurt_id}/massnahmen/beschaffung-hardware/verstetigung").text
    assert "noch nicht beurteilbar" not in page
    assert "verspätet" in page and "geplantes Ende 12/2023 überschritten" in page
    review = client.get(f"/strategien/{steinfurt_id}/review").text
    assert "verspätet" in review
    # a measure whose planned months have not come yet stays open
    app.config["VERSTETIGUNG_TODAY"] = "2022-06-01"
    running = client.get(f"/strategien/{steinfurt_id}/massnahmen/prozessoptimierung-rpa/verstetigung").text
    assert "noch nicht beurteilbar" in running
