"""County bureau follow-up: placements, check-ins, the monthly county report, printable match slips."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date, gettext
from flask_login import current_user
from werkzeug.wrappers import Response

from jobs_ingest.clock import china_today
from web.extensions import db, transaction
from web.forms_followup import BY_HAND, CheckInForm, PlacementForm
from web.i18n import select_locale
from web.inputguard import query_page, valid_id
from web.models import CheckIn, Place, Placement
from web.policy import audit, current_scope, guard
from web.services import bureau, county_report, followup, slips
from web.services.xlsx import xlsx_response
from web.views import export_pages

bp = Blueprint("followup", __name__, url_prefix="/bureau")

CHOOSE_LIMIT = 30  # matches listed when choosing a worker; more means: type more of the name
CHECKIN_WORDS = followup.CHECKIN_WORDS


def _prefixes() -> tuple[str, ...] | None:
    return current_scope().prefixes("county")


@bp.get("/placements")
@guard("bureau.followup")
def placements() -> str:
    """Placements in the staff member's county (admins: all), newest first."""
    page = query_page()
    rows = followup.list_placements(db.session, _prefixes(), page)
    return render_template("followup/placements.html", rows=rows, page=page, page_size=followup.PAGE_SIZE)


@bp.get("/placements/new")
@guard("bureau.followup")
def choose_worker() -> Response | str:
    """Find the placed worker by name, phone or village (in the member's county) and choose them;
    ``?worker_id=`` goes straight on to that worker's form (where the worker's scope is checked)."""
    worker_id = valid_id(request.args.get("worker_id"))
    if worker_id:
        return redirect(url_for("followup.new_placement", worker_id=worker_id))
    q = (request.args.get("q") or "").strip()[:50]
    found = bureau.workers_in_scope(db.session, current_scope(), q, limit=CHOOSE_LIMIT) if q else []
    return render_template("followup/choose_worker.html", q=q, workers=found, limit=CHOOSE_LIMIT)


@bp.route("/placements/new/<int:worker_id>", methods=["GET", "POST"])
@guard("bureau.placement.create", obj="worker")
def new_placement(worker_id: int) -> Response | tuple[str, int] | str:
    """Record a placement for a worker in scope: from one of their applications, or by hand."""
    worker, applications = followup.placement_worker_choices(db.session, worker_id)
    prefill = followup.placement_prefill(db.session, worker_id, request.args.get("posting_id", type=int))
    form = PlacementForm(data=prefill) if request.method == "GET" else PlacementForm()
    form.application_id.choices = [(BY_HAND, gettext("不是通过申请（手工填写）"))] + [
        (a.id, gettext("%(title)s（%(date)s申请）", title=p.title, date=format_date(a.created_at)))
        for a, p in applications]
    if form.validate_on_submit():
        data = {"application_id": form.application_id.data or None, "employer": form.employer.data,
                "title": form.title.data, "started_on": form.started_on.data,
                "posting_id": _posting_id(form.posting_id.data)}
        try:
            with transaction() as session:
                placement = followup.record_placement(session, current_user, worker_id, data)
                placement_id = placement.id
        except followup.FollowupError as exc:
            _form_error(form, exc)
        else:
            flash(gettext("已记录就业，并安排了1、3、6个月回访。"))
            return redirect(url_for("followup.placement", placement_id=placement_id))
    status = 400 if form.errors else 200
    return render_template("followup/new_placement.html", form=form, worker=worker), status


def _posting_id(text: str | None) -> int | None:
    """The hidden posting id of the placement form, when it is a plausible id."""
    return int(text) if text and text.isdigit() and len(text) <= 9 else None


def _form_error(form: Any, exc: followup.FollowupError) -> None:
    field = getattr(form, exc.field, None) or form.started_on
    field.errors = [*field.errors, exc.message]


@bp.get("/placements/<int:placement_id>")
@guard("bureau.placement.edit", obj="placement")
def placement(placement_id: int) -> str:
    """A placement with its check-ins, and a form for each one that is due."""
    found = db.session.get(Placement, placement_id)
    worker = followup.placement_worker(db.session, found)
    forms = {c.id: CheckInForm(prefix=f"c{c.id}", formdata=None, obj=None) for c in found.checkins
             if c.due_on <= china_today()}
    return render_template("followup/placement.html", placement=found, worker=worker, forms=forms,
                           words=CHECKIN_WORDS, today=china_today())


@bp.post("/checkins/<int:checkin_id>")
@guard("bureau.placement.edit", obj="checkin")
def record_checkin(checkin_id: int) -> Response:
    """Record one check-in's answers, back to its placement."""
    placement_id = db.session.get(CheckIn, checkin_id).placement_id
    form = CheckInForm(prefix=f"c{checkin_id}")
    if not form.validate_on_submit():
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(url_for("followup.placement", placement_id=placement_id))
    try:
        with transaction() as session:
            followup.record_checkin(session, current_user, checkin_id, form.answers(), china_today())
    except followup.FollowupError as exc:
        flash(exc.message)
    else:
        flash(gettext("回访已记录。"))
    return redirect(url_for("followup.placement", placement_id=placement_id))


@bp.get("/checkins")
@guard("bureau.followup")
def checkins() -> str:
    """Check-ins due or overdue and not done, oldest first; villages whose rate dropped."""
    today = china_today()
    rows = followup.due_checkins(db.session, _prefixes(), today)
    drops = county_report.village_drops(db.session, _prefixes(), today)
    return render_template("followup/checkins.html", rows=rows, drops=drops, words=CHECKIN_WORDS,
                           places=county_report.place_names(db.session, {d.county_code for d in drops}))


def _report() -> county_report.CountyReport | None:
    """The report the query asks for, or None when an admin has not chosen a county yet."""
    start, end, county = _month_and_county()
    if county is None:
        return None
    with transaction() as session:
        report = county_report.build_report(session, county, start, end)
        _audit_priority(session, report.county.code, report.month, report.marked_worker_ids())
    return report


def _month_and_county() -> tuple[date, date, Place | None]:
    try:
        start, end = county_report.parse_month(request.args.get("month"), china_today())
    except county_report.ReportError:
        abort(400, description=gettext("月份要写成 2026-11 这样。"))
    return start, end, _county(request.args.get("county"))


def _county(code: str | None) -> Place | None:
    """Admins choose a county; bureau staff get their own (another county is 404)."""
    scope = current_scope()
    if code:
        county = county_report.county_by_code(db.session, code)
        if county is None or not scope.contains("county", county.code):
            abort(404)
        return county
    if scope.admin:
        return None
    return county_report.staff_county(db.session, current_user)


def _audit_priority(session: Any, county: str, month: str, worker_ids: list[int]) -> None:
    """Listing priority-household workers is a view of their marks: audited like one."""
    audit(session, current_user, "bureau.report", "household", None, "ok", county=county, month=month,
          worker_ids=worker_ids)


@bp.get("/report")
@guard("bureau.report")
def report() -> str:
    """The month's county figures, each with the records behind it; printable."""
    found = _report()
    return render_template("followup/report.html", report=found, month=request.args.get("month", ""),
                           county=request.args.get("county", ""), columns=county_report.COLUMNS,
                           show=county_report.PAGE_ROWS, kinds=county_report.HOUSEHOLD_COLUMNS,
                           kind_names=county_report.household_words(), split_text=county_report.split_text,
                           counties=county_report.county_choices(db.session) if current_scope().admin else [])


@bp.get("/report.xlsx")
@guard("bureau.report")
def report_xlsx() -> Response:
    """The same report as a workbook: a summary, and one sheet per figure with its rows. A county
    with more placements than the inline limit gets it from the job runner (a progress page)."""
    start, end, county = _month_and_county()
    if county is None:  # an admin who has not chosen a county
        abort(400, description=gettext("请先选择县。"))
    month = start.strftime("%Y-%m")
    name = f"county-report-{county.code}-{month}.xlsx"
    params = {"county": county.code, "county_name": county.full_name, "month": month}

    def now() -> Response:
        out = io.BytesIO()
        with transaction() as session:
            written = county_report.write_report_xlsx(session, county, start, end, out)
            _audit_priority(session, county.code, month, written["marked_worker_ids"])
        return xlsx_response(out.getvalue(), name)

    total = county_report.count_placed(db.session, county, end)
    return export_pages.send_or_queue("county_report", params, total, name, "followup.report_export", now)


@bp.get("/report/exports/<int:export_id>")
@guard("bureau.report")
def report_export(export_id: int) -> str:
    """A large county report being made by the job runner: progress, then the file."""
    return export_pages.progress_page("county_report", export_id, "followup.report_export_file")


@bp.get("/report/exports/<int:export_id>.xlsx")
@guard("bureau.report")
def report_export_file(export_id: int) -> Response:
    """The finished report (audited: it lists priority-household workers)."""
    return export_pages.send_export("county_report", export_id, "followup.report_export",
                                    export_pages.audit_report_view)


@bp.get("/slips")
@guard("bureau.slips")
def slips_page() -> str:
    """A village's match slips for the notice board (A4, several a page, a QR code each)."""
    village = (request.args.get("village") or "").strip()[:100]
    if not village:
        return render_template("followup/choose_village.html",
                               villages=slips.list_villages(db.session, _prefixes()))
    found = slips.build_slips(db.session, current_app.extensions["jiujin"], _prefixes(), village,
                              select_locale())
    return _slips_page(village, found)


@bp.get("/workers/<int:worker_id>/slips")
@guard("bureau.worker.slip", obj="worker")
def worker_slips(worker_id: int) -> str:
    """One worker's match slips, to print and hand over at the counter."""
    worker, found = slips.worker_slips(db.session, current_app.extensions["jiujin"], worker_id,
                                       select_locale())
    return _slips_page(worker.village or (worker.home_place.name if worker.home_place else ""), found,
                       back=url_for("bureau.edit_worker", worker_id=worker_id))


def _slips_page(village: str, found: list[slips.Slip], back: str | None = None) -> str:
    """The printable page: a QR code and link per slip on the public address, and how to apply
    offline (the bureau's phone and address)."""
    base = current_app.config.get("JIUJIN_PUBLIC_BASE_URL", "")
    links = {s.posting_id: slips.public_url(base, url_for("jobs.show", posting_id=s.posting_id),
                                            url_for("jobs.show", posting_id=s.posting_id, _external=True))
             for s in found}
    return render_template("followup/slips.html", village=village, slips=found, links=links,
                           codes={pid: slips.qr_svg(url) for pid, url in links.items()},
                           phone=current_app.config.get("JIUJIN_BUREAU_PHONE", ""),
                           address=current_app.config.get("JIUJIN_BUREAU_ADDRESS", ""),
                           back=back or url_for("followup.slips_page"))
