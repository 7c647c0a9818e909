"""JSON API v1 for collaboration offices: supply, demand, funnel, pushes.

Same services and scope as the pages (web/views/collab.py). 401 without credentials, 403 for a
role without the action, 404 for a pair, posting or worker outside the office's pair, 422 for
bad input. Messages are the Chinese message ids, untranslated, like the rest of API v1.
"""

from __future__ import annotations

from typing import Any

from apiflask import APIBlueprint, abort
from flask import current_app
from flask_babel import gettext
from flask_login import current_user

from jobs_ingest.clock import china_today
from web.extensions import db, transaction
from web.policy import current_scope, guard
from web.schemas import (
    CollabFunnelOut,
    CollabPushesOut,
    CollabPushesQuery,
    CollabPushIn,
    CollabPushResultOut,
    CollabQuery,
    CollabSupplyOut,
)
from web.services import collab
from web.services.collab import Area, CollabError, NeedsConfirmation, OutOfScope
from web.views.collab import not_found, occupations
from web.views.push_reply import reply_for_pushes

bp = APIBlueprint("api_collab", __name__, url_prefix="/api/v1", tag="collab")
PER_PAGE = 50


def _area(pair: int | None, key_only: bool = False) -> Area:
    try:
        return collab.area_for(db.session, current_scope(), pair, key_only)
    except OutOfScope:
        abort(404, message="no such region pair")


@bp.get("/collab/supply")
@guard("collab.supply")
@bp.input(CollabQuery, location="query", arg_name="query")
@bp.output(CollabSupplyOut)
@bp.doc(summary="Supply vs demand across the office's region pair", responses=[401, 403, 404, 422])
def supply(query: dict[str, Any]) -> dict[str, Any]:
    """Western workers by occupation group, relocation and availability; eastern open postings by
    occupation group, pay band and housing; workers per county (with the key-county flag)."""
    return collab.supply(db.session, _area(query["pair"], query["key_only"]), china_today(), occupations())


@bp.get("/collab/funnel")
@guard("collab.funnel")
@bp.input(CollabQuery, location="query", arg_name="query")
@bp.output(CollabFunnelOut)
@bp.doc(summary="matched → applied → placed → retained at 3 months", responses=[401, 403, 404, 422])
def funnel(query: dict[str, Any]) -> dict[str, Any]:
    """Totals, per month, western county and occupation group (definitions: web/services/collab.py)."""
    return collab.funnel(db.session, _area(query["pair"], query["key_only"]), occupations())


@bp.post("/collab/pushes")
@guard("collab.push")
@bp.input(CollabPushIn, arg_name="data")
@bp.output(CollabPushResultOut, status_code=201)
@bp.doc(summary="Push eastern postings to western workers", responses=[401, 403, 404, 409, 422])
def create_pushes(data: dict[str, Any]) -> dict[str, Any]:
    """Records one push per new (posting, worker) pair and sends it; a rerun creates none."""
    area = _area(data["pair"])
    try:
        with transaction() as s:
            result = collab.push_postings(s, current_app.extensions["jiujin_notify"], area,
                                          data["posting_ids"], data["worker_ids"], current_user.id,
                                          confirmed=data["confirm"], reply=reply_for_pushes())
    except OutOfScope as exc:
        not_found("collab.push", exc)
    except NeedsConfirmation as exc:
        abort(409, message=gettext(exc.message, n=len(exc.warnings)), detail={"beyond_reach": exc.warnings})
    except CollabError as exc:
        abort(422, message=exc.message, detail={"json": {exc.field: [exc.message]}})
    return vars(result)


@bp.get("/collab/pushes")
@guard("collab.push")
@bp.input(CollabPushesQuery, location="query", arg_name="query")
@bp.output(CollabPushesOut)
@bp.doc(summary="Pushes across the pair with the responses", responses=[401, 403, 404, 422])
def list_pushes(query: dict[str, Any]) -> dict[str, Any]:
    """Newest first, 50 a page; ``response`` is "applied" once the worker applied to the posting."""
    rows, total = collab.list_pushes(db.session, _area(query["pair"], query["key_only"]), query["page"],
                                     PER_PAGE)
    return {"pushes": rows, "page": query["page"], "pages": max(1, -(-total // PER_PAGE)), "total": total}
