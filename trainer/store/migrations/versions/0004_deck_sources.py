"""Deck sources: where each card was found and what it said; deck files' hashes.

``card_sources`` (one row per card) lets a card keep its history when its text is edited,
when it moves, and when its file is renamed (trainer/deck/identity.py). ``deck_files``
keeps each file's content hash and last good parse: unchanged files are not parsed again,
and a file with errors keeps serving its last good version. New tables only: no existing
row changes, and the first start-up after the upgrade fills them.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "card_sources",
        sa.Column("card_id", sa.Integer,
                  sa.ForeignKey("cards.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("path", sa.String, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("digest", sa.String, nullable=False),
        sa.Column("explicit_id", sa.String),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("answer", sa.Text, nullable=False),
    )
    op.create_index("ix_card_sources_digest", "card_sources", ["digest"])
    op.create_table(
        "deck_files",
        sa.Column("path", sa.String, primary_key=True),
        sa.Column("digest", sa.String, nullable=False),
        sa.Column("parse_key", sa.String, nullable=False),
        sa.Column("good", sa.Text),
        sa.Column("problems", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("deck_files")
    op.drop_index("ix_card_sources_digest", "card_sources")
    op.drop_table("card_sources")
