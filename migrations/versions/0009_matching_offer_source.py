"""matching: the pool kind an offer came through, and why a revoked offer was revoked

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24 09:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pool_kind', sa.Enum('crowd', 'staff', name='poolkind', native_enum=False, create_constraint=True, length=24), server_default='crowd', nullable=False))
        batch_op.add_column(sa.Column('revoked_reason', sa.String(length=32), nullable=True))
    # Existing offers keep the old reading: staff when the question's pool is a staff pool or
    # the expert is not a member of the question's pool (only the staff ring offered such).
    op.execute(
        "UPDATE offers SET pool_kind = 'staff' WHERE EXISTS ("
        " SELECT 1 FROM questions JOIN pools ON pools.id = questions.pool_id"
        " WHERE questions.id = offers.question_id AND (pools.kind = 'staff' OR NOT EXISTS ("
        "  SELECT 1 FROM pool_memberships WHERE pool_memberships.pool_id = questions.pool_id"
        "  AND pool_memberships.expert_id = offers.expert_id)))"
    )


def downgrade():
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_offers_poolkind'), type_='check')
        batch_op.drop_column('revoked_reason')
        batch_op.drop_column('pool_kind')
