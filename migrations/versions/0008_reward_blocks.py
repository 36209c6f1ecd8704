"""reward blocks: settlement sets aside a reward it cannot capture

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('rewards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('blocked_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('blocked_reason', sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table('rewards', schema=None) as batch_op:
        batch_op.drop_column('blocked_reason')
        batch_op.drop_column('blocked_at')
