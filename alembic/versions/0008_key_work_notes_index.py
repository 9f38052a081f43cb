"""Key-work notes get a trigram index, so a search for a word in them stops reading every note

Searching key work for a word of three letters or more looked in every session's summary
and topics (``lower(summary) LIKE '%word%'``): no ordinary index helps, and at the busy
scale a rare word took 100-170 ms of reading on SQLite and more on PostgreSQL.

- SQLite: an FTS5 index with the ``trigram`` tokenizer (SQLite 3.34 and later) over each
  session's summary and topics, kept in step by three triggers; the notes themselves stay
  only in ``key_work_sessions`` (external content). ``detail=none`` keeps it small: it
  names the sessions holding every three-letter piece of the word, and the search then
  checks the word itself on those, so the index narrows and never decides. It is keyed by
  the session's rowid, which SQLite keeps unless the file is VACUUMed (the app never does;
  its backups copy pages); ``INSERT INTO key_work_notes_index (key_work_notes_index)
  VALUES ('rebuild')`` remakes it. Where SQLite lacks the tokenizer, nothing is made and the
  search reads every note as before.
- PostgreSQL: GIN indexes of the ``pg_trgm`` extension on the lowered summary and topics,
  which serve the same ``LIKE`` directly. Where the extension cannot be made (not
  installed, or the account may not), nothing is made, as on SQLite.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 07:10:00
"""

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger(__name__)

INDEX = "key_work_notes_index"  # pipe_app.storage.notes_index.SQLITE_TABLE
NEW = "(rowid, summary, topics) VALUES (new.rowid, new.summary, new.topics)"
OLD = f"({INDEX}, rowid, summary, topics) VALUES ('delete', old.rowid, old.summary, old.topics)"
SQLITE_UP = (
    # External content: the notes stay only in key_work_sessions; the index reads them there.
    f"CREATE VIRTUAL TABLE {INDEX} USING fts5(summary, topics, content = 'key_work_sessions',"
    " tokenize = 'trigram', detail = none, columnsize = 0)",
    f"INSERT INTO {INDEX} ({INDEX}) VALUES ('rebuild')",
    f"CREATE TRIGGER {INDEX}_insert AFTER INSERT ON key_work_sessions BEGIN "
    f"INSERT INTO {INDEX} {NEW}; END",
    f"CREATE TRIGGER {INDEX}_update AFTER UPDATE OF summary, topics ON key_work_sessions BEGIN "
    f"INSERT INTO {INDEX} {OLD}; INSERT INTO {INDEX} {NEW}; END",
    f"CREATE TRIGGER {INDEX}_delete AFTER DELETE ON key_work_sessions BEGIN "
    f"INSERT INTO {INDEX} {OLD}; END",
)
POSTGRESQL_INDEXES = {  # pipe_app.storage.notes_index.POSTGRESQL_INDEXES
    "ix_key_work_sessions_summary_trgm": "lower(summary)",
    "ix_key_work_sessions_topics_trgm": "lower(CAST(topics AS VARCHAR))",
}


def _sqlite_has_trigram(connection: sa.Connection) -> bool:
    try:
        connection.exec_driver_sql(
            "CREATE VIRTUAL TABLE temp.pipe_trigram_probe USING fts5(x, tokenize = 'trigram')"
        )
    except sa.exc.OperationalError:
        return False
    connection.exec_driver_sql("DROP TABLE temp.pipe_trigram_probe")
    return True


def _postgresql_has_trigram(connection: sa.Connection) -> bool:
    """Makes the extension if it can; a failure leaves the transaction as it was."""
    try:
        with connection.begin_nested():
            connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except sa.exc.DBAPIError as exc:
        log.warning("key-work notes get no trigram index: %s", exc.orig)
        return False
    return True


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        if not _sqlite_has_trigram(connection):
            log.warning("key-work notes get no trigram index: this SQLite lacks the tokenizer")
            return
        for statement in SQLITE_UP:
            connection.exec_driver_sql(statement)
    elif _postgresql_has_trigram(connection):
        for name, expression in POSTGRESQL_INDEXES.items():
            connection.exec_driver_sql(
                f"CREATE INDEX {name} ON key_work_sessions USING gin ({expression} gin_trgm_ops)"
            )


def downgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        for suffix in ("_insert", "_update", "_delete"):
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {INDEX}{suffix}")
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {INDEX}")
    else:
        for name in POSTGRESQL_INDEXES:
            connection.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")
        # The extension stays: other databases' objects, or the site's own, may use it.
