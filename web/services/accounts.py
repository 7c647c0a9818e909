"""Seekers' accounts: sign-up with a one-time code, passwords (argon2), consent, log-out everywhere.

Services take the session and never commit. Errors carry a form field and a message (msgids in
Chinese; views translate them). Nothing here answers differently for a phone number that has an
account and one that has none: sign-up and reset record a code row for either (a registered
number gets an "you already have an account" message instead of a sign-up code; an unregistered
one gets no reset message), so the hourly limit, the code checks and every reply are the same.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from web.models import ApiToken, OneTimeCode, RoleAssignment, User
from web.services import throttle
from web.services.notify import Sender
from web.services.passwords import N_, password_problem

CODE_TTL = timedelta(minutes=10)
CODE_ATTEMPTS = 5
CODES_PER_HOUR = 5
PURPOSES = ("signup", "reset")

_hasher = PasswordHasher()
_PHONE = re.compile(r"^1[3-9]\d{9}$")
# Verifying against this when the phone is unknown takes as long as a real check.
_DUMMY_HASH = _hasher.hash("not-a-real-password")
# The code row of a number that must not get a working code (sign-up of a registered number,
# reset of an unregistered one): no digest ever equals it, so every guess is simply wrong.
NO_CODE = "-"


class AccountError(ValueError):
    """Input an account action cannot accept; ``field`` names the form field.

    ``params`` fill the message's ``%(name)s`` placeholders after translation; ``retry_after``
    (seconds) is set when the answer is "too many attempts, wait".
    """

    def __init__(self, field: str, message: str, retry_after: int | None = None, **params: object):
        super().__init__(message)
        self.field = field
        self.message = message
        self.params = params
        self.retry_after = retry_after


def normalise_phone(text: str) -> str:
    """A mainland mobile number as 11 digits ("+86 138-0013-8000" → "13800138000")."""
    digits = re.sub(r"[\s\-()（）]", "", text or "")
    digits = re.sub(r"^(\+?86)(?=1\d{10}$)", "", digits)
    if not _PHONE.match(digits):
        raise AccountError("phone", N_("请填写11位手机号码，例如 13800138000。"))
    return digits


def check_password_rules(password: str, phone: str | None = None) -> None:
    """At least 8 characters, not absurdly long, not trivial, not common, not the account's phone."""
    problem = password_problem(password, phone)
    if problem is not None:
        raise AccountError("password", problem)


def hash_password(password: str) -> str:
    """An argon2id hash."""
    return _hasher.hash(password)


def verify_password(user: User | None, password: str) -> bool:
    """Whether ``password`` is the user's; upgrades an outdated hash in place."""
    try:
        _hasher.verify(user.password_hash if user and user.password_hash else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False
    if user is None or not user.password_hash:
        return False
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return True


def _code_digest(secret: str, phone: str, purpose: str, code: str) -> str:
    return hmac.new(secret.encode(), f"{phone}:{purpose}:{code}".encode(), hashlib.sha256).hexdigest()


def send_code(session: Session, sender: Sender | None, secret: str, phone: str, purpose: str,
              now: datetime, template: str = "verify_code") -> None:
    """Send a 6-digit code; at most 5 per phone per hour (counted in the database, so every
    process sees the same count).

    With another ``template`` the person gets that message and no working code; with no
    ``sender`` nothing is sent. Either way a row is counted and checked like a real code.
    """
    assert purpose in PURPOSES
    recent = session.scalar(select(func.count(OneTimeCode.id)).where(
        OneTimeCode.phone == phone, OneTimeCode.created_at > now - timedelta(hours=1)))
    if recent >= CODES_PER_HOUR:
        raise AccountError("phone", N_("验证码发送太频繁了，请一小时后再试。"))
    code = f"{secrets.randbelow(1_000_000):06d}"
    real = template == "verify_code" and sender is not None
    digest = _code_digest(secret, phone, purpose, code) if real else NO_CODE
    session.add(OneTimeCode(phone=phone, purpose=purpose, code_hash=digest, expires_at=now + CODE_TTL,
                            created_at=now))
    session.flush()
    if sender is not None:
        sender.send(phone, template, {"code": code} if real else {})


def start_signup(session: Session, sender: Sender, secret: str, phone: str, now: datetime) -> None:
    """Sign-up step one: a code to a new number; to a registered one, "you have an account".

    The caller's answer is the same in both cases ("we sent a message"), so sign-up never tells
    whether a number is registered.
    """
    template = "account_exists" if user_exists(session, phone) else "verify_code"
    send_code(session, sender, secret, phone, "signup", now, template=template)


def start_reset(session: Session, sender: Sender, secret: str, phone: str, now: datetime) -> None:
    """Reset step one: a code to a registered number; for an unknown one a row that no code opens.

    Both count against the hourly limit and both make step two answer "wrong code", so neither
    step tells whether a number is registered.
    """
    send_code(session, sender if user_exists(session, phone) else None, secret, phone, "reset", now)


def check_code(session: Session, secret: str, phone: str, purpose: str, code: str,
               now: datetime) -> AccountError | None:
    """Accept the newest live code once, or return why not; every guess counts and five spend it.

    The guess is counted before it is compared, in one ``UPDATE … WHERE attempts < 5 RETURNING``,
    so however many requests race (any processes, any database) at most five are ever compared.
    Returns the error instead of raising it so that the caller commits the counted guess.
    """
    newest = (select(OneTimeCode.id).where(OneTimeCode.phone == phone, OneTimeCode.purpose == purpose,
                                           OneTimeCode.used_at.is_(None))
              .order_by(OneTimeCode.id.desc()).limit(1).scalar_subquery())
    counted = session.execute(
        update(OneTimeCode)
        .where(OneTimeCode.id == newest, OneTimeCode.used_at.is_(None), OneTimeCode.attempts < CODE_ATTEMPTS)
        .values(attempts=OneTimeCode.attempts + 1)
        .returning(OneTimeCode.id, OneTimeCode.code_hash, OneTimeCode.expires_at)
        .execution_options(synchronize_session=False)).first()
    if counted is None or _aware(counted.expires_at) < now:
        return AccountError("code", N_("验证码已失效，请重新获取。"))
    if not code_matches(_code_digest(secret, phone, purpose, (code or "").strip()), counted.code_hash):
        return AccountError("code", N_("验证码不对，请再看一下短信。"))
    session.execute(update(OneTimeCode).where(OneTimeCode.id == counted.id)
                    .values(used_at=now).execution_options(synchronize_session=False))
    return None


def code_matches(expected: str, stored: str) -> bool:
    """Compare a guess's digest with the stored one in constant time (the one place codes are compared)."""
    return hmac.compare_digest(expected, stored)


def user_exists(session: Session, phone: str) -> bool:
    """Whether an account uses this phone."""
    return session.scalar(select(User.id).where(User.phone == phone)) is not None


def create_seeker(session: Session, phone: str, password: str, now: datetime) -> User:
    """A new seeker account with a verified phone (the code was checked before)."""
    if user_exists(session, phone):  # only reachable with a working code, which registered numbers never get
        raise AccountError("code", N_("验证码已失效，请重新获取。"))
    check_password_rules(password, phone)
    user = User(phone=phone, password_hash=hash_password(password), phone_verified_at=now, created_at=now)
    session.add(user)
    session.flush()
    session.add(RoleAssignment(user_id=user.id, role="seeker"))
    session.flush()
    return user


def authenticate(session: Session, phone_text: str, password: str, secret: str,
                 now: datetime) -> User | AccountError:
    """The user with this phone and password, or an error that does not say which one was wrong.

    Wrong passwords count per phone number (web.services.throttle); while the number is locked
    every attempt is refused unseen. Returns the error instead of raising it so that the caller
    commits the counted failure.
    """
    try:
        phone = normalise_phone(phone_text)
    except AccountError:
        phone = re.sub(r"\s", "", phone_text or "")[:40]
    key = throttle.throttle_key(secret, phone)
    wait = throttle.locked_for(session, key, now)
    if wait is not None:
        return too_many_attempts(wait)
    user = session.scalar(select(User).where(User.phone == phone)) if _PHONE.match(phone) else None
    if not verify_password(user, password) or user is None:
        throttle.record_failure(session, key, now)
        return AccountError("password", N_("手机号或密码不对。"))
    throttle.clear_failures(session, key)
    return user


def too_many_attempts(wait: timedelta) -> AccountError:
    """The answer while a number is locked: how long to wait, nothing about the account."""
    return AccountError("password", N_("这个手机号密码输错太多次了，为了安全，请%(minutes)s分钟后再试。"),
                        retry_after=max(1, int(wait.total_seconds() + 0.999)),
                        minutes=throttle.minutes(wait))


def check_own_password(session: Session, user: User, password: str, secret: str,
                       now: datetime) -> AccountError | None:
    """A signed-in person's password again (change, delete): counted and locked like a login."""
    key = throttle.throttle_key(secret, user.phone)
    wait = throttle.locked_for(session, key, now)
    if wait is not None:
        return too_many_attempts(wait)
    if not verify_password(user, password):
        throttle.record_failure(session, key, now)
        return AccountError("old_password", N_("原密码不对。"))
    throttle.clear_failures(session, key)
    return None


def sign_out_everywhere(session: Session, user: User) -> None:
    """Every session cookie and API token issued so far stops working."""
    user.session_version += 1
    session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))


def change_password(session: Session, user: User, old: str, new: str, secret: str,
                    now: datetime) -> AccountError | None:
    """Change the password after checking the old one; signs the user out everywhere.

    Returns the error instead of raising it so that a counted wrong password is committed.
    """
    problem = password_problem(new, user.phone)
    if problem is not None:
        return AccountError("password", problem)
    error = check_own_password(session, user, old, secret, now)
    if error is not None:
        return error
    user.password_hash = hash_password(new)
    sign_out_everywhere(session, user)
    return None


def reset_password(session: Session, phone: str, new: str, secret: str) -> User:
    """Set a new password after a reset code was checked; signs the user out everywhere.

    The code proved the phone is theirs, so a lock that someone else's guessing put on the number
    is lifted: nobody can keep the owner out with wrong passwords.
    """
    user = session.scalar(select(User).where(User.phone == phone))
    if user is None:  # only reachable with a working code, which unregistered numbers never get
        raise AccountError("code", N_("验证码已失效，请重新获取。"))
    check_password_rules(new, phone)
    user.password_hash = hash_password(new)
    sign_out_everywhere(session, user)
    throttle.clear_failures(session, throttle.throttle_key(secret, phone))
    return user


def give_consent(user: User, version: str, now: datetime) -> None:
    """Record that the person agreed to the consent text of ``version``."""
    user.consent_at = now
    user.consent_version = version


def issue_token(session: Session, user: User, now: datetime) -> str:
    """A new API bearer token (shown once; only its hash is stored)."""
    from web.auth import token_digest

    token = secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=token_digest(token),
                         session_version=user.session_version, created_at=now))
    session.flush()
    return token


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes for UTC columns."""
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
