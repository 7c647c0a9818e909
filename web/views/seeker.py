"""Seekers' own pages: profile, matches (list and map), listing near a place, how ranking works."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import format_date, gettext, lazy_gettext
from flask_login import current_user
from marshmallow import EXCLUDE, ValidationError
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from matching.explain import CARD_FACTS, format_distance, format_wage, housing_words, join_parts
from web.auth import current_worker, seeker_required
from web.extensions import db, transaction
from web.i18n import select_locale
from web.schemas import (
    COMMUTE_KM,
    MARK_KINDS,
    MatchFilters,
    NearQuery,
    ProfileIn,
    field_error,
    nearest_commute_km,
)
from web.services import seekers
from web.services.publishers import public_source_name
from web.services.search import SearchError

bp = Blueprint("seeker", __name__)

DEFAULT_TILES = "https://webrd01.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}"
DEFAULT_ATTRIBUTION = lazy_gettext("地图：高德")
TYPES = {"full_time": lazy_gettext("全职"), "part_time": lazy_gettext("兼职"),
         "day_labour": lazy_gettext("日结/临时"), "seasonal": lazy_gettext("季节工")}
CERTIFICATES = {"driving_a2": lazy_gettext("驾照A2"), "driving_b2": lazy_gettext("驾照B2"),
                "driving_c1": lazy_gettext("驾照C1"), "electrician": lazy_gettext("电工证"),
                "welder": lazy_gettext("焊工证"), "health": lazy_gettext("健康证"),
                "forklift": lazy_gettext("叉车证"), "excavator": lazy_gettext("挖掘机操作证"),
                "cook": lazy_gettext("厨师证"), "childcare": lazy_gettext("育婴员证"),
                "eldercare": lazy_gettext("养老护理员证")}
LANGUAGES = {"putonghua": lazy_gettext("普通话"), "dialect": lazy_gettext("家乡方言"),
             "english": lazy_gettext("英语"), "minority": lazy_gettext("少数民族语言")}
FILTER_KM = COMMUTE_KM
_SPLIT = re.compile(r"[,，、;；\s]+")


@bp.app_context_processor
def helpers() -> dict[str, Any]:
    """Words for pay, distance, housing, dates and publishers in the page's language (every page
    that shows a job card: the search results too)."""
    lang = select_locale()
    return {"wage_words": lambda p: format_wage(p.wage_min, p.wage_max, lang),
            "distance_words": lambda km: format_distance(km, lang),
            "housing_label": lambda p: housing_words(p, lang) or gettext("不包住"),
            "card_reason": card_reason, "public_source_name": public_source_name,
            "format_date": format_date, "types": TYPES, "lang": lang}


def card_reason(match: Any, leave_out: tuple[str, ...] | None = None) -> str:
    """A match's reason without what its card already shows (distance, pay, housing, type, trust)."""
    if not getattr(match, "reason_parts", None):
        return str(match.reason)
    return join_parts(match.reason_parts, CARD_FACTS if leave_out is None else leave_out)


def _runtime() -> Any:
    return current_app.extensions["jiujin"]


# --- profile


@bp.route("/me/profile", methods=["GET", "POST"])
@seeker_required
def profile() -> Any:
    """The seeker's profile: what they can do, home, reach, pay, when, what work, certificates."""
    worker = current_worker()
    if request.method == "GET":
        form = (seekers.profile_to_dict(worker) if worker
                else seekers.prefill_from_search(session.get("pending_search")))
        form["km"] = nearest_commute_km(form.get("km"))
        return _profile_page(form, {}, worker is None)
    form, data = _profile_input(request.form)
    try:
        loaded = ProfileIn(unknown=EXCLUDE).load(data)
        with transaction() as s:
            seekers.save_profile(s, _runtime(), current_user._get_current_object(), loaded)
    except ValidationError as exc:
        return _profile_page(form, _messages(exc), worker is None, 400)
    except SearchError as exc:
        return _profile_page(form, {exc.field: exc.message}, worker is None, 400)
    session.pop("pending_search", None)
    flash(gettext("资料已保存。下面是为你找到的工作。"))
    return redirect(url_for("seeker.matches"))


def _profile_input(posted: MultiDict[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The form as typed (to show again) and as the schema reads it (empty fields left out)."""
    free_certs, free_langs = posted.get("certificates_other", ""), posted.get("languages_other", "")
    form = {"description": posted.get("description", ""), "place": posted.get("place", ""),
            "km": posted.get("km", ""), "relocate": bool(posted.get("relocate")),
            "wage": posted.get("wage", ""),
            "availability": posted.get("availability", ""), "unavailable_months": posted.getlist("months"),
            "employment_types": posted.getlist("types"),
            "certificates": posted.getlist("certificates") + _words(free_certs),
            "languages": posted.getlist("languages") + _words(free_langs)}
    data = {k: v for k, v in form.items() if not (isinstance(v, str) and not v.strip()) or k == "description"}
    data["relocate"] = form["relocate"]
    return form, data


def _words(text: str) -> list[str]:
    return [w for w in _SPLIT.split(text or "") if w]


def _profile_page(form: dict[str, Any], errors: dict[str, str], new: bool, status: int = 200) -> Any:
    known_certs = [c for c in form.get("certificates") or [] if c in CERTIFICATES]
    known_langs = [v for v in form.get("languages") or [] if v in LANGUAGES]
    other_certs = "、".join(c for c in form.get("certificates") or [] if c not in CERTIFICATES)
    other_langs = "、".join(v for v in form.get("languages") or [] if v not in LANGUAGES)
    months = {str(m) for m in form.get("unavailable_months") or []}
    page = render_template("seeker/profile.html", form=form, errors=errors, new=new, radii=COMMUTE_KM,
                           certificates=CERTIFICATES, languages_known=LANGUAGES, known_certs=known_certs,
                           known_langs=known_langs, other_certs=other_certs, other_langs=other_langs,
                           months=months, wanted_types=set(form.get("employment_types") or []))
    return page, status


def _messages(exc: ValidationError) -> dict[str, str]:
    return {k: field_error(v) for k, v in exc.normalized_messages().items()}


# --- matches, marks, saved


@bp.get("/me/matches")
@seeker_required
def matches() -> Any:
    """The seeker's ranked matches (list or map), filters applied after ranking; remembers the visit."""
    worker = current_worker()
    if worker is None:
        flash(gettext("先填好你的资料，我们才能为你找工作。"))
        return redirect(url_for("seeker.profile"))
    args = request.args.to_dict()
    errors: dict[str, str] = {}
    try:
        filters = MatchFilters().load(_present(args))
    except ValidationError as exc:
        errors, filters = _messages(exc), {}
    with transaction() as s:
        page = seekers.match_page(s, _runtime(), worker, current_user._get_current_object(),
                                  select_locale(), filters, mark_seen=True)
    undo = session.pop("undo_mark", None)
    return render_template("seeker/matches.html", page=page, args=args, errors=errors, radii=FILTER_KM,
                           view=_view(args), undo=undo, **map_config()), 400 if errors else 200


def _present(args: dict[str, str]) -> dict[str, str]:
    """Empty filter fields count as not given; a checkbox sends "on"."""
    data = {k: v for k, v in args.items() if v.strip() != ""}
    if "housing" in data:
        data["housing"] = "true" if data["housing"] in ("on", "1", "true") else "false"
    return data


def _view(args: dict[str, str]) -> str:
    return "map" if args.get("view") == "map" else "list"


def map_config() -> dict[str, Any]:
    return {"tiles_url": current_app.config.get("JIUJIN_MAP_TILES_URL", DEFAULT_TILES),
            "tiles_attribution": current_app.config.get("JIUJIN_MAP_TILES_ATTRIBUTION", DEFAULT_ATTRIBUTION)}


@bp.post("/me/marks/<int:posting_id>")
@seeker_required
def mark(posting_id: int) -> Response:
    """Save a posting, say it is not interesting, or undo either (``kind=remove``)."""
    worker = current_worker()
    if worker is None:
        flash(gettext("先填好你的资料，我们才能为你找工作。"))
        return redirect(url_for("seeker.profile"))
    kind = request.form.get("kind", "")
    if kind not in (*MARK_KINDS, "remove"):
        abort(400)
    try:
        with transaction() as s:
            if kind == "remove":
                seekers.remove_mark(s, worker, posting_id)
            else:
                seekers.set_mark(s, worker, posting_id, kind)
    except seekers.UnknownPosting:
        abort(404)
    flash({"saved": gettext("已收藏。"), "dismissed": gettext("已标为不感兴趣，以后不再显示。"),
           "remove": gettext("已撤销。")}[kind])
    if kind == "dismissed":
        session["undo_mark"] = posting_id
    return redirect(_safe_next(request.form.get("next")))


def _safe_next(target: str | None) -> str:
    """Only a path on this site (never //elsewhere or a scheme)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("seeker.matches")


@bp.get("/me/saved")
@seeker_required
def saved() -> Any:
    """The postings the seeker saved."""
    worker = current_worker()
    postings = seekers.saved_postings(db.session, worker) if worker else []
    return render_template("seeker/saved.html", postings=postings)


# --- not personalised


@bp.get("/jobs/near")
def listing() -> Any:
    """Open jobs near a place, newest first, 20 a page; no personal ranking at all."""
    args = request.args.to_dict()
    try:
        params = NearQuery().load(_present(args))
        result = seekers.list_near(db.session, _runtime(), params["place"],
                                   params["km"], params["page"])
    except ValidationError as exc:
        return _listing_page(args, None, _messages(exc), 400)
    except SearchError as exc:
        return _listing_page(args, None, {exc.field: exc.message}, 400)
    return _listing_page(args, result, {}, 200)


def _listing_page(args: dict[str, str], result: seekers.Listing | None, errors: dict[str, str],
                  status: int) -> Any:
    page = render_template("seeker/listing.html", args=args, result=result, errors=errors,
                           radii=FILTER_KM, view=_view(args), **map_config())
    return page, status


@bp.get("/about/ranking")
def ranking() -> str:
    """How the automatic ranking works, in plain words, and how to do without it."""
    return render_template("seeker/ranking.html")
