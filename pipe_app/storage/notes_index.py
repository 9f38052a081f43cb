"""The trigram index over key-work notes (migration 0008), as the search and the schema
checks see it: its names, whether this database has it, and how to ask it.

On SQLite it is an FTS5 index of ``key_work_sessions``, kept in step by triggers; it names
the sessions (by rowid) whose notes hold every three-letter piece of the words, and the
search checks the words themselves on those. On PostgreSQL it is two ``pg_trgm`` GIN
indexes that serve the search's ``LIKE`` directly. Either may be missing (an SQLite without
the tokenizer, a server without the extension): the search then reads every note.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    Select,
    column,
    inspect,
    literal_column,
    select,
    table,
    text,
)

from pipe_app.storage.database import Database

SQLITE_TABLE = "key_work_notes_index"
POSTGRESQL_INDEXES = frozenset(
    {"ix_key_work_sessions_summary_trgm", "ix_key_work_sessions_topics_trgm"}
)
SHORTEST = 3  # letters: the index holds three-letter pieces; shorter words are not looked for

_index = table(SQLITE_TABLE, column(SQLITE_TABLE))
SESSION_ROWID: ColumnElement[int] = literal_column("key_work_sessions.rowid")  # SQLite's key


def is_index_object(name: str | None) -> bool:
    """A table (FTS5 makes shadow tables beside its own) or index of the notes index."""
    if not name:
        return False
    return name == SQLITE_TABLE or name.startswith(f"{SQLITE_TABLE}_") or name in POSTGRESQL_INDEXES


def has_notes_index(db: Database) -> bool:
    """Asked once per database (kept until a migration runs: only they change the schema)."""
    known = db.features.get(SQLITE_TABLE)
    if known is None:
        if db.is_sqlite:
            known = inspect(db.engine).has_table(SQLITE_TABLE)
        else:
            with db.engine.connect() as connection:
                known = all(
                    connection.execute(
                        text("SELECT to_regclass(:name) IS NOT NULL"), {"name": name}
                    ).scalar()
                    for name in POSTGRESQL_INDEXES
                )
        db.features[SQLITE_TABLE] = known
    return known


def sqlite_candidates(words: str) -> Select[int]:
    """The rowids of the sessions whose notes hold every three-letter piece of ``words``
    (at least ``SHORTEST`` letters): every session that holds them, and maybe a few more."""
    pieces = sorted({words[n : n + SHORTEST] for n in range(len(words) - SHORTEST + 1)})
    query = " AND ".join('"' + piece.replace('"', '""') + '"' for piece in pieces)
    match: ColumnElement[bool] = _index.c[SQLITE_TABLE].match(query)
    return select(literal_column("rowid", type_=Integer)).select_from(_index).where(match)


@contextmanager
def sqlite_index_paused(connection: Connection) -> Iterator[None]:
    """For a bulk copy into SQLite (a backup of a PostgreSQL database): the index is made
    once at the end (FTS5 ``rebuild``) instead of row by row by its triggers, which are put
    back as they were (from their own SQL). Inside ``connection``'s transaction."""
    triggers = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE ?",
        (f"{SQLITE_TABLE}%",),
    ).all()
    for name, _sql in triggers:
        connection.exec_driver_sql(f'DROP TRIGGER "{name}"')
    yield
    for _name, sql in triggers:
        connection.exec_driver_sql(sql)
    if triggers:
        connection.exec_driver_sql(
            f"INSERT INTO {SQLITE_TABLE} ({SQLITE_TABLE}) VALUES ('rebuild')"
        )
