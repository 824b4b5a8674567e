"""The Steinfurt strategy's own months contradict its own dependencies: planner must notice.

Expectations computed by hand from the document (seed 002, Maßnahmensteckbriefe: „Geplante
Umsetzung“ and „Abhängigkeit von anderen Maßnahmen“ / „Grundlage für Maßnahmen“):

| measure (starts)                                 | depends on (ends)                              | |
|--------------------------------------------------|------------------------------------------------|---|
| Nichttechn. und techn. Schulungen (ab 04/2023)   | Awareness-Konzept (05/2023, „Grundlage für“)   | conflict |
|                                                  | Schulungskonzept (04/2023)                     | same month: allowed |
| Regelmäßige Evaluation d. Prozessmod. (01/2023)  | Dokumentationskonzept (04/2023)                | conflict |
|                                                  | Prozessoptimierung mittels RPA (07/2024)       | conflict |
|                                                  | Prozessoptimierung in Workshops (04/2024)      | conflict |
| Awareness-Konzept (01/2023)                      | Onboarding adaptieren (07/2023)                | conflict |
|                                                  | Schulungskonzept (04/2023)                     | conflict |
| Terminkalendertool (09/2023)                     | Erhebung und Visualisierung (12/2023)          | conflict |
| Erhebung und Visualisierung (05/2023)            | Dokumentationskonzept (04/2023)                | fine |
| Prozessoptimierung in Workshops (07/2023), RPA (01/2024) | Dokumentationskonzept (04/2023)        | fine |
| Beschaffung Hardware (05/2023)                   | Inventur (03/2023), Anforderungsprofile (04/2023) | fine |

Critical path: Dokumentationskonzept 01–04/2023 (4) → Erhebung 05–12/2023 (8) →
Terminkalendertool 09/2023–06/2024 (10) = 22 months; the next longest chain is
Dokumentationskonzept → Workshops (10) → Evaluation (4) = 18.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from conftest import ROOT, STEINFURT, run
from matplotlib.backends.backend_agg import FigureCanvasAgg

from planner.charts.common import render
from planner.charts.gantt import gantt_chart
from planner.domain.schedule import analyse
from planner.formats.strategy_file import load_strategy

pytestmark = pytest.mark.skipif(not STEINFURT.exists(), reason="strategies/steinfurt-2023.yaml is not there yet")

CONFLICTS = [
    {"measure": "schulungen", "depends_on": "awareness-konzept", "starts": "2023-04", "prerequisite_ends": "2023-05"},
    {
        "measure": "evaluation-prozessmodellierung",
        "depends_on": "dokumentationskonzept",
        "starts": "2023-01",
        "prerequisite_ends": "2023-04",
    },
    {
        "measure": "evaluation-prozessmodellierung",
        "depends_on": "prozessoptimierung-rpa",
        "starts": "2023-01",
        "prerequisite_ends": "2024-07",
    },
    {
        "measure": "evaluation-prozessmodellierung",
        "depends_on": "prozessoptimierung-workshops",
        "starts": "2023-01",
        "prerequisite_ends": "2024-04",
    },
    {"measure": "awareness-konzept", "depends_on": "onboarding", "starts": "2023-01", "prerequisite_ends": "2023-07"},
    {
        "measure": "awareness-konzept",
        "depends_on": "schulungskonzept",
        "starts": "2023-01",
        "prerequisite_ends": "2023-04",
    },
    {
        "measure": "terminkalendertool",
        "depends_on": "prozesserhebung",
        "starts": "2023-09",
        "prerequisite_ends": "2023-12",
    },
]


def test_planner_check_finds_every_conflict_of_the_document():
    result = run("check", "--json", str(STEINFURT))
    assert result.exit_code == 0, result.output  # conflicts are findings: the file is valid
    report = json.loads(result.stdout)
    assert report["cycles"] == []
    assert report["conflicts"] == CONFLICTS
    assert report["critical_path"] == ["dokumentationskonzept", "prozesserhebung", "terminkalendertool"]
    assert report["critical_path_months"] == 22
    assert report["backlog"] == ["chatbot", "elearning-portal", "data-governance"]
    # waves by hand: prerequisites first; within a wave hoch before mittel before gering, then title
    assert report["waves"] == [
        [
            "anforderungsprofile",
            "agora-anmeldung",
            "agora-key-users",
            "strategie-leitbild",
            "dokumentationskonzept",
            "kommunikationskonzept",
            "schulungskonzept",
            "it-notfallkonzept",
            "it-sicherheitskonzept",
            "externe-moderation",
            "inventur-hardware",
            "arbeitsmasken",
            "whiteboard-tool",
            "onboarding",
        ],
        [
            "beschaffung-hardware",
            "awareness-konzept",
            "prozesserhebung",
            "prozessoptimierung-workshops",
            "prozessoptimierung-rpa",
        ],
        ["evaluation-prozessmodellierung", "terminkalendertool", "schulungen"],
    ]
    assert report["order"] == [k for wave in report["waves"] for k in wave]


@pytest.mark.db
def test_steinfurt_fahrplan_marks_every_conflict(client, steinfurt_id, app):
    app.config["TODAY"] = date(2023, 6, 15)
    html = client.get(f"/strategien/{steinfurt_id}/fahrplan").text
    conflicts = html[html.index('id="konflikte-h"') : html.index('id="pfad-h"')]
    assert conflicts.count("<tr>") == 1 + len(CONFLICTS)  # header + one row each
    for title in (
        "Regelmäßige Evaluation der Prozessmodellierung",
        "Entwicklung eines Awareness-Konzepts",
        "Organisationsweites Onboarding adaptieren",
        "Terminkalendertools",
    ):
        assert title in conflicts
    assert "22</strong> Monate" in html
    table = html[html.index('id="daten-h"') : html.index('id="basis-h"')]
    assert table.count("⚠ Zeitkonflikt") == 4  # four measures start too early
    svg = client.get(f"/strategien/{steinfurt_id}/fahrplan.svg?ansicht=1&kritisch=1&abhaengigkeiten=1").text
    assert "7 Zeitkonflikte" in svg and "Maßnahmen-Backlog" in svg


def test_steinfurt_gantt_reads_well():
    strategy = load_strategy(STEINFURT.read_text(encoding="utf-8"))
    analysis = analyse(strategy)
    fig = gantt_chart(strategy, analysis, today=date(2023, 6, 15), dependencies=True, critical=True)
    renderer = FigureCanvasAgg(fig).get_renderer()
    labels = sorted(
        (
            t.get_window_extent(renderer)
            for t in fig.findobj()
            if (getattr(t, "get_gid", lambda: None)() or "").startswith("zeile-")
        ),
        key=lambda box: -box.y1,
    )
    assert len(labels) == sum(1 for m in strategy.measures if m.is_planned)
    chart_left = fig.axes[0].get_window_extent().x0
    for upper, lower in zip(labels, labels[1:], strict=False):
        assert lower.y1 <= upper.y0 + 0.5  # no two labels overlap
    assert all(box.x0 >= 0 and box.x1 <= chart_left for box in labels)  # none cut off or in the chart
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    (ROOT / "test-artifacts" / "roadmap-gantt-steinfurt.png").write_bytes(render(fig, "png"))


def test_proposal_resolves_steinfurts_conflicts_by_hand():
    from planner.domain.planning import propose_schedule

    plan = propose_schedule(load_strategy(STEINFURT.read_text(encoding="utf-8")))
    moved = {
        p.key: (str(p.proposed_start), str(p.proposed_end) if p.proposed_end else None, p.after) for p in plan.moved
    }
    assert moved == {
        # after Onboarding (ends 07/2023), five months as planned
        "awareness-konzept": ("2023-07", "2023-11", "onboarding"),
        # open-ended: starts when the Awareness-Konzept ends
        "schulungen": ("2023-11", None, "awareness-konzept"),
        # after RPA (ends 07/2024), four months
        "evaluation-prozessmodellierung": ("2024-07", "2024-10", "prozessoptimierung-rpa"),
        # after Erhebung (ends 12/2023), ten months
        "terminkalendertool": ("2023-12", "2024-09", "prozesserhebung"),
    }
    assert (str(plan.end_before), str(plan.end_after)) == ("2024-08", "2024-10")
    assert plan.remaining_conflicts == []
