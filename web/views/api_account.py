"""JSON API v1: tokens, consent, my data (export and delete)."""

from __future__ import annotations

from typing import Any

from apiflask import APIBlueprint, abort
from apiflask.fields import Dict
from flask import current_app
from flask_login import current_user

from web.auth import CONSENT_VERSION, LOGIN_LIMIT, api_login_required, utcnow
from web.extensions import db, limiter, transaction
from web.schemas import ConsentIn, ConsentOut, DeleteIn, TokenIn, TokenOut
from web.services import accounts
from web.services.accounts import AccountError
from web.services.mydata import delete_my_data, export_my_data

bp = APIBlueprint("api_account", __name__, url_prefix="/api/v1", tag="account")


@bp.post("/auth/token")
@limiter.limit(LOGIN_LIMIT)
@bp.input(TokenIn, arg_name="body")
@bp.output(TokenOut, status_code=201)
@bp.doc(summary="Get an API token with phone and password", responses=[401, 422, 429],
        description="Wrong passwords count per phone number from any address: after 5, the number is "
                    "locked for 1 minute, doubling with each further wrong one up to 1 hour; while "
                    "locked every attempt, the right one too, gets 429 with Retry-After. A token "
                    "ends after the idle and absolute lifetimes (README, Accounts).")
def token(body: dict[str, Any]) -> dict[str, Any]:
    """A new bearer token; logging out or changing the password revokes all of them."""
    with transaction() as s:  # a wrong password is counted and kept
        outcome = accounts.authenticate(s, body["phone"], body["password"], _secret(), utcnow())
        value = None if isinstance(outcome, AccountError) else accounts.issue_token(s, outcome, utcnow())
    if isinstance(outcome, AccountError):
        _refuse(outcome, 401)
    return {"token": value, "token_type": "Bearer"}


@bp.post("/auth/logout")
@api_login_required(consent=False)
@bp.output({}, status_code=204)
@bp.doc(summary="Sign out everywhere: every token and session stops working", responses=[401])
def logout() -> tuple[str, int]:
    """Bump the session version."""
    with transaction() as s:
        accounts.sign_out_everywhere(s, current_user)
    return "", 204


@bp.get("/me/consent")
@api_login_required(consent=False)
@bp.output(ConsentOut)
@bp.doc(summary="Whether and when I agreed", responses=[401])
def consent_status() -> dict[str, Any]:
    """The consent on record."""
    return _consent()


@bp.post("/me/consent")
@api_login_required(consent=False)
@bp.input(ConsentIn, arg_name="body")
@bp.output(ConsentOut)
@bp.doc(summary="Agree to what is stored and why (the words are on /consent)", responses=[401, 422])
def consent(body: dict[str, Any]) -> dict[str, Any]:
    """Record the agreement; ``agree: false`` is refused."""
    if not body["agree"]:
        abort(422, message="agree must be true to continue; use DELETE /api/v1/me to leave instead")
    with transaction():
        accounts.give_consent(current_user, CONSENT_VERSION, utcnow())
    return _consent()


@bp.get("/me/data")
@api_login_required(consent=False)
@bp.output({"data": Dict()} , schema_name="MyData")
@bp.doc(summary="Everything stored about me", responses=[401])
def my_data() -> dict[str, Any]:
    """The same document the site's download gives."""
    return {"data": export_my_data(db.session, current_user)}


@bp.delete("/me")
@api_login_required(consent=False)
@bp.input(DeleteIn, arg_name="body")
@bp.output({}, status_code=204)
@bp.doc(summary="Delete my account and everything about me", responses=[401, 403, 422, 429])
def delete_me(body: dict[str, Any]) -> tuple[str, int]:
    """Permanent; the password must be given again (wrong ones count like wrong logins)."""
    with transaction() as s:
        error = accounts.check_own_password(s, current_user, body["password"], _secret(), utcnow())
    if error is not None:
        _refuse(error, 403, "wrong password")
    with transaction() as s:
        delete_my_data(s, current_user)
    return "", 204


def _refuse(error: AccountError, status: int, message: str | None = None) -> None:
    """``status`` with the message, or 429 with Retry-After while the number is locked."""
    if error.retry_after is not None:
        abort(429, message=error.message % error.params, headers={"Retry-After": str(error.retry_after)})
    abort(status, message=message or error.message)


def _secret() -> str:
    return str(current_app.config["SECRET_KEY"])


def _consent() -> dict[str, Any]:
    at = current_user.consent_at
    return {"consent_at": at.isoformat() if at else None, "consent_version": current_user.consent_version}
