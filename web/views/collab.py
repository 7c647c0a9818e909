"""East–west collaboration office workspace: supply vs demand, funnel, targeted pushes, exports."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from jobs_ingest.clock import china_today
from web.extensions import db, transaction
from web.i18n import china_time, select_locale
from web.inputguard import form_ids, query_id, query_page
from web.policy import audit, current_scope, guard
from web.services import collab
from web.services.collab import Area, CollabError, NeedsConfirmation, OutOfScope
from web.services.xlsx import send_xlsx
from web.views.push_reply import reply_for_pushes
from web.views.seeker import map_config

bp = Blueprint("collab", __name__, url_prefix="/collab")

STAGE_COLUMNS = [("matched", _l("匹配")), ("applied", _l("申请")), ("placed", _l("上岗")),
                 ("retained", _l("3个月仍在岗"))]
GROUP_COLUMNS = [("workers", _l("西部劳动力")), ("available", _l("本月可上岗")), ("relocate", _l("愿意外出")),
                 ("key_workers", _l("其中重点帮扶县")), ("postings", _l("东部岗位")),
                 ("housing", _l("包住岗位")), ("wage_median", _l("月薪中位数（元）"))]
COUNTY = [("code", _l("县代码")), ("name", _l("县")), ("key", _l("重点帮扶县"))]
COLUMNS: dict[str, list[tuple[str, Any]]] = {
    "supply-groups": [("code", _l("大类")), ("name", _l("职业大类")), *GROUP_COLUMNS],
    "supply-minor": [("code", _l("中类")), ("name", _l("职业中类")), *GROUP_COLUMNS],
    "supply-pay": [("band", _l("月薪档（元）")), ("postings", _l("东部岗位")), ("housing", _l("包住岗位"))],
    "supply-counties": [*COUNTY, ("workers", _l("西部劳动力")), ("available", _l("本月可上岗")),
                        ("relocate", _l("愿意外出"))],
    "funnel-months": [("month", _l("月份")), *STAGE_COLUMNS],
    "funnel-counties": [*COUNTY, *STAGE_COLUMNS],
    "funnel-groups": [("code", _l("大类")), ("name", _l("职业大类")), *STAGE_COLUMNS],
    "pushes": [("pushed_at", _l("推送时间")), ("worker", _l("劳动力")), ("county_code", _l("县代码")),
               ("key", _l("重点帮扶县")), ("title", _l("岗位")), ("employer", _l("用人单位")),
               ("place", _l("岗位地点")), ("contact", _l("劳动力电话")), ("response", _l("回复"))],
}
TITLES = {"supply-groups": _l("供需对比：按职业大类"), "supply-minor": _l("供需对比：按职业中类"),
          "supply-pay": _l("供需对比：东部岗位按月薪档和住宿"),
          "supply-counties": _l("供需对比：西部劳动力按县"),
          "funnel-months": _l("转化漏斗：按月份"), "funnel-counties": _l("转化漏斗：按西部县"),
          "funnel-groups": _l("转化漏斗：按职业大类"), "pushes": _l("推送和回复")}
CHINA = ZoneInfo("Asia/Shanghai")
RESPONSES = {"interested": _l("有意向"), "not_interested": _l("没兴趣"), "applied": _l("已申请"),
             "": _l("未回复")}


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


def display_rows(table: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows as shown on the page and in the export: words for flags, bands, empty groups, responses."""
    out = []
    for row in rows:
        shown = {k: row.get(k) for k, _ in COLUMNS[table]}
        if "key" in shown:
            shown["key"] = gettext("是") if row.get("key") else ""
        if shown.get("band") == "unknown":
            shown["band"] = gettext("未写明")
        if "name" in shown and table != "pushes" and not row.get("code"):
            shown["name"] = gettext("未识别工种")
        elif "name" in shown and row.get("unsubdivided"):
            shown["name"] = gettext("%(major)s：该大类下未细分", major=row.get("name") or "")
        if "response" in shown:
            shown["response"] = str(RESPONSES.get(row.get("response") or "", row.get("response")))
        if isinstance(shown.get("pushed_at"), datetime):
            shown["pushed_at"] = china_time(shown["pushed_at"])
        out.append(shown)
    return out


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
    """Any table of the workspace as XLSX (``/collab/<table>.xlsx``): the same rows the page shows."""
    area = _area()
    if name == "pushes":
        rows = collab.list_pushes(db.session, area, 1, 100_000)[0]
    elif name.startswith("supply-"):
        rows = collab.supply(db.session, area, china_today(), occupations())[_TABLES[name]]
    else:
        rows = collab.funnel(db.session, area, occupations())[_TABLES[name]]
    columns = [(k, str(label)) for k, label in COLUMNS[name]]
    return send_xlsx(display_rows(name, rows), f"{name}.xlsx", columns, heading=export_heading(name, area))


def export_heading(name: str, area: Area) -> list[str]:
    """The lines above an export's table: what it is, for which pair, when (China time), which filters."""
    pairs = dict(collab.pair_names(db.session, [area.pair_id])) if area.pair_id else {}
    pair = pairs.get(area.pair_id, "") if area.pair_id else gettext("全部（不限地区）")
    filters = gettext("只看重点帮扶县") if area.key_only else gettext("全部县")
    return [str(TITLES[name]), gettext("结对：%(pair)s", pair=pair),
            gettext("导出时间：%(time)s（北京时间）", time=datetime.now(CHINA).strftime("%Y-%m-%d %H:%M")),
            gettext("筛选：%(filters)s", filters=filters)]


_TABLES = {"supply-groups": "groups", "supply-minor": "minor", "supply-pay": "pay",
           "supply-counties": "counties", "funnel-months": "months", "funnel-counties": "counties",
           "funnel-groups": "groups"}


for _name in COLUMNS:  # one fixed URL per table: /collab/supply-groups.xlsx, /collab/pushes.xlsx, ...
    bp.add_url_rule(f"/{_name}.xlsx", "export", export, methods=["GET"], defaults={"name": _name})
