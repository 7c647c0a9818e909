"""Production logs hold no personal data or secrets: phone numbers, one-time codes, password hashes.

SQL parameters are already hidden by the engine (``hide_parameters``) and the access log leaves
out query strings (``gunicorn.conf.py``); this is the net under both. It redacts every log record
of the process when it is created — message, arguments and the formatted traceback — so it holds
whatever handler, logger or library writes the record (a database driver's ``DETAIL: Key
(phone)=(13800001234)`` included).
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any

_PATTERNS: tuple[tuple[re.Pattern[str], Any], ...] = (
    # Mainland mobile numbers, alone or inside longer text: keep the shape, drop the middle digits.
    (re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)"), r"\1****\2"),
    # One-time codes in the words our templates and forms use.
    (re.compile(r"(验证码|code\W{0,3})\d{4,8}", re.IGNORECASE), r"\1[redacted]"),
    # argon2 (and any other modular-crypt) password hashes.
    (re.compile(r"\$argon2(?:id|i|d)\$[^\s'\")\]]+"), "[password hash]"),
    # PostgreSQL's constraint details repeat the offending values.
    (re.compile(r"(Key \([^)]*\)=\()[^)]*(\))"), r"\1[redacted]\2"),
)

_installed: list[Any] = []


def redact(text: str) -> str:
    """``text`` with phone numbers, codes, password hashes and constraint values blanked out."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def install() -> None:
    """Redact every log record this process creates from now on (idempotent)."""
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            record.msg = redact(record.getMessage())
        except Exception:  # a broken format string must still reach the log, redacted
            record.msg = redact(str(record.msg))
        record.args = None
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"))
        return record

    _installed.append(previous)
    logging.setLogRecordFactory(factory)


def uninstall() -> None:
    """Restore the record factory that ``install`` replaced (tests)."""
    if _installed:
        logging.setLogRecordFactory(_installed.pop())
