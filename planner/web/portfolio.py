"""Landesebene: a coordinating organisation's portfolio of offices, its export, the funding calls
across offices, and the offices taking part in its own measures (Landesmaßnahmen).

Access: the coordinating organisation must be visible (its members, administrators); its
members read the offices it coordinates (web/access.py). Filters are GET parameters, so
the heat map filters and sorts without JavaScript.
"""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    get_template_attribute,
    redirect,
    render_template,
    request,
    url_for,
)
from markupsafe import Markup

from .. import models
from ..charts.common import MIMETYPES
from ..charts.trend import trend_chart
from ..config import ROOT
from ..documents import landesbericht as lb
from ..documents.pdf import document_pdf, layout
from ..documents.report import cell_text, is_number, report_docx, tables_workbook
from ..domain import portfolio as domain
from ..domain import portfolio_progress as progress
from ..domain.catalogue import catalogue
from ..domain.funding import find_call, funding_calls
from ..domain.german import german_date
from ..domain.readiness import current_call, readiness_report
from ..domain.schedule_state import State
from ..extensions import db
from ..formats.portfolio_workbook import portfolio_workbook
from ..services import cache, jobs, surveys
from ..services import portfolio as service
from ..services import portfolio_progress as progress_service
from ..services.strategies import measure_id as find_measure_id
from .access import (
    actor_name,
    coordinating_organisation_ids,
    get_organisation_or_404,
    get_strategy_or_404,
    may_write,
    reads_shared,
    visible_organisation_ids,
)
from .cached import conditional
from .clock import today
from .downloads import download
from .forms import save_unchanged
from .forms.land import NOT_TAKING_PART, BudgetForm, rollout_form
from .forms.verstetigung import parse_date_field

bp = Blueprint("portfolio", __name__, url_prefix="/landesebene")

# the schedule states shown as columns, most urgent first
STATE_COLUMNS = [
    State.ABSCHLUSS_UEBERFAELLIG,
    State.BEGINN_UEBERFAELLIG,
    State.LAUFEND,
    State.GEPLANT,
    State.OHNE_TERMIN,
    State.ABGESCHLOSSEN,
]
SORT_LABELS = {
    "name": "Name",
    "stufe3": "Dimensionen auf Stufe 3",
    "messung": "Letzte Messung",
    "massnahmen": "Maßnahmen",
    "ueberfaellig": "Überfällige Maßnahmen",
}
LEVEL_CHOICES = [("", "alle Stufen"), ("-", "–"), *[(str(s), f"Stufe {s}") for s in range(5)], ("k", "keine Daten")]


def _filter() -> domain.Filter:
    """The filter of the GET parameters; anything unknown is ignored."""
    names = catalogue().dimension_names
    below = request.args.get("unter", "")
    dimension = request.args.get("dimension", "")
    level = request.args.get("stufe", "")
    sort = request.args.get("sortierung", "name")
    return domain.Filter(
        below=below if below in names else "",
        dimension=dimension if dimension in names else "",
        level=level if level in {v for v, _ in LEVEL_CHOICES} else "",
        sort=sort if sort in (*domain.SORT_KEYS, *names) else "name",
        descending=request.args.get("absteigend") == "1",
    )


@bp.app_template_global()
def landesebene_links() -> bool:
    """Whether the navigation offers the Landesebene (a member of a coordinating organisation, or an administrator)."""
    ids = coordinating_organisation_ids()
    return ids is None or bool(ids)


@bp.get("/")
def index():
    """The coordinating organisations the user may see."""
    rows = service.coordinators(db.session, visible_organisation_ids())
    return render_template("landesebene/index.html", coordinators=rows)


def _page(org: models.Organisation, render) -> object:
    """A portfolio page answered 304 while nothing it reads changed; `render(stamp, portfolio)`."""
    # the portfolio's own revisions, read once and first: its stamp, not the page's (that one holds
    # the reader too, and a value kept under it would be one per reader); the page adds the reader's
    read = cache.revisions(db.session, *service.scopes(org.id))

    def respond(_read):
        stamp, p = service.portfolio_and_key(db.session, org, today(), read)
        return render(stamp, p)

    return conditional([], respond, read=read)


def _content(p: service.Portfolio, title: str, template: str, options: dict, context) -> str:
    """A Land page whose content `template` shows the portfolio's figures: the content is kept
    under them (`p.figures`) and `options` (what else it shows: filter, order, the reader's
    right to change), so a save that changes no figure, in any office, makes it not again.
    `context()` gives the template's values, worked out only when it is made."""
    content = _kept(p.figures, template, options, lambda: render_template(template, **context()))
    return render_template("landesebene/_page.html", page_title=title, content=Markup(content))


def _kept(stamp: str, name: str, options: dict, make):
    """A part or an export made from the portfolio, once per its state (services/cache.py)."""
    return cache.cached(db.session, stamp, name, make, {**options, "host": request.host, "root": request.script_root})


def _office_part(p: service.Portfolio, office: domain.Office, name: str, make) -> Markup:
    """What `make()` makes of one office's figures (a row), kept under their digest: after a save
    in one office one row at most is made again, not one per office."""
    stamp = service.figures_digest(office)
    options = {"office": office.organisation_id, "today": p.today, "host": request.host, "root": request.script_root}
    return Markup(cache.cached(db.session, stamp, name, lambda: str(make()), options, shared=False))


@bp.get("/<int:organisation_id>")
def overview(organisation_id: int):
    """The portfolio: offices, maturity heat map, dimensions, Landesmaßnahmen."""
    org = get_organisation_or_404(organisation_id)
    f = _filter()

    def render(_stamp, p):
        offices = domain.select(p.offices, f)
        heat_row = get_template_attribute("landesebene/_rows.html", "heat_row")
        office_row = get_template_attribute("landesebene/_rows.html", "office_row")
        rows = {
            "heat": lambda o: heat_row(o, domain.minimum_stage()),
            "offices": lambda o: office_row(o, STATE_COLUMNS),
        }

        def body(name: str) -> Markup:
            made = [_office_part(p, o, f"portfolio {name} row", lambda o=o: rows[name](o)) for o in offices]
            return Markup(render_template(f"landesebene/_{name}_body.html", rows=made))

        args = {k: v for k, v in request.args.items() if k in ("unter", "dimension", "stufe")}
        # the exports take the filter and the order
        link_args = {
            k: v for k, v in request.args.items() if k in ("unter", "dimension", "stufe", "sortierung", "absteigend")
        }
        return _content(
            p,
            f"Portfolio – {p.coordinator}",
            "landesebene/_portfolio.html",
            {"args": link_args, "may_write": may_write(p.coordinator_id)},
            lambda: {
                "p": p,
                "f": f,
                "offices": offices,
                "bodies": {name: body(name) for name in rows},
                "states": STATE_COLUMNS,
                "sort_labels": SORT_LABELS,
                "level_choices": LEVEL_CHOICES,
                "stage": domain.minimum_stage(),
                "args": args,
                "link_args": link_args,
            },
        )

    return _page(org, render)


@bp.get("/<int:organisation_id>/portfolio.xlsx")
def export_xlsx(organisation_id: int):
    org = get_organisation_or_404(organisation_id)
    stamp, p = service.portfolio_and_key(db.session, org, today())
    f = _filter()
    data = _kept(stamp, "portfolio.xlsx", {"filter": f}, lambda: portfolio_workbook(p, domain.select(p.offices, f)))
    return download(
        data,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"Portfolio {p.coordinator} {p.today.isoformat()}.xlsx",
    )


@bp.get("/<int:organisation_id>/portfolio.pdf")
def export_pdf(organisation_id: int):
    """The portfolio as PDF, made in the background (42 s at 400 offices): the job's page shows
    the progress and offers the file; the same data and filter find the same job."""
    org = get_organisation_or_404(organisation_id)
    day = today()
    f = _filter()
    state = service.state_key(db.session, org.id, day)
    job = jobs.request_document(
        current_app._get_current_object(),
        db.session,
        kind=PORTFOLIO_PDF,
        organisation_id=org.id,
        options={"heute": day.isoformat(), "filter": dataclasses.asdict(f)},
        state=state,
        title=f"Portfolio der Gesundheitsämter – {org.name} – PDF",
        requested_by=actor_name(org.id),
    )
    return redirect(url_for("documents.status", job_id=job.id), 303)


PORTFOLIO_PDF = "portfolio_pdf"


def _portfolio_pdf(job: models.DocumentJob, report: jobs.Report) -> tuple[bytes, str, str]:
    """The portfolio PDF of a job (in the worker)."""
    org = db.session.get(models.Organisation, job.organisation_id)
    day = date.fromisoformat(job.options["heute"])
    f = domain.Filter(**job.options["filter"])
    report(5, "Das Portfolio wird berechnet.")
    p = service.portfolio(db.session, org, day)
    report(20, f"Die Seiten für {len(p.offices)} Gesundheitsämter werden gesetzt.")
    html = render_template(
        "landesebene/portfolio_pdf.html",
        p=p,
        f=f,
        offices=domain.select(p.offices, f),
        states=STATE_COLUMNS,
        stage=domain.minimum_stage(),
    )
    document = layout(html, base_url=str(ROOT) + "/")
    report(85, f"{len(document.pages)} Seiten werden als PDF geschrieben.")
    return document_pdf(document), f"Portfolio {p.coordinator} {p.today.isoformat()}.pdf", "application/pdf"


jobs.register(PORTFOLIO_PDF, "Portfolio (PDF)", _portfolio_pdf)


@bp.get("/<int:organisation_id>/foerderaufrufe")
def funding(organisation_id: int):
    """Funding calls across offices, rule by rule, and the two readings of a two-stage jump."""
    org = get_organisation_or_404(organisation_id)
    calls = funding_calls()
    call = find_call(request.args.get("aufruf", "")) or current_call(today())
    index = calls.index(call)
    template = "landesebene/_foerder_body.html"

    def render(stamp, p):
        ready = readiness_report(p.offices, p.today, call)
        body = _kept(
            stamp,
            template,
            {"call": call.id},
            lambda: render_template(
                template,
                p=p,
                call=call,
                results=[(o, o.calls[index]) for o in p.offices],
                readiness=ready,
                readiness_by_office={x.office.organisation_id: x for x in ready.rows},
                readings=[(o, o.maturity.readings) for o in p.offices if o.maturity and o.maturity.readings],
            ),
        )
        return render_template(
            "landesebene/foerderaufrufe.html",
            p=p,
            calls=calls,
            call=call,
            body=Markup(body),
            sf=service.state_funding(db.session, p),
            may_change=may_write(org.id),
        )

    return _page(org, render)


@bp.get("/<int:organisation_id>/foerderaufrufe.xlsx")
def funding_xlsx(organisation_id: int):
    """The funding across the state as a workbook (the Landesbericht's funding tables): calls, and
    the offices with an entry. Read on its own, without the whole portfolio."""
    org = get_organisation_or_404(organisation_id)
    day = today()
    section = lb.funding(lb.Context(None, service.state_funding(db.session, org)))
    data = tables_workbook(f"Förderung im Land – {org.name}", f"Stand {german_date(day)}", section.tables)
    return download(data, XLSX, f"Förderung {org.name} {day.isoformat()}.xlsx")


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/<int:organisation_id>/foerderaufrufe/mittel", methods=["GET", "POST"])
def budget(organisation_id: int):
    """The funds of the Land, against which the granted sums are shown."""
    org = get_organisation_or_404(organisation_id, write=request.method == "POST")
    row = service.land_budget(db.session, org.id)
    form = BudgetForm()
    general, status = [], 200
    if request.method == "GET":
        form.amount.data = row.amount if row else None
        form.source.data = row.source if row else ""
        form.lock_version.data = row.lock_version if row else 0
    elif form.validate_on_submit():
        seen = form.lock_version.data or "0"
        if not seen.isdigit() or int(seen) != (row.lock_version if row else 0):
            general, status = ["Die Mittel wurden inzwischen geändert. Bitte prüfen Sie den aktuellen Stand."], 409
        else:
            service.set_land_budget(db.session, org.id, form.amount.data, (form.source.data or "").strip())
            db.session.commit()
            flash("Die Mittel des Landes sind gespeichert.", "success")
            return redirect(url_for("portfolio.funding", organisation_id=org.id) + "#land-h")
    else:
        status = 422
    return render_template(
        "landesebene/mittel.html", org=org, form=form, general=general, may_change=may_write(org.id)
    ), status


# --- the Landesbericht (made in the background) -------------------------------------------------

LANDESBERICHT = {"pdf": "landesbericht_pdf", "docx": "landesbericht_docx"}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@bp.get("/<int:organisation_id>/landesbericht.<fmt>")
def landesbericht(organisation_id: int, fmt: str):
    """The Landesbericht as PDF or Word: the job's page (the same data finds the same job)."""
    if fmt not in LANDESBERICHT:
        abort(404)
    org = get_organisation_or_404(organisation_id)
    day = today()
    job = jobs.request_document(
        current_app._get_current_object(),
        db.session,
        kind=LANDESBERICHT[fmt],
        organisation_id=org.id,
        options={"heute": day.isoformat()},
        state=service.state_key(db.session, org.id, day),
        title=f"Landesbericht – {org.name} – {'Word' if fmt == 'docx' else 'PDF'}",
        requested_by=actor_name(org.id),
    )
    return redirect(url_for("documents.status", job_id=job.id), 303)


def _landesbericht(fmt: str) -> jobs.Produce:
    def produce(job: models.DocumentJob, report: jobs.Report) -> tuple[bytes, str, str]:
        org = db.session.get(models.Organisation, job.organisation_id)
        day = date.fromisoformat(job.options["heute"])
        report(5, "Das Portfolio wird berechnet.")
        p = service.portfolio(db.session, org, day)
        report(25, "Die Abschnitte werden zusammengestellt.")
        rounds = tuple(surveys.round_view(db.session, r) for r in surveys.rounds(db.session, org.id))
        # linear passes over the portfolio's offices (no further queries); the chart: about 0.5 s
        points = progress.trend(p.offices, p.today)
        built = lb.build(
            lb.Context(
                p,
                service.state_funding(db.session, p),
                rounds,
                stuck=tuple(progress.stuck_offices(p.offices, p.today)),
                trend=points,
                readiness=readiness_report(p.offices, p.today),
                trend_chart=trend_chart(points, "png", f"Entwicklung je Dimension – {p.coordinator}"),
            )
        )
        name = f"Landesbericht {p.coordinator} {p.today.isoformat()}"
        if fmt == "docx":
            report(40, f"{len(built.sections)} Abschnitte werden als Word-Datei geschrieben.")
            return report_docx(built), name + ".docx", DOCX
        html = render_template("documents/report_pdf.html", report=built, cell_text=cell_text, is_number=is_number)
        report(35, f"{len(built.sections)} Abschnitte werden auf Seiten gesetzt.")
        document = layout(html, base_url=str(ROOT) + "/")
        report(85, f"{len(document.pages)} Seiten werden als PDF geschrieben.")
        return document_pdf(document), name + ".pdf", "application/pdf"

    return produce


jobs.register(LANDESBERICHT["pdf"], "Landesbericht (PDF)", _landesbericht("pdf"))
jobs.register(LANDESBERICHT["docx"], "Landesbericht (Word)", _landesbericht("docx"))


@bp.route("/strategien/<int:strategy_id>/massnahmen/<key>/teilnehmende", methods=["GET", "POST"])
def participants(strategy_id: int, key: str):
    """A measure of the state office (a Landesmaßnahme): its category and lead, and per coordinated
    office whether it takes part and its rollout status there with the date."""
    row = get_strategy_or_404(strategy_id, load=False)
    if reads_shared(row):  # a Land-level page of the state office itself, not for readers of a shared strategy
        abort(404)
    measure_id = find_measure_id(db.session, row.id, key)
    if measure_id is None:
        abort(404)
    p = service.portfolio(db.session, row.organisation, today())
    offices = [(o.organisation_id, o.name) for o in p.offices]
    form = rollout_form(offices)
    land = next((m for m in p.land_measures if m.id == measure_id), None)
    measure = db.session.get(models.Measure, measure_id)
    general, status = [], 200
    if request.method == "GET":
        current = {r.office_id: r for r in land.rollout} if land else {}
        for office_id, _ in offices:
            r = current.get(office_id)
            form[f"status_{office_id}"].data = r.status if r else NOT_TAKING_PART
            form[f"datum_{office_id}"].data = german_date(r.since) if r and r.since else ""
        form.category.data = land.category if land else "land"
        form.lead.data = land.lead if land else ""
        form.lock_version.data = measure.lock_version
    elif form.validate_on_submit():
        chosen: dict[int, tuple[str, date | None]] = {}
        for office_id, _ in offices:
            since = parse_date_field(form[f"datum_{office_id}"])
            state = form[f"status_{office_id}"].data
            if state != NOT_TAKING_PART:
                chosen[office_id] = (state, since)
            elif since is not None:
                form[f"datum_{office_id}"].errors.append("Ein Datum gehört zu einem Stand; das Amt nimmt nicht teil.")
        if any(f.errors for f in form):
            status = 422
        else:
            category, lead = form.category.data, (form.lead.data or "").strip()
            refused = save_unchanged(
                form.lock_version,
                "measures",
                measure,
                lambda: service.set_rollout(db.session, measure, chosen, category, lead),
            )
            if refused is None:
                db.session.commit()
                flash("Einordnung und teilnehmende Gesundheitsämter sind gespeichert.", "success")
                return redirect(url_for("measures.detail", strategy_id=row.id, key=key) + "#landesmassnahme-h")
            general, status = [refused], 422
            measure = db.session.get(models.Measure, measure_id)
    else:
        status = 422
    return render_template(
        "landesebene/teilnehmende.html",
        row=row,
        key=key,
        title=measure.title,
        form=form,
        offices=offices,
        land=land,
        general=general,
        may_change=may_write(row.organisation_id),
    ), status


# --- Handlungsbedarf and the trend over time --------------------------------------------------------

STUCK_SORT_LABELS = {
    "gruende": "Anzahl der Gründe",
    "name": "Name",
    "messung": "Letzte Messung (älteste zuerst)",
    "ueberfaellig": "Maßnahmen mit veraltetem Status",
}


@bp.get("/<int:organisation_id>/handlungsbedarf")
def stuck(organisation_id: int):
    """Offices that need attention (no or old assessment, no progress, plan period ended, stale measures), sortable."""
    org = get_organisation_or_404(organisation_id)
    sort = request.args.get("sortierung", "gruende")
    sort = sort if sort in progress.STUCK_SORTS else "gruende"
    # most reasons and most stale measures first, names A–Z, the oldest assessment first (none before
    # any); "umgekehrt=1" turns the order round
    reverse = request.args.get("umgekehrt") == "1"
    descending = (sort in ("gruende", "ueberfaellig")) != reverse
    reason = request.args.get("grund", "")
    reason = reason if reason in progress.REASON_LABELS else ""

    def render(_stamp, p):
        def context() -> dict:
            h = progress_service.handlungsbedarf(db.session, org, today(), sort, descending, reason, portfolio=p)
            overdue_states = (State.ABSCHLUSS_UEBERFAELLIG, State.BEGINN_UEBERFAELLIG)
            stuck_row = get_template_attribute("landesebene/_rows.html", "stuck_row")
            rows = [
                _office_part(
                    p, s.office, "handlungsbedarf row", lambda s=s: stuck_row(s, progress.REASON_LABELS, overdue_states)
                )
                for s in h.stuck
            ]
            return {
                "h": h,
                "rows": rows,
                "sort": sort,
                "reverse": reverse,
                "descending": descending,
                "reason": reason,
                "labels": progress.REASON_LABELS,
                "sort_labels": STUCK_SORT_LABELS,
                "cli_reasons": progress.CLI_REASONS,
            }

        options = {"sort": sort, "reverse": reverse, "reason": reason}
        title = f"Handlungsbedarf der Ämter – {p.coordinator}"
        return _content(p, title, "landesebene/_handlungsbedarf.html", options, context)

    return _page(org, render)


@bp.get("/<int:organisation_id>/entwicklung")
def trend(organisation_id: int):
    """The state-wide trend per dimension: chart and table, each office carried forward to every year's end."""
    org = get_organisation_or_404(organisation_id)

    def render(_stamp, p):
        def context() -> dict:
            return {"t": progress_service.trend(db.session, org, today(), portfolio=p), "stage": domain.minimum_stage()}

        return _content(p, f"Entwicklung – {p.coordinator}", "landesebene/_entwicklung.html", {}, context)

    return _page(org, render)


@bp.get("/<int:organisation_id>/entwicklung.<fmt>")
def trend_chart_file(organisation_id: int, fmt: str):
    """The trend chart as SVG (inline), PNG or PDF; an unchanged trend answers 304."""
    if fmt not in MIMETYPES:
        abort(404)
    org = get_organisation_or_404(organisation_id)
    t = progress_service.trend(db.session, org, today())
    # the ETag says what is drawn: the figures themselves
    etag = hashlib.sha256(repr((fmt, t.coordinator, t.points)).encode()).hexdigest()[:32]
    headers = {"Cache-Control": "private, no-cache"}
    if request.if_none_match.contains(etag):
        response = Response(status=304, headers=headers)
    else:
        # kept under the figures it draws, not the portfolio's state: a save in an office that
        # changes no assessment keeps the chart (0.4 s of matplotlib for 8 panels, 0.9 s as PDF)
        data = _kept(
            etag,
            "trend chart",
            {"fmt": fmt},
            lambda: trend_chart(t.points, fmt, f"Entwicklung je Dimension – {t.coordinator}"),
        )
        name = f"Entwicklung {t.coordinator} {t.today.isoformat()}.{fmt}"
        response = download(data, MIMETYPES[fmt], name, inline=fmt == "svg", headers=headers)
    response.set_etag(etag)
    return response
