"""posting_embeddings.text_hash: a hash of the text the vector was made from, so a posting whose
other fields change keeps its vector, and a new posting with an already embedded text reuses one

Revision ID: 0009t
Revises: 0009b
Create Date: 2026-12-07 23:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009t'
down_revision = '0009b'
branch_labels = None
depends_on = None


def upgrade():
    # Existing rows keep NULL: their text is unknown, so a change re-embeds them once (as before).
    with op.batch_alter_table('posting_embeddings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('text_hash', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_posting_embeddings_model_id_text_hash'),
                              ['model_id', 'text_hash'], unique=False)


def downgrade():
    with op.batch_alter_table('posting_embeddings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_posting_embeddings_model_id_text_hash'))
        batch_op.drop_column('text_hash')
