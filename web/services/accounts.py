"""Seekers' accounts: sign-up with a one-time code, passwords (argon2), consent, log-out everywhere.

Services take the session and never commit. Errors carry a form field and a message (msgids in
Chinese; views translate them).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from web.models import ApiToken, OneTimeCode, RoleAssignment, User
from web.services.notify import Sender

CODE_TTL = timedelta(minutes=10)
CODE_ATTEMPTS = 5
CODES_PER_HOUR = 5
MIN_PASSWORD = 8
MAX_PASSWORD = 128
PURPOSES = ("signup", "reset")

_hasher = PasswordHasher()
_PHONE = re.compile(r"^1[3-9]\d{9}$")
# Verifying against this when the phone is unknown takes as long as a real check.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def N_(message: str) -> str:  # noqa: N802 - gettext_noop
    """Mark a message for the catalogue; views translate it."""
    return message


class AccountError(ValueError):
    """Input an account action cannot accept; ``field`` names the form field."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def normalise_phone(text: str) -> str:
    """A mainland mobile number as 11 digits ("+86 138-0013-8000" → "13800138000")."""
    digits = re.sub(r"[\s\-()（）]", "", text or "")
    digits = re.sub(r"^(\+?86)(?=1\d{10}$)", "", digits)
    if not _PHONE.match(digits):
        raise AccountError("phone", N_("请填写11位手机号码，例如 13800138000。"))
    return digits


def check_password_rules(password: str) -> None:
    """At least 8 characters, not all digits the same, not absurdly long."""
    if len(password) < MIN_PASSWORD:
        raise AccountError("password", N_("密码至少要8位。"))
    if len(password) > MAX_PASSWORD:
        raise AccountError("password", N_("密码太长了（最多128位）。"))
    if len(set(password)) < 3:
        raise AccountError("password", N_("密码太简单了，请换一个。"))


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


def send_code(session: Session, sender: Sender, secret: str, phone: str, purpose: str,
              now: datetime) -> None:
    """Send a 6-digit code; at most 5 per phone per hour (counted in the database, so every
    process sees the same count)."""
    assert purpose in PURPOSES
    recent = session.scalar(select(func.count(OneTimeCode.id)).where(
        OneTimeCode.phone == phone, OneTimeCode.created_at > now - timedelta(hours=1)))
    if recent >= CODES_PER_HOUR:
        raise AccountError("phone", N_("验证码发送太频繁了，请一小时后再试。"))
    code = f"{secrets.randbelow(1_000_000):06d}"
    digest = _code_digest(secret, phone, purpose, code)
    session.add(OneTimeCode(phone=phone, purpose=purpose, code_hash=digest, expires_at=now + CODE_TTL,
                            created_at=now))
    session.flush()
    sender.send(phone, "verify_code", {"code": code})


def check_code(session: Session, secret: str, phone: str, purpose: str, code: str,
               now: datetime) -> AccountError | None:
    """Accept the newest live code once, or return why not; a wrong guess counts and five spend it.

    Returns the error instead of raising it so that the caller commits the counted guess.
    """
    row = session.scalar(select(OneTimeCode).where(
        OneTimeCode.phone == phone, OneTimeCode.purpose == purpose, OneTimeCode.used_at.is_(None))
        .order_by(OneTimeCode.id.desc()).limit(1))
    if row is None or _aware(row.expires_at) < now or row.attempts >= CODE_ATTEMPTS:
        return AccountError("code", N_("验证码已失效，请重新获取。"))
    expected = _code_digest(secret, phone, purpose, (code or "").strip())
    if not hmac.compare_digest(expected, row.code_hash):
        row.attempts += 1
        return AccountError("code", N_("验证码不对，请再看一下短信。"))
    row.used_at = now
    return None


def user_exists(session: Session, phone: str) -> bool:
    """Whether an account uses this phone."""
    return session.scalar(select(User.id).where(User.phone == phone)) is not None


def create_seeker(session: Session, phone: str, password: str, now: datetime) -> User:
    """A new seeker account with a verified phone (the code was checked before)."""
    if user_exists(session, phone):
        raise AccountError("phone", N_("这个手机号已经注册过了，请直接登录。"))
    check_password_rules(password)
    user = User(phone=phone, password_hash=hash_password(password), phone_verified_at=now, created_at=now)
    session.add(user)
    session.flush()
    session.add(RoleAssignment(user_id=user.id, role="seeker"))
    session.flush()
    return user


def authenticate(session: Session, phone_text: str, password: str) -> User:
    """The user with this phone and password, or an error that does not say which one was wrong."""
    try:
        phone = normalise_phone(phone_text)
    except AccountError:
        phone = ""
    user = session.scalar(select(User).where(User.phone == phone)) if phone else None
    if not verify_password(user, password) or user is None:
        raise AccountError("password", N_("手机号或密码不对。"))
    return user


def sign_out_everywhere(session: Session, user: User) -> None:
    """Every session cookie and API token issued so far stops working."""
    user.session_version += 1
    session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))


def change_password(session: Session, user: User, old: str, new: str) -> None:
    """Change the password after checking the old one; signs the user out everywhere."""
    if not verify_password(user, old):
        raise AccountError("old_password", N_("原密码不对。"))
    check_password_rules(new)
    user.password_hash = hash_password(new)
    sign_out_everywhere(session, user)


def reset_password(session: Session, phone: str, new: str) -> User:
    """Set a new password after a reset code was checked; signs the user out everywhere."""
    user = session.scalar(select(User).where(User.phone == phone))
    if user is None:
        raise AccountError("phone", N_("这个手机号还没有注册。"))
    check_password_rules(new)
    user.password_hash = hash_password(new)
    sign_out_everywhere(session, user)
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
