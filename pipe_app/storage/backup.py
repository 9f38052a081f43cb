"""Verified backups and restores.

A backup is always a PIPE Desk SQLite file at the current schema, whatever the live
database is: it can be opened directly, checked, and restored onto SQLite or PostgreSQL.
Every backup is verified (integrity check and row counts equal to the source) before it
takes its final name, so a half-written file never looks like a backup.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Table, func, insert, select, text, update

from pipe_app.domain import Base
from pipe_app.storage.notes_index import sqlite_index_paused
from pipe_app.timeutil import utc_now

CHUNK_ROWS = 2_000


class BackupError(RuntimeError):
    """A backup or restore could not be made or failed verification; nothing was replaced."""


@dataclass(frozen=True)
class BackupReport:
    path: Path
    tables: int
    rows: int
    size_bytes: int
    safety_copy: Path | None = None  # a restore's copy of the data it replaced


def _tables() -> list[Table]:
    return list(Base.metadata.sorted_tables)


def row_counts(connection: Connection) -> dict[str, int]:
    return {
        table.name: int(connection.execute(select(func.count()).select_from(table)).scalar_one())
        for table in _tables()
    }


# Columns that lock a row and its children against change (database triggers enforce it):
# copied last, so a locked record's parts can still be inserted beneath it.
LOCK_COLUMNS = {"supervision_sessions": ("locked_at",)}


def _copy_rows(source: Connection, target: Connection, tables: Iterable[Table]) -> None:
    locks: list[tuple[Table, dict[str, object]]] = []
    for table in tables:
        held = LOCK_COLUMNS.get(table.name, ())
        result = source.execution_options(yield_per=CHUNK_ROWS).execute(select(table))
        for chunk in result.mappings().partitions(CHUNK_ROWS):
            rows = [dict(row) for row in chunk]
            for row in rows:
                if any(row[column] is not None for column in held):
                    locks.append((table, {"id": row["id"], **{c: row[c] for c in held}}))
                    row.update(dict.fromkeys(held))
            target.execute(insert(table), rows)
    for table, values in locks:
        key = values.pop("id")
        target.execute(update(table).where(table.c.id == key).values(**values))


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy even while others read and write."""
    src = sqlite3.connect(source)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def _sqlite_integrity(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        outcome = conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()
    if outcome != "ok":
        raise BackupError(f"{path.name} failed the integrity check: {outcome}")


def _verify_against(db_source: Connection, copy: Path) -> BackupReport:
    from pipe_app.storage.database import Database

    _sqlite_integrity(copy)
    expected = row_counts(db_source)
    copy_db = Database.open(f"sqlite:///{copy}")
    try:
        with copy_db.engine.connect() as conn:
            found = row_counts(conn)
    finally:
        copy_db.dispose()
    if found != expected:
        wrong = sorted(name for name in expected if expected[name] != found.get(name))
        raise BackupError(f"the copy does not match the database in: {', '.join(wrong)}")
    return BackupReport(copy, len(expected), sum(expected.values()), copy.stat().st_size)


def backup_database(db: object, folder_or_file: Path, *, label: str = "backup") -> Path:
    """Back up to ``folder_or_file`` (a folder gets a dated file name); returns the path."""
    return backup_to(db, folder_or_file, label=label).path


def backup_to(db: object, folder_or_file: Path, *, label: str = "backup") -> BackupReport:
    from pipe_app.storage.database import Database
    from pipe_app.storage.migrations import upgrade

    assert isinstance(db, Database)
    target = folder_or_file
    if target.is_dir():
        stamp = utc_now().strftime("%Y%m%dT%H%M%SZ")
        target = target / f"pipe-desk-{label}-{stamp}.sqlite3"
    if not target.parent.is_dir():
        raise BackupError(f"folder {target.parent} does not exist")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if db.sqlite_path is not None:
            _sqlite_copy(db.sqlite_path, partial)
        else:
            copy_db = Database.open(f"sqlite:///{partial}")
            try:
                upgrade(copy_db, backup=False)
                with (
                    db.engine.connect() as src_conn,
                    copy_db.engine.begin() as dst_conn,
                    sqlite_index_paused(dst_conn),
                ):
                    _copy_rows(src_conn, dst_conn, _tables())
            finally:
                copy_db.dispose()
        conn = sqlite3.connect(partial)
        conn.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        conn.close()
        with db.engine.connect() as src_conn:
            report = _verify_against(src_conn, partial)
        os.replace(partial, target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"cannot write the backup {target}: {exc.strerror or exc}") from None
    except BackupError:
        partial.unlink(missing_ok=True)
        raise
    return BackupReport(target, report.tables, report.rows, target.stat().st_size)


def check_backup_file(path: Path) -> None:
    """A readable PIPE Desk SQLite file that passes the integrity check, or BackupError."""
    if not path.is_file():
        raise BackupError(f"backup file {path} does not exist")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        raise BackupError(f"{path.name} is not a PIPE Desk backup") from None
    finally:
        conn.close()
    _sqlite_integrity(path)


def restore_database(db: object, backup: Path) -> BackupReport:
    """Replace the database's content with the backup's, after a safety backup of it.

    The backup is first copied and upgraded to the current schema, so an older backup
    restores onto a newer app. The live database is replaced in one transaction.
    """
    import tempfile

    from pipe_app import paths
    from pipe_app.storage.database import Database
    from pipe_app.storage.migrations import has_user_tables, upgrade

    assert isinstance(db, Database)
    check_backup_file(backup)
    with tempfile.TemporaryDirectory() as scratch:
        staged = Path(scratch) / "staged.sqlite3"
        _sqlite_copy(backup, staged)
        staged_db = Database.open(f"sqlite:///{staged}")
        try:
            upgrade(staged_db, backup=False)
            upgrade(db, backup=True)
            safety = None
            if has_user_tables(db):
                safety = backup_to(db, paths.backup_dir(), label="before-restore").path
            with staged_db.engine.connect() as src_conn:
                expected = row_counts(src_conn)
            if db.sqlite_path is not None:
                staged_db.dispose()
                db.dispose()
                _sqlite_copy(staged, db.sqlite_path)
            else:
                with staged_db.engine.connect() as src_conn, db.engine.begin() as dst_conn:
                    names = ", ".join(table.name for table in _tables())
                    dst_conn.execute(text(f"TRUNCATE {names}"))  # fires no row triggers
                    _copy_rows(src_conn, dst_conn, _tables())
            with db.engine.connect() as conn:
                found = row_counts(conn)
            if found != expected:
                raise BackupError("the restored rows do not match the backup")
        finally:
            staged_db.dispose()
    return BackupReport(
        backup, len(expected), sum(expected.values()), backup.stat().st_size, safety
    )
