"""match_rows, match_docs, match_terms, match_meta: the PostgreSQL match index (pgvector), created only where
the ``vector`` extension is available; elsewhere (SQLite, PostgreSQL without pgvector) nothing is
created and the site keeps the in-process index

Revision ID: 0010a
Revises: 0009t
Create Date: 2026-12-07 23:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010a'
down_revision = '0009t'
branch_labels = None
depends_on = None


def _has_pgvector(bind):
    if bind.dialect.name != 'postgresql':
        return False
    return bind.execute(sa.text(
        "SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")).first() is not None


def upgrade():
    bind = op.get_bind()
    if not _has_pgvector(bind):
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS vector")
    # Rows stay inline up to a page (no TOAST read per candidate): vectors and term weights
    # are about 3 KB.
    op.execute("""
        CREATE TABLE match_rows (
            posting_id integer PRIMARY KEY REFERENCES postings (id) ON DELETE CASCADE,
            model_id varchar(200) NOT NULL,
            pos point,
            housing boolean NOT NULL,
            wage_top double precision,
            type_code smallint NOT NULL,
            job_months smallint NOT NULL,
            posted_day double precision,
            trust double precision NOT NULL,
            zh double precision NOT NULL,
            latin double precision NOT NULL,
            occ_code varchar(16),
            use_vec halfvec(512) NOT NULL,
            en_vec halfvec(384),
            lex sparsevec NOT NULL,
            lex_norm double precision NOT NULL
        ) WITH (toast_tuple_target = 8160)
    """)
    for column in ("use_vec", "en_vec", "lex"):
        op.execute(f"ALTER TABLE match_rows ALTER COLUMN {column} SET STORAGE MAIN")
    op.execute("CREATE INDEX ix_match_rows_pos ON match_rows USING gist (pos)")
    op.execute("CREATE INDEX ix_match_rows_housed ON match_rows USING hnsw (use_vec halfvec_cosine_ops)"
               " WHERE housing AND pos IS NOT NULL")
    # a relocating worker's trade among the housed postings, newest first (read from the index alone)
    op.execute("CREATE INDEX ix_match_rows_housed_occ ON match_rows (occ_code, posted_day DESC NULLS LAST, posting_id)"
               " WHERE housing AND pos IS NOT NULL")
    op.execute("CREATE INDEX ix_match_rows_housed_new ON match_rows (posted_day DESC NULLS LAST, posting_id)"
               " WHERE housing AND pos IS NOT NULL")
    op.execute("""
        CREATE TABLE match_docs (
            posting_id integer PRIMARY KEY REFERENCES postings (id) ON DELETE CASCADE,
            occupations jsonb NOT NULL,
            doc jsonb NOT NULL,
            lex_dims integer[] NOT NULL,
            lex_tfs double precision[] NOT NULL
        )
    """)
    op.execute("CREATE TABLE match_terms (dim integer PRIMARY KEY, df integer NOT NULL)")
    op.execute("CREATE TABLE match_meta (key varchar(40) PRIMARY KEY, value bigint NOT NULL)")


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name != 'postgresql':
        return
    op.execute("DROP TABLE IF EXISTS match_rows")
    op.execute("DROP TABLE IF EXISTS match_docs")
    op.execute("DROP TABLE IF EXISTS match_terms")
    op.execute("DROP TABLE IF EXISTS match_meta")
