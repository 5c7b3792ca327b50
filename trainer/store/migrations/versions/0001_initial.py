"""The first schema: cards with their FSRS state, and the review log.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cards",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String, nullable=False, unique=True),
        sa.Column("deck", sa.String, nullable=False),
        sa.Column("topic", sa.String, nullable=False),
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("ordinal", sa.Integer, nullable=False),
        sa.Column("state", sa.Integer),
        sa.Column("step", sa.Integer),
        sa.Column("stability", sa.Float),
        sa.Column("difficulty", sa.Float),
        sa.Column("due", sa.DateTime),
        sa.Column("last_review", sa.DateTime),
        sa.Column("suspended", sa.Boolean, nullable=False),
        sa.Column("retired", sa.Boolean, nullable=False),
    )
    op.create_index("ix_cards_due", "cards", ["due"])
    op.create_index(
        "ix_cards_new", "cards", ["ordinal", "topic"], sqlite_where=sa.text("due IS NULL")
    )
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "card_id", sa.Integer, sa.ForeignKey("cards.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("rating", sa.Integer, nullable=False),
        sa.Column("reviewed_at", sa.DateTime, nullable=False),
        sa.Column("duration_ms", sa.Integer),
        sa.Column("was_new", sa.Boolean, nullable=False),
        sa.Column("state_before", sa.Text),
        sa.Column("lang", sa.String),
    )
    op.create_index("ix_reviews_reviewed_at", "reviews", ["reviewed_at"])
    op.create_index("ix_reviews_card", "reviews", ["card_id", "reviewed_at"])


def downgrade() -> None:
    op.drop_table("reviews")
    op.drop_table("cards")
