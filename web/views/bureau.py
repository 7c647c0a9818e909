"""County bureau workspace: vacancies, spreadsheet import, candidates, assisted registration,
priority households, no-feasible-match list.

Every view declares its action with ``web.policy.guard``; lists are filtered by the member's
county (``web.policy.current_scope``). Views parse the form, call one service inside
``transaction()`` and render.
"""

from __future__ import annotations

import io
import re
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from jobs_ingest.clock import china_today
from matching.explain import format_distance, format_wage
from web.extensions import csrf, db, transaction
from web.forms_bureau import CloseForm, HouseholdForm, ImportForm, VacancyForm, WorkerForm
from web.i18n import select_locale
from web.models import Posting, Worker
from web.policy import current_scope, guard
from web.services import bureau, exports, followup, households, import_jobs, imports
from web.services.bureau import VacancyError
from web.services.search import SearchError
from web.services.xlsx import xlsx_response
from web.views import export_pages

bp = Blueprint("bureau", __name__, url_prefix="/bureau")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATUS_WORDS = {"open": _l("招聘中"), "expired": _l("已过期"), "closed": _l("已下架")}
_SPLIT = re.compile(r"[,，、;；\s]+")
# The upload reads its own body (up to imports.MAX_BYTES, above the site's 1 MB) after raising
# the request's limit, so the site-wide CSRF hook must not parse it first; ImportForm (a
# FlaskForm) still validates the CSRF token itself.
csrf.exempt("web.views.bureau.import_sheet")


def _runtime() -> Any:
    return current_app.extensions["jiujin"]


def _user() -> Any:
    return current_user._get_current_object()


@bp.context_processor
def helpers() -> dict[str, Any]:
    """Words for pay, distance and marks in the page's language."""
    lang = select_locale()
    return {"wage_words": lambda p: format_wage(p.wage_min, p.wage_max, lang),
            "distance_words": lambda km: format_distance(km, lang),
            "kind_words": households.KIND_WORDS, "status_words": STATUS_WORDS,
            "outcome_words": imports.OUTCOME_WORDS}


def _field_error(form: Any, exc: SearchError | VacancyError) -> None:
    target = getattr(form, exc.field, None) if exc.field else None
    if target is not None:
        target.errors = [*target.errors, exc.message]
    else:
        form.form_errors.append(exc.message)


# --- home


@bp.get("/")
@guard("bureau.home")
def home() -> str:
    """The county's numbers at a glance, and the way to everything else."""
    numbers = bureau.home_numbers(db.session, current_scope())
    return render_template("bureau/home.html", numbers=numbers)


# --- vacancies


@bp.get("/vacancies")
@guard("bureau.home")
def vacancies() -> str:
    """The county's vacancies from every source; the bureau's own can be edited."""
    postings = bureau.vacancies_in_scope(db.session, current_scope())
    return render_template("bureau/vacancies.html", postings=postings)


@bp.route("/vacancies/new", methods=["GET", "POST"])
@guard("bureau.vacancy.create")
def new_vacancy() -> Any:
    """Post a vacancy: through the ingestion pipeline into the county's bureau source."""
    form = VacancyForm()
    if form.validate_on_submit():
        try:
            with transaction() as s:
                posting = bureau.post_vacancy(s, _runtime(), current_scope(), form.data, china_today())
                posting_id = posting.id
        except (SearchError, VacancyError) as exc:
            _field_error(form, exc)
        else:
            flash(gettext("岗位已发布。"))
            return redirect(url_for("bureau.edit_vacancy", posting_id=posting_id))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("bureau/vacancy_form.html", form=form, posting=None), status


@bp.route("/vacancies/<int:posting_id>/edit", methods=["GET", "POST"])
@guard("bureau.vacancy.edit", obj="posting")
def edit_vacancy(posting_id: int) -> Any:
    """Edit a vacancy the bureau posted; close any vacancy of the county."""
    posting = db.session.get(Posting, posting_id)
    info = bureau.vacancy_to_form(posting)
    form = VacancyForm(data=info) if request.method == "GET" else VacancyForm()
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate():
            try:
                with transaction() as s:
                    bureau.edit_vacancy(s, _runtime(), current_scope(), posting_id, form.data, china_today())
            except (SearchError, VacancyError) as exc:
                _field_error(form, exc)
                status = getattr(exc, "status", 400)
            else:
                flash(gettext("岗位已更新。"))
                return redirect(url_for("bureau.edit_vacancy", posting_id=posting_id))
    return render_template("bureau/vacancy_form.html", form=form, posting=info, close=CloseForm()), status


@bp.post("/vacancies/<int:posting_id>/close")
@guard("bureau.vacancy.edit", obj="posting")
def close_vacancy(posting_id: int) -> Response:
    """Close a vacancy of the county."""
    form = CloseForm()
    if not form.validate_on_submit():
        abort(400)
    with transaction() as s:
        bureau.close_vacancy(s, posting_id)
    flash(gettext("岗位已下架。"))
    return redirect(url_for("bureau.vacancies"))


@bp.get("/vacancies/<int:posting_id>/candidates")
@guard("bureau.vacancy.candidates", obj="posting")
def candidates(posting_id: int) -> str:
    """Workers in the county ranked for the vacancy, with reasons; priority households raised."""
    with transaction() as s:
        found = bureau.rank_candidates(s, _runtime(), current_scope(), posting_id, select_locale(),
                                       china_today())
        households.audit_views(s, _user(), [c.worker.id for c in found if c.household], "candidates")
        posting = bureau.vacancy_to_form(s.get(Posting, posting_id))
    return render_template("bureau/candidates.html", posting=posting, candidates=found,
                           bonus=households.PRIORITY_BONUS)


# --- spreadsheet import


@bp.route("/import", methods=["GET", "POST"])
@guard("bureau.import")
def import_sheet() -> Any:
    """Upload a spreadsheet of vacancies: the file is stored as a job and the job's page shows
    its progress and then the per-row report (the import itself runs in the background)."""
    refused = None
    try:
        form = ImportForm()
    except RequestEntityTooLarge:
        form, refused = ImportForm(formdata=None), gettext("文件太大了（最大 5 MB）。请分成几个文件导入。")
    scope = current_scope()
    if refused is None and form.validate_on_submit():
        upload = form.file.data
        try:
            with transaction() as s:
                job = import_jobs.queue_import(s, _user(), scope, bureau.county_of(scope),
                                               upload.filename or "", upload.read(imports.MAX_BYTES + 1))
                job_id = job.id
            return redirect(url_for("bureau.import_job", job_id=job_id), 303)
        except imports.ImportRefused as exc:
            refused = exc.message
    status = 400 if refused or form.errors else 200
    jobs = [import_jobs.job_status(j) for j in import_jobs.recent_jobs(db.session, bureau.county_of(scope))]
    return render_template("bureau/import.html", form=form, refused=refused, jobs=jobs,
                           max_rows=imports.MAX_ROWS), status


def _job_or_404(job_id: int) -> Any:
    job = import_jobs.visible_job(db.session, current_scope(), job_id)
    if job is None:
        abort(404)
    return job


@bp.get("/import/jobs/<int:job_id>")
@guard("bureau.import")
def import_job(job_id: int) -> str:
    """One import: rows read, stored and rejected while it runs (the page refreshes itself),
    then the per-row report (the first rows; all of them in the XLSX)."""
    job = _job_or_404(job_id)
    status = import_jobs.job_status(job)
    shown = import_jobs.REPORT_ROWS_SHOWN
    rows = list(import_jobs.job_rows(db.session, job, shown)) if status["finished"] else []
    return render_template("bureau/import_job.html", job=status, rows=rows,
                           shown=shown, max_rows=imports.MAX_ROWS)


@bp.get("/import/jobs/<int:job_id>/status.json")
@guard("bureau.import")
def import_job_status(job_id: int) -> dict[str, Any]:
    """The job's progress as JSON (status, total, read, stored, rejected, counts)."""
    return import_jobs.job_status(_job_or_404(job_id))


@bp.get("/import/jobs/<int:job_id>/report.xlsx")
@guard("bureau.import")
def import_job_report(job_id: int) -> Response:
    """Every row of the job's report as XLSX (cells safe to open); a report of more rows than the
    inline limit is written by the job runner (a progress page)."""
    job = _job_or_404(job_id)
    name = "import-report.xlsx"

    def now() -> Response:
        out = io.BytesIO()
        exports.write_import_report(db.session, job_id, out)
        return xlsx_response(out.getvalue(), name)

    params = {"job_id": job.id, "county": job.county, "file": job.file_name}
    return export_pages.send_or_queue("import_report", params, job.cursor, name, "bureau.import_export", now)


@bp.get("/import/exports/<int:export_id>")
@guard("bureau.import")
def import_export(export_id: int) -> str:
    """A large import report being written by the job runner: progress, then the file."""
    return export_pages.progress_page("import_report", export_id, "bureau.import_export_file")


@bp.get("/import/exports/<int:export_id>.xlsx")
@guard("bureau.import")
def import_export_file(export_id: int) -> Response:
    """The finished import report."""
    return export_pages.send_export("import_report", export_id, "bureau.import_export")


def _xlsx(data: bytes, name: str) -> Response:
    return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=name)


@bp.get("/import/template.xlsx")
@guard("bureau.import")
def template_xlsx() -> Response:
    """The import template as XLSX: the header row and one example row."""
    return _xlsx(imports.template_xlsx(), "jiujin-vacancies-template.xlsx")


@bp.get("/import/template.csv")
@guard("bureau.import")
def template_csv() -> Response:
    """The import template as CSV (UTF-8 with a BOM)."""
    return send_file(io.BytesIO(imports.template_csv()), mimetype="text/csv", as_attachment=True,
                     download_name="jiujin-vacancies-template.csv")


# --- workers


@bp.get("/workers")
@guard("bureau.worker.list")
def workers() -> str:
    """Workers of the county, searchable by name or village."""
    q = request.args.get("q", "")[:50]
    with transaction() as s:
        found = bureau.workers_in_scope(s, current_scope(), q)
        marks = households.marks_for(s, [w.id for w in found])
        households.audit_views(s, _user(), sorted(marks), "workers")
    return render_template("bureau/workers.html", workers=found, q=q, marks=marks)


def _worker_data(form: WorkerForm) -> dict[str, Any]:
    data = dict(form.data)
    data.update(unavailable_months=data.pop("months") or [], employment_types=data.pop("types") or [],
                certificates=[w for w in _SPLIT.split(data.get("certificates") or "") if w])
    return data


@bp.route("/workers/new", methods=["GET", "POST"])
@guard("bureau.worker.create")
def new_worker() -> Any:
    """Assisted registration: a clerk creates a worker's profile, with consent recorded."""
    form = WorkerForm()
    if form.validate_on_submit():
        try:
            with transaction() as s:
                worker_id = bureau.save_worker(s, _runtime(), current_scope(), _user(), _worker_data(form)).id
        except SearchError as exc:
            _field_error(form, exc)
        else:
            flash(gettext("已登记。"))
            return redirect(url_for("bureau.edit_worker", worker_id=worker_id))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("bureau/worker_form.html", form=form, worker=None), status


@bp.route("/workers/<int:worker_id>/edit", methods=["GET", "POST"])
@guard("bureau.worker.edit", obj="worker")
def edit_worker(worker_id: int) -> Any:
    """Update a worker's profile; the priority-household mark is shown (and the view audited)."""
    worker = db.session.get(Worker, worker_id)
    form = WorkerForm(data=bureau.worker_to_form(worker)) if request.method == "GET" else WorkerForm()
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate():
            try:
                with transaction() as s:
                    bureau.save_worker(s, _runtime(), current_scope(), _user(), _worker_data(form), worker)
            except SearchError as exc:
                _field_error(form, exc)
            else:
                flash(gettext("资料已保存。"))
                return redirect(url_for("bureau.edit_worker", worker_id=worker_id))
    with transaction() as s:
        mark = households.marks_for(s, [worker_id]).get(worker_id)
        households.audit_views(s, _user(), [worker_id], "worker_edit")
        consented = bureau.has_consented(s, s.get(Worker, worker_id))
    household = HouseholdForm(formdata=None, data={"kind": mark or "tuopin"})
    return render_template("bureau/worker_form.html", form=form, worker=s.get(Worker, worker_id), mark=mark,
                           household=household, consented=consented), status


@bp.get("/workers/<int:worker_id>/jobs")
@guard("bureau.worker.jobs", obj="worker")
def worker_jobs(worker_id: int) -> str:
    """Open jobs for this worker, best first, each with the way to record a placement in it."""
    worker, matches = bureau.jobs_for_worker(db.session, _runtime(), worker_id, select_locale())
    return render_template("bureau/worker_jobs.html", worker=worker, matches=matches)


@bp.get("/workers/<int:worker_id>/household")
@guard("bureau.household.view", obj="worker")
def household(worker_id: int) -> str:
    """A worker's priority-household mark (the view is audited)."""
    with transaction() as s:
        mark = households.marks_for(s, [worker_id]).get(worker_id)
        households.audit_views(s, _user(), [worker_id], "household")
        worker = s.get(Worker, worker_id)
    return render_template("bureau/household.html", worker=worker, mark=mark,
                           household=HouseholdForm(formdata=None, data={"kind": mark or "tuopin"}))


@bp.post("/workers/<int:worker_id>/household")
@guard("bureau.household.edit", obj="worker")
def set_household(worker_id: int) -> Any:
    """Set, change or clear the mark (audited)."""
    form = HouseholdForm()
    clearing = request.form.get("action") == "clear"
    if not clearing and not form.validate_on_submit():
        return render_template("bureau/household.html", worker=db.session.get(Worker, worker_id), mark=None,
                               household=form), 400
    if clearing and not CloseForm().validate_on_submit():
        abort(400)
    with transaction() as s:
        if clearing:
            households.clear_mark(s, _user(), worker_id)
        else:
            households.set_mark(s, _user(), worker_id, form.kind.data)
    flash(gettext("重点户标记已清除。") if clearing else gettext("重点户标记已保存。"))
    return redirect(url_for("bureau.edit_worker", worker_id=worker_id))


@bp.get("/outreach")
@guard("bureau.worker.list")
def outreach() -> str:
    """Workers without a placement or application, priority households first."""
    with transaction() as s:
        rows = households.outreach(s, current_scope())
        households.audit_views(s, _user(), [r.worker.id for r in rows if r.kind], "outreach")
    return render_template("bureau/outreach.html", rows=rows, checkin_words=followup.CHECKIN_WORDS)


@bp.get("/no-match")
@guard("bureau.worker.list")
def no_match() -> str:
    """Workers no open job reaches, with a next step for each."""
    rows = bureau.no_match(db.session, _runtime(), current_scope())
    return render_template("bureau/no_match.html", rows=rows, wide_km=int(bureau.WIDE_KM))
