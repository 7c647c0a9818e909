"""The Alembic history has one head and the migrated schema equals the models."""

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from web.config import ROOT
from web.extensions import db
from web.services.pgindex import outside_models


def test_single_alembic_head():
    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_migrated_schema_equals_models(app):
    with app.app_context(), db.engine.connect() as conn:
        # the match index's tables (pgvector, written in SQL by 0010a) are not models
        opts = {"compare_type": True, "include_name": outside_models}
        context = MigrationContext.configure(conn, opts=opts)
        assert compare_metadata(context, db.metadata) == []


def test_database_is_at_head(app):
    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    head = ScriptDirectory.from_config(config).get_current_head()
    with app.app_context(), db.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head
