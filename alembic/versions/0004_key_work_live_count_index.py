"""Key-work sessions of a site that are not archived can be counted from an index

``KeyWorkService.count`` runs on every open of the Key-work page; with ``archived_at`` in the
index the count reads index entries only, not every session row of the site.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 15:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_key_work_sessions_site_archived",
        "key_work_sessions",
        ["site_id", "archived_at", "started_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_key_work_sessions_site_archived", table_name="key_work_sessions")
