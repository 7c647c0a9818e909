"""Shared fixtures: a migrated database (SQLite, or PostgreSQL via JIUJIN_TEST_DATABASE_URL)
with the demo data ingested once, the app, a client, and a rolled-back session per test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import settings
from sqlalchemy.orm import scoped_session, sessionmaker

os.environ.setdefault("HF_HUB_OFFLINE", "1")

# Property tests check behaviour, never speed (speed lives in bench/): no per-example deadline,
# which a shared 2-core CI machine under load exceeds by chance.
settings.register_profile("jiujin", deadline=None)
settings.load_profile("jiujin")

TODAY = date(2026, 11, 28)
SHARED = Path(__file__).resolve().parents[2] / "shared"


def _reset(url: str) -> None:
    """Empty the test database so migrations start from nothing."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """JIUJIN_TEST_DATABASE_URL if set, else a fresh SQLite file."""
    url = os.environ.get("JIUJIN_TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    _reset(url)
    return url


@pytest.fixture(scope="session")
def model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the default model folder is built for this test session."""
    return tmp_path_factory.mktemp("models") / "use-m3-st"


@pytest.fixture(scope="session")
def app(database_url: str, model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The app on a migrated database holding the demo data (ingested through the pipeline)."""
    from flask_migrate import upgrade

    from web import create_app
    from web.extensions import db
    from web.services.demo import load_demo

    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "JIUJIN_MODEL_PATH": model_path,
        "JIUJIN_SCHEDULER_LOCK": tmp_path_factory.mktemp("lock") / "scheduler.lock",
        "JIUJIN_INDEX_REFRESH_SECONDS": 0,
    })
    with app.app_context():
        upgrade()
        load_demo(db.session, app.extensions["jiujin"], today=TODAY)
        db.session.commit()
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def db_session(app: Any) -> Iterator[Any]:
    """A session inside a transaction that is rolled back after the test (commits become savepoints)."""
    from web.extensions import db

    with app.app_context():
        connection = db.engine.connect()
    # No app context stays pushed: each request pushes its own, as in production.
    outer = connection.begin()
    original = db.session
    db.session = scoped_session(sessionmaker(bind=connection, join_transaction_mode="create_savepoint"))
    try:
        yield db.session
    finally:
        # A warm-up that /healthz started runs on this test's connection (db.session is swapped
        # for the test's): let it end before the connection is rolled back and closed, or the
        # pool gets back a connection in the middle of a transaction.
        app.extensions["jiujin"].wait_warming(300)
        db.session.remove()
        db.session = original
        outer.rollback()
        connection.close()
        # The index may have read this test's uncommitted postings; a rollback leaves no trace
        # in changed_at for it to follow, so the next test starts from a fresh build.
        app.extensions["jiujin"].invalidate()


@pytest.fixture
def client(app: Any, db_session: Any) -> Any:
    """A test client whose requests share the rolled-back session."""
    return app.test_client()


@pytest.fixture
def runtime(app: Any) -> Any:
    """The app's heavy resources (gazetteer, model, index)."""
    return app.extensions["jiujin"]


@pytest.fixture(scope="session")
def gazetteer() -> Any:
    """The gazetteer from the installed cpca data."""
    from places import default_gazetteer

    return default_gazetteer()
