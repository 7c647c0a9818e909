"""A health check for load balancers and operators: cheap, and "starting" until the process is warm."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from web.extensions import db
from web.services.runtime import warm

bp = Blueprint("health", __name__)
STARTING_RETRY_AFTER = 5  # seconds
DOWN_RETRY_AFTER = 30


@bp.get("/healthz")
def healthz() -> tuple[dict[str, Any], int] | tuple[dict[str, Any], int, dict[str, str]]:
    """200 once the model and index are loaded and the database answers ``SELECT 1``; 503
    "starting" before that (and warming begins in the background), 503 "error" when the database
    does not answer. Counts nothing: the posting count comes from the index in memory (or, with
    the postgres backend, the count the index keeps)."""
    runtime = current_app.extensions["jiujin"]
    if not runtime.is_warm():
        app = current_app._get_current_object()
        runtime.start_warming(lambda: warm(app))
        return {"status": "starting"}, 503, {"Retry-After": str(STARTING_RETRY_AFTER)}
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        return {"status": "error", "error": type(exc).__name__}, 503, {"Retry-After": str(DOWN_RETRY_AFTER)}
    return {"status": "ok", "indexed_postings": runtime.indexed(db.session)}, 200
