"""attempts

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

from lti_app.db import UTCDateTime


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('deployment_id', sa.String(length=255), nullable=False),
    sa.Column('context_id', sa.String(length=255), nullable=False),
    sa.Column('resource_link_id', sa.String(length=255), nullable=False),
    sa.Column('user_sub', sa.String(length=255), nullable=False),
    sa.Column('module_id', sa.String(length=100), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('in_progress', 'submitted', name='attempt_status'), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('drafts', sa.JSON(), nullable=False),
    sa.Column('practice', sa.JSON(), nullable=False),
    sa.Column('page', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('max_score', sa.Float(), nullable=True),
    sa.Column('needs_marking', sa.Boolean(), nullable=False),
    sa.Column('started_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.Column('submitted_at', UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'], name=op.f('fk_attempts_platform_id_platforms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attempts')),
    sa.UniqueConstraint('platform_id', 'deployment_id', 'context_id', 'resource_link_id', 'user_sub', 'number', name='uq_attempts_learner_number')
    )
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.create_index('ix_attempts_activity', ['platform_id', 'context_id', 'resource_link_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_attempts_activity')

    op.drop_table('attempts')
