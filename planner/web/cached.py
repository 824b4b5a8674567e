"""The cache in the web layer (services/cache.py): pages answered through HTTP conditional
requests, parts of pages and charts kept under the revisions they read.

- `conditional`: a page's ETag is made of the reader (user, rights, session), the address (host,
  script root, path and query), the day, the code and the revisions the page reads; a browser
  that has this state of the page gets 304. `Cache-Control: private, no-cache` keeps the page
  in that reader's browser only and asks every time. A page showing a flashed message or a
  restored form gets no ETag.
- `parts`: parts of a page shared by every reader with the same options; their key holds the
  address links are rendered under. Forms in a part carry no token: they get an id through
  `form_id()`, and the token of this session is given to each by a hidden input outside the
  part (`<input form=…>`); the session countdown is computed in the browser. Nothing is
  substituted into rendered HTML.
- `chart_response`: a chart from the cache, with its ETag.
- Every answer says what it cost in a `Server-Timing` header: `app` (time in the app), `cpu`
  (processor time of the request's thread) and `miss` when a part or chart was made for it
  rather than taken from the cache. The browser's developer tools show them; `bench landmix`
  adds them up per page kind.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable

import sqlalchemy as sa
from flask import Response, g, make_response, request, session
from flask.globals import request_ctx
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from .. import models
from ..charts.common import MIMETYPES
from ..extensions import db
from ..models.auth import Membership
from ..models.land import SharedStrategy
from ..services import cache
from .access import get_strategy_or_404, is_admin, member_organisation_ids, visible_organisation_ids
from .clock import today
from .downloads import disposition_header

HEADERS = {"Cache-Control": "private, no-cache"}


def _reader_scopes() -> tuple[list[str], list[sa.Select]]:
    """What every page shows of its reader: the account and its own organisations (navigation)."""
    if not current_user.is_authenticated:
        return [], []
    own = sa.select(cache.scope_text("o", Membership.organisation_id)).where(Membership.user_id == current_user.id)
    return [cache.user(current_user.id)], [own]


def conditional(
    scopes: Iterable[str],
    respond: Callable[[dict[str, int]], object],
    within: Iterable[sa.Select] = (),
    rows=(),
    read: dict[str, int] | None = None,
):
    """The page `respond(revisions read)` renders, or 304 when the reader's browser has it.
    `rows` loaded before are read again after the revisions (the rule: versions first); `read`:
    revisions the page read before (its value's own stamp), not read twice."""
    own, own_within = _reader_scopes()
    read = {**(read or {}), **cache.revisions(db.session, [*scopes, *own], [*within, *own_within])}
    for row in rows:
        db.session.expire(row)
    rights = (is_admin(), sorted(visible_organisation_ids() or []), sorted(member_organisation_ids() or []))
    generate_csrf()  # the session's token (made now if it has none yet) is on the page
    reader = (current_user.get_id(), hashlib.sha256(str(session.get("csrf_token")).encode()).hexdigest(), rights)
    address = (request.host, request.script_root, request.full_path)
    text = json.dumps([reader, address, today(), cache.code_fingerprint(), cache.stamp(read)], default=str)
    etag = hashlib.sha256(text.encode()).hexdigest()[:40]
    personal = bool(session.get("_flashes")) or g.get("kept_form") is not None
    if not personal and request.method == "GET" and request.if_none_match.contains(etag):
        response = Response(status=304, headers=HEADERS)
        response.set_etag(etag)
        return response
    response = make_response(respond(read))
    if response.status_code == 200 and not personal and not request_ctx.flashes and not g.get("stale_part"):
        response.headers.update(HEADERS)
        response.set_etag(etag)
    else:
        response.headers["Cache-Control"] = "no-store"
    return response


def form_id(name: str) -> str:
    """The id of a form in a part; the part's reader gets a token input for it (`parts`)."""
    g.setdefault("part_forms", []).append(name)
    return name


def parts(current: str | None, name: str, options: dict, render: Callable[[], dict[str, str]]) -> dict[str, Markup]:
    """The parts `render()` makes (name -> HTML), kept under the stamp and options (None: not kept),
    and under "forms" this session's token for every form in them."""

    def make() -> str:
        g.part_forms = []
        try:
            made = {k: str(v) for k, v in render().items()}
            return json.dumps({"parts": made, "forms": g.part_forms})
        finally:
            g.pop("part_forms", None)

    where = {**options, "host": request.host, "root": request.script_root}
    value, stale = (make(), False) if current is None else cache.cached_or_stale(db.session, current, name, make, where)
    g.stale_part = g.get("stale_part") or stale
    value = json.loads(value)
    token = escape(generate_csrf()) if value["forms"] else ""
    inputs = "".join(
        f'<input name="csrf_token" type="hidden" value="{token}" form="{escape(f)}">' for f in value["forms"]
    )
    return {**{k: Markup(v) for k, v in value["parts"].items()}, "forms": Markup(inputs)}


def strategy_scopes(row: models.Strategy) -> list[str]:
    """What a strategy's pages and charts read: the strategy and its organisation's own data."""
    return [cache.strategy(row.id), cache.organisation(row.organisation_id)]


def visible_scopes() -> list[sa.Select]:
    """The organisations the reader may see and their strategies (for `conditional`'s `within`)."""
    visible = visible_organisation_ids()
    orgs = sa.select(cache.scope_text("o", models.Organisation.id))
    strategies = sa.select(cache.scope_text("s", models.Strategy.id))
    if visible is None:
        return [orgs, strategies]
    orgs = orgs.where(models.Organisation.id.in_(visible))
    strategies = strategies.where(models.Strategy.organisation_id.in_(visible))
    # the strategies other offices share are listed too: sharing or unsharing one changes the set
    shared = sa.select(cache.scope_text("s", SharedStrategy.strategy_id))
    return [orgs, strategies, shared]


# (options that select the picture, a function that draws it) for a loaded strategy row
Prepare = Callable[[models.Strategy], tuple[dict, Callable[[], bytes]]]


def chart_response(
    strategy_id: int, chart: str, fmt: str, prepare: Prepare, filename: Callable[[models.Strategy], str] | None = None
) -> Response:
    """The chart from the cache, drawn on a miss (or served stale while another request draws
    it); `If-None-Match` with the current ETag answers 304. SVG inline, PNG and PDF as downloads."""
    row = get_strategy_or_404(strategy_id, load=False)
    scopes = strategy_scopes(row)
    current = cache.stamp(cache.revisions(db.session, scopes))
    options, draw = prepare(row)
    where = {"strategy": row.id, "chart": chart, "fmt": fmt, **options}
    headers = {"Cache-Control": "no-cache"}
    if filename is not None:
        headers |= disposition_header(filename(row), inline=fmt == "svg")
    etag = hashlib.sha256(f"{cache.key('chart', where)}-{current}".encode()).hexdigest()[:40]
    if request.if_none_match.contains(etag):
        response = Response(status=304, headers=headers)
    else:
        db.session.expire(row)  # the rule: what the chart is drawn from is read after the revisions
        data, stale = cache.cached_or_stale(db.session, current, "chart", draw, where)
        response = Response(data, mimetype=MIMETYPES[fmt], headers=headers)
        if stale:  # served while another request draws the current one: not for the browser's cache
            response.headers["Cache-Control"] = "no-store"
            return response
    response.set_etag(etag)
    return response


def _timed(wsgi_app):
    """The WSGI application noting when the request began, in time and in its thread's CPU time."""

    def timed(environ, start_response):
        environ["planner.started"] = (time.perf_counter(), time.thread_time())
        return wsgi_app(environ, start_response)

    return timed


def _server_timing(response: Response) -> Response:
    started = request.environ.get("planner.started")
    if started is not None:
        wall, cpu = time.perf_counter() - started[0], time.thread_time() - started[1]
        timing = [f'app;dur={wall * 1000:.1f};desc="Antwortzeit"', f'cpu;dur={cpu * 1000:.1f};desc="Rechenzeit"']
        session = g.get("db_session")  # the request's session, if it opened one (extensions.Database)
        made = session.info.get(cache.MADE, 0) if session is not None else 0
        if made:
            timing.append(f'miss;desc="{made} neu erstellt"')
        response.headers["Server-Timing"] = ", ".join(timing)
    return response


def install(app) -> None:
    app.wsgi_app = _timed(app.wsgi_app)
    app.after_request(_server_timing)
    app.add_template_global(form_id, "form_id")
    cache.code_fingerprint()  # once per process, at its start rather than in a reader's request
