"""Funding across the state (domain/state_funding.py) and the report tables' workbook (pure)."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import openpyxl

from planner.documents.report import Money, Table, cell_text, tables_workbook
from planner.domain import portfolio
from planner.domain.funding import FundingParticipation, ParticipationStatus, funding_calls, measure_budgets
from planner.domain.state_funding import state_funding
from planner.domain.strategy import Measure, Status


def _office(i: int, funding=(), budgets=None) -> portfolio.Office:
    return portfolio.Office(
        i, f"Amt {i}", None, "", "", "", 0, {}, 0, None, None, [], funding=tuple(funding), call_budgets=budgets or {}
    )


def test_applied_granted_sums_and_budget_share():
    offices = [
        _office(1, [FundingParticipation("foerderaufruf-1", ParticipationStatus.ABGESCHLOSSEN, 1_000_000.0)]),
        _office(2, [FundingParticipation("foerderaufruf-1", ParticipationStatus.BEANTRAGT)], {"foerderaufruf-1": 50.0}),
        _office(3, [FundingParticipation("foerderaufruf-1", ParticipationStatus.BEWILLIGT)]),
        _office(4, [FundingParticipation("foerderaufruf-1", ParticipationStatus.KEINE_TEILNAHME)]),
        _office(5),
    ]
    f = state_funding(offices, Decimal("4000000"), "Beispiel")
    first = f.calls[0]
    assert [o.name for o in first.applied] == ["Amt 1", "Amt 2", "Amt 3"]
    assert [o.name for o in first.granted] == ["Amt 1", "Amt 3"]
    assert [o.name for o in first.granted_without_amount] == ["Amt 3"]
    assert [o.name for o in first.not_taking_part] == ["Amt 4"]
    assert [o.name for o in first.no_entry] == ["Amt 5"]
    assert first.granted_sum == 1_000_000.0 and first.planned_sum == 50.0
    assert f.granted_sum == 1_000_000.0 and f.share == 0.25 and f.remaining == 3_000_000.0
    assert len(f.calls) == len(funding_calls())
    assert all(not c.applied for c in f.calls[1:])
    assert state_funding(offices).share is None and state_funding(offices).remaining is None


def test_measure_budgets_per_call_by_any_name_of_the_call():
    measures = [
        Measure(
            key="a",
            title="A",
            dimension="IT-Sicherheit",
            status=Status.GEPLANT,
            budget=100.0,
            funding_call="1. Förderaufruf",
        ),
        Measure(
            key="b",
            title="B",
            dimension="IT-Sicherheit",
            status=Status.GEPLANT,
            budget=50.0,
            funding_call="foerderaufruf-1",
        ),
        Measure(
            key="c", title="C", dimension="IT-Sicherheit", status=Status.GEPLANT, budget=7.0, funding_call="unbekannt"
        ),
        Measure(
            key="d",
            title="D",
            dimension="IT-Sicherheit",
            status=Status.GEPLANT,
            budget=None,
            funding_call="foerderaufruf-3",
        ),
    ]
    assert measure_budgets(measures) == {"foerderaufruf-1": 150.0}


def test_report_workbook_keeps_numbers_and_never_writes_formulas():
    table = Table(
        "Förderaufrufe im Land",
        ["Aufruf", "Ämter", "Summe"],
        [["=HYPERLINK(1)", 3, Money(12.5)], ["x", None, Money(0)]],
    )
    book = openpyxl.load_workbook(io.BytesIO(tables_workbook("Titel", f"Stand {date(2026, 12, 7)}", [table])))
    ws = book["Förderaufrufe im Land"]
    assert ws["A5"].value == "=HYPERLINK(1)" and ws["A5"].data_type == "s"
    assert ws["B5"].value == 3 and ws["C5"].value == 12.5 and ws["C5"].number_format == '#,##0.00 "€"'
    assert ws.auto_filter.ref == "A4:C6"
    assert cell_text(Money(1005706.0)) == "1.005.706 €" and cell_text(1.5) == "1,5" and cell_text(None) == ""
