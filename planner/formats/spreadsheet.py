"""What every spreadsheet planner writes or reads goes through here.

Writing: user text never becomes a formula. openpyxl stores a text starting with "=" as a
formula; `text_only` turns every such cell back into text. Text goes in through `put_text` or
`text_row`, which leave out the characters no worksheet can hold (control characters stored
before the text rule refused them), so every download opens. CSV has no types: a cell
starting with = + - @ (or a tab or line break) is prefixed with an apostrophe as OWASP
recommends ("CSV Injection"), and `csv_unescape` removes exactly that prefix on import so
our own export reads back unchanged.

Reading: an XLSX is a zip of XML files. `open_workbook` refuses, before openpyxl sees
it, anything that is not a zip, too many or too large members (zip bombs), and XML with a
DOCTYPE (entity expansion); openpyxl's own errors while reading become the same German
message.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from typing import TypeVar

from openpyxl import load_workbook

from ..domain.validation import writable

NOT_A_WORKBOOK = "Die Datei ist keine lesbare Excel-Arbeitsmappe (.xlsx)."
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
MAX_MEMBERS = 1000
MAX_UNPACKED = 100 * 1024 * 1024  # bytes of all members together
MAX_RATIO = 200  # unpacked : packed per member; real workbooks stay far below
_DTD_MARKS = tuple(
    mark.encode(enc)
    for mark in ("<!DOCTYPE", "<!doctype", "<!ENTITY", "<!entity")
    for enc in ("utf-8", "utf-16-le", "utf-16-be")
)


class WorkbookError(ValueError):
    """The data is not a workbook planner can read; the message is German."""


# --- writing -------------------------------------------------------------------------------


def text_only(book) -> None:
    """Every cell of the workbook that openpyxl would write as a formula is written as text."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"


def text_row(values: list) -> list:
    """A row for `sheet.append`: texts without characters a worksheet cannot hold."""
    return [writable(v) if isinstance(v, str) else v for v in values]


def put_text(cell, value: object):
    """Put a value into a cell; text always as a text cell ('=…', '+…', '@…' never a formula) and
    without characters a worksheet cannot hold. Returns the cell."""
    if isinstance(value, str):
        cell.value = writable(value)
        cell.data_type = "s"
    else:
        cell.value = value
    return cell


def csv_escape(value: object) -> object:
    """A text cell for CSV that no spreadsheet program reads as a formula."""
    if (
        isinstance(value, str)
        and value
        and (value[0] in FORMULA_START or (value[0] == "'" and len(value) > 1 and value[1] in (*FORMULA_START, "'")))
    ):
        return "'" + value
    return value


def csv_unescape(value: str) -> str:
    """The text `csv_escape` protected, as it was."""
    if len(value) > 1 and value[0] == "'" and value[1] in (*FORMULA_START, "'"):
        return value[1:]
    return value


# --- reading -------------------------------------------------------------------------------


def _check_zip(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise WorkbookError(NOT_A_WORKBOOK) from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_UNPACKED:
            raise WorkbookError(NOT_A_WORKBOOK + " Sie ist ungewöhnlich groß entpackt.")
        for member in members:
            if member.file_size > MAX_RATIO * max(member.compress_size, 1024):
                raise WorkbookError(NOT_A_WORKBOOK + " Sie ist ungewöhnlich stark gepackt.")
            if member.filename.endswith((".xml", ".rels")):
                try:
                    with archive.open(member) as stream:
                        text = stream.read(MAX_UNPACKED + 1)
                except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError):
                    raise WorkbookError(NOT_A_WORKBOOK) from None
                if len(text) > member.file_size or any(mark in text for mark in _DTD_MARKS):
                    raise WorkbookError(NOT_A_WORKBOOK)


def open_workbook(data: bytes, *, formulas: bool = False):
    """The workbook (read-only, values instead of formulas); WorkbookError when it is none.

    `formulas=True` keeps formula cells as formulas (data_type "f"), so a reader can refuse them
    instead of taking the value Excel last computed (the Maßnahmenliste does)."""
    _check_zip(data)
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=not formulas)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise WorkbookError(NOT_A_WORKBOOK) from None


# a cell's value, inline text or formula element, with or without a namespace prefix
_VALUE_MARK = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:v|is|f)[\s>/]")
_ROW_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row\b[^>]*?\sr=\"(\d+)\"")


def last_filled_row(sheet) -> int | None:
    """The number of the sheet's last row holding a value (None when unknown: read to the end).

    A workbook saved by LibreOffice after a row was deleted carries a thousand empty, formatted
    rows (each with a cell per column); openpyxl would parse every one of their cells. One
    regular-expression pass over the sheet's XML finds the last value, so reading stops there
    and trailing empty rows are never parsed."""
    try:  # the read-only sheet's zip member (openpyxl keeps it private)
        with sheet.parent._archive.open(sheet._worksheet_path) as src:
            xml = src.read()
    except (AttributeError, KeyError, OSError, zipfile.BadZipFile):
        return None
    last = None
    for last in _VALUE_MARK.finditer(xml):  # noqa: B007 (the last one counts)
        pass
    if last is None:
        return None
    rows = list(_ROW_START.finditer(xml, max(0, last.start() - 65536), last.start()))
    rows = rows or list(_ROW_START.finditer(xml, 0, last.start()))
    return int(rows[-1].group(1)) if rows else None


def sheet_rows(sheet, *, max_col: int, max_row: int) -> Iterator[tuple[int, list[object]]]:
    """(line number, values) of a worksheet; a damaged sheet raises WorkbookError while reading.
    Reading ends at the last row holding a value (`last_filled_row`)."""
    last = last_filled_row(sheet)
    rows = sheet.iter_rows(values_only=True, max_col=max_col, max_row=min(max_row, last) if last else max_row)
    line = 0
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except Exception:  # truncated or malformed XML inside the sheet
            raise WorkbookError(NOT_A_WORKBOOK) from None
        line += 1
        yield line, list(row)


# --- CSV -------------------------------------------------------------------------------------


T = TypeVar("T")


class CsvFileError(ValueError):
    """A CSV file that cannot be read; the message says why, in German."""


def _utf16(data: bytes) -> str | None:
    """The name of a UTF-16/32 encoding the data is in, or None (Excel's "Unicode-Text" is UTF-16)."""
    for bom, name in (
        (codecs.BOM_UTF32_LE, "UTF-32"),
        (codecs.BOM_UTF32_BE, "UTF-32"),
        (codecs.BOM_UTF16_LE, "UTF-16"),
        (codecs.BOM_UTF16_BE, "UTF-16"),
    ):
        if data.startswith(bom):
            return name
    head = data[:4000]
    if len(head) >= 4 and (head[1::2].count(0) > len(head) // 4 or head[0::2].count(0) > len(head) // 4):
        return "UTF-16"
    return None


def decode_csv(data: bytes) -> str:
    """The text of a CSV file: UTF-8 or, as Excel on Windows saves "CSV (Trennzeichen-getrennt)",
    Windows-1252. Other encodings and binary data are refused with the reason."""
    wide = _utf16(data)
    if wide:
        raise CsvFileError(
            f"Die Datei ist {wide}-kodiert. Bitte als „CSV UTF-8 (durch Trennzeichen getrennt)“ "
            "speichern und erneut hochladen."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252", errors="strict")
        except UnicodeDecodeError:
            raise CsvFileError(
                "Die Datei ist weder UTF-8 noch Windows-1252 kodiert. Bitte als UTF-8 speichern."
            ) from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise CsvFileError(
            f"Zeile {line}: Die Datei enthält ein NUL-Zeichen (Byte 0). Ist es wirklich eine CSV-Textdatei?"
        )
    return text


_CSV_REASONS = [
    ("field larger", "ein Feld ist zu lang (höchstens 131.072 Zeichen)"),
    ("unexpected end of data", "ein Anführungszeichen wird nicht geschlossen"),
    ("expected after", "nach einem schließenden Anführungszeichen fehlt das Trennzeichen"),
    ("new-line character seen in unquoted field", "ein Zeilenumbruch steht mitten in einem Feld"),
]


def read_csv(data: bytes, take: Callable[[Iterator[tuple[int, list[str]]]], T]) -> T:
    """Read a CSV file (separator ; , or tab; UTF-8 or Windows-1252) with `take`, which gets
    (line number, cells) pairs, cells without the apostrophe our own export puts before a
    formula sign. Raises CsvFileError with the German reason and line."""
    text = decode_csv(data)
    first = text.split("\n", 1)[0]
    delimiter = max((";", "\t", ","), key=first.count)
    # strict: an unclosed quote is an error instead of swallowing the rest of the file
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    last_line = 0

    def rows() -> Iterator[tuple[int, list[str]]]:
        nonlocal last_line
        for row in reader:
            yield reader.line_num, [csv_unescape(c) for c in row]
            last_line = reader.line_num

    try:
        return take(rows())
    except csv.Error as exc:  # the csv module's messages are English
        reason = next((german for english, german in _CSV_REASONS if english in str(exc)), "ein Formfehler")
        raise CsvFileError(
            f"Zeile {last_line + 1}: Die CSV-Datei ist fehlerhaft ({reason}). Es wurde nichts übernommen."
        ) from None
