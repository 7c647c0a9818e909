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
        docs_path="/api/v1/docs",
    )
    app.config.from_mapping(Settings.from_env().flask_config())
    app.config["AUTO_404_RESPONSE"] = False
    if config:
        app.config.from_mapping(config)
    register_extensions(app)
    register_i18n(app)
    register_blueprints(app)
    register_errors(app)
    register_cli(app)
    return app


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


def register_i18n(app: APIFlask) -> None:
    """Chinese first, English second."""
    from web.i18n import register

    register(app)


def register_blueprints(app: APIFlask) -> None:
    """One blueprint per feature."""
    from web.views import api, health, jobs, search

    app.register_blueprint(search.bp)
    app.register_blueprint(jobs.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(health.bp)


def register_errors(app: APIFlask) -> None:
    """Friendly pages for 404/413/500 on the site; JSON errors stay JSON under /api."""
    from web.views.errors import register

    register(app)


def register_cli(app: APIFlask) -> None:
    """The ``flask --app wsgi ...`` commands."""
    from web.cli import register

    register(app)
