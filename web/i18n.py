"""Languages: Simplified Chinese first, English second (Flask-Babel message catalogues).

Message ids are the Chinese texts; ``translations/en`` holds the English catalogue. The
language comes from ``?lang=`` (remembered in the session), then the session, then Chinese.
"""

from __future__ import annotations

from typing import Any

from flask import request, session
from flask_babel import Babel

LANGUAGES = {"zh": "中文", "en": "English"}
DEFAULT = "zh"
babel = Babel()


def select_locale() -> str:
    """The language of this request."""
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        return chosen
    stored = session.get("lang")
    return stored if stored in LANGUAGES else DEFAULT


def remember_language() -> None:
    """Keep a language picked with ?lang= for the rest of the visit."""
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        session["lang"] = chosen


def register(app: Any) -> None:
    """Bind Babel and the language hooks to the app."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    babel.init_app(app, locale_selector=select_locale)
    app.before_request(remember_language)

    @app.context_processor
    def languages() -> dict[str, Any]:
        return {"languages": LANGUAGES, "current_language": select_locale(),
                "has_endpoint": lambda name: name in app.view_functions}
