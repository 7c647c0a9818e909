"""A job's own page."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from matching.explain import format_wage
from web.extensions import db
from web.services.postings import get_posting

bp = Blueprint("jobs", __name__)


@bp.get("/jobs/<int:posting_id>")
def show(posting_id: int) -> str:
    """Full details of one posting and where it was seen."""
    posting = get_posting(db.session, posting_id)
    if posting is None:
        abort(404)
    return render_template("job.html", posting=posting,
                           wage=format_wage(posting.wage_min, posting.wage_max))
