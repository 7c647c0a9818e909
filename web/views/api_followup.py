"""JSON API v1 for bureaus: placements, check-ins, county report figures.

Access is ``web.policy``'s: 401 without credentials, 403 outside the bureau and admin roles,
404 for an object outside one's county, 422 for bad input. Messages are Chinese message ids.
"""

from __future__ import annotations

from typing import Any, NoReturn

from apiflask import APIBlueprint, abort
from flask_login import current_user

from jobs_ingest.clock import china_today
from web.extensions import db, transaction
from web.models import CheckIn, Placement
from web.policy import LOADERS, audit, current_scope, guard
from web.schemas import (
    CheckInIn,
    CheckInOut,
    CountyReportOut,
    CountyReportQuery,
    PlacementIn,
    PlacementOut,
    PlacementsOut,
    PlacementsQuery,
)
from web.services import county_report, followup

bp = APIBlueprint("api_followup", __name__, url_prefix="/api/v1", tag="followup")
STATUS = {"duplicate": 409}
BAD_MONTH = "月份要写成 2026-11 这样。"


def _prefixes() -> tuple[str, ...] | None:
    return current_scope().prefixes("county")


@bp.get("/bureau/placements")
@guard("bureau.followup")
@bp.input(PlacementsQuery, location="query", arg_name="query")
@bp.output(PlacementsOut)
@bp.doc(summary="Placements in the staff member's county (admins: all), newest start first",
        responses=[401, 403, 422])
def list_placements(query: dict[str, Any]) -> dict[str, Any]:
    """One page of 50."""
    rows = followup.list_placements(db.session, _prefixes(), query["page"])
    return {"placements": [placement_dict(r.placement) for r in rows], "page": query["page"]}


@bp.post("/bureau/placements")
@guard("bureau.placement.create")
@bp.input(PlacementIn, arg_name="data")
@bp.output(PlacementOut, status_code=201)
@bp.doc(summary="Record a placement (from an application, or by hand) with its 1-, 3- and 6-month check-ins",
        responses=[400, 401, 403, 404, 409, 422])
def create_placement(data: dict[str, Any]) -> dict[str, Any]:
    """201 with the placement; 404 when the worker is not in one's county."""
    _worker_in_scope(data["worker_id"])
    try:
        with transaction() as session:
            placement = followup.record_placement(session, current_user, data["worker_id"], data)
            body = placement_dict(placement)
    except followup.FollowupError as exc:
        _fail(exc)
    return body


@bp.get("/bureau/placements/<int:placement_id>")
@guard("bureau.placement.edit", obj="placement")
@bp.output(PlacementOut)
@bp.doc(summary="A placement with its check-ins", responses=[401, 403, 404])
def get_placement(placement_id: int) -> dict[str, Any]:
    """The placement and its three check-ins."""
    return placement_dict(db.session.get(Placement, placement_id))


@bp.post("/bureau/checkins/<int:checkin_id>")
@guard("bureau.placement.edit", obj="checkin")
@bp.input(CheckInIn, arg_name="data")
@bp.output(CheckInOut)
@bp.doc(summary="Record a due check-in: still working? paid on time? a note",
        responses=[400, 401, 403, 404, 422])
def record_checkin(checkin_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """The check-in as recorded (422 before it is due)."""
    try:
        with transaction() as session:
            checkin = followup.record_checkin(session, current_user, checkin_id, data, china_today())
            body = checkin_dict(checkin)
    except followup.FollowupError as exc:
        _fail(exc)
    return body


@bp.get("/bureau/report")
@guard("bureau.report")
@bp.input(CountyReportQuery, location="query", arg_name="query")
@bp.output(CountyReportOut)
@bp.doc(summary="The monthly county report: each figure with the ids of the records behind it",
        responses=[401, 403, 404, 422])
def report(query: dict[str, Any]) -> dict[str, Any]:
    """Admins name the county (?county=522632000000); bureau staff get their own."""
    try:
        start, end = county_report.parse_month(query["month"], china_today())
    except county_report.ReportError:
        abort(422, message=BAD_MONTH, detail={"query": {"month": [BAD_MONTH]}})
    county = _county(query["county"])
    with transaction() as session:
        found = county_report.build_report(session, county, start, end)
        audit(session, current_user, "bureau.report", "household", None, "ok", county=county.code,
              month=found.month, worker_ids=found.marked_worker_ids())
        body = county_report.report_to_dict(found)
    return body


def _county(code: str) -> Any:
    scope = current_scope()
    if code:
        county = county_report.county_by_code(db.session, code)
        if county is None or not scope.contains("county", county.code):
            abort(404, message="no such county in your scope")
        return county
    if scope.admin:
        abort(422, message="请选择县（county=12位代码）。", detail={"query": {"county": ["请选择县。"]}})
    county = county_report.staff_county(db.session, current_user)
    if county is None:
        abort(404, message="no county assigned")
    return county


def _worker_in_scope(worker_id: int) -> None:
    """A worker outside one's county does not exist for this request (404, audited like the guard's)."""
    found = LOADERS["worker"](db.session, worker_id)
    if found is None or not current_scope().contains("county", found[0], found[1]):
        db.session.rollback()
        audit(db.session, current_user, "bureau.placement.create", "worker", worker_id, "not_found")
        db.session.commit()
        abort(404, message="no such worker in your county")


def _fail(exc: followup.FollowupError) -> NoReturn:
    abort(STATUS.get(exc.kind, 422), message=exc.message,
          detail={"json": {exc.field: [exc.message]}, "reason": exc.kind})


def checkin_dict(checkin: CheckIn) -> dict[str, Any]:
    """A check-in as JSON."""
    return {"id": checkin.id, "placement_id": checkin.placement_id, "month_offset": checkin.month_offset,
            "due_on": checkin.due_on, "done_at": checkin.done_at, "still_working": checkin.still_working,
            "paid_on_time": checkin.paid_on_time, "note": checkin.note}


def placement_dict(placement: Placement) -> dict[str, Any]:
    """A placement with its check-ins as JSON."""
    return {"id": placement.id, "worker_id": placement.worker_id, "posting_id": placement.posting_id,
            "application_id": placement.application_id, "employer": placement.employer_name,
            "title": placement.job_title, "county_code": placement.county_code,
            "occupation_code": placement.occupation_code, "started_on": placement.started_on,
            "ended_on": placement.ended_on, "source": placement.source,
            "checkins": [checkin_dict(c) for c in placement.checkins]}
