"""Sign-in plumbing: Flask-Login sessions and API bearer tokens, CSRF, rate limits, role checks.

A session cookie carries ``"<user id>:<session version>"``; an API token is stored as its SHA-256
with the session version it was issued under. Logging out or changing the password bumps the
version, so every earlier cookie and token stops working at once.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, abort, g, redirect, request, url_for
from flask_babel import lazy_gettext
from flask_login import current_user
from flask_wtf.csrf import CSRFError, validate_csrf
from sqlalchemy import select

from web.extensions import csrf, db, limiter, login_manager
from web.models import ApiToken, User, Worker

F = TypeVar("F", bound=Callable[..., Any])

LOGIN_LIMIT = "10 per minute;40 per hour"
CODE_LIMIT = "3 per minute;10 per hour"
CONSENT_VERSION = "2026-11"


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
    g.token_auth = True
    return user


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
    spec.setdefault("components", {})["securitySchemes"] = SECURITY_SCHEMES
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
    """Now, in UTC."""
    return datetime.now(UTC)
