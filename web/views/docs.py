"""The interactive API docs: Swagger UI from the site's own static files (web/static/vendor)."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("docs", __name__)


@bp.get("/api/v1/docs")
def api_docs() -> str:
    """Swagger UI over /api/v1/openapi.json; works offline and under the site's CSP (web/security.py)."""
    return render_template("api_docs.html")
