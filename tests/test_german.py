"""The one German presentation module (planner/domain/german.py): numbers, money, percentages,
days, months, timestamps and the ASCII spelling of German words."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from planner.domain import german
from planner.domain.german import make_key
from planner.domain.months import Month
from planner.web.downloads import content_disposition
from planner.web.filters import file_stem


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "0"),
        (1234, "1.234"),
        (1234.0, "1.234"),
        (1234.5, "1.234,5"),
        (0.25, "0,25"),
        (2.005, "2"),  # at most two places, trailing zeros dropped (2.005 is stored as 2.00499…)
        (-1500.75, "-1.500,75"),
        (float("inf"), "ungültiger Wert"),
        (float("nan"), "ungültiger Wert"),
    ],
)
def test_numbers_use_the_german_separators_and_no_needless_decimals(value, text):
    assert german.number(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1005706, "1.005.706 €"),
        (1005706.0, "1.005.706 €"),
        (12500.5, "12.500,50 €"),
        (0, "0 €"),
        (0.01, "0,01 €"),
        (float("inf"), "ungültiger Wert"),
    ],
)
def test_money_is_always_written_with_the_euro_sign(value, text):
    assert german.money(value) == text
    assert "EUR" not in german.money(value)


def test_percent_days_months_and_timestamps():
    assert german.percent(0.15) == "15,0 %"
    assert german.percent(0.0) == "0,0 %"
    assert german.german_date(date(2022, 6, 9)) == "09.06.2022"
    assert german.german_date(None) == ""
    assert german.month(Month(2023, 4)) == "04/2023"
    assert german.month("2023-04") == "04/2023"
    assert german.month(None) == ""
    # winter time: UTC+1; a naive stored value counts as UTC
    assert german.timestamp(datetime(2026, 11, 30, 13, 5, tzinfo=UTC)) == "30.11.2026 14:05"
    assert german.timestamp(datetime(2026, 7, 1, 10, 0)) == "01.07.2026 12:00"
    assert german.timestamp(None) == ""


def test_transliteration_spells_out_umlauts_keeping_their_case():
    assert (
        german.transliterate("Äußere Öffentlichkeitsarbeit über Übach")
        == "Aeussere Oeffentlichkeitsarbeit ueber Uebach"
    )
    assert german.slug("Kreis Ärzte-Übersicht", "2023/24") == "kreis-aerzte-uebersicht-2023-24"
    assert german.slug(None, "", "Ä") == "ae"
    assert len(german.slug("x" * 200)) == 80


def test_file_names_keys_and_headers_share_the_one_rule():
    """The download names, measure keys and Content-Disposition fallback all spell Ä as Ae/ae."""
    assert file_stem("Ärztliche Dienste") == "aerztliche-dienste"
    assert make_key("Änderung der Öffnungszeiten") == "aenderung-der-oeffnungszeiten"
    assert 'filename="Aerzte.pdf"' in content_disposition("Ärzte.pdf")


def test_collation_sorts_umlauts_with_their_base_letter():
    words = ["Zentrale", "Ärzte", "Anmeldung", "Übersicht", "Umbau"]
    assert sorted(words, key=german.collation_key) == ["Anmeldung", "Ärzte", "Übersicht", "Umbau", "Zentrale"]


@pytest.mark.parametrize(("n", "expected"), [(0, "0 Zeitkonflikte"), (1, "1 Zeitkonflikt"), (2, "2 Zeitkonflikte")])
def test_counted_puts_the_noun_in_the_right_number(n, expected):
    assert german.counted(n, "Zeitkonflikt", "Zeitkonflikte") == expected


def test_parse_day_reads_german_and_iso_dates_and_refuses_others():
    from datetime import date

    import pytest

    from planner.domain.german import parse_day

    assert parse_day(" 12.06.2024 ") == parse_day("2024-06-12") == date(2024, 6, 12)
    for bad in ("31.02.2024", "12/06/2024", "morgen", ""):
        with pytest.raises(ValueError):
            parse_day(bad)


def test_the_end_of_a_day_in_berlin_as_stored_time():
    """What happened on a day in Berlin happened before day_end_utc(day) (naive UTC, as stored)."""
    assert german.day_end_utc(date(2025, 12, 31)) == datetime(2025, 12, 31, 23, 0)  # CET
    assert german.day_end_utc(date(2026, 6, 30)) == datetime(2026, 6, 30, 22, 0)  # CEST
    assert german.day_end_utc(date(2026, 3, 29)) == datetime(2026, 3, 29, 22, 0)  # the day the clocks change
