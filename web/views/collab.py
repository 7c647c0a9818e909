"""East–west collaboration office workspace: supply vs demand, funnel, targeted pushes, exports."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from werkzeug.wrappers import Response

from jobs_ingest.clock import china_today
from web.extensions import db, transaction
from web.i18n import select_locale
from web.inputguard import form_ids, query_id, query_page
from web.policy import audit, current_scope, guard
from web.services import collab, exports
from web.services.collab import Area, CollabError, NeedsConfirmation, OutOfScope
from web.services.exports import COLLAB_COLUMNS, COLLAB_TITLES, display_rows
from web.services.xlsx import xlsx_response
from web.views import export_pages
from web.views.push_reply import reply_for_pushes
from web.views.seeker import map_config

bp = Blueprint("collab", __name__, url_prefix="/collab")

COLUMNS, TITLES, RESPONSES = COLLAB_COLUMNS, COLLAB_TITLES, exports.RESPONSES


def occupations() -> collab.OccupationCache:
    """The per-process cache of predicted occupations (the page's own texts are predicted once)."""
    return current_app.extensions.setdefault("jiujin_occupations", collab.OccupationCache())


def _area() -> Area:
    """The sides in view: the office's pair, or ``?pair=`` (admins; offices with several pairs)."""
    pair = query_id("pair")  # not an id (e.g. ≥ 2³¹): 404
    try:
        return collab.area_for(db.session, current_scope(), pair,
                               request.args.get("key_only") == "1")
    except OutOfScope:
        abort(404)


def _filters() -> dict[str, str]:
    """The query arguments that keep the pair and key-county filter across links."""
    return {k: request.args[k] for k in ("pair", "key_only") if request.args.get(k)}


def _render(template: str, **context: Any) -> str:
    scope = current_scope()
    pairs = collab.pair_names(db.session, None if scope.admin else scope.pair_ids)
    return render_template(template, columns=COLUMNS, filters=_filters(), pairs=pairs, show=display_rows,
                           responses=RESPONSES, **map_config(), **context)


@bp.get("/")
@guard("collab.home")
def home() -> str:
    """The workspace's start: which pair is in view, and the pages."""
    return _render("collab/home.html", area=_area())


@bp.get("/supply")
@guard("collab.supply")
def supply() -> Any:
    """Western workers vs eastern open postings by occupation group, pay band, housing, county."""
    if request.args.get("format") == "xlsx":
        return redirect(url_for("collab.export", name="supply-" + request.args.get("table", "groups"),
                                **_filters()))
    data = collab.supply(db.session, _area(), china_today(), occupations())
    return _render("collab/supply.html", data=data)


@bp.get("/funnel")
@guard("collab.funnel")
def funnel() -> Any:
    """matched → applied → placed → still employed at 3 months, per month, county and group."""
    if request.args.get("format") == "xlsx":
        return redirect(url_for("collab.export", name="funnel-" + request.args.get("table", "months"),
                                **_filters()))
    return _render("collab/funnel.html", data=collab.funnel(db.session, _area(), occupations()))


def _push_page(errors: dict[str, str] | None = None, status: int = 200,
               warnings: list[dict[str, Any]] | None = None) -> Any:
    args = request.values
    area = _area()
    workers = collab.candidate_workers(db.session, area, occupations(), group=args.get("group", "")[:8],
                                       county=args.get("county", "")[:12],
                                       relocate=args.get("relocate") == "1")
    chosen = {"posting_ids": set(args.getlist("posting_ids")), "worker_ids": set(args.getlist("worker_ids"))}
    postings = collab.open_postings(db.session, area, lang=select_locale())
    return _render("collab/push.html", workers=workers, postings=postings,
                   form=args, errors=errors or {}, counties=_county_choices(workers),
                   warnings=warnings or [], chosen=chosen), status


def _county_choices(workers: list[dict[str, Any]]) -> list[str]:
    return sorted({w["county_code"] for w in workers})


@bp.route("/push", methods=["GET", "POST"])
@guard("collab.push")
def push() -> Any:
    """Pick eastern postings and western workers; POST records the pushes and sends them."""
    if request.method == "GET":
        return _push_page()
    posting_ids, worker_ids = form_ids("posting_ids"), form_ids("worker_ids")  # 400 unless ids
    try:
        with transaction() as s:
            result = collab.push_postings(s, current_app.extensions["jiujin_notify"], _area(), posting_ids,
                                          worker_ids, current_user.id, reply=reply_for_pushes(),
                                          confirmed=request.form.get("confirm") == "1")
    except OutOfScope as exc:
        not_found("collab.push", exc)
    except NeedsConfirmation as exc:
        return _push_page({exc.field: gettext(exc.message, n=len(exc.warnings))}, 409, exc.warnings)
    except CollabError as exc:
        return _push_page({exc.field: gettext(exc.message)}, 400)
    flash(gettext("新推送%(created)s条（之前推送过的%(existing)s条不重复），短信发出%(sent)s条，"
                  "没有手机号%(no_phone)s人次，发送失败%(failed)s条。", **vars(result)))
    return redirect(url_for("collab.pushes", **_filters()))


def not_found(action: str, exc: OutOfScope) -> None:
    """Audit and answer 404: the object does not exist for this office."""
    db.session.rollback()
    audit(db.session, current_user, action, exc.kind, exc.id, "not_found")
    db.session.commit()
    abort(404)


@bp.get("/pushes")
@guard("collab.push")
def pushes() -> str:
    """Pushes across the pair with the responses, newest first."""
    page = query_page()
    rows, total = collab.list_pushes(db.session, _area(), page)
    return _render("collab/pushes.html", rows=rows, total=total, page=page, pages=max(1, -(-total // 50)))


@bp.post("/workers/<int:worker_id>/pushes/<int:posting_id>/response")
@guard("collab.push", obj="worker")
def set_response(worker_id: int, posting_id: int) -> Response:
    """Record the worker's answer to a push (e.g. after a phone call)."""
    try:
        with transaction() as s:
            collab.set_response(s, _area(), worker_id, posting_id, request.form.get("response", ""),
                                datetime.now(UTC))
    except OutOfScope as exc:
        not_found("collab.push", exc)
    except CollabError as exc:
        flash(gettext(exc.message))
    else:
        flash(gettext("回复已记录。"))
    return redirect(request.form.get("next") if request.form.get("next", "").startswith("/collab/")
                    else url_for("collab.pushes", **_filters()))


@bp.get("/workers/<int:worker_id>")
@guard("collab.worker.view", obj="worker")
def worker(worker_id: int) -> str:
    """One western worker: county, occupation, wishes, pushes and responses."""
    try:
        card = collab.worker_card(db.session, _area(), worker_id, occupations())
    except OutOfScope:
        abort(404)
    return _render("collab/worker.html", card=card)


@guard("collab.export")
def export(name: str) -> Response:
    """Any table of the workspace as XLSX (``/collab/<table>.xlsx``): the same rows the page shows.
    More pushes than the inline limit are written by the job runner (a progress page)."""
    area, file_name = _area(), f"{name}.xlsx"

    def now() -> Response:
        out = io.BytesIO()
        exports.write_collab_table(db.session, name, area, occupations(), out)
        return xlsx_response(out.getvalue(), file_name)

    # Only the pushes grow with the data; the other tables are aggregates (groups, pay bands,
    # counties, months): a few hundred rows at most, computed as the page itself does.
    total = collab.count_pushes(db.session, area) if name == "pushes" else 0
    scope = current_scope()
    pairs = [area.pair_id] if area.pair_id else None if scope.admin else list(scope.pair_ids)
    params = {"table": name, **exports.area_params(area, pairs)}
    return export_pages.send_or_queue("collab_table", params, total, file_name, "collab.export_job", now)


@bp.get("/exports/<int:export_id>")
@guard("collab.export")
def export_job(export_id: int) -> str:
    """A large table being written by the job runner: progress, then the file."""
    return export_pages.progress_page("collab_table", export_id, "collab.export_job_file")


@bp.get("/exports/<int:export_id>.xlsx")
@guard("collab.export")
def export_job_file(export_id: int) -> Response:
    """The finished table."""
    return export_pages.send_export("collab_table", export_id, "collab.export_job")


for _name in COLUMNS:  # one fixed URL per table: /collab/supply-groups.xlsx, /collab/pushes.xlsx, ...
    bp.add_url_rule(f"/{_name}.xlsx", "export", export, methods=["GET"], defaults={"name": _name})
