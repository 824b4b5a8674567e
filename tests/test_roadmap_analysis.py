"""Roadmap analyses with hand-computed expectations: conflicts, waves, critical path,
redundant links, slip impact and the scheduling proposal."""

from __future__ import annotations

import pytest

from planner.domain.graph import build_graph, implied_path, redundant_edges, topological_layers
from planner.domain.months import Month
from planner.domain.planning import propose_schedule, slip_impact
from planner.domain.schedule import analyse, critical_path, logical_order, schedule_conflicts, waves
from planner.domain.strategy import Measure, Owner, OwnerRole, Rating, Status, Strategy


def mm(text: str | None) -> Month | None:
    return Month.parse(text) if text else None


def m(key, start=None, end=None, deps=(), urgency=None, status=Status.GEPLANT, title=None, owners=()):
    return Measure(
        key=key,
        title=title or key.upper(),
        dimension="Mitarbeitende",
        start=mm(start),
        end=mm(end),
        depends_on=list(deps),
        urgency=Rating(urgency) if urgency else None,
        status=status,
        owners=[Owner(o, OwnerRole.LEAD) for o in owners],
    )


def strategy(*measures, window=("2024-01", "2025-12")) -> Strategy:
    return Strategy("GA Test", "Test", window_start=mm(window[0]), window_end=mm(window[1]), measures=list(measures))


def pairs(conflicts):
    return [(c.measure, c.depends_on) for c in conflicts]


# --- schedule conflicts ----------------------------------------------------------------


def test_dependent_starting_before_the_prerequisites_last_month_conflicts():
    measures = [
        m("pre", "2024-01", "2024-04"),
        m("early", "2024-03", "2024-05", ["pre"]),  # starts 03, pre ends 04: conflict
        m("same", "2024-04", "2024-06", ["pre"]),  # starts in the month pre ends: allowed
        m("later", "2024-05", "2024-06", ["pre"]),
    ]
    conflicts = schedule_conflicts(measures)
    assert pairs(conflicts) == [("early", "pre")]
    assert conflicts[0].to_json() == {
        "measure": "early",
        "depends_on": "pre",
        "starts": "2024-03",
        "prerequisite_ends": "2024-04",
    }
    assert conflicts[0].months_early == 1


def test_open_ended_prerequisite_conflicts_only_with_a_dependent_starting_before_its_start():
    measures = [
        m("ongoing", "2023-04", None),  # "ab 04/2023"
        m("before", "2023-02", "2023-05", ["ongoing"]),
        m("same_month", "2023-04", "2023-05", ["ongoing"]),
        m("while_running", "2023-09", "2024-01", ["ongoing"]),
    ]
    conflicts = schedule_conflicts(measures)
    assert pairs(conflicts) == [("before", "ongoing")]
    assert conflicts[0].open_ended and conflicts[0].to_json()["prerequisite_ends"] is None
    assert conflicts[0].months_early == 2


def test_open_ended_dependent_is_checked_by_its_start():
    assert pairs(schedule_conflicts([m("a", "2024-01", "2024-06"), m("b", "2024-03", None, ["a"])])) == [("b", "a")]


def test_backlog_unplanned_and_dropped_measures_take_no_part_in_conflicts():
    measures = [
        m("backlog", "2024-01", "2024-12", status=Status.BACKLOG),
        m("dropped", "2024-01", "2024-12", status=Status.VERWORFEN),
        m("unplanned"),
        m("x", "2024-02", "2024-03", ["backlog", "dropped", "unplanned"]),
        m("y", "2024-01", "2024-02", status=Status.BACKLOG, deps=["x"]),
    ]
    assert schedule_conflicts(measures) == []


def test_conflicts_follow_the_measure_order_with_prerequisites_by_id():
    measures = [
        m("b", "2024-01", "2024-09"),
        m("a", "2024-01", "2024-09"),
        m("z", "2024-02", "2024-03", ["b", "a"]),
        m("y", "2024-02", "2024-03", ["a"]),
    ]
    assert pairs(schedule_conflicts(measures)) == [("z", "a"), ("z", "b"), ("y", "a")]


# --- logical order and waves -----------------------------------------------------------


def test_waves_group_by_prerequisites_and_break_ties_by_urgency_then_title():
    measures = [
        m("a", urgency="mittel", title="Alpha"),
        m("e", urgency="hoch", title="Echo"),
        m("b", deps=["a"], title="Bravo"),  # unknown urgency: last in its wave
        m("c", deps=["a"], urgency="gering", title="Charlie"),
        m("d", deps=["b", "c"], urgency="hoch", title="Delta"),
        m("f", deps=["e"], urgency="gering", title="Foxtrot"),
    ]
    assert waves(measures) == [["e", "a"], ["c", "f", "b"], ["d"]]
    assert logical_order(measures) == ["e", "a", "c", "f", "b", "d"]


def test_equal_urgency_sorts_by_title_with_umlauts_as_their_base_letter():
    measures = [
        m("z", urgency="hoch", title="Zentrale Ablage"),
        m("u", urgency="hoch", title="Überprüfung der Rechte"),
        m("a", urgency="hoch", title="Anforderungsprofil"),
        m("v", urgency="hoch", title="Verfahren"),
    ]
    # Ü sorts like U: after Anforderungsprofil, before Verfahren
    assert waves(measures) == [["a", "u", "v", "z"]]


def test_a_measure_waits_for_its_latest_prerequisite():
    # a -> b -> c and a -> c directly: c needs b, so it is in wave 3, not 2
    measures = [m("a"), m("b", deps=["a"]), m("c", deps=["a", "b"])]
    assert waves(measures) == [["a"], ["b"], ["c"]]


def test_backlog_and_dropped_measures_are_outside_the_order_and_do_not_hold_anyone_back():
    measures = [
        m("portal", status=Status.BACKLOG),
        m("old", status=Status.VERWORFEN),
        m("x", deps=["portal"]),
        m("y", deps=["x", "old"], status=Status.ABGESCHLOSSEN),
    ]
    assert waves(measures) == [["x"], ["y"]]


def test_cycles_are_named_and_their_measures_left_out_of_the_order():
    s = strategy(
        m("a", deps=["b"]),
        m("b", deps=["a"]),
        m("c", deps=["b"]),  # behind the cycle
        m("d"),
        m("e", deps=["d"]),
        m("f", deps=["f2"]),
        m("f2", deps=["g"]),
        m("g", deps=["f"]),
    )
    analysis = analyse(s)
    # edges run prerequisite -> dependent: f is needed by g, g by f2, f2 by f
    assert analysis.cycles == [["a", "b"], ["f", "g", "f2"]]
    assert analysis.waves == [["d"], ["e"]]
    _, blocked = topological_layers(build_graph(s.measures))
    assert blocked == {"a", "b", "c", "f", "f2", "g"}
    assert analysis.redundant == []


def test_valid_strategy_reports_an_empty_cycle_list():
    analysis = analyse(strategy(m("a"), m("b", deps=["a"])))
    assert analysis.cycles == []
    assert analysis.to_json()["cycles"] == []


# --- critical path ---------------------------------------------------------------------


def test_critical_path_is_the_chain_with_the_largest_total_duration():
    measures = [
        m("a", "2024-01", "2024-04"),  # 4 months
        m("b", "2024-05", "2024-06", ["a"]),  # 2
        m("c", "2024-05", "2024-10", ["a"]),  # 6
        m("d", "2024-11", "2024-12", ["b", "c"]),  # 2
        m("solo", "2024-01", "2024-11"),  # 11, alone
    ]
    # a-b-d = 8, a-c-d = 12, solo = 11
    assert critical_path(measures) == (["a", "c", "d"], 12)


def test_critical_path_counts_durations_not_the_calendar_span():
    # a and b overlap in a conflict: the chain still sums 6 + 6
    measures = [m("a", "2024-01", "2024-06"), m("b", "2024-03", "2024-08", ["a"])]
    assert critical_path(measures) == (["a", "b"], 12)


def test_open_ended_backlog_and_unplanned_measures_are_not_on_the_critical_path():
    measures = [
        m("a", "2024-01", "2024-03"),  # 3
        m("ongoing", "2024-04", None, ["a"]),
        m("b", "2024-05", "2024-06", ["ongoing"]),  # 2: the chain through the open-ended one is broken
        m("backlog", "2024-01", "2024-12", status=Status.BACKLOG),
        m("unplanned"),
    ]
    assert critical_path(measures) == (["a"], 3)


def test_critical_path_ties_go_to_the_more_urgent_then_alphabetical_chain():
    measures = [
        m("x", "2024-01", "2024-03", urgency="mittel", title="X"),
        m("y", "2024-01", "2024-03", urgency="hoch", title="Y"),
        m("p", "2024-01", "2024-03", urgency="hoch", title="P"),
    ]
    assert critical_path(measures) == (["p"], 3)
    chained = [
        m("a", "2024-01", "2024-02", title="A"),
        m("b", "2024-01", "2024-02", title="B"),
        m("c", "2024-03", "2024-04", ["a", "b"]),
    ]
    assert critical_path(chained) == (["a", "c"], 4)


def test_no_dated_measure_means_no_critical_path():
    assert critical_path([m("a"), m("b", "2024-01", None)]) == ([], 0)


# --- redundant links -------------------------------------------------------------------


def test_transitive_reduction_finds_links_implied_by_longer_chains():
    measures = [
        m("a"),
        m("b", deps=["a"]),
        m("c", deps=["b", "a"]),  # a is implied through b
        m("d", deps=["c", "a", "b"]),  # a and b are implied through c
        m("e", deps=["a"]),
    ]
    graph = build_graph(measures)
    assert redundant_edges(graph) == [("a", "c"), ("a", "d"), ("b", "d")]
    assert implied_path(graph, "a", "c") == ["a", "b", "c"]
    assert implied_path(graph, "a", "e") is None


# --- slip impact -----------------------------------------------------------------------


def slip_measures():
    return [
        m("a", "2024-01", "2024-04"),
        m("b", "2024-06", "2024-08", ["a"]),  # 2 months slack after a
        m("c", "2024-08", "2024-10", ["b"]),  # no slack after b
        m("d", "2024-05", "2024-07", ["a"]),  # 1 month slack
        m("free", "2024-01", "2024-12"),
        m("later", "2025-01", "2025-02", ["c", "d"]),  # 2 months slack after c
    ]


def test_slip_moves_dependents_only_as_far_as_needed():
    impact = slip_impact(slip_measures(), "a", 3)
    # a ends 07; b (starts 06) must start 07: +1; c follows b: +1; d (starts 05) must start 07: +2;
    # later starts 01/2025, c now ends 11/2024, d ends 09/2024: no move
    assert [(mv.key, mv.months) for mv in impact.moves] == [("a", 3), ("b", 1), ("d", 2), ("c", 1)]
    assert impact.moves[1].new_start == Month(2024, 7) and impact.moves[1].new_end == Month(2024, 9)
    assert impact.end_before == Month(2025, 2) and impact.end_after == Month(2025, 2)
    assert impact.end_delta == 0


def test_slip_that_eats_all_slack_moves_the_roadmap_end():
    impact = slip_impact(slip_measures(), "b", 5)
    # b ends 01/2025: c +5 (ends 03/2025); later must start 03/2025: +2, ends 04/2025
    assert [(mv.key, mv.months) for mv in impact.moves] == [("b", 5), ("c", 5), ("later", 2)]
    assert impact.end_after == Month(2025, 4) and impact.end_delta == 2


def test_slip_absorbed_by_slack_moves_nothing_else():
    impact = slip_impact(slip_measures(), "d", 5)
    # d ends 12/2024, later starts 01/2025
    assert [(mv.key, mv.months) for mv in impact.moves] == [("d", 5)]
    assert impact.followers == [] and impact.end_delta == 0


def test_slip_of_an_open_ended_prerequisite_counts_slack_from_its_start():
    measures = [m("ongoing", "2024-03", None), m("x", "2024-05", "2024-06", ["ongoing"])]
    impact = slip_impact(measures, "ongoing", 4)
    # ongoing now starts 07; x (05) must start 07: +2
    assert [(mv.key, mv.months) for mv in impact.moves] == [("ongoing", 4), ("x", 2)]
    assert impact.end_before == Month(2024, 6) and impact.end_after == Month(2024, 8)


def test_slip_keeps_an_existing_conflict_as_it_is():
    measures = [m("a", "2024-01", "2024-06"), m("b", "2024-03", "2024-04", ["a"])]
    impact = slip_impact(measures, "a", 2)
    # b was 3 months too early; it follows a by 2 and stays 3 months too early
    assert [(mv.key, mv.months) for mv in impact.moves] == [("a", 2), ("b", 2)]


def test_slip_of_a_measure_not_on_the_roadmap_is_refused():
    with pytest.raises(ValueError, match="nicht auf dem Fahrplan"):
        slip_impact([m("x", "2024-01", "2024-02", status=Status.BACKLOG)], "x", 1)
    with pytest.raises(ValueError):
        slip_impact([m("x", "2024-01", "2024-02")], "x", -1)


# --- scheduling proposal ---------------------------------------------------------------


def proposed(proposal):
    return {
        p.key: (str(p.proposed_start), str(p.proposed_end) if p.proposed_end else None) for p in proposal.placements
    }


def test_proposal_pushes_what_must_move_and_keeps_durations():
    s = strategy(
        m("a", "2024-01", "2024-04"),
        m("b", "2024-02", "2024-06", ["a"]),  # 5 months, conflicts with a
        m("c", "2024-05", "2024-05", ["b"]),  # then has to follow b
        m("d", "2024-03", "2024-04"),
    )
    p = propose_schedule(s)
    assert proposed(p) == {
        "a": ("2024-01", "2024-04"),
        "b": ("2024-04", "2024-08"),
        "c": ("2024-08", "2024-08"),
        "d": ("2024-03", "2024-04"),
    }
    assert [x.key for x in p.moved] == ["b", "c"]
    assert p.placement("b").after == "a" and p.placement("c").after == "b"
    assert p.end_before == Month(2024, 6) and p.end_after == Month(2024, 8)
    assert p.remaining_conflicts == []


def test_proposal_from_the_window_start_pulls_measures_forward():
    s = strategy(
        m("a", "2024-03", "2024-04"),
        m("b", "2024-09", "2024-10", ["a"]),
        m("ongoing", "2024-06", None, ["b"]),
        window=("2024-01", "2025-12"),
    )
    p = propose_schedule(s, keep_planned=False)
    assert proposed(p) == {"a": ("2024-01", "2024-02"), "b": ("2024-02", "2024-03"), "ongoing": ("2024-03", None)}
    later = propose_schedule(s, keep_planned=False, earliest=Month(2024, 5))
    assert proposed(later)["a"] == ("2024-05", "2024-06")


def test_proposal_with_at_most_one_measure_per_lead_owner_in_parallel():
    s = strategy(
        m("x", "2024-01", "2024-03", urgency="hoch", owners=["Feldhues"]),
        m("y", "2024-01", "2024-02", urgency="mittel", owners=["Feldhues"]),
        m("z", "2024-02", "2024-02", owners=["Marincel"]),
        m("w", "2024-02", "2024-03", owners=["Marincel", "Feldhues"]),
    )
    p = propose_schedule(s, max_parallel=1)
    # x first (same start, more urgent), y after x; z has Marincel alone in 02;
    # w needs both: Marincel free from 03, Feldhues busy until 05 (y): 06-07
    assert proposed(p) == {
        "x": ("2024-01", "2024-03"),
        "y": ("2024-04", "2024-05"),
        "z": ("2024-02", "2024-02"),
        "w": ("2024-06", "2024-07"),
    }
    assert p.placement("y").owner == "Feldhues"
    two = propose_schedule(s, max_parallel=2)
    # K=2: x and y run side by side; w finds Feldhues with two measures in 02, one in 03
    assert proposed(two)["y"] == ("2024-01", "2024-02") and proposed(two)["w"] == ("2024-03", "2024-04")


def test_proposal_keeps_begun_measures_and_counts_them_but_not_open_ended_ones():
    s = strategy(
        m("done", "2024-01", "2024-04", status=Status.ABGESCHLOSSEN, owners=["F"]),
        m("standing", "2024-01", None, status=Status.GEPLANT, owners=["F"]),
        m("new", "2024-02", "2024-03", owners=["F"]),
        m("running", "2024-01", "2024-02", status=Status.IN_UMSETZUNG, deps=["new"]),
    )
    p = propose_schedule(s, max_parallel=1)
    assert proposed(p)["done"] == ("2024-01", "2024-04") and p.placement("done").fixed
    assert proposed(p)["running"] == ("2024-01", "2024-02")
    assert proposed(p)["new"] == ("2024-05", "2024-06")  # after "done"; "standing" does not block
    # the running measure depends on "new": a conflict no proposal can undo
    assert pairs(p.remaining_conflicts) == [("running", "new")]
    with pytest.raises(ValueError):
        propose_schedule(s, max_parallel=0)


def test_proposal_never_starts_a_measure_that_has_not_begun_before_the_current_month():
    from dataclasses import replace

    s = strategy(
        m("old", "2024-01", "2024-04"),  # still "geplant" in 11/2026: at the earliest now
        m("next", "2024-03", "2024-05", ["old"]),  # after "old": 11/2026–01/2027 + its duration
        m("future", "2027-02", "2027-03"),  # planned after today: stays
        m("running", "2024-01", "2024-06", status=Status.IN_UMSETZUNG),  # has begun: keeps its months
    )
    s.measures.append(replace(m("started", "2024-02", "2024-03"), actual_start=mm("2024-02")))  # begun by record
    today = Month(2026, 11)
    p = propose_schedule(s, today=today)
    assert proposed(p)["old"] == ("2026-11", "2027-02")  # 4 months, from the current month
    assert proposed(p)["next"] == ("2027-02", "2027-04")  # in the month "old" ends, 3 months
    assert proposed(p)["future"] == ("2027-02", "2027-03")
    assert proposed(p)["running"] == ("2024-01", "2024-06") and p.placement("running").fixed
    assert proposed(p)["started"] == ("2024-02", "2024-03") and p.placement("started").fixed
    assert all(
        Month.parse(start) >= today for key, (start, _) in proposed(p).items() if key not in ("running", "started")
    )
    # "frueh" mode from an earlier month does not go before today either
    early = propose_schedule(s, keep_planned=False, earliest=Month(2024, 1), today=today)
    assert proposed(early)["old"][0] == "2026-11"
    # the boundary: a measure planned to start in the current month keeps that month
    assert proposed(propose_schedule(strategy(m("now", "2026-11", "2026-12")), today=today))["now"] == (
        "2026-11",
        "2026-12",
    )


def test_a_dense_tangle_of_cycles_is_named_in_part_and_quickly():
    import random

    from planner.domain.graph import MAX_CYCLES, find_cycles

    # 300 measures, 600 random links: hundreds of thousands of cycles, listing all would hang
    rnd = random.Random(1)
    measures = [m(f"m{i:03d}") for i in range(300)]
    links = set()
    while len(links) < 600:
        a, b = rnd.randrange(300), rnd.randrange(300)
        if a != b:
            links.add((a, b))
    for a, b in links:
        measures[b].depends_on.append(measures[a].key)
    cycles = find_cycles(build_graph(measures))
    assert len(cycles) == MAX_CYCLES
    assert all(c[0] == min(c) for c in cycles)
    assert len(analyse(strategy(*measures)).cycles) == MAX_CYCLES


def test_cycles_of_a_refused_file_are_read_from_its_raw_data_whatever_its_shape():
    from planner.domain.findings import raw_cycles

    assert raw_cycles(None) == [] and raw_cycles({"measures": {"a": 1}}) == []
    raw = {
        "measures": [
            1,
            "text",
            {"id": 5, "depends_on": ["a"]},  # not an id
            {"id": "a", "depends_on": "b"},  # not a list: ignored
            {"id": "b", "depends_on": ["c", None, "unbekannt"]},
            {"id": "c", "depends_on": ["b"]},
        ]
    }
    assert raw_cycles(raw) == [["b", "c"]]
