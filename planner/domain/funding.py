"""Funding calls of the Pakt für den ÖGD (data in planner/data/foerderaufrufe.yaml) and the rule check."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from fractions import Fraction
from functools import cache
from pathlib import Path

import yaml

from .catalogue import catalogue
from .german import money, percent
from .maturity import Level, LevelChange, compare_levels, level_label
from .strategy import Measure, Status

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "foerderaufrufe.yaml"


class RuleKind(Enum):
    DIMENSIONS_IMPROVED = "dimensions_improved"
    STAGE_REACHED = "stage_reached"
    BUDGET_SHARE = "budget_share"
    ANY_OF = "any_of"
    MANUAL = "manual"


@dataclass(frozen=True)
class Rule:
    """One condition of a funding call."""

    kind: RuleKind
    text: str
    note: str = ""
    min_dimensions: int = 1
    min_stages: int = 2
    stage: int = 3
    dimension: str = ""
    min_share: float = 0.0
    rules: tuple[Rule, ...] = ()


@dataclass(frozen=True)
class FundingCall:
    """A Förderaufruf: period, volume, notes and rules, as the sources state them."""

    id: str
    name: str
    start: date
    end: date
    rules: tuple[Rule, ...]
    aliases: tuple[str, ...] = ()
    period_note: str = ""
    volume: str = ""
    source: str = ""
    notes: tuple[str, ...] = ()


class ParticipationStatus(Enum):
    """Where an organisation stands with a call."""

    BEANTRAGT = "beantragt"
    BEWILLIGT = "bewilligt"
    ABGESCHLOSSEN = "abgeschlossen"
    KEINE_TEILNAHME = "keine_teilnahme"

    @property
    def label(self) -> str:
        return {"keine_teilnahme": "keine Teilnahme"}.get(self.value, self.value)


@dataclass(frozen=True)
class FundingParticipation:
    """A strategy's part in a call: status, granted amount, the assessment it was applied with."""

    call: str
    status: ParticipationStatus = ParticipationStatus.BEWILLIGT
    granted: float | None = None
    baseline: date | None = None
    note: str = ""
    # what the office's own report says it reached in the call, verbatim (e.g. Peine's paper: „in sieben
    # von acht Dimensionen Sprünge von mindestens zwei Stufen“) and as a number: shown beside both
    # readings of "improved by two stages", never used by the rule check
    claim: str = ""
    claimed_dimensions: int | None = None


def _rule(raw: dict) -> Rule:
    return Rule(
        kind=RuleKind(raw["type"]),
        text=raw["text"],
        note=raw.get("note", ""),
        min_dimensions=raw.get("min_dimensions", 1),
        min_stages=raw.get("min_stages", 2),
        stage=raw.get("stage", catalogue().minimum_stage),
        dimension=raw.get("dimension", ""),
        min_share=float(raw.get("min_share", 0.0)),
        rules=tuple(_rule(r) for r in raw.get("rules", [])),
    )


@cache
def funding_calls() -> tuple[FundingCall, ...]:
    """The built-in funding calls, in order."""
    raw = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
    return tuple(
        FundingCall(
            id=c["id"],
            name=c["name"],
            start=c["period"]["from"],
            end=c["period"]["to"],
            rules=tuple(_rule(r) for r in c["rules"]),
            aliases=tuple(c.get("aliases", [])),
            period_note=c.get("period_note", ""),
            volume=c.get("volume", ""),
            source=c.get("source", ""),
            notes=tuple(c.get("notes", [])),
        )
        for c in raw["calls"]
    )


def measure_budgets(measures: Iterable[Measure]) -> dict[str, float]:
    """The measures' budgets summed per funding call (by call id; measures naming no known call left out)."""
    sums: dict[str, float] = {}
    for m in measures:
        if m.budget is not None and m.funding_call and (call := find_call(m.funding_call)) is not None:
            sums[call.id] = sums.get(call.id, 0.0) + m.budget
    return sums


def _fold(text: str) -> str:
    return re.sub(r"[\s.\-_]+", "", text.casefold())


def find_call(text: str | None) -> FundingCall | None:
    """The call named by its id, name or an alias ("1. Förderaufruf", "foerderaufruf-1")."""
    return _find_call(text) if text else None


@cache  # asked once per measure in every budget check; the calls are fixed data
def _find_call(text: str) -> FundingCall | None:
    wanted = _fold(text)
    for call in funding_calls():
        if wanted in {_fold(n) for n in (call.id, call.name, *call.aliases)}:
            return call
    return None


# --- the check ------------------------------------------------------------------------


class Outcome(Enum):
    ERFUELLT = "erfuellt"
    NICHT_ERFUELLT = "nicht_erfuellt"
    NICHT_PRUEFBAR = "nicht_pruefbar"
    HINWEIS = "hinweis"

    @property
    def label(self) -> str:
        return {
            "erfuellt": "erfüllt",
            "nicht_erfuellt": "nicht erfüllt",
            "nicht_pruefbar": "nicht prüfbar",
            "hinweis": "selbst prüfen",
        }[self.value]


@dataclass(frozen=True)
class RuleResult:
    """A rule, whether it holds, and why (German)."""

    rule: Rule
    outcome: Outcome
    reason: str
    details: tuple[str, ...] = ()
    children: tuple[RuleResult, ...] = ()


@dataclass
class CallCheck:
    """The rule-by-rule result of one call for one strategy."""

    call: FundingCall
    baseline_label: str
    outcome_label: str
    results: list[RuleResult] = field(default_factory=list)

    @property
    def outcome(self) -> Outcome:
        """Not met if any rule fails; not checkable if any cannot be checked; else met."""
        outcomes = {r.outcome for r in self.results}
        for o in (Outcome.NICHT_ERFUELLT, Outcome.NICHT_PRUEFBAR):
            if o in outcomes:
                return o
        return Outcome.ERFUELLT

    @property
    def maturity_met(self) -> bool | None:
        """Whether the maturity rules hold (not the budget shares, not the rules to check by hand);
        None when one of them cannot be checked."""
        results = [r for r in self.results if r.rule.kind not in (RuleKind.BUDGET_SHARE, RuleKind.MANUAL)]
        if any(r.outcome is Outcome.NICHT_PRUEFBAR for r in results):
            return None
        return all(r.outcome is Outcome.ERFUELLT for r in results)


def _change_text(c: LevelChange) -> str:
    return f"{c.name} ({level_label(c.before)} → {level_label(c.after)})"


def _dimension_word(n: int) -> str:
    return "Dimension" if n == 1 else "Dimensionen"


def _improved(rule: Rule, before: Mapping[str, Level], after: Mapping[str, Level]) -> RuleResult:
    comparison = compare_levels(before, after)
    hits = comparison.improved(rule.min_stages)
    unknown = [c.name for c in comparison.dimensions if c.delta is None]
    details = [f"Ohne vollständige Daten (nicht gezählt): {', '.join(unknown)}."] if unknown else []
    listed = ": " + ", ".join(_change_text(c) for c in hits) if hits else ""
    counted = f"{len(hits)} {_dimension_word(len(hits))} um mindestens {rule.min_stages} Stufen verbessert{listed}"
    if len(hits) >= rule.min_dimensions:
        return RuleResult(rule, Outcome.ERFUELLT, f"{counted} – gefordert sind {rule.min_dimensions}.", tuple(details))
    missing = rule.min_dimensions - len(hits)
    return RuleResult(
        rule,
        Outcome.NICHT_ERFUELLT,
        f"Nur {counted} – gefordert sind {rule.min_dimensions}, es fehlen {missing}.",
        tuple(details),
    )


def _reached(rule: Rule, before: Mapping[str, Level], after: Mapping[str, Level]) -> RuleResult:
    comparison = compare_levels(before, after)
    hits = comparison.newly_reached(rule.stage)
    already = [
        c.name for c in comparison.dimensions if c.before_known and c.before is not None and c.before >= rule.stage
    ]
    details = [f"Schon vorher auf Stufe {rule.stage} (nicht „weitere“): {', '.join(already)}."] if already else []
    listed = ": " + ", ".join(_change_text(c) for c in hits) if hits else ""
    counted = f"{len(hits)} weitere {_dimension_word(len(hits))} erreichen Stufe {rule.stage}{listed}"
    if len(hits) >= rule.min_dimensions:
        return RuleResult(rule, Outcome.ERFUELLT, f"{counted}.", tuple(details))
    return RuleResult(
        rule, Outcome.NICHT_ERFUELLT, f"{counted} – gefordert ist mindestens {rule.min_dimensions}.", tuple(details)
    )


def _budget(rule: Rule, call: FundingCall, measures: Iterable[Measure], granted: float | None) -> RuleResult:
    dim = catalogue().canonical_dimension(rule.dimension) or rule.dimension
    mine = [m for m in measures if m.status is not Status.VERWORFEN and find_call(m.funding_call) == call]
    granted_text = f" Bewilligt: {money(granted)}." if granted is not None else ""
    if not mine:
        return RuleResult(
            rule, Outcome.NICHT_PRUEFBAR, f"Keiner Maßnahme ist der {call.name} zugeordnet.{granted_text}"
        )
    with_budget = [m for m in mine if m.budget is not None]
    if not with_budget:
        return RuleResult(
            rule,
            Outcome.NICHT_PRUEFBAR,
            f"Die {len(mine)} Maßnahmen des Aufrufs haben kein Budget; der Anteil {dim} ist nicht berechenbar.{granted_text}",
        )
    total = sum(m.budget for m in with_budget)
    share_measures = [m for m in with_budget if m.dimension == dim]
    part = sum(m.budget for m in share_measures)
    details = [f"{m.title}: {money(m.budget)}" for m in share_measures]
    without = [m.title for m in mine if m.budget is None]
    if without:
        details.append(f"Ohne Budget (nicht gezählt): {', '.join(without)}.")
    further = [m.title for m in with_budget if m.dimension != dim and dim in m.further_dimensions]
    if further:
        details.append(f"Nennen {dim} nur als weitere Dimension (nicht gezählt): {', '.join(further)}.")
    if granted is not None and abs(total - granted) >= 0.005:
        details.append(
            f"Die Summe der Maßnahmenbudgets ({money(total)}) weicht von der bewilligten Summe ({money(granted)}) ab."
        )
    if total == 0:
        return RuleResult(
            rule, Outcome.NICHT_PRUEFBAR, "Die Budgets des Aufrufs summieren sich zu 0 €.", tuple(details)
        )
    share = part / total
    text = (
        f"{money(part)} von {money(total)} für Maßnahmen der Dimension {dim}: {percent(share)} "
        f"– gefordert sind mindestens {percent(rule.min_share)}"
    )
    if Fraction(repr(part)) / Fraction(repr(total)) >= Fraction(repr(rule.min_share)):
        return RuleResult(rule, Outcome.ERFUELLT, text + ".", tuple(details))
    lacking = rule.min_share * total - part
    return RuleResult(rule, Outcome.NICHT_ERFUELLT, f"{text}; es fehlen {money(lacking)}.", tuple(details))


def _check_rule(
    rule: Rule,
    call: FundingCall,
    before: Mapping[str, Level] | None,
    after: Mapping[str, Level] | None,
    measures: list[Measure],
    granted: float | None,
) -> RuleResult:
    if rule.kind is RuleKind.MANUAL:
        return RuleResult(rule, Outcome.HINWEIS, "Nicht automatisch prüfbar – bitte selbst prüfen.")
    if rule.kind is RuleKind.BUDGET_SHARE:
        return _budget(rule, call, measures, granted)
    if rule.kind is RuleKind.ANY_OF:
        children = tuple(_check_rule(r, call, before, after, measures, granted) for r in rule.rules)
        outcomes = [c.outcome for c in children]
        if Outcome.ERFUELLT in outcomes:
            return RuleResult(rule, Outcome.ERFUELLT, "Eine der Bedingungen ist erfüllt.", children=children)
        if all(o is Outcome.NICHT_ERFUELLT for o in outcomes):
            return RuleResult(rule, Outcome.NICHT_ERFUELLT, "Keine der Bedingungen ist erfüllt.", children=children)
        return RuleResult(
            rule, Outcome.NICHT_PRUEFBAR, "Keine Bedingung ist erfüllt, nicht alle sind prüfbar.", children=children
        )
    if before is None:
        return RuleResult(
            rule, Outcome.NICHT_PRUEFBAR, "Es gibt keine Ausgangsmessung, mit der verglichen werden kann."
        )
    if after is None:
        return RuleResult(
            rule, Outcome.NICHT_PRUEFBAR, "Es gibt keinen Stand, der mit der Ausgangsmessung verglichen werden kann."
        )
    if rule.kind is RuleKind.DIMENSIONS_IMPROVED:
        return _improved(rule, before, after)
    return _reached(rule, before, after)


def check_call(
    call: FundingCall,
    *,
    baseline_levels: Mapping[str, Level] | None,
    baseline_label: str,
    outcome_levels: Mapping[str, Level] | None,
    outcome_label: str,
    measures: Iterable[Measure],
    granted: float | None = None,
) -> CallCheck:
    """Check every rule of `call`: maturity rules compare baseline with outcome (the targets or a
    later assessment); budget rules use the budgets of the measures assigned to the call."""
    measures = list(measures)
    check = CallCheck(call, baseline_label, outcome_label)
    for rule in call.rules:
        check.results.append(_check_rule(rule, call, baseline_levels, outcome_levels, measures, granted))
    return check
