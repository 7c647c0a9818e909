"""Error pages: friendly HTML on the site, JSON under /api."""

from __future__ import annotations

from typing import Any

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

MESSAGES = {404: _l("没有找到这个页面。"), 413: _l("提交的内容太大了。"), 500: _l("出错了，请稍后再试。")}


def register(app: Any) -> None:
    """Install the handlers on the app."""

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Any:
        code = exc.code or 500
        # The exception's own headers stay: Allow on a 405 (RFC 9110), Retry-After, WWW-Authenticate.
        headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
        if request.path.startswith("/api/"):
            return {"message": exc.description, "detail": {}}, code, headers
        return render_template("error.html", code=code,
                               message=MESSAGES.get(code, exc.description)), code, headers
