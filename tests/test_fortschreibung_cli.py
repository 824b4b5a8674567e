"""`planner continue FILE --today … -o NEXT.yaml`: the next version from the file's latest finalised
review, through the same service as the web page; `planner check` and `planner evaluations` on the
result show the decision table's rules. German errors for bad input."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

import yaml
from conftest import STEINFURT, run

from planner.domain.months import Month
from planner.domain.review import propose_decisions
from planner.domain.strategy import Status
from planner.domain.verstetigung import ReviewDecision, ReviewEntry, ReviewRecord
from planner.formats.strategy_file import dump_strategy, load_strategy

DAY = date(2026, 12, 7)


def reviewed_file(tmp_path, *, finalised=True):
    """Steinfurt with the trainings running since 09/2023 and a review of 07.12.2026: the proposed
    decisions, the whiteboard tool dropped, the data governance concept without a decision."""
    s = load_strategy(STEINFURT.read_text(encoding="utf-8"))
    trainings = s.measure("schulungen")
    trainings.status, trainings.actual_start = Status.IN_UMSETZUNG, Month(2023, 9)
    entries = [ReviewEntry(k, p.decision, p.reason, p.decision) for k, p in propose_decisions(s, DAY).items()]
    for e in entries:
        if e.measure == "whiteboard-tool":
            e.decision, e.note = ReviewDecision.VERWERFEN, "ersetzt durch Teams"
        if e.measure == "data-governance":
            e.decision = None
    s.reviews = [ReviewRecord(DAY, "Strategieteam, Amtsleitung", "Kernfragen besprochen", finalised, entries)]
    path = tmp_path / "steinfurt-review.yaml"
    path.write_text(dump_strategy(s), encoding="utf-8")
    return path


def test_continue_writes_the_next_version_by_the_decision_table(tmp_path):
    source, target = reviewed_file(tmp_path), tmp_path / "next.yaml"
    result = run("continue", source, "--today", "2026-12-10", "-o", target)
    assert result.exit_code == 0, result.output
    assert "Version „Fortschreibung 01/2027“, Zeitraum 01/2027 – 12/2028" in result.output
    assert "0 Zeitkonflikte; Entwurf bis zum Beschluss" in result.output
    assert (
        "Nichttechnische und technische Schulungen: in Umsetzung, ab 04/2023, tatsächlich ab 09/2023" in result.output
    )
    assert "Abhängigkeit entfernt: „Nichttechnische und technische Schulungen“ von" in result.output
    new = load_strategy(target.read_text(encoding="utf-8"))
    assert new.adopted is None and new.draft  # a draft until its Beschluss
    assert (new.window_start, new.window_end) == (Month(2027, 1), Month(2028, 12))
    assert new.measure("whiteboard-tool") is None  # verwerfen
    assert new.measure("data-governance").deferrals == 0  # no decision: exactly as it was
    assert new.measure("chatbot").deferrals == 1  # in den Backlog: one more deferral
    agora = new.measure("agora-anmeldung")  # abgeschlossen, evaluations pending: carried as finished
    assert (agora.status, agora.actual_end) == (Status.ABGESCHLOSSEN, Month(2026, 12))
    assert new.measure("externe-moderation") is None  # finished, nothing pending
    kommunikation = new.measure("kommunikationskonzept")  # anpassen: from the period's first month
    assert (kommunikation.start, kommunikation.end) == (Month(2027, 1), Month(2027, 4))
    history = yaml.safe_load(target.read_text(encoding="utf-8"))["history"]
    assert history[-1]["version"] == "2023" and history[-1]["adopted"] == "2023-03"
    assert history[-1]["reviewed"] == "2026-12-07" and history[-1]["replaced"] == "2026-12-10"
    # planner check: valid, no conflict
    check = run("check", target, "--today", "2026-12-10", "--json")
    assert check.exit_code == 0, check.output
    assert json.loads(check.output)["conflicts"] == [] and json.loads(check.output)["draft"] is True
    assert "Entwurf – Beschluss ausstehend (Fortschreibung)" in run("check", target, "--today", "2026-12-10").output
    # planner evaluations: the review done, the line's impact evaluation from 03/2023, one item to catch up
    cal = json.loads(run("evaluations", target, "--today", "2026-12-10", "--json").output)["evaluations"]
    strategy = [(e["kind"], e["due"], e["state"]) for e in cal if e["subject"] == "strategy"]
    assert strategy == [
        ("prozess", "2026-12", "erledigt"),
        ("wirkung", "2028-03", "offen"),
        ("prozess", "2028-12", "offen"),
    ]
    overdue = Counter(e["subject"] for e in cal if e["overdue"])
    assert overdue == {"schulungen": 1}
    text = run("evaluations", target, "--today", "2026-12-10").output
    assert "39 Evaluationen, davon 1 überfällig" in text


def test_continue_needs_a_finalised_review_and_speaks_german(tmp_path):
    result = run("continue", STEINFURT, "--today", "2026-12-10", "-o", tmp_path / "n.yaml")
    assert result.exit_code == 1 and "kein abgeschlossenes Strategiereview" in result.output
    open_review = reviewed_file(tmp_path, finalised=False)
    result = run("continue", open_review, "--today", "2026-12-10", "-o", tmp_path / "n.yaml")
    assert result.exit_code == 1 and "kein abgeschlossenes Strategiereview" in result.output
    result = run("continue", reviewed_file(tmp_path), "--today", "10.12.2026", "-o", tmp_path / "n.yaml")
    assert result.exit_code == 2 and "ist kein Datum (JJJJ-MM-TT)" in result.output
    result = run("continue", reviewed_file(tmp_path), "--today", "2026-12-10", "-o", tmp_path / "n.pdf")
    assert result.exit_code == 2 and "bitte .yaml" in result.output
    same = run(
        "continue", reviewed_file(tmp_path), "--today", "2026-12-10", "--version", "2023", "-o", tmp_path / "n.yaml"
    )
    assert same.exit_code == 1 and "andere Bezeichnung" in same.output
    assert not (tmp_path / "n.yaml").exists()
