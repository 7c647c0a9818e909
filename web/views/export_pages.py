"""The pages every large download shares (no blueprint of its own): send the file at once when
it is small, else queue a job and show its progress page, then offer the file. The routes live
in the blueprint of the workspace the download belongs to, guarded by its action; these helpers
keep a job to the member's scope (another county's or pair's job is a 404)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from web.extensions import db, transaction
from web.i18n import select_locale
from web.models import ExportJob
from web.policy import audit, current_scope
from web.services import export_jobs
from web.services.exports import export_title
from web.services.xlsx import xlsx_response


def inline_limit() -> int:
    """The most records a download reads on the request path (``JIUJIN_EXPORT_INLINE_ROWS``)."""
    return int(current_app.config["JIUJIN_EXPORT_INLINE_ROWS"])


def send_or_queue(kind: str, params: dict[str, Any], total: int, file_name: str, page: str,
                  send_now: Callable[[], Response]) -> Response:
    """``send_now()`` when the download reads at most the inline limit of records; else a job
    for it (the requester's same live one if there is one) and a redirect to its page."""
    if total <= inline_limit():
        return send_now()
    params = {**params, "lang": select_locale(), "back": request.full_path.rstrip("?")}
    with transaction() as session:
        job = export_jobs.queue_export(session, current_user._get_current_object(), kind, params, total,
                                       file_name)
        job_id = job.id
    return redirect(url_for(page, export_id=job_id), 303)


def _job_or_404(kind: str, export_id: int) -> ExportJob:
    job = export_jobs.visible_export(db.session, current_scope(), kind, export_id)
    if job is None:
        abort(404)
    return job


def progress_page(kind: str, export_id: int, file_endpoint: str) -> str:
    """The job's state in plain words, records read of the total (the page refreshes itself
    until the job ends), then the file, or why there is none."""
    job = _job_or_404(kind, export_id)
    return render_template("exports/progress.html", job=export_jobs.export_status(job),
                           title=export_title(kind, job.params), file_name=job.file_name,
                           file_url=url_for(file_endpoint, export_id=job.id))


def send_export(kind: str, export_id: int, page: str,
                audit_view: Callable[[Any, ExportJob], None] | None = None) -> Response:
    """The finished file (``audit_view`` records who saw what it lists); before it is ready,
    or after it expired, the job's page."""
    job = _job_or_404(kind, export_id)
    data = export_jobs.export_file(db.session, job)
    if data is None:
        return redirect(url_for(page, export_id=job.id))
    if audit_view is not None:
        with transaction() as session:
            audit_view(session, job)
    return xlsx_response(data, job.file_name)


def audit_report_view(session: Any, job: ExportJob) -> None:
    """Downloading a county report lists priority-household workers: a view of their marks."""
    audit(session, current_user, "bureau.report", "household", None, "ok", county=job.params.get("county"),
          month=job.params.get("month"), export_id=job.id,
          worker_ids=list((job.result or {}).get("marked_worker_ids", [])))
