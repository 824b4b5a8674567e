"""Issue 10, defect 9 (non-finite numbers) and defect 13 (text lengths of file imports)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from auth_support import form_data
from conftest import DATA

from planner import models
from planner.extensions import db
from planner.formats.criteria import CriteriaFileError, parse_csv
from planner.formats.strategy_file import StrategyFileError, load_strategy
from planner.models.verstetigung import Indicator, IndicatorValue
from planner.services import backup

SAMPLE = (DATA / "sample.yaml").read_text(encoding="utf-8")
NOT_NUMBERS = ["inf", "-inf", "nan", "NaN", "Infinity", "1e309", "-1e309"]


@pytest.mark.db
def test_budget_form_refuses_non_finite_and_too_large_numbers(client, sample_id):
    url = f"/strategien/{sample_id}/massnahmen/konzept/bearbeiten"
    data = form_data(client.get(url).text)
    for budget in [*NOT_NUMBERS, "1e400", "1e15", "sNaN"]:
        response = client.post(url, data={**data, "budget": budget})
        assert response.status_code == 422, budget
        page = response.text
        assert any(m in page for m in ("keine gültige Zahl", "Das Budget ist zu groß", "nicht negativ")), budget
        assert f'value="{budget}"' in page  # the input stays in the form
    assert client.post(url, data={**data, "budget": "1234,5".replace(",", ".")}).status_code == 302


@pytest.mark.db
def test_indicator_forms_refuse_non_finite_numbers(client, app, sample_id):
    base = f"/strategien/{sample_id}/massnahmen/konzept"
    for value in NOT_NUMBERS:
        response = client.post(f"{base}/indikatoren", data={"name": "Schulungen", "baseline": value, "target": "2"})
        assert response.status_code == 422, value
        assert f"„{value}“ ist keine gültige Zahl" in response.text, value
    assert (
        client.post(f"{base}/indikatoren", data={"name": "Schulungen", "baseline": "1", "target": "2"}).status_code
        == 302
    )
    with app.app_context():
        ind_id = db.session.scalar(sa.select(Indicator.id))
    prefix = f"wert-{ind_id}"
    for value in NOT_NUMBERS:
        response = client.post(
            f"{base}/indikatoren/{ind_id}/werte", data={f"{prefix}-measured": "30.06.2024", f"{prefix}-value": value}
        )
        assert response.status_code == 422, value
        assert "keine gültige Zahl" in response.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(IndicatorValue)) == 0


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan", "1.0e+309"])
def test_strategy_file_refuses_non_finite_numbers(value):
    text = SAMPLE.replace("  - id: konzept\n", f"  - id: konzept\n    budget: {value}\n", 1)
    with pytest.raises(StrategyFileError) as info:
        load_strategy(text)
    assert any("keine gültige Zahl" in m and "konzept" in m and "budget" in m for m in info.value.messages), (
        info.value.messages
    )


def test_strategy_file_refuses_amounts_beyond_the_column():
    text = SAMPLE.replace("  - id: konzept\n", "  - id: konzept\n    budget: 1.0e+20\n", 1)
    with pytest.raises(StrategyFileError) as info:
        load_strategy(text)
    assert any("außerhalb des erlaubten Bereichs" in m and "konzept" in m for m in info.value.messages)


@pytest.mark.db
def test_stored_non_finite_values_never_break_steckbrief_or_backup(client, app, sample_id):
    """Values stored before the input checks existed: the pages still render, the backup is JSON."""
    with app.app_context():
        measure = db.session.scalar(
            sa.select(models.Measure).where(models.Measure.strategy_id == sample_id, models.Measure.key == "konzept")
        )
        # SQLite stores an infinite budget; PostgreSQL's numeric(14, 2) refuses it itself
        measure.budget = Decimal("Infinity") if db.engine.dialect.name == "sqlite" else None
        indicator = Indicator(measure_id=measure.id, name="Kaputt", unit="", baseline=float("inf"), target=float("nan"))
        db.session.add(indicator)
        db.session.flush()
        db.session.add(IndicatorValue(indicator_id=indicator.id, measured_on=date(2024, 6, 30), value=float("inf")))
        db.session.commit()
        org = measure.strategy.organisation_id
    base = f"/strategien/{sample_id}/massnahmen/konzept"
    for path in ("/steckbrief", "/steckbrief.pdf", "/steckbrief.docx", "", "/verstetigung"):
        assert client.get(base + path).status_code == 200, path
    response = client.get(f"/verwaltung/organisationen/{org}/sicherung.json")
    assert response.status_code == 200
    # strict JSON: no Infinity or NaN constants (the audit trail may quote them as text)
    document = json.loads(response.text, parse_constant=lambda name: pytest.fail(f"{name} in the backup"))
    tables = document["tables"]
    assert [i["baseline"] for i in tables["verstetigung_indicators"] if i["name"] == "Kaputt"] == [None]
    assert {m["budget"] for m in tables["measures"] if m["key"] == "konzept"} == {None}
    assert backup.FORMAT in response.text


@pytest.mark.parametrize(
    "old,new,field",
    [
        ("title: Entwicklung eines Schulungskonzepts", "title: " + "x" * 5000, "konzept"),
        ('version: "2024"', 'version: "' + "1" * 60 + '"', "version"),
    ],
)
def test_strategy_file_enforces_the_column_lengths(old, new, field):
    assert old in SAMPLE
    with pytest.raises(StrategyFileError) as info:
        load_strategy(SAMPLE.replace(old, new, 1))
    assert any("Der Text ist zu lang: höchstens" in m and field in m for m in info.value.messages), info.value.messages


def test_strategy_file_refuses_a_huge_vision_with_a_german_message():
    text = SAMPLE.replace("  vision: ", "  vision: " + "y" * 30_000 + " ", 1)
    with pytest.raises(StrategyFileError) as info:
        load_strategy(text)
    (message,) = [m for m in info.value.messages if "zu lang" in m]
    assert "höchstens 20.000 Zeichen, hier 30." in message and "vision" in message
    assert len(message) < 400  # the text itself is not repeated


@pytest.mark.db
def test_forms_refuse_texts_longer_than_the_columns(client, sample_id):
    url = f"/strategien/{sample_id}/bearbeiten"
    data = form_data(client.get(url).text)
    response = client.post(url, data={**data, "vision": "v" * 20_001})
    assert response.status_code == 422
    assert "Der Text ist zu lang (höchstens 20.000 Zeichen)." in response.text


def test_criteria_csv_enforces_the_text_length():
    data = f"Subdimension;Stufe;Kriterium\nInteraktion;0;{'k' * 20_001}\n".encode()
    with pytest.raises(CriteriaFileError) as info:
        parse_csv(data)
    assert info.value.problems == [
        "Zeile 2: Der Text des Kriteriums ist zu lang: höchstens 20.000 Zeichen, hier 20.001."
    ]
