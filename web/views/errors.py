"""Error pages: friendly HTML on the site, JSON under /api; a database that cannot be reached is a
503 with Retry-After (never a 500), after one retry of a read whose connection dropped."""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app, g, redirect, render_template, request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from web.extensions import db, login_manager
from web.form_pages import form_page_for_get

log = logging.getLogger(__name__)
MESSAGES = {400: _l("提交的内容有误，请回到上一页再试。"), 403: _l("你没有权限打开这个页面。"),
            404: _l("没有找到这个页面。"), 405: _l("这个地址只能通过页面上的按钮提交，不能直接打开。"),
            413: _l("提交的内容太大了。"), 429: _l("操作太频繁了，请稍后再试。"),
            500: _l("出错了，请稍后再试。")}
# What "the database is unavailable" looks like: the server refused or dropped the connection, a
# lock or statement timed out, or the pool had no connection to give within its timeout.
UNAVAILABLE = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)
RETRY_AFTER = 30  # seconds: a database restart or failover usually takes less
IDEMPOTENT = ("GET", "HEAD")


def register(app: Any) -> None:
    """Install the handlers on the app."""

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Any:
        code = exc.code or 500
        # The exception's own headers stay: Allow on a 405 (RFC 9110), Retry-After, WWW-Authenticate.
        headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
        if request.path.startswith("/api/"):
            return {"message": exc.description, "detail": {}}, code, headers
        if code == 405 and (page := form_page_for_get()):
            return redirect(page, 303)  # a reload or bookmark of a form's target: back to the form
        return render_template("error.html", code=code, message=_message(exc, code)), code, headers

    for error in UNAVAILABLE:
        app.register_error_handler(error, database_unavailable)


def _message(exc: HTTPException, code: int) -> str:
    """The page's words: a view's own (translated) description, else ours for the code, else Werkzeug's."""
    if exc.description != type(exc).description or code not in MESSAGES:
        return str(exc.description)
    return str(MESSAGES[code])


def database_unavailable(exc: Exception) -> Any:
    """Retry a read once on a dropped connection; otherwise 503 + Retry-After, in plain words."""
    _reset_session()
    if _retryable(exc):
        return _retry()
    log.warning("database unavailable: %s on %s %s", type(exc).__name__, request.method, request.path)
    g._login_user = login_manager.anonymous_user()  # rendering must not try to load the user again
    headers = {"Retry-After": str(RETRY_AFTER)}
    message = gettext("网站暂时连不上数据库，请过一会儿再试。")
    if request.path.startswith("/api/"):
        return {"message": message, "detail": {"retry_after": RETRY_AFTER}}, 503, headers
    return render_template("unavailable.html", message=message), 503, headers


def _retryable(exc: Exception) -> bool:
    """A GET or HEAD, not retried yet, whose pooled connection was found dead (not "cannot connect")."""
    dropped = isinstance(exc, DBAPIError) and exc.connection_invalidated
    return dropped and request.method in IDEMPOTENT and not g.get("_database_retried")


def _retry() -> Any:
    """Run the request again on a fresh connection: hooks and view, as Flask's dispatch does.

    SQLAlchemy has already invalidated the dead connection and every pooled one older than it
    (pool_pre_ping checks the rest on checkout); the session was closed, so the retry checks out
    a new one. Objects the first try loaded (the signed-in user) are loaded again.
    """
    g._database_retried = True
    g.pop("_login_user", None)
    app = current_app._get_current_object()
    log.info("database connection dropped on %s %s; retrying once", request.method, request.path)
    try:
        response = app.preprocess_request()
        return response if response is not None else app.dispatch_request()
    except Exception as again:  # noqa: BLE001 - handed to Flask's own handlers (this one included)
        return app.handle_user_exception(again)


def _reset_session() -> None:
    """Give the broken connection back (the pool discards it); never raise while doing so."""
    try:
        db.session.remove()
    except Exception:  # noqa: BLE001 - the connection is already gone; nothing more to release
        log.debug("closing the session after a database error failed", exc_info=True)
