"""grade outbox

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

from lti_app.db import UTCDateTime


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('score_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('lineitem_url', sa.String(length=1000), nullable=False),
    sa.Column('scopes', sa.JSON(), nullable=False),
    sa.Column('user_sub', sa.String(length=255), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=True),
    sa.Column('score_given', sa.Float(), nullable=True),
    sa.Column('score_maximum', sa.Float(), nullable=False),
    sa.Column('activity_progress', sa.String(length=20), nullable=False),
    sa.Column('grading_progress', sa.String(length=20), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('status', sa.Enum('queued', 'delivered', 'failed', 'superseded', name='delivery_status'), nullable=False),
    sa.Column('tries', sa.Integer(), nullable=False),
    sa.Column('next_try_at', UTCDateTime(), nullable=False),
    sa.Column('claimed_until', UTCDateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('delivered_at', UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'], name=op.f('fk_score_deliveries_platform_id_platforms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_score_deliveries'))
    )
    with op.batch_alter_table('score_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_score_deliveries_attempt_id'), ['attempt_id'], unique=False)
        batch_op.create_index('ix_score_deliveries_due', ['status', 'next_try_at'], unique=False)
        batch_op.create_index('ix_score_deliveries_key', ['platform_id', 'lineitem_url', 'user_sub'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('score_deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_score_deliveries_key')
        batch_op.drop_index('ix_score_deliveries_due')
        batch_op.drop_index(batch_op.f('ix_score_deliveries_attempt_id'))

    op.drop_table('score_deliveries')
