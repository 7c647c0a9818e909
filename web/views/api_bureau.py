"""JSON API v1 for bureaus: vacancies CRUD, imports as jobs with their row report, candidates.

Each view declares its action with ``web.policy.guard`` (401 without credentials, 403 for a
role without the action, 404 for an object outside the county); input errors are 422.
Messages are the Chinese message ids, untranslated, like the rest of API v1.
"""

from __future__ import annotations

from typing import Any

from apiflask import APIBlueprint, abort
from flask import current_app, request, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from jobs_ingest.clock import china_today
from web.extensions import db, transaction
from web.i18n import select_locale
from web.models import Posting
from web.policy import current_scope, guard
from web.schemas import BureauVacanciesOut, BureauVacancyIn, BureauVacancyOut, CandidatesOut, ImportJobOut
from web.services import bureau, households, import_jobs, imports
from web.services.bureau import VacancyError
from web.services.search import SearchError

bp = APIBlueprint("api_bureau", __name__, url_prefix="/api/v1", tag="bureau")


def _runtime() -> Any:
    return current_app.extensions["jiujin"]


def _fail(exc: SearchError | VacancyError) -> None:
    status = getattr(exc, "status", 422)
    status = 422 if status == 400 else status
    detail = {"json": {exc.field: [exc.message]}} if exc.field else {}
    abort(status, message=exc.message, detail=detail)


@bp.get("/bureau/vacancies")
@guard("bureau.home")
@bp.output(BureauVacanciesOut)
@bp.doc(summary="The county's vacancies", responses=[401, 403])
def list_vacancies() -> dict[str, Any]:
    """Vacancies in the bureau's county from every source, open first."""
    postings = bureau.vacancies_in_scope(db.session, current_scope())
    return {"vacancies": [bureau.vacancy_to_form(p) for p in postings]}


@bp.post("/bureau/vacancies")
@guard("bureau.vacancy.create")
@bp.input(BureauVacancyIn, arg_name="data")
@bp.output(BureauVacancyOut, status_code=201)
@bp.doc(summary="Post a vacancy (through the ingestion pipeline)", responses=[401, 403, 422])
def create_vacancy(data: dict[str, Any]) -> dict[str, Any]:
    """Stored in the county's bureau source, deduplicated and embedded like any posting."""
    try:
        with transaction() as s:
            posting = bureau.post_vacancy(s, _runtime(), current_scope(), data, china_today())
            out = bureau.vacancy_to_form(posting)
    except (SearchError, VacancyError) as exc:
        _fail(exc)
    return out


@bp.get("/bureau/vacancies/<int:posting_id>")
@guard("bureau.vacancy.edit", obj="posting")
@bp.output(BureauVacancyOut)
@bp.doc(summary="One vacancy of the county", responses=[401, 403, 404])
def get_vacancy(posting_id: int) -> dict[str, Any]:
    """The vacancy in the form's field names."""
    return bureau.vacancy_to_form(db.session.get(Posting, posting_id))


@bp.put("/bureau/vacancies/<int:posting_id>")
@guard("bureau.vacancy.edit", obj="posting")
@bp.input(BureauVacancyIn, arg_name="data")
@bp.output(BureauVacancyOut)
@bp.doc(summary="Replace a vacancy the bureau posted", responses=[401, 403, 404, 409, 422])
def put_vacancy(posting_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """409 for a vacancy from another source (those can only be closed)."""
    try:
        with transaction() as s:
            posting = bureau.edit_vacancy(s, _runtime(), current_scope(), posting_id, data, china_today())
            out = bureau.vacancy_to_form(posting)
    except (SearchError, VacancyError) as exc:
        _fail(exc)
    return out


@bp.delete("/bureau/vacancies/<int:posting_id>")
@guard("bureau.vacancy.edit", obj="posting")
@bp.output(BureauVacancyOut)
@bp.doc(summary="Close a vacancy of the county", responses=[401, 403, 404])
def close_vacancy(posting_id: int) -> dict[str, Any]:
    """The vacancy is closed (kept, with status ``closed``), not deleted."""
    with transaction() as s:
        out = bureau.vacancy_to_form(bureau.close_vacancy(s, posting_id))
    return out


@bp.post("/bureau/imports")
@guard("bureau.import")
@bp.output(ImportJobOut, status_code=202)
@bp.doc(summary="Upload a spreadsheet (multipart field ``file``) to import in the background",
        responses=[401, 403, 422])
def import_sheet() -> tuple[dict[str, Any], int, dict[str, str]]:
    """XLSX, XLS or CSV (GBK or UTF-8), at most 5 MB and 100,000 rows. The file is checked and
    queued; ``Location`` is the job, to poll until ``finished`` (a refused file stores nothing)."""
    try:
        upload = request.files.get("file")
    except RequestEntityTooLarge:
        abort(422, message="文件太大了（最大 5 MB）。请分成几个文件导入。")
    if upload is None or not upload.filename:
        abort(422, message="请选择要导入的文件。", detail={"files": {"file": ["请选择要导入的文件。"]}})
    try:
        with transaction() as s:
            scope = current_scope()
            job = import_jobs.queue_import(s, current_user._get_current_object(), scope,
                                           bureau.county_of(scope), upload.filename,
                                           upload.read(imports.MAX_BYTES + 1))
            out = import_jobs.job_status(job)
    except imports.ImportRefused as exc:
        abort(422, message=exc.message)
    return out, 202, {"Location": url_for("api_bureau.import_job", job_id=out["id"])}


@bp.get("/bureau/imports/<int:job_id>")
@guard("bureau.import")
@bp.output(ImportJobOut)
@bp.doc(summary="An import job: progress, then the per-row report", responses=[401, 403, 404])
def import_job(job_id: int) -> dict[str, Any]:
    """Poll until ``finished``; ``rows`` (every row's outcome) comes with ``status`` done."""
    job = import_jobs.visible_job(db.session, current_scope(), job_id)
    if job is None:
        abort(404)
    out = import_jobs.job_status(job)
    if job.status == "done":
        out["rows"] = [r.to_dict() for r in import_jobs.job_rows(db.session, job)]
    return out


@bp.get("/bureau/vacancies/<int:posting_id>/candidates")
@guard("bureau.vacancy.candidates", obj="posting")
@bp.output(CandidatesOut)
@bp.doc(summary="Workers of the county for a vacancy, with reasons", responses=[401, 403, 404])
def candidates(posting_id: int) -> dict[str, Any]:
    """Ranked by the matcher, priority households raised; contact only where allowed (audited)."""
    with transaction() as s:
        found = bureau.rank_candidates(s, _runtime(), current_scope(), posting_id, select_locale(),
                                       china_today())
        households.audit_views(s, current_user._get_current_object(),
                               [c.worker.id for c in found if c.household], "api_candidates")
    return {"posting_id": posting_id, "candidates": [_candidate(c) for c in found]}


def _candidate(c: bureau.Candidate) -> dict[str, Any]:
    return {"worker_id": c.worker.id, "name": c.worker.name, "description": c.worker.description,
            "score": c.match.score, "rank_score": round(c.rank_score, 4), "distance_km": c.match.distance_km,
            "reason": c.match.reason, "household": c.household, "applied": c.applied,
            "contact": c.contact, "contact_authorized": c.authorized}
