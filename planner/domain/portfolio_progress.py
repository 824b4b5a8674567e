"""Landesebene over time: which offices are stuck (Handlungsbedarf), the state-wide trend per
dimension, and one office against the Land's median (pure domain).

Reads the `Office` rows of planner/domain/portfolio.py; nothing here reads a database, so the
CLI (`planner portfolio --json`: `stuck`, `trend`), the pages and the Landesbericht share it.

Stuck offices (issue 27) carry one or more reasons:

- `keine_messung` — no maturity assessment at all;
- `messung_aelter_24_monate` — the latest assessment is more than 24 months before today;
- `kein_fortschritt` — at least two assessments and no dimension higher in the latest than in
  the first;
- `planungszeitraum_abgelaufen` — the current strategy's plan period ended before today's month
  (the current strategy has no Fortschreibung by definition);
- `status_klaeren` — measures whose planned start or end passed without a status update
  (schedule states `beginn_ueberfaellig`/`abschluss_ueberfaellig`);
- `keine_statusmeldung` — running measures whose status nobody reported (status history) for
  more than REPORT_MONTHS months, counted from their start when there is no report yet.
The last two are shown on the page; the CLI lists only the first four (`CLI_REASONS`), as the
issue specifies.

The trend counts, per calendar year from the earliest assessment to today's year, every office
with its most recent assessment up to that year's end (carried forward), with the rule of the
portfolio's dimension table: an office counts for a dimension when that assessment gives the
dimension a level (not "–", not without data).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from .catalogue import catalogue
from .german import counted, german_date
from .maturity import Level, rank
from .months import month_of
from .portfolio import REPORT_MONTHS, Office, OfficeMaturity, dimension_summary, minimum_stage
from .schedule_state import State

STALE_MONTHS = 24


# --- Handlungsbedarf ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    """Why an office needs attention: a stable code and a German sentence."""

    code: str
    text: str


REASON_LABELS = {
    "keine_messung": "Keine Reifegradmessung",
    "messung_aelter_24_monate": "Letzte Messung älter als 24 Monate",
    "kein_fortschritt": "Kein Fortschritt seit der ersten Messung",
    "planungszeitraum_abgelaufen": "Planungszeitraum abgelaufen",
    "status_klaeren": "Maßnahmenstatus veraltet",
    "keine_statusmeldung": f"Keine Statusmeldung seit {REPORT_MONTHS} Monaten",
}
CLI_REASONS = ("keine_messung", "messung_aelter_24_monate", "kein_fortschritt", "planungszeitraum_abgelaufen")


def months_before(day: date, months: int) -> date:
    """The same day `months` earlier (the month's last day where it has fewer days)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def stuck_reasons(o: Office, today: date) -> list[Reason]:
    """The reasons `o` needs attention on `today`, in the order of REASON_LABELS; empty when none
    (worked out once per office and day: the office's figures do not change)."""
    key = ("stuck_reasons", today)
    if key not in o.derived:
        o.derived[key] = tuple(_stuck_reasons(o, today))
    return list(o.derived[key])


def _stuck_reasons(o: Office, today: date) -> list[Reason]:
    reasons = []
    m = o.maturity
    if m is None:
        reasons.append(Reason("keine_messung", "Für das Amt ist keine Reifegradmessung erfasst."))
    else:
        if m.latest_date < months_before(today, STALE_MONTHS):
            reasons.append(
                Reason(
                    "messung_aelter_24_monate",
                    f"Letzte Messung am {german_date(m.latest_date)}, "
                    f"mehr als {STALE_MONTHS} Monate vor dem {german_date(today)}.",
                )
            )
        if len(m.history) >= 2 and not improved_dimensions(o):
            reasons.append(
                Reason(
                    "kein_fortschritt",
                    f"{len(m.history)} Messungen ({german_date(m.first_date)} bis "
                    f"{german_date(m.latest_date)}), keine Dimension ist gestiegen.",
                )
            )
    if o.window_end is not None and o.window_end < month_of(today):
        reasons.append(
            Reason(
                "planungszeitraum_abgelaufen",
                f"Der Planungszeitraum der Strategie endete {o.window_end.german()}; "
                "eine Fortschreibung ist nicht erfasst.",
            )
        )
    overdue = o.states.get(State.ABSCHLUSS_UEBERFAELLIG, 0) + o.states.get(State.BEGINN_UEBERFAELLIG, 0)
    if overdue:
        reasons.append(
            Reason(
                "status_klaeren",
                f"{counted(overdue, 'Maßnahme', 'Maßnahmen')} mit verstrichenem Beginn oder Ende ohne "
                "Statusaktualisierung („Status klären“).",
            )
        )
    if o.unreported:
        reasons.append(
            Reason(
                "keine_statusmeldung",
                f"{counted(o.unreported, 'laufende Maßnahme', 'laufende Maßnahmen')} seit mehr als "
                f"{REPORT_MONTHS} Monaten ohne Statusmeldung (gezählt ab der letzten Meldung, sonst ab dem Beginn).",
            )
        )
    return reasons


def improved_dimensions(o: Office) -> list[str]:
    """Dimensions higher in the latest assessment than in the first (both with a level or "–")."""
    m = o.maturity
    if m is None or len(m.history) < 2:
        return []
    first, latest = m.history[0][1], m.history[-1][1]
    return [d for d in catalogue().dimension_names if d in first and d in latest and rank(latest[d]) > rank(first[d])]


@dataclass(frozen=True)
class StuckOffice:
    """An office with at least one reason."""

    office: Office
    reasons: tuple[Reason, ...]

    @property
    def codes(self) -> list[str]:
        return [r.code for r in self.reasons]


STUCK_SORTS = ("name", "gruende", "messung", "ueberfaellig")


def stuck_offices(
    offices: Iterable[Office], today: date, sort: str = "gruende", descending: bool = True
) -> list[StuckOffice]:
    """The offices with at least one reason, sorted by `sort` (STUCK_SORTS): name, number of
    reasons, latest assessment, overdue measures; ties by name."""
    found = [StuckOffice(o, tuple(r)) for o in offices if (r := stuck_reasons(o, today))]
    name = lambda s: s.office.name.casefold()  # noqa: E731
    keys = {
        "name": lambda s: (name(s),),
        "gruende": lambda s: (len(s.reasons), name(s)),
        "messung": lambda s: (s.office.latest_date or date.min, name(s)),
        "ueberfaellig": lambda s: (
            s.office.states.get(State.ABSCHLUSS_UEBERFAELLIG, 0) + s.office.states.get(State.BEGINN_UEBERFAELLIG, 0),
            name(s),
        ),
    }
    key = keys.get(sort, keys["gruende"])
    if sort == "name":
        return sorted(found, key=key, reverse=descending)
    # descending by the figure, names always A–Z within equal figures
    ordered = sorted(found, key=name)
    return sorted(ordered, key=lambda s: key(s)[0], reverse=descending)


def reason_counts(stuck: Iterable[StuckOffice]) -> dict[str, int]:
    """How many offices carry each reason, in the order of REASON_LABELS."""
    counts = dict.fromkeys(REASON_LABELS, 0)
    for s in stuck:
        for r in s.reasons:
            counts[r.code] += 1
    return counts


def stuck_json(offices: Sequence[Office], today: date) -> list[dict]:
    """The `stuck` list of `planner portfolio --json`: offices in the given order, CLI reasons only."""
    out = []
    for o in offices:
        codes = [r.code for r in stuck_reasons(o, today) if r.code in CLI_REASONS]
        if codes:
            out.append({"organisation": o.name, "reasons": codes})
    return out


# --- trend ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    """One dimension at one year's end: offices with a level, their median, how many reach stage 3."""

    year: int
    assessed: int
    median: float | None
    at_stage_3: int


def _level_at(history: tuple[tuple[date, dict[str, Level]], ...], end: date) -> dict[str, Level] | None:
    """The dimension levels of the most recent assessment on or before `end`."""
    found = None
    for when, levels in history:
        if when > end:
            break
        found = levels
    return found


def trend(offices: Iterable[Office], today: date) -> dict[str, list[TrendPoint]]:
    """Per dimension (catalogue order) one point per calendar year from the earliest assessment
    to today's year, each office carried forward with its latest assessment up to the year's end."""
    histories = [o.maturity.history for o in offices if o.maturity and o.maturity.history]
    names = catalogue().dimension_names
    out: dict[str, list[TrendPoint]] = {d: [] for d in names}
    if not histories:
        return out
    stage = minimum_stage()
    first_year = min(h[0][0].year for h in histories)
    for year in range(first_year, today.year + 1):
        states = [s for h in histories if (s := _level_at(h, date(year, 12, 31))) is not None]
        for d in names:
            levels = [s[d] for s in states if s.get(d) is not None]
            out[d].append(
                TrendPoint(
                    year,
                    len(levels),
                    statistics.median(levels) if levels else None,
                    sum(1 for v in levels if v >= stage),
                )
            )
    return out


def _number(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def trend_json(offices: Sequence[Office], today: date) -> dict[str, list[dict]]:
    """The `trend` object of `planner portfolio --json`."""
    return {
        d: [
            {"year": p.year, "assessed": p.assessed, "median": _number(p.median), "at_stage_3": p.at_stage_3}
            for p in points
        ]
        for d, points in trend(offices, today).items()
    }


# --- one office against the Land ----------------------------------------------------------------


@dataclass(frozen=True)
class AgainstLand:
    """One dimension: the office's latest level against the Land's median and stage-3 count."""

    dimension: str
    index: int
    known: bool
    level: Level
    median: float | None
    assessed: int
    at_stage_3: int

    @property
    def difference(self) -> float | None:
        """The office's stage minus the Land median ("–" counts as -1); None without either."""
        if not self.known or self.median is None:
            return None
        return rank(self.level) - self.median


def against_land(own: dict[str, Level], maturities: Iterable[OfficeMaturity | None]) -> list[AgainstLand]:
    """The office's dimension levels (`own`, its latest assessment) beside the Land's figures
    (the maturities of the Land's offices: the portfolio's dimension table)."""
    summary = dimension_summary(maturities)
    return [
        AgainstLand(d.name, d.index, d.name in own, own.get(d.name), d.median, d.offices_assessed, d.at_stage_3)
        for d in summary
    ]


__all__ = [
    "CLI_REASONS",
    "REASON_LABELS",
    "STUCK_SORTS",
    "AgainstLand",
    "Reason",
    "StuckOffice",
    "TrendPoint",
    "against_land",
    "improved_dimensions",
    "months_before",
    "reason_counts",
    "stuck_json",
    "stuck_offices",
    "stuck_reasons",
    "trend",
    "trend_json",
]
