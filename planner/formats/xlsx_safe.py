"""Opening an uploaded XLSX workbook without trusting it.

An XLSX file is a ZIP of XML parts. Before openpyxl sees it: it must be a ZIP, not
unpack to more than MAX_UNPACKED bytes (a "zip bomb"), and no XML part may declare a
DOCTYPE or entities (entity expansion, external entities). Every refusal is one German
sentence; openpyxl's own errors (a truncated or damaged file) become the same sentence.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

MAX_UNPACKED = 100 * 1024 * 1024
MAX_PARTS = 10_000
NOT_A_WORKBOOK = "Die Datei ist keine lesbare Excel-Arbeitsmappe (.xlsx)."


class UnreadableWorkbook(ValueError):
    """The file cannot be read as a workbook; str() is the German reason."""


def _check_parts(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UnreadableWorkbook(NOT_A_WORKBOOK) from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_PARTS or sum(i.file_size for i in infos) > MAX_UNPACKED:
            raise UnreadableWorkbook("Die Arbeitsmappe ist entpackt zu groß (höchstens 100 MB).")
        for info in infos:
            if not info.filename.endswith((".xml", ".rels", ".vml")):
                continue
            try:
                with archive.open(info) as part:
                    head = part.read(4096)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError):
                raise UnreadableWorkbook(NOT_A_WORKBOOK) from None
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                raise UnreadableWorkbook(
                    "Die Arbeitsmappe enthält XML-Deklarationen (DOCTYPE/ENTITY), die Excel nie schreibt; "
                    "sie wird aus Sicherheitsgründen nicht gelesen."
                )


def open_workbook(data: bytes, *, read_only: bool = True, data_only: bool = False) -> Any:
    """The openpyxl workbook of uploaded bytes; raises UnreadableWorkbook. Close it after use."""
    from openpyxl import load_workbook  # only when a workbook is read

    _check_parts(data)
    try:
        return load_workbook(io.BytesIO(data), read_only=read_only, data_only=data_only)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise UnreadableWorkbook(NOT_A_WORKBOOK) from None
