"""Sign-in plumbing: Flask-Login sessions and API bearer tokens, CSRF, rate limits, role checks.

A session cookie carries ``"<user id>:<session version>"``; an API token is stored as its SHA-256
with the session version it was issued under. Logging out or changing the password bumps the
version, so every earlier cookie and token stops working at once.

Sessions and tokens also end on their own: after a spell without use (idle) and, however busy,
after an absolute lifetime since the password was given. Staff (bureau, collaboration office,
admin) get short ones, a working day; seekers, who sign in on their own phone, long ones (see
``lifetimes``; the JIUJIN_*_IDLE_* and JIUJIN_*_LIFETIME_* settings). The session cookie carries
the sign-in and last-seen times (signed, so they cannot be moved); a token's are its row's.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, abort, current_app, flash, g, has_app_context, redirect, request, session, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError, validate_csrf
from sqlalchemy import select, update

from web.extensions import csrf, db, limiter, login_manager
from web.models import ApiToken, User, Worker

F = TypeVar("F", bound=Callable[..., Any])

LOGIN_LIMIT = "10 per minute;40 per hour"
CODE_LIMIT = "3 per minute;10 per hour"
CONSENT_VERSION = "2026-11"
STAFF_ROLES = frozenset({"bureau", "collab", "admin"})
# Last-seen times are written at most this often (a cookie or a row per request would be waste).
SEEN_RESOLUTION = timedelta(minutes=1)


def register(app: Flask) -> None:
    """Bind Flask-Login, CSRF protection and the rate limiter."""
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    login_manager.init_app(app)
    login_manager.login_view = "account.login"
    login_manager.login_message = lazy_gettext("请先登录。")
    login_manager.session_protection = "basic"
    csrf.init_app(app)
    limiter.init_app(app)
    app.before_request(end_expired_session)
    app.after_request(touch_token)
    app.spec_processor(lambda spec: document_security(app, spec))


@login_manager.user_loader
def load_user(key: str) -> User | None:
    """The user of a session cookie, if its session version is still current."""
    user_id, _, version = key.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version):
        return None
    return user


@login_manager.request_loader
def load_user_from_token(req: Any) -> User | None:
    """The user of an ``Authorization: Bearer <token>`` header (API clients)."""
    header = req.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(header[7:].strip())))
    if token is None:
        return None
    user = db.session.get(User, token.user_id)
    if user is None or user.session_version != token.session_version:
        return None
    now = utcnow()
    idle, lifetime = lifetimes(user)
    last = _aware(token.last_used_at or token.created_at)
    if now - _aware(token.created_at) > lifetime or now - last > idle:
        return None
    g.token_auth = True
    if now - last >= SEEN_RESOLUTION:
        g.touch_token_id = token.id
    return user


def touch_token(response: Any) -> Any:
    """After a successful token request, move the token's last use on (its idle clock restarts)."""
    token_id = g.pop("touch_token_id", None)
    if token_id is not None and response.status_code < 400:
        db.session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=utcnow()))
        db.session.commit()
    return response


def lifetimes(user: User) -> tuple[timedelta, timedelta]:
    """(idle, absolute) lifetime of this person's sessions and tokens: staff's or seekers'."""
    staff = any(r.role in STAFF_ROLES for r in user.roles)
    prefix = "JIUJIN_STAFF" if staff else "JIUJIN_SEEKER"
    return current_app.config[f"{prefix}_IDLE"], current_app.config[f"{prefix}_LIFETIME"]


def start_session(user: User) -> None:
    """Sign ``user`` in on this browser: the cookie's clocks start now.

    A seeker's cookie outlives the browser (they stay in on their own phone); a staff member's
    goes when the browser closes, besides its short lifetimes.
    """
    login_user(user)
    session["_auth_at"] = session["_seen_at"] = utcnow().timestamp()
    session.permanent = not any(r.role in STAFF_ROLES for r in user.roles)


def end_expired_session() -> None:
    """Before every request: a session cookie past its idle or absolute lifetime signs out."""
    if "_user_id" not in session or not current_user.is_authenticated or g.get("token_auth"):
        return
    now = utcnow().timestamp()
    idle, lifetime = lifetimes(current_user)
    auth_at, seen_at = session.get("_auth_at"), session.get("_seen_at")
    if (not isinstance(auth_at, float | int) or not isinstance(seen_at, float | int)
            or now - auth_at > lifetime.total_seconds() or now - seen_at > idle.total_seconds()):
        logout_user()
        for key in ("_auth_at", "_seen_at"):
            session.pop(key, None)
        if not request.path.startswith("/api/"):
            flash(gettext("为了安全，登录已过期，请重新登录。"))
        return
    if now - seen_at >= SEEN_RESOLUTION.total_seconds():
        session["_seen_at"] = now


def token_digest(token: str) -> str:
    """What is stored for an API token."""
    return hashlib.sha256(token.encode()).hexdigest()


def current_worker() -> Worker | None:
    """The signed-in person's worker profile, if they made one."""
    if not current_user.is_authenticated:
        return None
    return db.session.scalar(select(Worker).where(Worker.user_id == current_user.id))


def seeker_required(view: F) -> F:
    """Signed in and consented; otherwise to the login or the consent page."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if current_user.consent_at is None:
            return redirect(url_for("account.consent", next=request.full_path))
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def api_login_required(view: F | None = None, *, consent: bool = True) -> Any:
    """API: a bearer token, or a session cookie plus an X-CSRFToken header on unsafe methods.

    Answers 401 without credentials and 403 before consent (nothing is processed without it),
    except on the endpoints that give or read consent (``consent=False``).
    """

    def decorate(func: F) -> F:
        @wraps(func)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                abort(401)
            check_api_csrf()
            if consent and current_user.consent_at is None:
                abort(403, "consent required: POST /api/v1/me/consent first")
            return func(*args, **kwargs)

        wrapped._jiujin_auth = True  # type: ignore[attr-defined] # read by document_security
        return wrapped  # type: ignore[return-value]

    return decorate(view) if view is not None else decorate


def check_api_csrf() -> None:
    """A cookie-authenticated write to the API needs an X-CSRFToken header; a bearer token does not."""
    if request.method in ("GET", "HEAD", "OPTIONS") or g.get("token_auth"):
        return
    try:
        validate_csrf(request.headers.get("X-CSRFToken", ""))
    except Exception as exc:  # noqa: BLE001 - any CSRF failure is a 400 with a reason
        raise CSRFError(str(exc)) from exc


SECURITY_SCHEMES = {
    "BearerAuth": {"type": "http", "scheme": "bearer",
                   "description": "POST /api/v1/auth/token with phone and password gives the token."},
    "CookieAuth": {"type": "apiKey", "in": "cookie", "name": "session",
                   "description": "The site's session cookie; unsafe methods also need X-CSRFToken."},
}


def document_security(app: Any, spec: dict[str, Any]) -> dict[str, Any]:
    """Mark every operation behind ``api_login_required`` as needing a token or the session cookie."""
    schemes = {**SECURITY_SCHEMES, "CookieAuth": {**SECURITY_SCHEMES["CookieAuth"],
                                                  "name": app.config.get("SESSION_COOKIE_NAME", "session")}}
    spec.setdefault("components", {})["securitySchemes"] = schemes
    for operations in spec.get("paths", {}).values():  # ids stop where the URL converter stops
        for operation in operations.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if parameter.get("in") == "path" and parameter.get("schema", {}).get("type") == "integer":
                    parameter["schema"].update({"minimum": 0, "maximum": 2**31 - 1})
    for rule in app.url_map.iter_rules():
        view = app.view_functions.get(rule.endpoint)
        if not getattr(view, "_jiujin_auth", False):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in rule.methods or ():
            operation = spec.get("paths", {}).get(path, {}).get(method.lower())
            if operation is not None:
                operation["security"] = [{"BearerAuth": []}, {"CookieAuth": []}]
                operation.setdefault("responses", {}).setdefault("401", {"description": "Not signed in"})
    return spec


def utcnow() -> datetime:
    """Now, in UTC: the app's clock (``app.extensions["jiujin_clock"]``, tests move it) or the real one."""
    clock = current_app.extensions.get("jiujin_clock") if has_app_context() else None
    return clock() if clock is not None else datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes for UTC columns."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
