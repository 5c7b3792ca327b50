"""Exercise attempts: the instance seed and parameters, the typed answer, and its verdict.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reviews") as batch:
        batch.add_column(sa.Column("seed", sa.BigInteger))
        batch.add_column(sa.Column("params", sa.Text))
        batch.add_column(sa.Column("answer", sa.Text))
        batch.add_column(sa.Column("correct", sa.Boolean))


def downgrade() -> None:
    with op.batch_alter_table("reviews") as batch:
        batch.drop_column("correct")
        batch.drop_column("answer")
        batch.drop_column("params")
        batch.drop_column("seed")
