"""Every download response: one place that builds the Content-Disposition header from any text.

A file name may come from user text (an organisation, a version, a person): line breaks would
split the header (Werkzeug refuses them with a 500), quotes would end the name early, and
non-ASCII characters are not allowed in a plain header value. The header carries an ASCII
name for old clients and the full name as `filename*` after RFC 6266 / RFC 5987.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from flask import Response

from ..domain.german import transliterate

MAX_NAME = 150


def _clean(name: str) -> str:
    """The name without control characters, path separators and quotes, whitespace collapsed."""
    name = "".join(" " if unicodedata.category(ch)[0] in "CZ" else ch for ch in str(name or ""))
    name = re.sub(r'[\\/"<>|:*?;]', "_", name)
    name = " ".join(name.split()).strip(" .")
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: MAX_NAME - len(ext) - 1] + "." + ext) if dot and len(ext) <= 5 else name[:MAX_NAME]
    return name


def _ascii(name: str) -> str:
    """An ASCII stand-in: umlauts spelled out, accents dropped, anything else an underscore."""
    text = unicodedata.normalize("NFKD", transliterate(name)).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9._()+ -]", "_", text).replace(" ", "_").strip("._") or "download"


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """A Content-Disposition value that is safe for any file name."""
    kind = "inline" if inline else "attachment"
    name = _clean(filename) or "download"
    plain = _ascii(name)
    if plain == name:
        return f'{kind}; filename="{plain}"'
    return f"{kind}; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"


def disposition_header(filename: str, *, inline: bool = False) -> dict[str, str]:
    """The Content-Disposition header of a file response, for responses built elsewhere (charts, 304s)."""
    return {"Content-Disposition": content_disposition(filename, inline=inline)}


def download(
    data: bytes | str,
    mimetype: str,
    filename: str,
    *,
    inline: bool = False,
    headers: dict[str, str] | None = None,
) -> Response:
    """A response that offers `data` as a file named `filename` (inline: shown in the browser)."""
    return Response(
        data,
        mimetype=mimetype,
        headers={"Content-Disposition": content_disposition(filename, inline=inline), **(headers or {})},
    )
