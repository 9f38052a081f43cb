"""An SQLite database's change mark stays while nothing is committed, and moves with any
commit from another connection; PostgreSQL has none (its lists always read again)."""

from __future__ import annotations

import sqlite3

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from pipe_app.storage.change_watch import ChangeWatch
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


def test_a_file_that_is_not_there_gives_no_mark_and_is_not_made(tmp_path) -> None:
    path = tmp_path / "gone.sqlite3"
    watch = ChangeWatch(path)
    assert watch.mark() is None
    assert not path.exists()
    sqlite3.connect(path).close()  # once it is there, it has a mark
    assert watch.mark() is not None
    watch.close()


def test_a_path_with_uri_characters_is_still_the_file(tmp_path) -> None:
    path = tmp_path / "a #1 ?.sqlite3"
    with sqlite3.connect(path) as made:
        made.execute("CREATE TABLE t (x)")
    made.close()
    watch = ChangeWatch(path)
    first = watch.mark()
    assert first is not None
    with sqlite3.connect(path) as other:
        other.execute("INSERT INTO t VALUES (1)")
    other.close()
    assert watch.mark() not in (None, first)
    watch.close()


def test_a_database_named_by_a_file_uri_gives_no_mark(tmp_path, monkeypatch) -> None:
    """Its options (read-only, cache) are the URI's; the watch would not share them, nor
    take the URI for a path (here a file is even there at that relative path)."""
    path = tmp_path / "by_uri.sqlite3"
    sqlite3.connect(path).close()
    monkeypatch.chdir(tmp_path)
    as_path = tmp_path / "file:" / str(path).lstrip("/")
    as_path.parent.mkdir(parents=True)
    sqlite3.connect(as_path).close()
    url = make_url(f"sqlite:///file:{path}?mode=ro&uri=true")
    db = Database(url, create_engine(url))
    try:
        assert db.changes.mark() is None
    finally:
        db.dispose()
