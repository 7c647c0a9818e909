"""posting changed_at: when what the match index sees of a posting last changed

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 17:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    # Existing rows get the migration's time: an index built after it reads them all anyway.
    with op.batch_alter_table('postings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('changed_at', sa.DateTime(timezone=True),
                                      server_default=sa.func.current_timestamp(), nullable=False))
        batch_op.create_index(batch_op.f('ix_postings_changed_at'), ['changed_at'], unique=False)


def downgrade():
    with op.batch_alter_table('postings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_postings_changed_at'))
        batch_op.drop_column('changed_at')
