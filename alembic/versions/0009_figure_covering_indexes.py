"""The pack's key-work and attendance figures are counted from index entries alone

An evidence pack counts, for every resident placed in its year, the key-work sessions held
(complete, attended, not archived, at the site), and for every socially creative group of
the year its register entries. Both read the sessions and registers along an index and then
looked up each row for the columns the count tests: about 20,000 row lookups for a site
with ten times the demo's records, 15 ms of the pack's 50 ms of reading.

- Key work: the (placement_id, started_at) index also holds site_id, status,
  did_not_attend and archived_at, so the count reads index entries only. It replaces the
  old index, its prefix, so saving a session updates no more indexes than before.
- Attendance: an index on (group_session_id, archived_at, code) beside the unique
  (group_session_id, resident_id) one, which a register needs; saving a register writes
  one more index entry per resident.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 21:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY_WORK_HELD = ["placement_id", "started_at", "site_id", "status", "did_not_attend", "archived_at"]


def upgrade() -> None:
    op.create_index("ix_key_work_sessions_placement_held", "key_work_sessions", KEY_WORK_HELD)
    op.drop_index("ix_key_work_sessions_placement_started", table_name="key_work_sessions")
    op.create_index(
        "ix_attendances_session_code", "attendances", ["group_session_id", "archived_at", "code"]
    )


def downgrade() -> None:
    op.drop_index("ix_attendances_session_code", table_name="attendances")
    op.create_index(
        "ix_key_work_sessions_placement_started",
        "key_work_sessions",
        ["placement_id", "started_at"],
    )
    op.drop_index("ix_key_work_sessions_placement_held", table_name="key_work_sessions")
