"""Survey rounds (Erhebungsrunden) of a coordinating organisation (services/surveys.py): the list
and the form for a new round, a round with every office's answer, reminders and closing, the
year-to-year comparison of the application landscapes (two closed rounds or two dates), and the
office's side — the request on its start page, where it confirms that its entries are current."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from ..domain.german import german_date
from ..extensions import db
from ..models import land as lm
from ..models import utcnow
from ..services import surveys as service
from .access import actor_name, get_organisation_or_404, may_write
from .clock import today
from .forms.land import CompareDatesForm, RoundForm
from .forms.verstetigung import parse_date_field

bp = Blueprint("surveys", __name__)


@bp.route("/landesebene/<int:organisation_id>/erhebungen", methods=["GET", "POST"])
def index(organisation_id: int):
    """The coordinator's survey rounds and the form for a new one."""
    org = get_organisation_or_404(organisation_id, write=request.method == "POST")
    form = RoundForm()
    status = 200
    if request.method == "POST":
        valid = form.validate_on_submit()
        due = parse_date_field(form.due, required=True)
        if due is not None and due < today():
            form.due.errors.append("Die Frist liegt in der Vergangenheit.")
        if valid and not form.due.errors:
            r = service.create_round(
                db.session,
                org.id,
                form.title.data.strip(),
                form.subject.data,
                due,
                (form.note.data or "").strip(),
                actor_name(org.id),
            )
            db.session.commit()
            flash(
                f"Die Erhebungsrunde „{r.title}“ ist angelegt; die Ämter sehen die Bitte auf ihrer Startseite.",
                "success",
            )
            return redirect(url_for("surveys.detail", organisation_id=org.id, round_id=r.id))
        status = 422
    all_rounds = service.rounds(db.session, org.id)
    return render_template(
        "erhebungen/index.html",
        org=org,
        rounds=all_rounds,
        form=form,
        subjects=lm.SURVEY_SUBJECTS,
        may_change=may_write(org.id),
        day=today(),
    ), status


def _round_or_404(organisation_id: int, round_id: int, *, write: bool = False):
    org = get_organisation_or_404(organisation_id, write=write)
    r = service.get_round(db.session, org.id, round_id)
    if r is None:
        abort(404)
    return org, r


@bp.get("/landesebene/<int:organisation_id>/erhebungen/<int:round_id>")
def detail(organisation_id: int, round_id: int):
    """A round: per office its last updates, whether and how it answered, the reminders."""
    org, r = _round_or_404(organisation_id, round_id)
    view = service.round_view(db.session, r)
    order = request.args.get("sortierung", "offen")
    offices = view.offices
    if order == "offen":
        offices = sorted(offices, key=lambda o: (o.answered(r) is not None, o.name.casefold()))
    return render_template(
        "erhebungen/detail.html",
        org=org,
        r=r,
        view=view,
        offices=offices,
        subjects=lm.SURVEY_SUBJECTS,
        may_change=may_write(org.id) and r.closed_at is None,
        day=today(),
        order=order,
    )


@bp.post("/landesebene/<int:organisation_id>/erhebungen/<int:round_id>/erinnern")
def remind(organisation_id: int, round_id: int):
    """Record a reminder for every office that has not answered (shown on its start page)."""
    org, r = _round_or_404(organisation_id, round_id, write=True)
    if r.closed_at is not None:
        abort(404)
    count = service.remind(db.session, service.round_view(db.session, r), actor_name(org.id))
    db.session.commit()
    flash(
        f"{count} {'Amt wurde' if count == 1 else 'Ämter wurden'} erinnert; die Erinnerung steht auf ihrer Startseite."
        if count
        else "Alle Ämter haben geantwortet; niemand wurde erinnert.",
        "success",
    )
    return redirect(url_for("surveys.detail", organisation_id=org.id, round_id=r.id))


@bp.post("/landesebene/<int:organisation_id>/erhebungen/<int:round_id>/abschliessen")
def close(organisation_id: int, round_id: int):
    """Close the round: the offices' landscapes are kept as they are now, for the comparison."""
    org, r = _round_or_404(organisation_id, round_id, write=True)
    if r.closed_at is not None:
        abort(404)
    service.close(db.session, r, utcnow())
    db.session.commit()
    flash(
        f"Die Erhebungsrunde „{r.title}“ ist abgeschlossen; der Stand der Applikationslandkarten ist festgehalten.",
        "success",
    )
    return redirect(url_for("surveys.detail", organisation_id=org.id, round_id=r.id))


@bp.get("/landesebene/<int:organisation_id>/erhebungen/vergleich")
def comparison(organisation_id: int):
    """Two landscapes side by side — two closed rounds (`?von=&bis=`, without a choice the newest
    two) or two dates (`?datum_von=&datum_bis=`, without two closed rounds 31.12. of last year and
    today): applications by number of offices, offices that changed."""
    org = get_organisation_or_404(organisation_id)
    closed = sorted((r for r in service.rounds(db.session, org.id) if r.closed_at), key=lambda r: (r.closed_at, r.id))
    day = today()
    form = CompareDatesForm(request.args)
    form.validate()
    problem = ""
    comp = None
    chosen: tuple[int | None, int | None] = (None, None)
    dates_asked = "datum_von" in request.args or "datum_bis" in request.args
    if not dates_asked:
        form.datum_von.data, form.datum_bis.data = german_date(date(day.year - 1, 12, 31)), german_date(day)
    if dates_asked or len(closed) < 2:
        comp = _compare_dates(org.id, form, day)
    else:
        by_id = {r.id: r for r in closed}
        earlier = by_id.get(request.args.get("von", type=int) or 0, closed[-2])
        later = by_id.get(request.args.get("bis", type=int) or 0, closed[-1])
        chosen = (earlier.id, later.id)
        if earlier.id == later.id:
            problem = "Bitte zwei verschiedene Runden wählen."
        else:
            if (earlier.closed_at, earlier.id) > (later.closed_at, later.id):
                earlier, later = later, earlier
            comp = service.compare(db.session, earlier, later)
    return render_template(
        "erhebungen/vergleich.html", org=org, closed=closed, chosen=chosen, form=form, comp=comp, problem=problem
    ), (200 if comp else 422)


def _compare_dates(coordinator_id: int, form: CompareDatesForm, day: date) -> service.Comparison | None:
    """The comparison at the form's two dates; None with German errors on the fields when they do not fit."""
    earlier = parse_date_field(form.datum_von, required=True)
    later = parse_date_field(form.datum_bis, required=True)
    for f, d in ((form.datum_von, earlier), (form.datum_bis, later)):
        if d is not None and d > day:
            f.errors.append(
                f"Der Stichtag liegt in der Zukunft; verglichen wird höchstens bis heute ({german_date(day)})."
            )
    if earlier is None or later is None or form.datum_von.errors or form.datum_bis.errors:
        return None
    if later < earlier:
        form.datum_bis.errors.append("Der spätere Stichtag liegt vor dem früheren.")
    elif later == earlier:
        form.datum_bis.errors.append("Bitte zwei verschiedene Stichtage wählen.")
    else:
        return service.compare_dates(db.session, coordinator_id, earlier, later, day)
    return None


@bp.post("/erhebungen/<int:round_id>/bestaetigen/<int:office_id>")
def confirm(round_id: int, office_id: int):
    """The office confirms that its entries are current (members with write access of the office)."""
    office = get_organisation_or_404(office_id, write=True)
    r = db.session.get(lm.SurveyRound, round_id)
    if (
        r is None
        or r.closed_at is not None
        or r.id not in {q.round.id for q in service.requests_for(db.session, {office.id})}
    ):
        abort(404)
    service.confirm(db.session, r, office.id, actor_name(office.id))
    db.session.commit()
    flash(f"Danke – {office.name} hat bestätigt, dass die Angaben aktuell sind.", "success")
    return redirect(url_for("lagebild.start"))


@bp.app_template_filter("due_text")
def due_text(r: lm.SurveyRound) -> str:
    """„bis 31.01.2027 (noch 12 Tage)“ / „(seit 3 Tagen überfällig)“."""
    days = (r.due_on - today()).days
    tail = (
        f"noch {days} {'Tag' if days == 1 else 'Tage'}"
        if days > 0
        else ("heute" if days == 0 else f"seit {-days} {'Tag' if days == -1 else 'Tagen'} überfällig")
    )
    return f"bis {german_date(r.due_on)} ({tail})"
