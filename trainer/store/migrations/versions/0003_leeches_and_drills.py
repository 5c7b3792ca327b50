"""Leeches and drill reviews.

``cards.leech`` marks a card that lapsed too often (it is suspended at the same time).
``reviews.kind`` tells a scheduled review (it moved the FSRS state) from a drill (an extra
practice of a missed card, logged but never applied to the schedule).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cards") as batch:
        batch.add_column(sa.Column("leech", sa.Boolean, nullable=False, server_default=sa.false()))
    with op.batch_alter_table("reviews") as batch:
        batch.add_column(
            sa.Column("kind", sa.String, nullable=False, server_default="scheduled"))


def downgrade() -> None:
    with op.batch_alter_table("reviews") as batch:
        batch.drop_column("kind")
    with op.batch_alter_table("cards") as batch:
        batch.drop_column("leech")
