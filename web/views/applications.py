"""A seeker's applications and their status."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from web.auth import current_worker, seeker_required
from web.extensions import db, transaction
from web.services.applications import (
    ApplicationError,
    list_applications,
    own_application,
    withdraw_application,
)
from web.services.publishers import next_steps

bp = Blueprint("applications", __name__)

# Ids in URLs stop at the largest value an INTEGER column holds: a larger one is a 404 from routing,
# never a database error (PostgreSQL will not compare an INTEGER column with it). The API keeps plain
# <int:...> so that its OpenAPI document says "integer", and checks MAX_ID itself.
MAX_ID = 2**31 - 1
ID = f"int(max={MAX_ID})"

# An application's status in plain words (codes: web.models.APPLICATION_STATUSES).
STATUS_WORDS = {
    "submitted": _l("已提交"),
    "viewed": _l("对方已查看"),
    "interview": _l("约面试"),
    "hired": _l("已录用"),
    "rejected": _l("未录用"),
    "withdrawn": _l("已撤回"),
}
WITHDRAWABLE = ("submitted", "viewed", "interview", "hired")


@bp.get("/me/applications")
@seeker_required
def mine() -> str:
    """The worker's applications, newest first, each with its status in plain words."""
    worker = current_worker()
    rows = list_applications(db.session, worker) if worker is not None else []
    return render_template("applications/mine.html", rows=rows, has_profile=worker is not None,
                           status_words=STATUS_WORDS, withdrawable=WITHDRAWABLE, next_steps=next_steps)


@bp.post(f"/me/applications/<{ID}:application_id>/withdraw")
@seeker_required
def withdraw(application_id: int) -> Any:
    """Withdraw one of the worker's own applications: first a confirmation page (no JavaScript
    needed), then the same POST with ``confirm=1`` withdraws it."""
    worker = current_worker()
    if worker is None:
        abort(404)
    if request.form.get("confirm") != "1":
        try:
            application, posting = own_application(db.session, worker, application_id)
        except ApplicationError:
            abort(404)
        if application.status not in WITHDRAWABLE:
            flash(gettext("这份申请已经结束，不能撤回了。"))
            return redirect(url_for("applications.mine"))
        return render_template("applications/withdraw.html", application=application, posting=posting)
    try:
        with transaction() as session:
            withdraw_application(session, worker, application_id)
    except ApplicationError as exc:
        if exc.kind == "not_found":
            abort(404)
        flash(gettext("这份申请已经结束，不能撤回了。"))
    else:
        flash(gettext("申请已撤回。"))
    return redirect(url_for("applications.mine"))
