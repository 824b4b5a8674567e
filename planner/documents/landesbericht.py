"""The Landesbericht: what a state coordinator reports to the ministry, as Word and PDF (made in
the background, services/jobs.py; web/portfolio.py registers the two kinds).

The report is a list of sections, each made by a *section builder*: a function of the report's
context (the portfolio and the funding across the state on the report's day) returning a
`report.Section` of plain data — paragraphs and tables — or None when it has nothing to say.
`SECTIONS` is the order in the report; a new topic adds its builder there (nothing else changes:
Word, PDF and the tests read the sections).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..charts.trend import describe
from ..domain.catalogue import catalogue
from ..domain.german import german_date, money, percent
from ..domain.maturity import level_label
from ..domain.portfolio import minimum_stage
from ..domain.portfolio_progress import REASON_LABELS, StuckOffice, TrendPoint, reason_counts
from ..domain.readiness import Readiness, ReadinessReport
from ..domain.state_funding import StateFunding
from .report import Figure, Money, Report, Section, Table


@dataclass(frozen=True)
class Context:
    """What every section builder may read: services.portfolio.Portfolio and the funding across the state."""

    portfolio: object  # services.portfolio.Portfolio (documents do not import services)
    funding: StateFunding
    rounds: tuple = ()  # services.surveys.RoundView of the coordinator's survey rounds, newest first
    # planner/domain/portfolio_progress.py and readiness.py on the portfolio's offices and day
    # (None: not computed, the section is left out)
    stuck: tuple[StuckOffice, ...] | None = None  # stuck_offices, most reasons first
    trend: dict[str, list[TrendPoint]] | None = None  # trend per dimension, catalogue order
    readiness: ReadinessReport | None = None  # readiness_report for the current call
    trend_chart: bytes | None = None  # charts.trend.trend_chart of `trend` as PNG


SectionBuilder = Callable[[Context], Section | None]


def overview(ctx: Context) -> Section:
    """The offices and their maturity per dimension across the Land."""
    p = ctx.portfolio
    stage = minimum_stage()
    assessed = [o for o in p.offices if o.maturity]
    with_strategy = [o for o in p.offices if o.strategy_id]
    paragraphs = [
        f"{p.coordinator} koordiniert {len(p.offices)} Gesundheitsämter. {len(with_strategy)} haben eine "
        f"Digitalisierungsstrategie in planner, {len(assessed)} mindestens eine Reifegradmessung.",
        f"Die Stufe einer Dimension ist die niedrigste Stufe ihrer Subdimensionen („–“ liegt unter Stufe 0); "
        f"Stufe {stage} ist die Mindestanforderung „Digitales Gesundheitsamt 2025“.",
    ]
    dims = Table(
        "Dimensionen über alle Ämter (letzte Messung je Amt)",
        ["Dimension", "Ämter mit Stufe", f"davon Stufe {stage} oder höher", "Median"],
        [[d.name, d.offices_assessed, d.at_stage_3, d.median] for d in p.dimensions],
    )
    columns = ["–", *[str(k) for k in range(5)], "k. A."]
    spread = Table(
        "Verteilung der Stufen je Dimension (Zahl der Ämter; k. A.: keine Messung oder keine Daten)",
        ["Dimension", *[("Stufe " + c if c.isdigit() else c) for c in columns]],
        [[name, *[counts.get(c, 0) for c in columns]] for name, counts in _spread(p.offices).items()],
    )
    sheet = (
        "Die Stufen jedes einzelnen Amts stehen im Portfolio (PDF oder Excel); dieser Bericht fasst sie je Dimension "
        "zusammen."
    )
    return Section("uebersicht", "Überblick: Gesundheitsämter und Reifegrad", [*paragraphs, sheet], [dims, spread])


def _spread(offices) -> dict[str, dict[str, int]]:
    """Per dimension: how many offices are at "–", each stage, or without data (k. A.)."""
    out: dict[str, dict[str, int]] = {}
    for d in catalogue().dimension_names:
        counts: dict[str, int] = {}
        for o in offices:
            m = o.maturity
            key = level_label(m.level(d)) if m and m.known(d) else "k. A."
            counts[key] = counts.get(key, 0) + 1
        out[d] = counts
    return out


def funding(ctx: Context) -> Section:
    """Who applied, who was granted, the sums per call, against the Land's budget."""
    f = ctx.funding
    paragraphs = []
    if f.budget is not None:
        paragraphs.append(
            f"Mittel des Landes: {money(float(f.budget))}"
            + (f" ({f.budget_source})" if f.budget_source else "")
            + f". Bewilligt über alle Aufrufe: {money(f.granted_sum)} ({percent(f.share or 0.0)}); "
            f"verbleibend: {money(f.remaining or 0.0)}."
        )
    else:
        paragraphs.append(
            f"Bewilligt über alle Aufrufe: {money(f.granted_sum)}. Die Mittel des Landes sind nicht hinterlegt."
        )
    paragraphs.append(
        "Quelle sind die Förderangaben der Ämter in ihren Strategien (Status, bewilligte Summe) und die Budgets "
        "ihrer Maßnahmen, die einen Aufruf nennen. Ein Amt ohne Angabe zu einem Aufruf zählt als „keine Angabe“."
    )
    calls = Table(
        "Förderaufrufe im Land",
        [
            "Förderaufruf",
            "Zeitraum",
            "beantragt",
            "bewilligt",
            "keine Teilnahme",
            "keine Angabe",
            "bewilligte Summe",
            "Maßnahmenbudgets",
        ],
        [
            [
                c.call.name,
                f"{german_date(c.call.start)} – {german_date(c.call.end)}",
                len(c.applied),
                len(c.granted),
                len(c.not_taking_part),
                len(c.no_entry),
                Money(c.granted_sum),
                Money(c.planned_sum),
            ]
            for c in f.calls
        ],
    )
    with_entry = [
        i
        for i in range(len(f.calls[0].offices) if f.calls else 0)
        if any(c.offices[i].status is not None or c.offices[i].planned for c in f.calls)
    ]
    offices = Table(
        "Ämter mit Förderangaben (Status; bewilligte Summe)",
        ["Gesundheitsamt", *[c.call.name for c in f.calls]],
        [[f.calls[0].offices[i].name, *[_entry(c.offices[i]) for c in f.calls]] for i in with_entry],
        empty="Kein Amt hat eine Förderangabe.",
    )
    tables = [calls, offices]
    periods = [
        f"{c.call.name}: {german_date(c.call.start)} – {german_date(c.call.end)}"
        + (f". {c.call.period_note}" if c.call.period_note else "")
        for c in f.calls
    ]
    return Section("foerderung", "Förderung im Land", paragraphs + periods, tables)


def _entry(o) -> str:
    if o.status is None:
        return f"keine Angabe (Maßnahmen: {money(o.planned)})" if o.planned else ""
    return o.status_label + (f": {money(o.granted)}" if o.granted is not None else "")


def land_measures(ctx: Context) -> Section | None:
    """The state office's own measures (Landesmaßnahmen) with the offices taking part."""
    p = ctx.portfolio
    if p.strategy_id is None:
        return None
    rows = [
        [
            lm.measure.title,
            lm.category_label,
            lm.lead,
            ", ".join(lm.dimensions),
            lm.measure.status.label,
            (lm.measure.start.german() if lm.measure.start else "")
            + (f" – {lm.measure.end.german()}" if lm.measure.end else ""),
            len(lm.offices),
            ", ".join(f"{n} {label}" for label, n in lm.counts()),
        ]
        for lm in p.land_measures
    ]
    return Section(
        "landesmassnahmen",
        "Landesmaßnahmen",
        [f"{len(p.land_measures)} Maßnahmen der koordinierenden Stelle."],
        [
            Table(
                "Landesmaßnahmen mit teilnehmenden Ämtern",
                [
                    "Maßnahme",
                    "Art",
                    "Federführung",
                    "Dimensionen",
                    "Status",
                    "Zeitraum",
                    "teilnehmende Ämter",
                    "Stand der Einführung",
                ],
                rows,
            )
        ],
    )


def surveys(ctx: Context) -> Section | None:
    """The survey rounds: who answered by when, and which offices the newest round still waits for."""
    if not ctx.rounds:
        return None
    table = Table(
        "Erhebungsrunden",
        ["Runde", "Gegenstand", "Frist", "Stand", "geantwortet", "offen", "Ämter"],
        [
            [
                v.round.title,
                v.subject_label,
                german_date(v.round.due_on),
                "abgeschlossen" if v.round.closed_at else "offen",
                len(v.answered),
                len(v.open),
                len(v.offices),
            ]
            for v in ctx.rounds
        ],
    )
    newest = ctx.rounds[0]
    waiting = Table(
        f"{newest.round.title}: Ämter ohne Antwort",
        ["Gesundheitsamt", "Erinnerungen", "Applikationslandkarte zuletzt aktualisiert", "letzte Reifegradmessung"],
        [
            [
                o.name,
                len(o.reminders),
                german_date(o.landscape_updated.date()) if o.landscape_updated else "keine Angaben",
                german_date(o.latest_assessment) if o.latest_assessment else "keine",
            ]
            for o in newest.open
        ],
        empty="Alle Ämter haben geantwortet.",
    )
    return Section(
        "erhebungen",
        "Erhebungsrunden",
        [
            "Ein Amt hat geantwortet, wenn es nach Beginn der Runde seine Angaben geändert oder bestätigt hat, dass sie "
            "aktuell sind."
        ],
        [table, waiting],
    )


def handlungsbedarf(ctx: Context) -> Section | None:
    """The offices that need attention, with their reasons, and how many offices carry each reason."""
    if ctx.stuck is None:
        return None
    p = ctx.portfolio
    counts = reason_counts(ctx.stuck)
    paragraphs = [
        f"Stand {german_date(p.today)}: {len(ctx.stuck)} von {len(p.offices)} Ämtern haben Handlungsbedarf "
        "(mindestens ein Grund).",
        "Gründe: keine Reifegradmessung; letzte Messung älter als 24 Monate; mindestens zwei Messungen und keine "
        "Dimension in der letzten höher als in der ersten; Planungszeitraum der Strategie abgelaufen ohne "
        "Fortschreibung; Maßnahmen, deren geplanter Beginn oder geplantes Ende ohne Statusaktualisierung verstrichen "
        "ist.",
    ]
    per_reason = Table(
        "Ämter je Grund (ein Amt kann mehrere Gründe haben)",
        ["Grund", "Ämter"],
        [[REASON_LABELS[code], n] for code, n in counts.items()],
    )
    offices = Table(
        "Ämter mit Handlungsbedarf (die meisten Gründe zuerst)",
        ["Gesundheitsamt", "Zahl der Gründe", "Gründe", "Erläuterung"],
        [
            [
                s.office.name,
                len(s.reasons),
                "; ".join(REASON_LABELS[r.code] for r in s.reasons),
                " ".join(r.text for r in s.reasons),
            ]
            for s in ctx.stuck
        ],
        empty="Kein Amt hat Handlungsbedarf.",
    )
    return Section("handlungsbedarf", "Handlungsbedarf der Ämter", paragraphs, [per_reason, offices])


def development(ctx: Context) -> Section | None:
    """The trend per dimension and year: offices with a level, their median, how many reach stage 3."""
    if ctx.trend is None:
        return None
    stage = minimum_stage()
    rows = [[name, p.year, p.assessed, p.median, p.at_stage_3] for name, points in ctx.trend.items() for p in points]
    years = sorted({r[1] for r in rows})
    paragraphs = [
        "Je Dimension und Kalenderjahr zählt jedes Amt mit seiner letzten Messung bis zum Jahresende (spätere Jahre "
        "ohne neue Messung übernehmen sie); ein Amt zählt für eine Dimension, wenn diese Messung ihr eine Stufe gibt. Ohne ein solches Amt bleibt "
        "der Median leer.",
        f"Jahre {years[0]} bis {years[-1]}." if years else "Für kein Amt ist eine Reifegradmessung erfasst.",
    ]
    table = Table(
        "Entwicklung je Dimension (Stand jeweils zum Jahresende)",
        ["Dimension", "Jahr", "Ämter mit Stufe", "Median", f"Stufe {stage} oder höher"],
        rows,
        empty="Keine Messungen.",
    )
    figures = []
    if ctx.trend_chart is not None and rows:
        figures.append(
            Figure(
                f"Median (Linie) und Anteil der Ämter auf Stufe {stage} oder höher (Balken) je Dimension; die Zahlen "
                "stehen in der Tabelle.",
                describe(ctx.trend),
                ctx.trend_chart,
            )
        )
    return Section("entwicklung", "Entwicklung", paragraphs, [table], figures)


def _checked(x: Readiness) -> str:
    r = x.result
    if r.baseline is None:
        return "keine Messung"
    return german_date(r.baseline.date) + (f" → {german_date(r.outcome.date)}" if r.outcome else "")


def _forecast(x: Readiness) -> str:
    if x.forecast is None:
        return "keine Prognose (ohne Ausgangsmessung)"
    lifted = len(x.lifts)
    lifts = (
        f"{lifted} {'Subdimension' if lifted == 1 else 'Subdimensionen'} durch geplante Maßnahmen gehoben."
        if lifted
        else "Keine geplante Maßnahme hebt eine Subdimension."
    )
    return " ".join(
        [f"{x.forecast_label}.", *(f"{t}." if not t.endswith(".") else t for t in x.forecast_reasons), lifts]
    )


def readiness(ctx: Context) -> Section | None:
    """Who meets the current call's maturity rules, who does not, who cannot be checked and why, with the forecast."""
    r = ctx.readiness
    if r is None:
        return None
    call = r.call
    met, failed, open_ = r.count(True), r.count(False), r.count(None)
    summary = (
        f"{call.name} ({german_date(call.start)} – {german_date(call.end)}): {met} "
        f"{'Amt erfüllt' if met == 1 else 'Ämter erfüllen'} die Reifegrad-Regeln, {failed} nicht; {open_} nicht prüfbar"
    )
    if open_:
        summary += (
            f" – davon nach den geplanten Maßnahmen voraussichtlich erfüllt: {r.forecast_count(True)}, "
            f"voraussichtlich nicht: {r.forecast_count(False)}, ohne Prognose: {r.forecast_count(None)}"
        )
    paragraphs = [
        summary + ".",
        *[f"Regel: {rule.text}" for rule in call.rules],
        "Geprüft wird je Amt von der Messung, die seine Strategie für den Aufruf nennt (sonst der letzten Messung vor "
        "Beginn des Aufrufs, sonst der ersten), bis zu seiner letzten späteren Messung. „Nicht prüfbar“ heißt: Es "
        "fehlen zwei vergleichbare Messungen. Die Prognose prüft dieselben Regeln von der Ausgangsmessung bis zu den "
        f"Stufen, die die geplanten Maßnahmen des Amts bis zum {german_date(call.end)} bringen.",
    ]
    checked = Table(
        f"{call.name}: geprüfte Ämter",
        ["Gesundheitsamt", "Verglichen", "Reifegrad-Regeln erfüllt"],
        [[x.office.name, _checked(x), "ja" if x.met else "nein"] for x in r.rows if x.met is not None],
        empty="Kein Amt ist prüfbar.",
    )
    unchecked = Table(
        f"{call.name}: nicht prüfbar, mit Grund und Prognose",
        ["Gesundheitsamt", "Verglichen", "Grund", "Prognose aus den geplanten Maßnahmen"],
        [[x.office.name, _checked(x), x.reason, _forecast(x)] for x in r.rows if x.met is None],
        empty="Jedes Amt ist prüfbar.",
    )
    return Section("bereitschaft", "Bereitschaft für den aktuellen Förderaufruf", paragraphs, [checked, unchecked])


SECTIONS: list[SectionBuilder] = [overview, handlungsbedarf, development, funding, readiness, land_measures, surveys]


def build(ctx: Context, sections: list[SectionBuilder] | None = None) -> Report:
    """The report of `ctx`: every builder's section, in order (builders returning None left out)."""
    p = ctx.portfolio
    made = [s for builder in (SECTIONS if sections is None else sections) if (s := builder(ctx)) is not None]
    return Report(
        f"Landesbericht Digitalisierung ÖGD – {p.coordinator}",
        f"Stand {german_date(p.today)}: {len(p.offices)} koordinierte Gesundheitsämter. Erstellt mit planner.",
        p.today,
        made,
    )
