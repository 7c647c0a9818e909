"""posting_sources.item_updated_at: the item's own update time per sighting (an older version
never overwrites a newer one); an index on postings.content_hash (the same content is one posting)

Revision ID: 0009b
Revises: 0009a
Create Date: 2026-12-07 20:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009b'
down_revision = '0009a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('posting_sources', schema=None) as batch_op:
        batch_op.add_column(sa.Column('item_updated_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('postings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_postings_content_hash'), ['content_hash'], unique=False)


def downgrade():
    with op.batch_alter_table('postings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_postings_content_hash'))
    with op.batch_alter_table('posting_sources', schema=None) as batch_op:
        batch_op.drop_column('item_updated_at')
