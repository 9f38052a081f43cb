"""Backups are verified SQLite files; restore replaces everything or nothing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from pipe_app.domain.enums import Role
from pipe_app.services.key_work import KeyWorkInput, KeyWorkService
from pipe_app.services.residents import ResidentService
from pipe_app.storage.backup import BackupError, backup_to, restore_database, row_counts
from pipe_app.storage.database import Database
from pipe_app.storage.migrations import current_revision, head_revision
from pipe_app.timeutil import utc_now


def _a_session(world, summary: str) -> None:
    resident = world.admit("crowley", given_name="Noted")
    placement = ResidentService(world.db, world.system).get(resident).placement_id
    KeyWorkService(world.db, world.system).record(
        KeyWorkInput(
            placement_id=placement,
            key_worker_id=world.staff[(Role.KEY_WORKER, "crowley")].id,
            started_at=utc_now() - timedelta(hours=2),
            summary=summary,
        )
    )


def _counts(db: Database) -> dict[str, int]:
    with db.engine.connect() as conn:
        return row_counts(conn)


def _notes_found_in(copy: Database, world) -> None:
    """The copy's notes index (0008) holds the notes: made once at the end of a copy from
    PostgreSQL, its triggers back for later writes; FTS5 checks it against the sessions."""
    with copy.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO key_work_notes_index (key_work_notes_index, rank) "
            "VALUES ('integrity-check', 1)"
        )
        triggers = conn.exec_driver_sql(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
            "AND name LIKE 'key_work_notes_index%'"
        ).scalar_one()
    assert triggers == 3
    found = KeyWorkService(copy, world.actor(Role.MANAGER)).rows(search="allotment")
    assert [row.summary for row in found] == ["Dug the allotment."]


def test_backup_then_restore_round_trip(world, tmp_path: Path) -> None:
    world.admit("crowley", given_name="Before")
    _a_session(world, "Dug the allotment.")
    before = _counts(world.db)
    report = backup_to(world.db, tmp_path / "copy.sqlite3")
    assert report.path.exists() and report.rows == sum(before.values())
    assert not list(tmp_path.glob("*.partial"))
    copy = Database.open(f"sqlite:///{report.path}")
    assert current_revision(copy) == head_revision()
    assert _counts(copy) == before
    _notes_found_in(copy, world)
    copy.dispose()

    world.admit("crowley", given_name="After")  # work done after the backup
    assert _counts(world.db) != before
    restore_database(world.db, report.path)
    assert _counts(world.db) == before
    names = [r.given_name for r in ResidentService(world.db, world.actor(Role.MANAGER)).rows()]
    assert sorted(names) == ["Before", "Noted"]  # "After" is gone


def test_backup_into_a_folder_gets_a_dated_name(world, tmp_path: Path) -> None:
    report = backup_to(world.db, tmp_path)
    assert report.path.parent == tmp_path
    assert report.path.name.startswith("pipe-desk-backup-")


def test_backup_to_a_missing_folder_is_refused(world, tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="does not exist"):
        backup_to(world.db, tmp_path / "nowhere" / "copy.sqlite3")


def test_restore_refuses_a_file_that_is_not_a_backup(world, tmp_path: Path) -> None:
    before = _counts(world.db)
    bogus = tmp_path / "notes.sqlite3"
    bogus.write_text("these are not the rows you are looking for")
    with pytest.raises(BackupError, match="not a PIPE Desk backup"):
        restore_database(world.db, bogus)
    with pytest.raises(BackupError, match="does not exist"):
        restore_database(world.db, tmp_path / "missing.sqlite3")
    assert _counts(world.db) == before


def test_restore_keeps_a_safety_copy_of_what_it_replaces(world, tmp_path: Path, app_home) -> None:
    report = backup_to(world.db, tmp_path / "copy.sqlite3")
    restore_database(world.db, report.path)
    safety = list((app_home / "data" / "backups").glob("pipe-desk-before-restore-*.sqlite3"))
    assert len(safety) == 1


def test_locked_supervision_survives_backup_and_restore(world, tmp_path: Path) -> None:
    """Database triggers guard locked records; the copy must still carry them whole."""
    from tests.services.test_supervision import locked

    record = locked(world)
    before = _counts(world.db)
    assert before["supervision_actions"] >= 1
    report = backup_to(world.db, tmp_path / "copy.sqlite3")
    copy = Database.open(f"sqlite:///{report.path}")
    assert _counts(copy) == before
    copy.dispose()
    restore_database(world.db, report.path)
    assert _counts(world.db) == before
    from pipe_app.services.supervision import SupervisionService

    detail = SupervisionService(world.db, world.actor(Role.PSYCHOLOGIST)).get(record.record.id)
    assert detail.record.locked_at is not None
