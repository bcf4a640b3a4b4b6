"""teacher marks, booster reviews and pact signatures

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa

from lti_app.db import UTCDateTime


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('pact_signatures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('deployment_id', sa.String(length=255), nullable=False),
    sa.Column('context_id', sa.String(length=255), nullable=False),
    sa.Column('resource_link_id', sa.String(length=255), nullable=False),
    sa.Column('user_sub', sa.String(length=255), nullable=False),
    sa.Column('commitments', sa.JSON(), nullable=False),
    sa.Column('locale', sa.String(length=16), nullable=False),
    sa.Column('signed_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'], name=op.f('fk_pact_signatures_platform_id_platforms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pact_signatures')),
    sa.UniqueConstraint('platform_id', 'deployment_id', 'context_id', 'resource_link_id', 'user_sub', name='uq_pact_signatures_learner')
    )
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        # Attempts made before marking existed have no marks.
        batch_op.add_column(sa.Column('marks', sa.JSON(), nullable=False, server_default=sa.text("'{}'")))
        batch_op.add_column(sa.Column('boosters', sa.JSON(), nullable=False, server_default=sa.text("'{}'")))


def downgrade() -> None:
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_column('boosters')
        batch_op.drop_column('marks')

    op.drop_table('pact_signatures')
