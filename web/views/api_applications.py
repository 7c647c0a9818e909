"""JSON API v1: a seeker's applications, and reports of suspicious postings."""

from __future__ import annotations

from typing import Any, NoReturn

from apiflask import APIBlueprint, abort
from flask import g, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError, validate_csrf

from web.auth import api_login_required, current_worker
from web.extensions import db, limiter, transaction
from web.models import Application, Posting
from web.schemas import ApplicationResult, ApplicationsOut, ReportIn, ReportOut
from web.services.applications import (
    ApplicationError,
    apply_to_posting,
    list_applications,
    withdraw_application,
)
from web.services.reports import ReportError, submit_report
from web.views.applications import MAX_ID, STATUS_WORDS
from web.views.jobs import REPORT_LIMIT

bp = APIBlueprint("api_applications", __name__, url_prefix="/api/v1", tag="applications")

ERRORS = {
    "not_found": (404, "no such job"),
    "duplicate": (409, "you have already applied to this job"),
    "closed": (409, "this job is closed and takes no applications"),
    "final": (409, "this application is already finished and cannot be withdrawn"),
    "no_profile": (409, "create your worker profile before applying"),
}


@bp.post("/jobs/<int:posting_id>/applications")
@bp.output(ApplicationResult, status_code=201)
@bp.doc(summary="Apply to an open job (once)", responses=[400, 401, 403, 404, 409])
@api_login_required
def apply(posting_id: int) -> dict[str, Any]:
    """201 with the new application; 409 when already applied, the job is closed, or no profile."""
    worker = current_worker()
    if posting_id > MAX_ID:
        _fail("not_found")
    if worker is None:
        _fail("no_profile")
    try:
        with transaction() as session:
            application = apply_to_posting(session, worker, posting_id)
            posting = session.get(Posting, posting_id)
            body = _application_dict(application, posting)
    except ApplicationError as exc:
        _fail(exc.kind, exc.application)
    return body


@bp.post("/me/applications/<int:application_id>/withdraw")
@bp.output(ApplicationResult)
@bp.doc(summary="Withdraw one of my applications", responses=[400, 401, 403, 404, 409])
@api_login_required
def withdraw(application_id: int) -> dict[str, Any]:
    """The application, now "withdrawn"."""
    worker = current_worker()
    if worker is None or application_id > MAX_ID:
        _fail("not_found")
    try:
        with transaction() as session:
            application = withdraw_application(session, worker, application_id)
            body = _application_dict(application, session.get(Posting, application.posting_id))
    except ApplicationError as exc:
        _fail("not_found" if exc.kind == "not_found" else "final", exc.application)
    return body


@bp.get("/me/applications")
@bp.output(ApplicationsOut)
@bp.doc(summary="The signed-in seeker's applications, newest first", responses=[401, 403])
@api_login_required
def my_applications() -> dict[str, Any]:
    """Each application with its posting and status."""
    worker = current_worker()
    rows = list_applications(db.session, worker) if worker is not None else []
    return {"applications": [_application_dict(a, p) for a, p in rows]}


@bp.post("/jobs/<int:posting_id>/reports")
@limiter.limit(REPORT_LIMIT)
@bp.input(ReportIn, arg_name="data")
@bp.output(ReportOut, status_code=201)
@bp.doc(summary="Report a suspicious job (anyone; signed in or not)", responses={
    200: {"description": "you had already reported this posting for this reason: nothing new is stored",
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ReportOut"}}}},
    400: "Bad Request", 404: "Not Found", 429: "Too Many Requests"})
def report(posting_id: int, data: dict[str, Any]) -> Any:
    """201 with the stored report; 200 with ``created: false`` when you had already reported it."""
    if posting_id > MAX_ID:
        _fail("not_found")
    user_id = _reporter_id()
    try:
        with transaction() as session:
            stored, created = submit_report(session, posting_id, data["reason"], data["detail"], user_id)
            body = {"id": stored.id, "posting_id": stored.posting_id, "reason": stored.reason,
                    "status": stored.status, "created": created,
                    "message": "report received" if created else "you had already reported this"}
    except ReportError:
        _fail("not_found")
    return body if created else (body, 200)


def _reporter_id() -> int | None:
    """The signed-in reporter; a browser session must send its CSRF token as for any other write."""
    if not current_user.is_authenticated:
        return None
    if not g.get("token_auth"):
        try:
            validate_csrf(request.headers.get("X-CSRFToken", ""))
        except Exception as exc:  # noqa: BLE001 - any CSRF failure is a 400 with a reason
            raise CSRFError(str(exc)) from exc
    return current_user.id


def _fail(kind: str, application: Application | None = None) -> NoReturn:
    status, message = ERRORS[kind]
    detail: dict[str, Any] = {"reason": kind}
    if application is not None:
        detail["application_id"] = application.id
        detail["status"] = application.status
    abort(status, message=message, detail=detail)


def _application_dict(application: Application, posting: Posting) -> dict[str, Any]:
    status_text = str(STATUS_WORDS[application.status])  # in the request's language (?lang=, Accept-Language)
    return {"id": application.id, "posting_id": posting.id, "posting_title": posting.title,
            "posting_status": posting.status, "status": application.status, "status_text": status_text,
            "created_at": application.created_at, "updated_at": application.updated_at}
