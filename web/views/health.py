"""A health check for load balancers and operators."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from sqlalchemy.exc import SQLAlchemyError

from web.extensions import db
from web.services.postings import count_open

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[dict[str, Any], int]:
    """200 with the open-posting count when the database answers, 503 when it does not."""
    try:
        return {"status": "ok", "open_postings": count_open(db.session)}, 200
    except SQLAlchemyError as exc:
        return {"status": "error", "error": type(exc).__name__}, 503
