"""Land level rules without app or database: title similarity, the joint-measure hint, the
template copy, and the application landscape across offices."""

from __future__ import annotations

import random

from planner.domain.atlas import (
    AtlasItem,
    as_template,
    hint_text,
    similar_counts,
    similar_ids,
    similar_offices,
    title_similarity,
)
from planner.domain.landscape import (
    Application,
    application_problems,
    interface_candidates,
    matrix,
    operation_value,
    procurement_candidates,
    sample_landscape,
    shared_applications,
    split_interfaces,
    state_value,
)
from planner.domain.months import Month
from planner.domain.strategy import Measure, Owner, Rating, Status


def test_titles_alike_in_other_words_order_and_fillers():
    assert title_similarity("Entwicklung eines Schulungskonzepts", "Entwicklung des Schulungskonzepts") == 1.0
    assert title_similarity("Awareness-Konzept IT-Sicherheit", "IT-Sicherheit: Awareness-Konzept") == 1.0
    assert title_similarity("Entwicklung eines Schulungskonzepts", "Schulungskonzept entwickeln") >= 0.75


def test_different_titles_are_not_alike():
    assert title_similarity("Einführung der E-Akte", "Einführung eines Terminmanagements") < 0.75
    assert title_similarity("Beschaffung eines Chatbots", "WLAN im ganzen Haus") < 0.75
    assert title_similarity("", "Schulungskonzept") == 0.0
    assert title_similarity("der die das", "und oder") == 0.0


def _item(i, office, subs, title):
    return AtlasItem(i, office, tuple(subs), title)


def test_similar_offices_need_the_same_subdimension_and_a_similar_title():
    me = _item(1, "A", ["Schulungen"], "Entwicklung eines Schulungskonzepts")
    others = [
        _item(2, "B", ["Schulungen"], "Schulungskonzept entwickeln"),
        _item(3, "C", ["Sensibilisierung"], "Entwicklung eines Schulungskonzepts"),  # other subdimension
        _item(4, "D", ["Schulungen"], "Nichttechnische und technische Schulungen"),  # other title
        _item(5, "B", ["Schulungen"], "Entwicklung eines Schulungskonzepts"),  # B counts once
        _item(6, "E", ["Schulungen", "Partizipation"], "Entwicklung Schulungskonzept"),
    ]
    assert similar_offices(me, others) == {"A", "B", "E"}
    assert similar_offices(_item(7, "A", [], "Entwicklung eines Schulungskonzepts"), others) == {"A"}


def test_similar_counts_only_mark_measures_found_in_several_offices():
    items = [
        _item(1, "A", ["Schulungen"], "Entwicklung eines Schulungskonzepts"),
        _item(2, "B", ["Schulungen"], "Entwicklung des Schulungskonzepts"),
        _item(3, "A", ["Datenschutz"], "Datenschutzkonzept"),
        _item(4, "A", ["Schulungen"], "Entwicklung eines Schulungskonzepts (Teil 2)"),
    ]
    assert similar_counts(items, items) == {1: 2, 2: 2, 4: 2}
    assert hint_text(3) == "ähnliche Maßnahmen in 3 Ämtern"


def test_similar_ids_are_the_measures_behind_the_hint():
    me = _item(1, "A", ["Schulungen"], "Entwicklung eines Schulungskonzepts")
    others = [
        me,
        _item(2, "B", ["Schulungen"], "Schulungskonzept entwickeln"),
        _item(3, "C", ["Sensibilisierung"], "Entwicklung eines Schulungskonzepts"),  # other subdimension
        _item(4, "D", ["Schulungen"], "Nichttechnische und technische Schulungen"),  # other title
        _item(5, "B", ["Schulungen"], "Entwicklung eines Schulungskonzepts"),  # B's second one is listed too
        _item(6, "E", ["Schulungen", "Partizipation"], "Entwicklung Schulungskonzept"),
    ]
    ids = similar_ids(me, others)
    assert ids == {1, 5, 6}  # "Schulungskonzept entwickeln" shares no word (the atlas rule)
    # the link shows exactly the N offices the hint counts
    offices = {o.office for o in others if o.id in ids}
    assert len(offices) == similar_counts([me], others)[1] == 3


def test_template_keeps_the_steckbrief_but_not_owners_dates_or_progress():
    source = Measure(
        key="konzept",
        title="Entwicklung eines Schulungskonzepts",
        dimension="Mitarbeitende",
        description="Ein Konzept.",
        goal="Kompetenz.",
        further_dimensions=["Prozessdigitalisierung"],
        subdimensions=["Schulungen"],
        target_stage=3,
        urgency=Rating.HOCH,
        feasibility=Rating.MITTEL,
        status=Status.ABGESCHLOSSEN,
        second_loop=True,
        owners=[Owner("Annika Feldhues")],
        actors=["IT"],
        requirements=["Beteiligung Personalrat"],
        start=Month(2023, 1),
        end=Month(2023, 4),
        depends_on=["andere"],
        examples=["Miro"],
        steps=["Planung"],
        budget=1000.0,
        funding_call="1. Förderaufruf",
        deferrals=2,
        actual_start=Month(2023, 2),
        actual_end=Month(2023, 6),
    )
    copy = as_template(source, "entwicklung-eines-schulungskonzepts")
    assert copy.key == "entwicklung-eines-schulungskonzepts"
    assert (copy.owners, copy.start, copy.end, copy.actual_start, copy.actual_end) == ([], None, None, None, None)
    assert copy.status is Status.GEPLANT and copy.depends_on == [] and copy.deferrals == 0 and not copy.second_loop
    for name in ("title", "description", "goal", "dimension", "further_dimensions", "subdimensions", "target_stage",
                 "urgency", "feasibility", "actors", "requirements", "examples", "steps", "budget", "funding_call"):  # fmt: skip
        assert getattr(copy, name) == getattr(source, name), name
    copy.steps.append("x")
    assert source.steps == ["Planung"]  # lists are copies
    assert (
        as_template(Measure("b", "Portal", "Bürger*innenzentrierung", status=Status.BACKLOG), "p").status
        is Status.BACKLOG
    )


def test_labels_and_interfaces_are_read_leniently():
    assert operation_value("On-Premise") == "on_premise" and operation_value("RZ") == "rechenzentrum"
    assert operation_value("cloud") == "cloud" and operation_value("Keller") is None
    assert state_value("wird abgelöst") == "wird_abgeloest" and state_value("Im Einsatz") == "im_einsatz"
    assert state_value("vielleicht") is None
    assert split_interfaces("DEMIS; E-Akte, demis\nSORMAS ;") == ["DEMIS", "E-Akte", "SORMAS"]


def test_application_problems_are_german():
    assert application_problems(Application("Octoware")) == []
    problems = application_problems(Application(" ", operation="keller", state="x", interfaces=["a"] * 51))
    assert any("Name" in p for p in problems) and any("Betrieb" in p for p in problems)
    assert any("Stand" in p for p in problems) and any("Schnittstellen" in p for p in problems)
    assert application_problems(Application("DEMIS", interfaces=["demis"])) == [
        "Eine Anwendung hat keine Schnittstelle zu sich selbst."
    ]


LAND = {
    "GA Nord": [
        Application("InfektA", "Beispiel GmbH", "Infektionsschutz", interfaces=["DEMIS"]),
        Application("AquaPlan", "Wasser IT", "Trinkwasserüberwachung"),
    ],
    "GA Süd": [
        Application("MeldeFix", "Muster AG", "Infektionsschutz", interfaces=["DEMIS"]),
        Application("aquaplan", "Wasser IT", "Trinkwasserüberwachung", state="wird_abgeloest"),
    ],
    "GA West": [Application("InfektA", "Beispiel GmbH", "infektionsschutz", interfaces=["demis"])],
}


def test_matrix_application_by_office():
    rows = matrix(LAND)
    assert [(r.name, r.offices) for r in rows] == [("AquaPlan", 2), ("InfektA", 2), ("MeldeFix", 1)]
    assert rows[0].cells["GA Süd"].state == "wird_abgeloest"


def test_joint_procurement_needs_several_offices_and_vendors():
    found = procurement_candidates(LAND)
    assert [(c.task_area, sorted(c.offices), sorted(c.vendors)) for c in found] == [
        ("Infektionsschutz", ["GA Nord", "GA Süd", "GA West"], ["Beispiel GmbH", "Muster AG"])
    ]


def test_shared_applications_and_common_interfaces():
    # AquaPlan is being replaced in Süd: one office left that keeps it
    assert [(s.name, s.offices) for s in shared_applications(LAND)] == [("InfektA", ["GA Nord", "GA West"])]
    assert [(c.pair, c.offices) for c in interface_candidates(LAND)] == [(("DEMIS", "InfektA"), ["GA Nord", "GA West"])]


def test_sample_landscape_is_deterministic_and_valid():
    first = sample_landscape(random.Random(7), "Gesundheitsamt Beispielstadt")
    again = sample_landscape(random.Random(7), "Gesundheitsamt Beispielstadt")
    other = sample_landscape(random.Random(7), "Gesundheitsamt Anderswo")
    assert first == again and first != other
    assert len(first) >= 4
    assert all(application_problems(a) == [] for a in first)
    names = {a.name for a in first}
    assert all(set(a.interfaces) <= names for a in first)


def test_procurement_candidate_by_application():
    from planner.domain.landscape import Application, procurement_candidates

    def app(name, vendor):
        return Application(name=name, vendor=vendor, task_area="Infektionsschutz")

    landscapes = {"A": [app("InfektA", "X")], "B": [app("InfektA", "X")], "C": [app("MeldeFix", "Y")]}
    (c,) = procurement_candidates(landscapes)
    assert c.applications == [("InfektA (X)", ["A", "B"]), ("MeldeFix (Y)", ["C"])]
