"""Backups made in the app are audited under the user who made them."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from pipe_app.domain import AuditEvent
from pipe_app.domain.enums import AuditAction, Role
from pipe_app.services.backups import BackupService


def test_backup_and_restore_are_audited_by_name(world, tmp_path: Path) -> None:
    service = BackupService(world.db, world.actor(Role.ADMINISTRATOR))
    report = service.back_up(tmp_path)
    service.restore(report.path)
    with world.db.reading() as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.entity_type == "database")
        ).all()
    assert [(e.action, e.username) for e in events] == [
        (AuditAction.RESTORE_BACKUP, "administrator_crowley")
    ]  # the backup's own audit row was written after the copy, so the restore replaced it
    assert events[0].changes["rows"] == report.rows
    safety = Path(events[0].changes["safety_copy"])  # what was recorded since is kept there
    assert safety.exists() and "before-restore" in safety.name
