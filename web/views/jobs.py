"""A job's own page: details, how to apply, applying, and reporting a suspicious posting."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from marshmallow import EXCLUDE, ValidationError
from werkzeug.wrappers import Response

from matching.explain import format_distance, format_wage
from web.auth import current_worker, seeker_required
from web.extensions import db, limiter, transaction
from web.i18n import select_locale
from web.schemas import ReportIn, field_error
from web.services.applications import ApplicationError, apply_to_posting
from web.services.postings import describe_posting
from web.services.reports import ReportError, submit_report
from web.views.applications import ID, STATUS_WORDS

bp = Blueprint("jobs", __name__)

REPORT_LIMIT = "5 per minute;20 per day"
# The reasons a seeker can pick, in the order shown; the codes are web.models.REPORT_REASONS.
REASON_WORDS = {
    "fees": _l("收押金、培训费等费用"),
    "brushing": _l("让人刷单"),
    "off_platform": _l("要求私下联系或转账"),
    "misleading": _l("内容不实"),
    "other": _l("其他"),
}
APPLY_REFUSALS = {
    "duplicate": _l("你已经申请过了。"),
    "closed": _l("这个岗位已经停止招聘，不能申请了。"),
}


@bp.get(f"/jobs/<{ID}:posting_id>")
def show(posting_id: int) -> tuple[str, int]:
    """Full details of one posting, where it was seen, how to apply, and the report form."""
    return _job_page(posting_id, form={}, errors={})


@bp.post(f"/jobs/<{ID}:posting_id>/report")
@limiter.limit(REPORT_LIMIT)
def report(posting_id: int) -> Any:
    """Store a report of a suspicious posting (anyone may report), then back to the job page."""
    form = request.form.to_dict()
    try:
        data = ReportIn(unknown=EXCLUDE).load(form)
    except ValidationError as exc:
        errors = {k: field_error(v) for k, v in exc.normalized_messages().items()}
        return _job_page(posting_id, form=form, errors=errors, status=400)
    user_id = current_user.id if current_user.is_authenticated else None
    try:
        with transaction() as session:
            _, created = submit_report(session, posting_id, data["reason"], data["detail"], user_id)
    except ReportError:
        abort(404)
    flash(gettext("举报已收到，谢谢你。我们会尽快核实。") if created
          else gettext("你已经举报过这个问题，我们已经收到了。"))
    return redirect(url_for("jobs.show", posting_id=posting_id))


@bp.post(f"/jobs/<{ID}:posting_id>/apply")
@seeker_required
def apply(posting_id: int) -> Response:
    """Apply to an open posting once; without a worker profile, to the profile page first."""
    worker = current_worker()
    if worker is None:
        flash(gettext("申请前请先填写你的找工作资料。"))
        return redirect(_profile_url())
    try:
        with transaction() as session:
            apply_to_posting(session, worker, posting_id)
    except ApplicationError as exc:
        if exc.kind == "not_found":
            abort(404)
        flash(str(APPLY_REFUSALS[exc.kind]))
    else:
        flash(gettext("申请已提交。进度可以在“我的申请”里查看。"))
    return redirect(url_for("jobs.show", posting_id=posting_id))


def _job_page(posting_id: int, form: dict[str, str], errors: dict[str, str],
              status: int = 200) -> tuple[str, int]:
    details = describe_posting(db.session, posting_id, worker=current_worker(), origin=_origin())
    if details is None:
        abort(404)
    lang = select_locale()
    posting = details.posting
    page = render_template(
        "job.html", job=details, posting=posting,
        wage=format_wage(posting.wage_min, posting.wage_max, lang=lang),
        distance=format_distance(details.distance_km, lang=lang),
        reasons=REASON_WORDS, status_words=STATUS_WORDS, form=form, errors=errors)
    return page, status


def _origin() -> tuple[float, float] | None:
    """``?lat=&lon=`` when both are numbers inside China's range (else none: the page just omits distance)."""
    try:
        lat, lon = float(request.args["lat"]), float(request.args["lon"])
    except (KeyError, ValueError):
        return None
    return (lat, lon) if 3 <= lat <= 54 and 73 <= lon <= 136 else None


def _profile_url() -> str:
    """The seeker's profile page (its blueprint may not be there yet)."""
    return url_for("seeker.profile") if "seeker.profile" in current_app.view_functions else "/me/profile"


