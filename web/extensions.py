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


def configure_sqlite(engine: Engine) -> None:
    """Make pysqlite transactional the way SQLAlchemy documents it ("Serializable isolation /
    Savepoints / Transactional DDL"): we emit BEGIN ourselves so SAVEPOINTs nest correctly,
    and foreign keys are enforced as on PostgreSQL."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")
