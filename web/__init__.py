"""The Jiujin web application: app factory, models, services, CLI, scheduler wiring, views."""

from __future__ import annotations

from typing import Any

from apiflask import APIFlask

from web.config import INSTANCE, Settings


def create_app(config: dict[str, Any] | None = None) -> APIFlask:
    """Build the app: settings from the environment, then ``config`` overrides on top."""
    app = APIFlask(
        __name__,
        instance_path=str(INSTANCE),
        title="Jiujin (就近) API",
        version="1",
        spec_path="/api/v1/openapi.json",
        docs_path=None,  # web/views/docs.py serves Swagger UI from static files, under the CSP
        docs_oauth2_redirect_path=None,
    )
    app.config.from_mapping(Settings.from_env().flask_config())
    app.config["AUTO_404_RESPONSE"] = False
    if config:
        app.config.from_mapping(config)
    register_logging(app)
    register_converters(app)
    register_extensions(app)
    register_auth(app)
    register_security(app)
    register_inputguard(app)
    register_i18n(app)
    register_blueprints(app)
    register_errors(app)
    register_cli(app)
    register_static(app)
    return app


def register_logging(app: APIFlask) -> None:
    """In production, no log record carries a phone number, code or password hash (web.logsafety)."""
    if app.config.get("JIUJIN_ENV") == "production":
        from web import logsafety

        logsafety.install()


def register_converters(app: APIFlask) -> None:
    """``<int:...>`` in every URL stops at 2**31 − 1: a larger id is a 404, never a database error."""
    from werkzeug.routing import IntegerConverter

    class DatabaseId(IntegerConverter):
        # The pattern itself stops at the maximum: were it ``\d+``, a too-large id on a path that
        # other methods share (GET/PUT/DELETE of one URL) would be answered 405, not 404.
        regex = digits_up_to(2**31 - 1)

        def __init__(self, url_map: Any, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault("max", 2**31 - 1)
            super().__init__(url_map, *args, **kwargs)

    app.url_map.converters["int"] = DatabaseId


def digits_up_to(limit: int) -> str:
    """A regular expression matching the decimal numbers 0 … ``limit`` (leading zeros allowed)."""
    text = str(limit)
    branches = [rf"\d{{1,{len(text) - 1}}}"] if len(text) > 1 else []
    for i, digit in enumerate(text):
        if digit != "0":
            rest = len(text) - i - 1
            branches.append(f"{text[:i]}[0-{int(digit) - 1}]" + (rf"\d{{{rest}}}" if rest else ""))
    return "(?:" + "|".join([*branches, text]) + ")"


def register_extensions(app: APIFlask) -> None:
    """Bind the database and migrations; make sure an SQLite file's folder exists."""
    from web.extensions import configure_sqlite, db, migrate
    from web.services.runtime import Runtime

    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite:///"):
        from pathlib import Path

        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)
    migrate.init_app(app, db, directory=str(INSTANCE.parent / "migrations"))
    app.extensions["jiujin"] = Runtime(app.config)
    from web.services.notify import make_sender

    app.extensions["jiujin_notify"] = make_sender(app.config)


def register_auth(app: APIFlask) -> None:
    """Sessions and API tokens, CSRF on every form, rate limits."""
    from web.auth import register

    register(app)


def register_security(app: APIFlask) -> None:
    """Security headers (CSP, framing, nosniff, referrer, HSTS in production) on every response."""
    from web.security import register

    register(app)


def register_inputguard(app: APIFlask) -> None:
    """Input the database cannot hold (control characters, deep JSON) is a 400 before any view."""
    from web.inputguard import register

    register(app)


def register_i18n(app: APIFlask) -> None:
    """Chinese first, English second; the staff workspaces' menu."""
    from web.i18n import register
    from web.workspace import register as register_workspace

    register(app)
    register_workspace(app)


def register_blueprints(app: APIFlask) -> None:
    """One blueprint per feature."""
    from web.extensions import csrf
    from web.views import (
        account,
        admin,
        admin_sources,
        api,
        api_account,
        api_applications,
        api_bureau,
        api_collab,
        api_followup,
        api_seeker,
        applications,
        bureau,
        collab,
        docs,
        followup,
        health,
        jobs,
        moderation,
        push_reply,
        search,
        seeker,
    )

    for blueprint in (search.bp, jobs.bp, account.bp, seeker.bp, applications.bp, moderation.bp,
                      bureau.bp, followup.bp, collab.bp, admin.bp, admin_sources.bp):
        app.register_blueprint(blueprint)
    for blueprint in (api.bp, api_account.bp, api_seeker.bp, api_applications.bp, api_bureau.bp,
                      api_followup.bp, api_collab.bp):
        csrf.exempt(blueprint)  # the API checks its own: a bearer token, or X-CSRFToken with a cookie
        app.register_blueprint(blueprint)
    app.register_blueprint(health.bp)
    app.register_blueprint(push_reply.bp)
    app.register_blueprint(docs.bp)


def register_errors(app: APIFlask) -> None:
    """Friendly pages for 404/413/500 on the site; JSON errors stay JSON under /api."""
    from web.views.errors import register

    register(app)


def register_static(app: APIFlask) -> None:
    """Fingerprinted static URLs with a long cache lifetime; compressed responses."""
    from web.static_files import register

    register(app)


def register_cli(app: APIFlask) -> None:
    """The ``flask --app wsgi ...`` commands."""
    from web.cli import register

    register(app)
