"""Steckbrief content built from domain objects: fields, dependencies both ways, filters."""

from __future__ import annotations

from datetime import date

import pytest

from planner.domain.months import Month
from planner.domain.strategy import Measure, Owner, OwnerRole, Rating, Status
from planner.domain.verstetigung import Indicator, IndicatorValue, TrackedStrategy
from planner.steckbriefe import FilterError, SheetFilter, bundle_view, select_measures, sheet_view
from planner.steckbriefe.context import estimate_density, owner_names, parse_status

LONG = (
    "Im Rahmen der Digitalisierung von Prozessen werden verschiedene neue Technologien, Methoden und "
    "Werkzeuge zum Einsatz kommen. Die entsprechende Schulung der betroffenen Mitarbeitenden ist ein "
    "Schlüssel zur erfolgreichen und nachhaltigen Nutzung dieser neuen digitalen Elemente. "
)


def full_strategy() -> TrackedStrategy:
    """Every Steckbrief field filled in, umlauts everywhere, one measure with many owners and long texts."""
    full = Measure(
        key="schulungskonzept",
        title="Entwicklung eines Schulungskonzepts für Mitarbeitende",
        dimension="Mitarbeitende",
        description="Es wird ein Schulungskonzept erstellt. Dadurch wird schriftlich festgehalten, welche Themen zu schulen sind.",
        goal="Befähigung zur nachhaltigen Nutzung; Kompetenzentwicklung bei den Mitarbeitenden.",
        further_dimensions=["Prozessdigitalisierung"],
        subdimensions=["Schulungen", "Sensibilisierung"],
        target_stage=3,
        urgency=Rating.HOCH,
        feasibility=Rating.MITTEL,
        status=Status.IN_UMSETZUNG,
        second_loop=True,
        owners=[Owner("Annika Feldhues", OwnerRole.LEAD), Owner("Andreas Heeke", OwnerRole.SUPPORT)],
        actors=["Haupt-/Personalamt", "IT-Sicherheitsbeauftragter", "Personalrat"],
        requirements=["Beteiligung Personalrat", "gesetzliche Anforderungen", "Datenschutzkonformität"],
        start=Month(2023, 1),
        end=Month(2023, 4),
        examples=["d.3-Schulungen (Grundlagen, Tipps & Tricks)", "Miro"],
        steps=["Bedarfe erheben", "Schulungsformate wählen", "Schulungsplan abstimmen"],
        budget=12500.5,
        funding_call="foerderaufruf-3",
        actual_start=Month(2023, 2),
    )
    courses = Measure(
        key="schulungen",
        title="Nichttechnische und technische Schulungen",
        dimension="Mitarbeitende",
        status=Status.FORTLAUFEND,
        owners=[Owner("Annika Feldhues"), Owner("Felix Marincel", OwnerRole.SUPPORT)],
        start=Month(2023, 4),
        depends_on=["schulungskonzept"],
    )
    crowded = Measure(
        key="terminkalender",
        title="Beschaffung und Einführung eines vollumfänglichen Terminkalendertools für alle Abteilungen des Gesundheitsamts",
        dimension="Bürgerzentrierung",
        description=LONG * 5,
        goal=LONG * 2,
        urgency=Rating.GERING_MITTEL,
        owners=[
            Owner(f"Verantwortliche Person Nr. {i} aus dem Sachgebiet Überwachung", OwnerRole.SUPPORT)
            for i in range(16)
        ],
        actors=[f"Beteiligte Stelle {i} (Gesundheitsaufsicht, Infektionsschutz)" for i in range(12)],
        requirements=["Beteiligung Personalrat", "Datenschutzkonformität", "Barrierefreiheit nach BITV 2.0"],
        start=Month(2023, 9),
        end=Month(2024, 6),
        depends_on=["schulungskonzept", "schulungen"],
        examples=["samedi", "Terminland", "Online-Terminvergabe der Kfz-Zulassung"],
        steps=[LONG[:160]] * 8,
    )
    backlog = Measure(
        key="chatbot",
        title="Beschaffung und Einführung eines Chatbots",
        dimension="Bürger*innenzentrierung",
        status=Status.BACKLOG,
        owners=[Owner("IT-Service (Lukas Bäumer)")],
    )
    return TrackedStrategy(
        organisation="Gesundheitsamt Kreis Musterfurt",
        title="Digitalisierungsstrategie Gesundheitsamt Musterfurt",
        version="1.0",
        vision="Ein digitales, bürgernahes Gesundheitsamt.",
        mission="Schritt für Schritt, gemeinsam mit den Mitarbeitenden.",
        principles=["Bürgerfreundlich", "Transparent"],
        measures=[full, courses, crowded, backlog],
        indicators={
            "schulungskonzept": [
                Indicator(
                    "Durchgeführte Schulungen je Mitarbeitender",
                    "Schulungen",
                    0,
                    2.5,
                    [IndicatorValue(date(2024, 3, 15), 1.25)],
                ),
                Indicator("Zufriedenheit mit den Schulungen"),
            ]
        },
    )


def test_every_field_of_the_sheet():
    strategy = full_strategy()
    s = sheet_view(strategy, strategy.measure("schulungskonzept"))
    assert s.title == "Entwicklung eines Schulungskonzepts für Mitarbeitende"
    assert s.display_title.startswith("*")
    assert (s.dimension, s.status, s.planned) == ("Mitarbeitende", "in Umsetzung", "01/2023 – 04/2023")
    assert (s.urgency.label, s.urgency.rank, s.urgency.words) == ("hoch", 5, "hoch (5 von 5)")
    assert (s.feasibility.label, s.feasibility.rank) == ("mittel", 3)
    assert [(o.name, o.role) for o in s.owners] == [("Annika Feldhues", "Lead"), ("Andreas Heeke", "Support")]
    assert s.target_stage == "Stufe 3"
    assert s.budget == "12.500,50 €"
    assert s.funding_call == "foerderaufruf-3"
    assert [link.title for link in s.basis_for] == [
        "Nichttechnische und technische Schulungen",
        "Beschaffung und Einführung eines vollumfänglichen Terminkalendertools für alle Abteilungen des Gesundheitsamts",
    ]
    assert s.depends_on == []
    assert s.actual == "seit 02/2023"
    assert [(i.name, i.text) for i in s.indicators] == [
        (
            "Durchgeführte Schulungen je Mitarbeitender",
            "Ausgangswert 0 Schulungen · Ziel 2,5 Schulungen · zuletzt 1,25 Schulungen (15.03.2024)",
        ),
        ("Zufriedenheit mit den Schulungen", "noch nicht gemessen"),
    ]


def test_dependencies_both_directions_and_open_ended_range():
    strategy = full_strategy()
    s = sheet_view(strategy, strategy.measure("schulungen"))
    assert s.planned == "ab 04/2023"
    assert [(x.key, x.planned) for x in s.depends_on] == [("schulungskonzept", "01/2023 – 04/2023")]
    assert [x.key for x in s.basis_for] == ["terminkalender"]


def test_unknown_ratings_and_backlog():
    strategy = full_strategy()
    s = sheet_view(strategy, strategy.measure("chatbot"))
    assert (s.urgency.label, s.urgency.known, s.feasibility.label) == ("unbekannt", False, "unbekannt")
    assert s.urgency.words == "unbekannt"
    assert s.planned == "im Backlog"
    # the alias is shown under its canonical name
    assert s.dimension == "Bürger*innenzentrierung"


def test_long_sheets_are_set_denser():
    strategy = full_strategy()
    assert estimate_density(sheet_view(strategy, strategy.measure("schulungen"))) == 0
    assert estimate_density(sheet_view(strategy, strategy.measure("terminkalender"))) >= 2


def test_owner_filter_exact_any_case_and_part_of_a_unit():
    strategy = full_strategy()
    keys = [m.key for m in select_measures(strategy, SheetFilter(owner="annika  FELDHUES"))]
    assert keys == ["schulungskonzept", "schulungen"]
    assert [m.key for m in select_measures(strategy, SheetFilter(owner="Lukas Bäumer"))] == ["chatbot"]
    bundle = bundle_view(strategy, SheetFilter(owner="Annika Feldhues"), generated=date(2026, 11, 25))
    assert bundle.selection == "Verantwortlich: Annika Feldhues"
    assert bundle.generated_text == "25.11.2026"


def test_dimension_filter_accepts_aliases_and_status_filter_labels():
    strategy = full_strategy()
    keys = [m.key for m in select_measures(strategy, SheetFilter(dimension="BürgerInnenzentrierung"))]
    assert keys == ["terminkalender", "chatbot"]
    assert [m.key for m in select_measures(strategy, SheetFilter(status="in Umsetzung"))] == ["schulungskonzept"]
    assert [m.key for m in select_measures(strategy, SheetFilter(status="backlog"))] == ["chatbot"]
    assert parse_status("In_Umsetzung") is Status.IN_UMSETZUNG
    # filters combine
    both = SheetFilter(dimension="Mitarbeitende", owner="Felix Marincel")
    assert [m.key for m in select_measures(strategy, both)] == ["schulungen"]


@pytest.mark.parametrize(
    ("flt", "message"),
    [
        (
            SheetFilter(owner="Erika Mustermann"),
            "Niemand namens „Erika Mustermann“ ist für eine Maßnahme verantwortlich",
        ),
        (SheetFilter(dimension="Raumfahrt"), "Unbekannte Dimension „Raumfahrt“"),
        (SheetFilter(status="erledigt"), "Unbekannter Status „erledigt“"),
        (SheetFilter(measure="gibt-es-nicht"), "Keine Maßnahme mit der ID „gibt-es-nicht“"),
        (SheetFilter(dimension="IT-Sicherheit"), "Keine Maßnahme passt zur Auswahl (Dimension IT-Sicherheit)"),
    ],
)
def test_unknown_filter_values_are_named_in_german(flt, message):
    with pytest.raises(FilterError) as exc:
        select_measures(full_strategy(), flt)
    assert message in str(exc.value)


def test_owner_names_are_distinct_and_sorted():
    names = owner_names(full_strategy())
    assert names[:4] == ["Andreas Heeke", "Annika Feldhues", "Felix Marincel", "IT-Service (Lukas Bäumer)"]
    assert len(names) == len(set(names))
