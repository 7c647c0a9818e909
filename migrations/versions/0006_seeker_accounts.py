"""seeker accounts: sessions, consent, profile details, marks, reports, codes, tokens, notifications

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 18:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
EMPTY_LIST = sa.text("'[]'")


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('phone_verified_at', TS, nullable=True))
        batch_op.add_column(sa.Column('consent_at', TS, nullable=True))
        batch_op.add_column(sa.Column('consent_version', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('last_seen_matches_at', TS, nullable=True))

    with op.batch_alter_table('workers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unavailable_months', sa.JSON(), server_default=EMPTY_LIST, nullable=False))
        batch_op.add_column(sa.Column('employment_types', sa.JSON(), server_default=EMPTY_LIST, nullable=False))
        batch_op.add_column(sa.Column('certificates', sa.JSON(), server_default=EMPTY_LIST, nullable=False))
        batch_op.add_column(sa.Column('languages', sa.JSON(), server_default=EMPTY_LIST, nullable=False))
        batch_op.add_column(sa.Column('updated_at', TS, server_default=sa.func.now(), nullable=False))

    op.create_table('posting_marks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('posting_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('created_at', TS, nullable=False),
    sa.CheckConstraint("kind IN ('saved', 'dismissed')", name=op.f('ck_posting_marks_mark_kind')),
    sa.ForeignKeyConstraint(['posting_id'], ['postings.id'], name=op.f('fk_posting_marks_posting_id_postings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['worker_id'], ['workers.id'], name=op.f('fk_posting_marks_worker_id_workers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_posting_marks')),
    sa.UniqueConstraint('worker_id', 'posting_id', name=op.f('uq_posting_marks_worker_id_posting_id'))
    )
    op.create_table('posting_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('posting_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', TS, nullable=False),
    sa.ForeignKeyConstraint(['posting_id'], ['postings.id'], name=op.f('fk_posting_reports_posting_id_postings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_posting_reports_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_posting_reports'))
    )
    with op.batch_alter_table('posting_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_posting_reports_posting_id'), ['posting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_posting_reports_status'), ['status'], unique=False)

    op.create_table('one_time_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('expires_at', TS, nullable=False),
    sa.Column('used_at', TS, nullable=True),
    sa.Column('created_at', TS, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_one_time_codes'))
    )
    with op.batch_alter_table('one_time_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_one_time_codes_phone'), ['phone'], unique=False)

    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.Column('created_at', TS, nullable=False),
    sa.Column('last_used_at', TS, nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('dedupe_key', sa.String(length=100), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', TS, nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    sa.UniqueConstraint('user_id', 'kind', 'dedupe_key', name=op.f('uq_notifications_user_id_kind_dedupe_key'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_user_id'), ['user_id'], unique=False)


def downgrade():
    for table in ('notifications', 'api_tokens', 'one_time_codes', 'posting_reports', 'posting_marks'):
        op.drop_table(table)
    with op.batch_alter_table('workers', schema=None) as batch_op:
        for column in ('updated_at', 'languages', 'certificates', 'employment_types', 'unavailable_months'):
            batch_op.drop_column(column)
    with op.batch_alter_table('users', schema=None) as batch_op:
        for column in ('last_seen_matches_at', 'consent_version', 'consent_at', 'phone_verified_at',
                       'session_version'):
            batch_op.drop_column(column)
