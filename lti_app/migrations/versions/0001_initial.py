"""platforms, deployments, keys and the shared store

Revision ID: 0001
Revises: 
"""
from alembic import op
import sqlalchemy as sa

from lti_app.db import UTCDateTime


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('platforms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('issuer', sa.String(length=500), nullable=False),
    sa.Column('client_id', sa.String(length=255), nullable=False),
    sa.Column('auth_login_url', sa.String(length=1000), nullable=False),
    sa.Column('auth_token_url', sa.String(length=1000), nullable=False),
    sa.Column('auth_audience', sa.String(length=1000), nullable=False),
    sa.Column('key_set_url', sa.String(length=1000), nullable=False),
    sa.Column('key_set', sa.JSON(), nullable=True),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_platforms')),
    sa.UniqueConstraint('issuer', 'client_id', name='uq_platforms_issuer_client')
    )
    op.create_table('store_entries',
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('expires_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_store_entries'))
    )
    with op.batch_alter_table('store_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_store_entries_expires_at'), ['expires_at'], unique=False)

    op.create_table('tool_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kid', sa.String(length=100), nullable=False),
    sa.Column('private_pem', sa.Text(), nullable=False),
    sa.Column('public_jwk', sa.JSON(), nullable=False),
    sa.Column('state', sa.Enum('next', 'current', 'previous', name='key_state'), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('expires_at', UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tool_keys')),
    sa.UniqueConstraint('kid', name=op.f('uq_tool_keys_kid'))
    )
    op.create_table('deployments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('deployment_id', sa.String(length=255), nullable=False),
    sa.Column('status', sa.Enum('active', 'pending', 'disabled', name='deployment_status'), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'], name=op.f('fk_deployments_platform_id_platforms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deployments')),
    sa.UniqueConstraint('platform_id', 'deployment_id', name='uq_deployments_platform_deployment')
    )


def downgrade() -> None:
    op.drop_table('deployments')
    op.drop_table('tool_keys')
    with op.batch_alter_table('store_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_store_entries_expires_at'))

    op.drop_table('store_entries')
    op.drop_table('platforms')
