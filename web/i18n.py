"""Languages: Simplified Chinese first, English second (Flask-Babel message catalogues).

Message ids are the Chinese texts; ``translations/en`` holds the English catalogue. The
language comes from ``?lang=`` (remembered in the session), then the session, then Chinese.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import get_month_names
from flask import request, session
from flask_babel import Babel, get_locale

LANGUAGES = {"zh": "中文", "en": "English"}
DEFAULT = "zh"
CHINA = ZoneInfo("Asia/Shanghai")
babel = Babel()


def select_locale() -> str:
    """The language of this request: ``?lang=``, then (API) Accept-Language or (site) the session."""
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        return chosen
    if request.path.startswith("/api/"):
        # An API client has no session to remember a choice: it says so in each request.
        return str(request.accept_languages.best_match(tuple(LANGUAGES), default=DEFAULT))
    stored = session.get("lang")
    return stored if stored in LANGUAGES else DEFAULT


def remember_language() -> None:
    """Keep a language picked with ?lang= for the rest of the visit."""
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        session["lang"] = chosen


def month_name(month: int) -> str:
    """A month in the page's language: "5月" / "May"."""
    locale = get_locale()
    style = "wide" if locale is not None and locale.language == "en" else "abbreviated"
    return str(get_month_names(style, locale=locale or DEFAULT)[int(month)])


def china_time(moment: datetime | None) -> str:
    """A stored moment (UTC; naive means UTC) as people here read it: "2026-12-08 02:31", China time."""
    if moment is None:
        return ""
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    return aware.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")


def join_words(items: Iterable[Any]) -> str:
    """A list in the page's language: "焊工证、电工证" / "welder, electrician"."""
    locale = get_locale()
    return (", " if locale is not None and locale.language == "en" else "、").join(str(i) for i in items)


def register(app: Any) -> None:
    """Bind Babel and the language hooks to the app."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai")  # times as people here read them
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    babel.init_app(app, locale_selector=select_locale)
    app.before_request(remember_language)
    app.add_template_global(month_name)
    app.add_template_filter(month_name, "month")
    app.add_template_filter(join_words, "words")
    app.add_template_filter(china_time, "china_time")

    @app.context_processor
    def languages() -> dict[str, Any]:
        from web.form_pages import language_url

        return {"languages": LANGUAGES, "current_language": select_locale(), "language_url": language_url,
                "has_endpoint": lambda name: name in app.view_functions}
