"""Flask extensions, created unbound; ``create_app`` binds them."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import Engine, MetaData, event
from sqlalchemy.orm import DeclarativeBase

# Named constraints so that Alembic batch migrations on SQLite can find and alter them.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with the naming convention."""

    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
# Per-process memory by default; RATELIMIT_STORAGE_URI (e.g. redis://) shares limits between workers.
limiter = Limiter(key_func=get_remote_address, default_limits=[])


@contextmanager
def transaction() -> Iterator[Any]:
    """The request (or job) boundary: yields the session, commits once on success, rolls back on error.

    Services take the session and never commit; views and jobs wrap their one service call in this.
    """
    try:
        yield db.session
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


SQLITE_BUSY_MS = 30_000  # a writer waits this long for another's short transaction, never fails at once
IMMEDIATE = "jiujin_begin_immediate"


def configure_sqlite(engine: Engine) -> None:
    """Make pysqlite transactional the way SQLAlchemy documents it ("Serializable isolation /
    Savepoints / Transactional DDL"): we emit BEGIN ourselves so SAVEPOINTs nest correctly,
    and foreign keys are enforced as on PostgreSQL.

    Several processes share the file (web workers, the scheduler, the CLI): WAL lets readers
    go on while one writes, and ``busy_timeout`` makes a writer wait for the lock instead of
    failing with "database is locked". Background work (ingest, import jobs) writes in short
    ``BEGIN IMMEDIATE`` transactions (``begin_write``) and never holds one while fetching."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")  # kept in the file; ignored for :memory:
        cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL: a power cut may lose the last commits
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(IMMEDIATE) else "BEGIN")


def begin_write(session: Any) -> None:
    """Start the session's next transaction as a writer: on SQLite ``BEGIN IMMEDIATE``, which
    takes the write lock first (waiting ``busy_timeout``), so a read-then-write transaction
    cannot fail half-way on a lock upgrade. Nothing to do when a transaction is already open
    (it keeps its mode) or on PostgreSQL."""
    # A scoped_session does not proxy in_transaction: ask the session it stands for.
    real = session() if hasattr(session, "registry") else session
    if real.in_transaction() or real.get_bind().dialect.name != "sqlite":
        return
    real.connection(execution_options={IMMEDIATE: True})
