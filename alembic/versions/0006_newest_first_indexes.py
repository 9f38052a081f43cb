"""Lists newest first across many sites read a page, not every session

Key work, groups and supervision list newest first. For a user at one site the
(site, started) indexes serve that; for a psychologist working at every site the database
sorted every session of every site for each page (390 ms at the stress scale). A
(started_at, id) index lets it read backwards from the newest and stop after a page; the
services now break ties by id in the same direction as the date, so the index gives the
whole order.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 18:50:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("ix_key_work_sessions_started_id", "key_work_sessions"),
    ("ix_group_sessions_started_id", "group_sessions"),
    ("ix_supervision_sessions_started_id", "supervision_sessions"),
)


def upgrade() -> None:
    for name, table in INDEXES:
        op.create_index(name, table, ["started_at", "id"])


def downgrade() -> None:
    for name, table in reversed(INDEXES):
        op.drop_index(name, table_name=table)
