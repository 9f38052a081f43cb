"""Backups and restores as user actions: permission-checked and audited like any change."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from pipe_app.domain.enums import AuditAction
from pipe_app.services import audit
from pipe_app.services.base import Service
from pipe_app.services.permissions import Permission
from pipe_app.storage.backup import BackupReport, backup_to, restore_database


class BackupService(Service):
    def back_up(self, target: Path) -> BackupReport:
        """A verified backup into a folder (dated name) or to a file."""
        self.actor.require(Permission.BACKUP)
        report = backup_to(self.db, target)
        self._record(AuditAction.BACKUP, report, report.path)
        return report

    def restore(self, source: Path) -> BackupReport:
        """Replace the database with a backup (a safety backup is taken first).

        The restored data holds the audit trail as it was when the backup was taken (a
        backup's own audit row is written after its copy), so the restore's row names the
        safety copy that keeps everything recorded since.
        """
        self.actor.require(Permission.BACKUP)
        report = restore_database(self.db, source)
        safety = str(report.safety_copy) if report.safety_copy else None
        self._record(AuditAction.RESTORE_BACKUP, report, source, safety_copy=safety)
        return report

    def _record(
        self, action: AuditAction, report: BackupReport, file: Path, **extra: str | None
    ) -> None:
        # After a restore the login may not exist in the restored data: name, not link, it.
        actor = dataclasses.replace(self.actor, user_id=None)
        with self.db.writing({audit.ACTOR_KEY: actor}) as session:
            audit.record(
                session,
                action,
                "database",
                file=str(file),
                tables=report.tables,
                rows=report.rows,
                **extra,
            )
