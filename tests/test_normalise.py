"""Accept what people type: one normalisation for files, forms and workbooks (issue 17, point 4)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import yaml
from conftest import DATA, domain

from planner.domain import normalise
from planner.domain.months import Month
from planner.domain.strategy import OwnerRole, Rating, Status
from planner.formats.strategy_file import StrategyFileError, dump_strategy, load_strategy

HAND_WRITTEN = """\
format: planner-strategy/1
organisation: {name: Gesundheitsamt Handschrift}
strategy:
  title: Von Hand geschrieben
  adopted: 03.2025
  roadmap_window: {from: 1/2025, to: 12/2026}
measures:
  - id: a
    title: Erste Maßnahme
    dimension: Mitarbeitende
    start: 04/2025
    end: 10.2025
    urgency: Hoch
    feasibility: Gering / Mittel
    status: Geplant
    owners: [{name: Annika Feldhues, role: Lead}, {name: IT-Service, role: SUPPORT}]
  - id: b
    title: Zweite Maßnahme
    dimension: IT-Sicherheit
    start: 2025-05
    end: 12.2030
    status: in Umsetzung
    urgency: mittel/hoch
    depends_on: [a]
"""


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2025-04", Month(2025, 4)),
        ("04/2025", Month(2025, 4)),
        ("4/2025", Month(2025, 4)),
        ("04.2025", Month(2025, 4)),
        (" 10 / 2025 ", Month(2025, 10)),
        (4.2025, Month(2025, 4)),  # YAML reads 04.2025 as a number
        (10.202, Month(2020, 10)),  # ... and 10.2020 as 10.202
        (date(2025, 4, 17), Month(2025, 4)),
        (datetime(2025, 4, 1, 0, 0), Month(2025, 4)),  # an Excel date cell
        ("", None),
        (None, None),
    ],
)
def test_months_in_every_typed_form(typed, expected):
    assert normalise.month_value(typed) == expected


@pytest.mark.parametrize("typed", ["13/2025", "2025-13", "04-2025", "April 2025", "0/2025", "04/25", "2025"])
def test_wrong_months_are_refused_in_german(typed):
    with pytest.raises(ValueError, match=f"„{typed}“ ist kein Monat. Bitte als MM/JJJJ"):
        normalise.month_value(typed)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("30.06.2027", Month(2027, 6)), ("1.2.2027", Month(2027, 2)), (" 31.12.2026 ", Month(2026, 12))],
)
def test_full_german_dates_count_as_their_month(typed, expected):
    """A full date in a month field (issue 26, point 11): the month is what counts."""
    assert Month.parse(typed) == expected
    assert normalise.month_value(typed) == expected


@pytest.mark.parametrize("typed", ["31.02.2027", "32.01.2027", "30.13.2027"])
def test_impossible_dates_in_a_month_field_are_refused(typed):
    with pytest.raises(ValueError, match=f"„{typed}“ ist kein Monat"):
        normalise.month_value(typed)


def test_a_full_date_out_of_the_year_range_names_the_year():
    with pytest.raises(ValueError, match="Das Jahr 2300 liegt nicht zwischen 1900 und 2200"):
        normalise.month_value("30.06.2300")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("Hoch", Rating.HOCH), ("HOCH ", Rating.HOCH), ("Gering / Mittel", Rating.GERING_MITTEL), ("", None)],
)
def test_ratings_regardless_of_case_and_spaces(typed, expected):
    assert normalise.rating_value(typed) is expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("in Umsetzung", Status.IN_UMSETZUNG),
        ("In  Umsetzung", Status.IN_UMSETZUNG),
        ("in_umsetzung", Status.IN_UMSETZUNG),
        ("Geplant", Status.GEPLANT),
        ("BACKLOG", Status.BACKLOG),
        ("Abgeschlossen", Status.ABGESCHLOSSEN),
    ],
)
def test_status_by_value_or_label(typed, expected):
    assert normalise.status_value(typed) is expected


def test_roles():
    assert normalise.role_value("Lead") is OwnerRole.LEAD
    assert normalise.role_value(" support ") is OwnerRole.SUPPORT
    assert normalise.role_value(None) is OwnerRole.LEAD
    with pytest.raises(ValueError, match="„Chef“ ist keine Rolle"):
        normalise.role_value("Chef")


def test_wrong_scale_values_keep_their_clear_messages():
    with pytest.raises(ValueError, match="„Hochh“ ist nicht erlaubt; erlaubt sind: gering, gering/mittel"):
        normalise.rating_value("Hochh")
    with pytest.raises(ValueError, match="„erledigt“ ist nicht erlaubt; erlaubt sind: Backlog, geplant, in Umsetzung"):
        normalise.status_value("erledigt")


def test_hand_written_file_is_accepted_and_written_back_canonically():
    s = load_strategy(HAND_WRITTEN)
    a, b = s.measures
    assert (a.start, a.end, b.start, b.end) == (Month(2025, 4), Month(2025, 10), Month(2025, 5), Month(2030, 12))
    assert a.urgency is Rating.HOCH and a.feasibility is Rating.GERING_MITTEL and a.status is Status.GEPLANT
    assert [o.role for o in a.owners] == [OwnerRole.LEAD, OwnerRole.SUPPORT]
    assert b.status is Status.IN_UMSETZUNG and b.urgency is Rating.MITTEL_HOCH
    assert (s.adopted, s.window_start, s.window_end) == (Month(2025, 3), Month(2025, 1), Month(2026, 12))
    written = yaml.safe_load(dump_strategy(s))
    assert written["strategy"]["adopted"] == "2025-03"
    assert written["strategy"]["roadmap_window"] == {"from": "2025-01", "to": "2026-12"}
    first = written["measures"][0]
    assert (first["start"], first["end"], first["urgency"], first["feasibility"], first["status"]) == (
        "2025-04",
        "2025-10",
        "hoch",
        "gering/mittel",
        "geplant",
    )
    assert [o["role"] for o in first["owners"]] == ["lead", "support"]
    assert written["measures"][1]["status"] == "in_umsetzung"


def test_what_is_really_wrong_is_still_refused_with_measure_and_field():
    text = (
        HAND_WRITTEN.replace("start: 04/2025", "start: 13/2025")
        .replace("urgency: Hoch", "urgency: Hochh")
        .replace("end: 10.2025", "end: 13.2025")
        .replace("role: SUPPORT", "role: Chef")
    )
    with pytest.raises(StrategyFileError) as info:
        load_strategy(text)
    messages = info.value.messages
    assert (
        "Maßnahme „a“, Feld „start“: „13/2025“ ist kein Monat (erwartet MM/JJJJ oder JJJJ-MM, z. B. 04/2023)."
        in messages
    )
    assert (
        "Maßnahme „a“, Feld „end“: „13.2025“ ist kein Monat (erwartet MM/JJJJ oder JJJJ-MM, z. B. 04/2023)." in messages
    )
    assert any(
        m.startswith("Maßnahme „a“, Feld „urgency“: „Hochh“ ist nicht erlaubt; erlaubt sind: gering") for m in messages
    )
    assert any(m.startswith("Maßnahme „a“, Feld „owners.1.role“: „Chef“ ist nicht erlaubt") for m in messages)
    assert len(messages) == 4


def test_canonical_files_are_unchanged_by_normalisation():
    text = (DATA / "sample.yaml").read_text(encoding="utf-8")
    assert dump_strategy(load_strategy(text)) == dump_strategy(load_strategy(dump_strategy(load_strategy(text))))
    data = yaml.safe_load(dump_strategy(load_strategy(text)))
    assert normalise.normalise_strategy_data(yaml.safe_load(dump_strategy(load_strategy(text)))) == data


MEASURE_FORM = {
    "title": "Terminvergabe online",
    "dimension": "Bürger*innenzentrierung",
    "status": "In Umsetzung",
    "urgency": "Hoch",
    "feasibility": "Mittel",
    "owners": "Annika Feldhues ( lead )\nFelix Marincel (SUPPORT)",
    "start": "09.2024",
    "end": "2025-6",
}


@pytest.mark.db
def test_the_measure_form_accepts_typed_forms_and_stores_canonical_ones(app, client, sample_id):
    response = client.post(f"/strategien/{sample_id}/massnahmen/neu", data=MEASURE_FORM)
    assert response.status_code == 302, response.text
    m = domain(app, sample_id).measure("terminvergabe-online")
    assert m.status is Status.IN_UMSETZUNG and m.urgency is Rating.HOCH and m.feasibility is Rating.MITTEL
    assert (str(m.start), str(m.end)) == ("2024-09", "2025-06")
    assert [(o.name, o.role) for o in m.owners] == [
        ("Annika Feldhues", OwnerRole.LEAD),
        ("Felix Marincel", OwnerRole.SUPPORT),
    ]
    edit = client.get(f"/strategien/{sample_id}/massnahmen/terminvergabe-online/bearbeiten").text
    assert 'value="09/2024"' in edit and 'value="06/2025"' in edit


@pytest.mark.db
def test_the_measure_form_still_refuses_wrong_values(app, client, sample_id):
    response = client.post(
        f"/strategien/{sample_id}/massnahmen/neu", data={**MEASURE_FORM, "start": "13.2025", "urgency": "Hochh"}
    )
    assert response.status_code == 422
    assert "„13.2025“ ist kein Monat. Bitte als MM/JJJJ" in response.text
    assert "Keine gültige Auswahl" in response.text
    assert "Terminvergabe online" in response.text  # the form keeps what was typed
    assert len(domain(app, sample_id).measures) == 4


@pytest.mark.db
def test_the_strategy_form_accepts_months_with_a_dot(app, client, sample_id):
    page = client.get(f"/strategien/{sample_id}/bearbeiten").text
    assert "Digitalisierungsstrategie Musterstadt" in page
    from auth_support import form_data

    data = form_data(page)
    data.update(adopted="01.2027", window_start="2027-01", window_end="12/2028")
    assert client.post(f"/strategien/{sample_id}/bearbeiten", data=data).status_code == 302
    s = domain(app, sample_id)
    assert (s.adopted, s.window_start, s.window_end) == (Month(2027, 1), Month(2027, 1), Month(2028, 12))


@pytest.mark.db
def test_the_measure_form_accepts_full_german_dates(app, client, sample_id):
    data = {**MEASURE_FORM, "start": "01.09.2024", "end": "30.06.2027"}
    assert client.post(f"/strategien/{sample_id}/massnahmen/neu", data=data).status_code == 302
    m = domain(app, sample_id).measure("terminvergabe-online")
    assert (m.start, m.end) == (Month(2024, 9), Month(2027, 6))


@pytest.mark.db
def test_planner_check_and_the_web_upload_accept_the_hand_written_file(app, client, tmp_path):
    import io

    from conftest import run

    path = tmp_path / "hand.yaml"
    path.write_text(HAND_WRITTEN, encoding="utf-8")
    result = run("check", path)
    assert result.exit_code == 0, result.output
    assert "gültig – 2 Maßnahmen" in result.output
    response = client.post(
        "/strategien/importieren",
        data={"file": (io.BytesIO(HAND_WRITTEN.encode()), "hand.yaml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.text
    sid = int(response.location.rstrip("/").split("/")[-1])
    exported = client.get(f"/strategien/{sid}/export.yaml").text
    assert "start: 2025-04" in exported and "status: in_umsetzung" in exported and "urgency: hoch" in exported


def test_owner_lines_as_forms_and_workbooks_write_them():
    assert normalise.owner_line("Annika Feldhues (Lead)") == ("Annika Feldhues", OwnerRole.LEAD)
    assert normalise.owner_line("IT-Service ( SUPPORT )") == ("IT-Service", OwnerRole.SUPPORT)
    assert normalise.owner_line("Amt 53 (Gesundheit)") == ("Amt 53 (Gesundheit)", OwnerRole.LEAD)
    assert normalise.owner_line("  Andreas   Heeke ") == ("Andreas Heeke", OwnerRole.LEAD)
