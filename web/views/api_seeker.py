"""JSON API v1 for seekers: profile, matches, saved and dismissed postings, the listing near a place.

Messages are the Chinese message ids, untranslated, like the rest of API v1.
"""

from __future__ import annotations

from typing import Any

from apiflask import APIBlueprint, abort
from flask import current_app
from flask_login import current_user

from web.auth import api_login_required, current_worker
from web.extensions import db, transaction
from web.i18n import select_locale
from web.models import Worker
from web.schemas import (
    MarkIn,
    MarkOut,
    MatchFilters,
    NearOut,
    NearQuery,
    ProfileIn,
    ProfileOut,
    SavedOut,
    SeekerMatchesOut,
)
from web.services import seekers
from web.services.search import SearchError, match_to_dict

bp = APIBlueprint("api_seeker", __name__, url_prefix="/api/v1", tag="seeker")

NO_PROFILE = "no profile yet: PUT /api/v1/me/profile first"


def _runtime() -> Any:
    return current_app.extensions["jiujin"]


def _worker() -> Worker:
    worker = current_worker()
    if worker is None:
        abort(409, message=NO_PROFILE)
    return worker


@bp.get("/me/profile")
@api_login_required
@bp.output(ProfileOut)
@bp.doc(summary="The seeker's profile", responses=[401, 403, 409])
def get_profile() -> dict[str, Any]:
    """The stored profile (409 before one was saved)."""
    return seekers.profile_to_dict(_worker())


@bp.put("/me/profile")
@api_login_required
@bp.input(ProfileIn, arg_name="data")
@bp.output(ProfileOut)
@bp.doc(summary="Create or replace the seeker's profile", responses=[401, 403, 422])
def put_profile(data: dict[str, Any]) -> dict[str, Any]:
    """The same fields and rules as the profile form; an unknown or ambiguous place is a 422."""
    try:
        with transaction() as s:
            worker = seekers.save_profile(s, _runtime(), current_user._get_current_object(), data)
            out = seekers.profile_to_dict(worker)
    except SearchError as exc:
        abort(422, message=exc.message, detail={"json": {exc.field: [exc.message]}})
    return out


@bp.get("/me/matches")
@api_login_required
@bp.input(MatchFilters, location="query", arg_name="filters")
@bp.output(SeekerMatchesOut)
@bp.doc(summary="The seeker's ranked matches", responses=[401, 403, 409, 422])
def matches(filters: dict[str, Any]) -> dict[str, Any]:
    """Ranked for the stored profile, dismissed jobs left out, filters applied after ranking.

    Reading does not count as a visit: ``new`` stays true until the matches page is opened.
    """
    worker = _worker()
    page = seekers.match_page(db.session, _runtime(), worker,
                              current_user._get_current_object(), select_locale(), filters)
    return {"matches": [_card_to_dict(c, select_locale()) for c in page.cards], "home": page.home,
            "new_count": page.new_count}


def _card_to_dict(card: seekers.Card, lang: str) -> dict[str, Any]:
    return {**match_to_dict(card.match, lang), "new": card.new, "trust_label": card.trust_label,
            "source": card.source, "other_sources": card.others, "mark": card.mark}


@bp.get("/me/saved")
@api_login_required
@bp.output(SavedOut)
@bp.doc(summary="The postings the seeker saved", responses=[401, 403])
def saved() -> dict[str, Any]:
    """Most recently saved first."""
    worker = current_worker()
    postings = seekers.saved_postings(db.session, worker) if worker else []
    return {"saved": [seekers.posting_to_dict(p, select_locale()) for p in postings]}


@bp.put("/me/marks/<int:posting_id>")
@api_login_required
@bp.input(MarkIn, arg_name="data")
@bp.output(MarkOut)
@bp.doc(summary="Save a posting or mark it not interesting", responses=[401, 403, 404, 409, 422])
def put_mark(posting_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """One mark per posting: the other kind replaces it. Dismissed postings leave the matches."""
    worker = _worker()
    try:
        with transaction() as s:
            mark = seekers.set_mark(s, worker, posting_id, data["kind"])
            out = {"posting_id": mark.posting_id, "kind": mark.kind}
    except seekers.UnknownPosting:
        abort(404, message="no such posting")
    return out


@bp.delete("/me/marks/<int:posting_id>")
@api_login_required
@bp.output({}, status_code=204)
@bp.doc(summary="Undo a save or a dismissal", responses=[401, 403, 404, 409])
def delete_mark(posting_id: int) -> tuple[str, int]:
    """Removes the mark, if any (204 either way)."""
    worker = _worker()
    try:
        with transaction() as s:
            seekers.remove_mark(s, worker, posting_id)
    except seekers.UnknownPosting:
        abort(404, message="no such posting")
    return "", 204


@bp.get("/jobs/near")
@bp.input(NearQuery, location="query", arg_name="params")
@bp.output(NearOut)
@bp.doc(summary="Open jobs near a place, newest first (not personalised)", responses=[422])
def near(params: dict[str, Any]) -> dict[str, Any]:
    """No sign-in and no personal ranking: a place (its county, or a radius around it), 20 a page."""
    try:
        result = seekers.list_near(db.session, _runtime(), params["place"], params["km"], params["page"])
    except SearchError as exc:
        abort(422, message=exc.message, detail={"query": {exc.field: [exc.message]}})
    return {"jobs": [seekers.posting_to_dict(p, select_locale())
                     for p in result.postings], "place": result.place,
            "page": result.page, "pages": result.pages, "total": result.total}
