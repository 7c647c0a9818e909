"""Password rules: long enough, not a common password, not the account's own phone number.

The common-password list ships in the repository (web/data/common-passwords.txt, its sources in
its header) and is read once per process. Comparison ignores case: "PassWord1" is "password1".
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

MIN_PASSWORD = 8
MAX_PASSWORD = 128
COMMON_PASSWORDS = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt"


def N_(message: str) -> str:  # noqa: N802 - gettext_noop
    """Mark a message for the catalogue; views translate it."""
    return message


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, lower case."""
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def password_problem(password: str, phone: str | None = None) -> str | None:
    """Why ``password`` is refused (a msgid), or None when it is acceptable for the account ``phone``."""
    if len(password) < MIN_PASSWORD:
        return N_("密码至少要8位。")
    if len(password) > MAX_PASSWORD:
        return N_("密码太长了（最多128位）。")
    if len(set(password)) < 3:
        return N_("密码太简单了，请换一个。")
    if phone and phone in re.sub(r"\D", "", password):
        return N_("密码不能包含手机号，请换一个。")
    if password.strip().lower() in common_passwords():
        return N_("这个密码太常见，很容易被猜到，请换一个。")
    return None
