"""JSON API v1. The OpenAPI document is generated from these schemas at /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any

from apiflask import APIBlueprint, abort
from flask import current_app

from web.extensions import db
from web.i18n import select_locale
from web.schemas import MatchesOut, MatchQuery
from web.services.search import SearchError, match_to_dict, match_worker

bp = APIBlueprint("api", __name__, url_prefix="/api/v1", tag="matches")


@bp.get("/matches")
@bp.input(MatchQuery, location="query", arg_name="params")
@bp.output(MatchesOut)
@bp.doc(summary="Rank open jobs for a worker", responses=[400, 422])
def matches(params: dict[str, Any]) -> dict[str, Any]:
    """The same inputs and the same ranking as the search form; reasons and pay in words follow
    ``?lang=`` (zh, en), else the Accept-Language header, else Chinese."""
    lang = select_locale()
    try:
        result = match_worker(db.session, current_app.extensions["jiujin"], {**params, "lang": lang})
    except SearchError as exc:
        abort(422, message=exc.message, detail={"query": {exc.field: [exc.message]}})
    return {"matches": [match_to_dict(m, lang) for m in result.matches], "home": result.home}
