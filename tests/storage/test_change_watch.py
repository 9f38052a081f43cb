"""An SQLite database's change mark stays while nothing is committed, and moves with any
commit from another connection; PostgreSQL has none (its lists always read again)."""

from __future__ import annotations

import sqlite3

from pipe_app.storage.database import Database


def test_the_mark_moves_with_a_commit_from_any_other_connection(world) -> None:
    db: Database = world.db
    first = db.changes.mark()
    if not db.is_sqlite:
        assert first is None
        return
    assert first is not None
    with db.reading() as session:  # reads commit nothing
        session.connection().exec_driver_sql("SELECT count(*) FROM residents")
    assert db.changes.mark() == first
    with db.engine.begin() as connection:  # one of the app's own pooled connections
        connection.exec_driver_sql("UPDATE sites SET name = name")
    second = db.changes.mark()
    assert second != first
    assert db.sqlite_path is not None
    other = sqlite3.connect(db.sqlite_path)  # another process's, say
    with other:
        other.execute("UPDATE sites SET name = name")
    other.close()
    assert db.changes.mark() not in (first, second)


def test_a_mark_from_before_the_engine_was_let_go_is_never_current(world) -> None:
    db: Database = world.db
    if not db.is_sqlite:
        return
    before = db.changes.mark()
    db.dispose()  # as a restore does before copying the backup over the file
    assert db.changes.mark() != before
