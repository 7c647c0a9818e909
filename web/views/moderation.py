"""Moderators' queue of reported postings: dismiss a report, or close the posting."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from web.extensions import db, transaction
from web.policy import guard
from web.services.reports import ReportError, close_reported_posting, dismiss_report, open_reports_by_posting
from web.views.applications import ID
from web.views.jobs import REASON_WORDS

bp = Blueprint("moderation", __name__, url_prefix="/moderation")


@bp.get("/reports")
@guard("admin.moderation")
def queue() -> str:
    """Open reports grouped by posting, the most reported first."""
    groups = open_reports_by_posting(db.session)
    return render_template("moderation/queue.html", groups=groups, reasons=REASON_WORDS)


@bp.post(f"/reports/<{ID}:report_id>/dismiss")
@guard("admin.moderation")
def dismiss(report_id: int) -> Response:
    """Dismiss one report: nothing wrong was found."""
    try:
        with transaction() as session:
            dismiss_report(session, report_id)
    except ReportError:
        abort(404)
    flash(gettext("已忽略这条举报。"))
    return redirect(url_for("moderation.queue"))


@bp.post(f"/postings/<{ID}:posting_id>/close")
@guard("admin.moderation")
def close_posting(posting_id: int) -> Response:
    """Close a reported posting: it takes no more applications and its reports are resolved."""
    try:
        with transaction() as session:
            close_reported_posting(session, posting_id)
    except ReportError:
        abort(404)
    flash(gettext("岗位已下架，相关举报已处理。"))
    return redirect(url_for("moderation.queue"))
