"""sources: the name seekers see, the publisher's phone and how soon it answers an application

Revision ID: 0008b
Revises: 0007
Create Date: 2026-11-29 10:00:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0008b"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.add_column(sa.Column("public_name", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("contact_phone", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("reply_days", sa.Integer(), nullable=True))
    # The demo source is the team's bureau-style export: seekers see it as a county bureau's list.
    op.execute(
        sa.text(
            "UPDATE sources SET public_name = '县人社局（演示数据）' "
            "WHERE name = 'demo-bureau-export' AND public_name IS NULL"
        )
    )


def downgrade():
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.drop_column("reply_days")
        batch_op.drop_column("contact_phone")
        batch_op.drop_column("public_name")
