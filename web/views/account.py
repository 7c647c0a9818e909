"""Accounts: sign up with a code, log in and out, consent, password, and my data (see, copy, delete)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user, login_required, logout_user

from web.auth import CODE_LIMIT, CONSENT_VERSION, LOGIN_LIMIT, seeker_required, start_session, utcnow
from web.extensions import db, limiter, transaction
from web.forms import ConsentForm, DeleteForm, LoginForm, PasswordForm, PhoneForm, SignupForm
from web.services import accounts
from web.services.accounts import AccountError
from web.services.mydata import delete_my_data, export_my_data
from web.views.mydata_words import readable
from web.workspace import landing_endpoint

bp = Blueprint("account", __name__)

SEARCH_KEYS = ("q", "place", "km", "relocate", "wage")


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(CODE_LIMIT, methods=["POST"])
def signup() -> Any:
    """Step one: the phone number; a code goes to it. A search can ride along to prefill the profile.

    A number that already has an account gets a message saying so instead of a code, and this
    page answers exactly as for a new number: nobody learns here who is registered.
    """
    if request.method == "GET" and request.args.get("q"):
        session["pending_search"] = {k: request.args[k] for k in SEARCH_KEYS if request.args.get(k)}
    form = PhoneForm()
    if form.validate_on_submit():
        try:
            phone = accounts.normalise_phone(form.phone.data)
            with transaction() as s:
                accounts.start_signup(s, _sender(), _secret(), phone, utcnow())
        except AccountError as exc:
            form.phone.errors = [gettext(exc.message)]
        else:
            session["signup_phone"] = phone
            return redirect(url_for("account.signup_verify"))
    return _page("account/signup.html", form)


@bp.route("/signup/verify", methods=["GET", "POST"])
@limiter.limit(LOGIN_LIMIT, methods=["POST"])
def signup_verify() -> Any:
    """Step two: the code and a password; the account exists from here on, then consent."""
    phone = session.get("signup_phone")
    if not phone:
        return redirect(url_for("account.signup"))
    form = SignupForm()
    if form.validate_on_submit():
        try:
            user = _create(phone, form.code.data, form.password.data)
        except AccountError as exc:
            _mark(form, exc)
        else:
            session.pop("signup_phone", None)
            start_session(user)
            return redirect(url_for("account.consent"))
    return _page("account/verify.html", form, phone=phone)


def _create(phone: str, code: str, password: str) -> Any:
    """Check the code (a wrong guess is counted and kept), then create the account."""
    accounts.check_password_rules(password, phone)  # before the code is spent
    _check_code(phone, "signup", code)
    with transaction() as s:
        return accounts.create_seeker(s, phone, password, utcnow())


def _check_code(phone: str, purpose: str, code: str) -> None:
    """Commit the check either way (wrong guesses count), then raise its error if any."""
    with transaction() as s:
        error = accounts.check_code(s, _secret(), phone, purpose, code, utcnow())
    if error is not None:
        raise error


@bp.route("/consent", methods=["GET", "POST"])
@login_required
def consent() -> Any:
    """What is stored and why, in plain words; nothing about the person is kept before they agree."""
    form = ConsentForm()
    if form.validate_on_submit():
        with transaction():
            accounts.give_consent(current_user, CONSENT_VERSION, utcnow())
        home = "seeker.profile" if "seeker.profile" in current_app.view_functions else "search.index"
        return redirect(_safe_next() or url_for(home))
    return _page("account/consent.html", form)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(LOGIN_LIMIT, methods=["POST"])
def login() -> Any:
    """Phone and password; too many wrong ones for a number lock it for a while (429)."""
    form = LoginForm()
    if form.validate_on_submit():
        with transaction() as s:  # a wrong password is counted and kept
            outcome = accounts.authenticate(s, form.phone.data, form.password.data, _secret(), utcnow())
        if not isinstance(outcome, AccountError):
            start_session(outcome)
            return redirect(_safe_next() or _home_of(outcome))
        form.password.errors = [gettext(outcome.message, **outcome.params)]
        return _refusal("account/login.html", form, outcome)
    return _page("account/login.html", form)


@bp.post("/logout")
def logout() -> Any:
    """Log out on every device: the session version moves on."""
    if current_user.is_authenticated:
        with transaction() as s:
            accounts.sign_out_everywhere(s, current_user)
    logout_user()
    session.clear()
    flash(gettext("已退出。"))
    return redirect(url_for("search.index"))


@bp.route("/me/password", methods=["GET", "POST"])
@login_required
def password() -> Any:
    """Change the password; other devices are signed out, this one stays in."""
    form = PasswordForm()
    if form.validate_on_submit():
        with transaction() as s:  # a wrong old password is counted like a wrong login
            error = accounts.change_password(s, current_user, form.old_password.data, form.password.data,
                                             _secret(), utcnow())
        if error is None:
            start_session(current_user._get_current_object())
            flash(gettext("密码已修改，其他设备已退出登录。"))
            return redirect(url_for("account.my_data"))
        getattr(form, error.field, form.password).errors = [gettext(error.message, **error.params)]
        return _refusal("account/password.html", form, error)
    return _page("account/password.html", form)


@bp.route("/password/reset", methods=["GET", "POST"])
@limiter.limit(CODE_LIMIT, methods=["POST"])
def reset() -> Any:
    """Forgot the password: a code to the phone, then a new password."""
    form = PhoneForm()
    if form.validate_on_submit():
        try:
            phone = accounts.normalise_phone(form.phone.data)
            with transaction() as s:  # unknown numbers get the same answer and limits, and no message
                accounts.start_reset(s, _sender(), _secret(), phone, utcnow())
        except AccountError as exc:
            form.phone.errors = [gettext(exc.message)]
        else:
            session["reset_phone"] = phone
            return redirect(url_for("account.reset_verify"))
    return _page("account/reset.html", form)


@bp.route("/password/reset/verify", methods=["GET", "POST"])
@limiter.limit(LOGIN_LIMIT, methods=["POST"])
def reset_verify() -> Any:
    """The reset code and the new password."""
    phone = session.get("reset_phone")
    if not phone:
        return redirect(url_for("account.reset"))
    form = SignupForm()
    if form.validate_on_submit():
        try:
            accounts.check_password_rules(form.password.data, phone)  # before the code is spent
            _check_code(phone, "reset", form.code.data)
            with transaction() as s:
                user = accounts.reset_password(s, phone, form.password.data, _secret())
        except AccountError as exc:
            _mark(form, exc)
        else:
            session.pop("reset_phone", None)
            start_session(user)
            flash(gettext("密码已重设。"))
            return redirect(_home_of(user))
    return _page("account/verify.html", form, phone=phone, reset=True)


@bp.get("/me/data")
@seeker_required
def my_data() -> str:
    """Everything stored about me, readable on the page."""
    data = export_my_data(db.session, current_user)
    return render_template("account/my_data.html", words=readable(data), delete_form=DeleteForm())


@bp.get("/me/data.json")
@seeker_required
def my_data_download() -> Response:
    """Everything stored about me, as a JSON file to keep."""
    data = export_my_data(db.session, current_user)
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": "attachment; filename=jiujin-my-data.json"})


@bp.post("/me/delete")
@login_required
def delete() -> Any:
    """Delete the account and everything about me, after the password and a tick."""
    form = DeleteForm()
    status = 400
    if form.validate_on_submit():
        with transaction() as s:  # a wrong password is counted like a wrong login
            error = accounts.check_own_password(s, current_user, form.password.data, _secret(), utcnow())
        if error is None:
            with transaction() as s:
                delete_my_data(s, current_user)
            logout_user()
            session.clear()
            flash(gettext("你的账号和所有资料已删除。"))
            return redirect(url_for("search.index"))
        locked = error.retry_after is not None
        form.password.errors = [gettext(error.message, **error.params) if locked else gettext("密码不对。")]
        status = 429 if locked else 400
    data = export_my_data(db.session, current_user)
    return render_template("account/my_data.html", words=readable(data), delete_form=form), status


def _mark(form: Any, exc: AccountError) -> None:
    """Show an account error on its field (the code field when the field is not on the form)."""
    getattr(form, exc.field if exc.field in ("code", "password") else "code").errors = [gettext(exc.message)]


def _refusal(template: str, form: Any, error: AccountError) -> Any:
    """The form again: 400, or 429 with Retry-After while the number is locked."""
    if error.retry_after is None:
        return _page(template, form)
    return render_template(template, form=form), 429, {"Retry-After": str(error.retry_after)}


def _page(template: str, form: Any, **extra: Any) -> Any:
    status = 400 if request.method == "POST" else 200
    return render_template(template, form=form, **extra), status


def _home_of(user: Any) -> str:
    """Staff start in their workspace (admin, bureau, collab); everyone else on the search page."""
    endpoint = landing_endpoint(user)
    return url_for(endpoint if endpoint in current_app.view_functions else "search.index")


def _safe_next() -> str | None:
    """A ``next`` that stays on this site."""
    target = request.args.get("next") or ""
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc and not parts.scheme:
        return target
    return None


def _sender() -> Any:
    return current_app.extensions["jiujin_notify"]


def _secret() -> str:
    return str(current_app.config["SECRET_KEY"])
