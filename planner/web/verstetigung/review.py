"""The biennial strategy review: the review pack with the decisions section, and its PDF."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from ...documents.pdf import html_pdf
from ...domain.evaluation_calendar import next_review_due
from ...domain.german import german_date
from ...extensions import db
from ...services import verstetigung as service
from ...services import verstetigung_review as review_service
from ...services.whole_strategy import strategy_to_domain
from .. import clock
from ..access import get_strategy_or_404
from ..downloads import download
from ..filters import strategy_file_stem
from ..forms import SENT_TWICE
from ..forms.verstetigung import ReviewForm
from .common import read_only, user_name

bp = Blueprint("review", __name__)


def _review_page(row, form: ReviewForm, status: int = 200):
    pack = review_service.review_pack(db.session, row, clock.today())
    return render_template(
        "verstetigung/review.html",
        row=row,
        pack=pack,
        form=form,
        shown=review_service.SHOWN,
        read_only=read_only(row),
    ), status


@bp.get("/review")
def page(strategy_id: int):
    """The review pack of the biennial strategy review, with the decisions section to fill in."""
    row = get_strategy_or_404(strategy_id)
    form = ReviewForm(formdata=None)
    form.performed.data = german_date(clock.today())
    form.by.data = user_name(row)
    form.issue_token()
    return _review_page(row, form)


@bp.post("/review")
def save(strategy_id: int):
    """Record the review meeting: answers to the core questions and the decisions."""
    row = get_strategy_or_404(strategy_id, write=True)
    form = ReviewForm()
    if (done := form.sent_before()) is not None:  # the same form again: to the review it recorded
        flash(SENT_TWICE, "info")
        return redirect(done)
    if not form.validate_all(clock.today()):
        return _review_page(row, form, 422)
    due = next_review_due(strategy_to_domain(row), clock.today())
    service.save_evaluation(db.session, row, form.to_record(due))
    form.record(url_for("verstetigung.review.page", strategy_id=strategy_id))
    db.session.commit()
    flash("Das Strategiereview wurde festgehalten.", "success")
    return redirect(url_for("verstetigung.review.page", strategy_id=strategy_id))


@bp.get("/review.pdf")
def pdf(strategy_id: int):
    """The review pack as PDF (WeasyPrint)."""
    row = get_strategy_or_404(strategy_id)
    pack = review_service.review_pack(db.session, row, clock.today())
    html = render_template("verstetigung/review_pdf.html", row=row, pack=pack, shown=review_service.SHOWN)
    data = html_pdf(html, base_url=request.url_root)
    return download(data, "application/pdf", f"strategiereview-{strategy_file_stem(row)}.pdf")
