"""Checks of a tagged PDF (PDF/UA-1) with pikepdf: what every PDF planner writes must have."""

from __future__ import annotations

import io
from collections import Counter

import pikepdf


def structure(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    """Every structure element of the tag tree, depth first (document order)."""
    found: list[pikepdf.Dictionary] = []

    def walk(node) -> None:
        if isinstance(node, pikepdf.Array):
            for kid in node:
                walk(kid)
        elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
            found.append(node)
            if "/K" in node:
                walk(node.K)

    walk(pdf.Root.StructTreeRoot.K)
    return found


def _scoped(cell: pikepdf.Dictionary) -> bool:
    """A header cell's attributes (/A: one dictionary or an array of them) name its scope or headers."""
    attributes = cell.get("/A")
    if attributes is None:
        return False
    found = attributes if isinstance(attributes, pikepdf.Array) else [attributes]
    return any(
        isinstance(a, pikepdf.Dictionary)
        and (str(a.get("/Scope", "")) in ("/Row", "/Column", "/Both") or "/Headers" in a)
        for a in found
    )


def assert_accessible_pdf(data: bytes, title: str) -> Counter:
    """Tagged, marked, German, titled (window title), PDF/UA-1 in XMP, alternative text on every
    figure, a /Scope (or /Headers) on every header cell (PDF/UA-1 7.5). Returns the structure types found, for checks of a document's own structure."""
    assert data.startswith(b"%PDF-"), data[:20]
    with pikepdf.open(io.BytesIO(data)) as pdf:
        root = pdf.Root
        assert bool(root.MarkInfo.Marked) is True
        assert "/StructTreeRoot" in root
        assert str(root.Lang) == "de"
        assert bool(root.ViewerPreferences.DisplayDocTitle) is True
        assert title in str(pdf.docinfo.Title), (str(pdf.docinfo.Title), title)
        with pdf.open_metadata() as xmp:
            assert title in xmp.get("dc:title", ""), xmp.get("dc:title")
            assert xmp.get("pdfuaid:part") == "1"
        elements = structure(pdf)
        types = Counter(str(e.S) for e in elements)
        for e in elements:
            if str(e.S) == "/Figure":
                assert str(e.get("/Alt", "")).strip(), "Figure without alternative text"
        unscoped = [e for e in elements if str(e.S) == "/TH" and not _scoped(e)]
        assert not unscoped, f"{len(unscoped)} of {types['/TH']} header cells (/TH) without /Scope or /Headers"
        assert types["/H1"] >= 1, types
        return types
