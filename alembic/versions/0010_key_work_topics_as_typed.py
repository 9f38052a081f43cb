"""Key-work topics keep letters beyond ASCII as typed, so a search's words find them

JSON was written with Python's default ``ensure_ascii``: the topic "Émotions" was kept as
``["\\u00c9motions"]``, which no word typed matches (the search looks in the list's text,
along the notes' trigram index of 0008). The app now writes JSON as typed
(``storage.database.json_text``); this rewrites the topics already kept with escapes. The
lists are the same JSON values before and after: only their text changes, and the notes
index follows it (SQLite: its update trigger; PostgreSQL: the index is on the text).

Supervision themes and cases are not rewritten: a signed-off record is locked (0003) and the
database refuses any change to it. Their search reads the lists' items decoded instead
(``services.text_match.list_holds``).

Downgrade leaves the topics as they are: every version reads both forms alike.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 05:20:00
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    found = (  # the lists whose text holds an escape
        "SELECT id, topics FROM key_work_sessions WHERE instr(topics, '\\u') > 0"
        if sqlite
        else "SELECT id, CAST(topics AS TEXT) FROM key_work_sessions "
        "WHERE strpos(CAST(topics AS TEXT), chr(92) || 'u') > 0"  # chr(92): a backslash
    )
    write = sa.text(
        "UPDATE key_work_sessions SET topics = "
        + (":topics" if sqlite else "CAST(:topics AS JSON)")
        + " WHERE id = :id"
    )
    rows = bind.exec_driver_sql(found).all()
    changed = []
    for session_id, kept in rows:
        typed = json.dumps(json.loads(kept), ensure_ascii=False)
        if typed != kept:  # a backslash typed as such stays as it was
            changed.append({"id": session_id, "topics": typed})
    for start in range(0, len(changed), BATCH):
        bind.execute(write, changed[start : start + BATCH])


def downgrade() -> None:
    """Nothing to undo: the lists are the same JSON values, which every version reads."""
