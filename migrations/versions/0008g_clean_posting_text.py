"""postings and employers lose bidi and control characters (what ingestion now removes)

Stored postings were cleaned by the older rules: a title such as "高薪\u202egpj.exe\u202d焊工招聘"
kept its override and showed reversed. This removes what ``jobs_ingest.text.drop_unsafe`` removes
from the shown text of every stored posting and employer; the next ingest run redoes every item
anyway (``NORMALISER_VERSION`` 3), this covers postings no source lists any more and those a
bureau typed in. An employer whose cleaned name is another's is merged into that one.

Revision ID: 0008g
Revises: 0008b
Create Date: 2026-12-07 17:30:00

"""
import sqlalchemy as sa
from alembic import op

from jobs_ingest.text import drop_unsafe

# revision identifiers, used by Alembic.
revision = '0008g'
down_revision = '0008b'
branch_labels = None
depends_on = None

POSTING_TEXT = ('title', 'description', 'place_text', 'wage_text')
BATCH = 1000


def upgrade():
    conn = op.get_bind()
    _clean_postings(conn)
    _clean_employers(conn)


def _clean_postings(conn):
    postings = sa.table('postings', sa.column('id'), *(sa.column(c) for c in POSTING_TEXT))
    last = 0
    while True:
        rows = conn.execute(sa.select(postings).where(postings.c.id > last)
                            .order_by(postings.c.id).limit(BATCH)).all()
        if not rows:
            return
        for row in rows:
            changed = {c: drop_unsafe(getattr(row, c)) for c in POSTING_TEXT
                       if getattr(row, c) and drop_unsafe(getattr(row, c)) != getattr(row, c)}
            if changed:
                conn.execute(postings.update().where(postings.c.id == row.id).values(**changed))
        last = rows[-1].id


def _clean_employers(conn):
    employers = sa.table('employers', sa.column('id'), sa.column('name'))
    postings = sa.table('postings', sa.column('employer_id'))
    for row in conn.execute(sa.select(employers)).all():
        name = drop_unsafe(row.name or '')
        if name == row.name:
            continue
        same = conn.scalar(sa.select(employers.c.id).where(employers.c.name == name))
        if same is None:
            conn.execute(employers.update().where(employers.c.id == row.id).values(name=name))
        else:
            conn.execute(postings.update().where(postings.c.employer_id == row.id).values(employer_id=same))
            conn.execute(employers.delete().where(employers.c.id == row.id))


def downgrade():
    pass  # the removed characters were never meant to be there
