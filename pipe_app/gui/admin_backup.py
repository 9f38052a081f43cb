"""Administration, Backups tab: verified backups now, the ones kept, and restoring one.

Both run off the GUI thread (``run_task``). A restore replaces everything, so it asks first,
names what will be replaced, and ends by signing the user out: the data has changed under them.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pipe_app import paths
from pipe_app.gui.admin_users import ask_to_confirm
from pipe_app.gui.attachments import size_text
from pipe_app.gui.layouts import nest
from pipe_app.gui.problems import as_sentence, describe_failure
from pipe_app.gui.table_model import ROW_ROLE, Column, RowTableModel, show_time
from pipe_app.gui.tables import fit_columns, sorted_view
from pipe_app.gui.tasks import Progress, Task, run_task
from pipe_app.services.backups import BackupService
from pipe_app.services.permissions import Actor
from pipe_app.storage.backup import BackupError, BackupReport
from pipe_app.storage.database import Database

SUFFIX = ".sqlite3"


@dataclass(frozen=True)
class BackupFile:
    path: Path
    made_at: datetime
    size_bytes: int


def list_backups(folder: Path) -> list[BackupFile]:
    """Finished backups in ``folder``, newest first (half-written ``.partial`` files are not)."""
    found = []
    for path in folder.glob(f"*{SUFFIX}"):
        try:
            stat = path.stat()
        except OSError:
            continue
        found.append(BackupFile(path, datetime.fromtimestamp(stat.st_mtime, UTC), stat.st_size))
    return sorted(found, key=lambda item: item.made_at, reverse=True)


def report_text(report: BackupReport) -> str:
    return (
        f"File: {report.path.name}\nFolder: {report.path.parent}\n"
        f"{report.tables} tables, {report.rows:,} rows, {size_text(report.size_bytes)}"
    )


BACKUP_COLUMNS: list[Column[BackupFile]] = [
    Column("Made", lambda b: b.made_at),
    Column("Size", lambda b: size_text(b.size_bytes), lambda b: b.size_bytes, align_right=True),
    Column("File", lambda b: b.path.name),
]


def ask_backup_file(parent: QWidget, folder: Path) -> Path | None:
    """Where to write a backup, or None (tests replace this)."""
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    name, _ = QFileDialog.getSaveFileName(
        parent,
        "Back up to a file",
        str(folder / f"pipe-desk-backup-{stamp}{SUFFIX}"),
        f"PIPE Desk backups (*{SUFFIX})",
    )
    return Path(name) if name else None


def kept_text(report: BackupReport) -> str:
    """Where the data a restore replaced went (it is never simply lost)."""
    if report.safety_copy is None:
        return ""
    return (
        f" What was recorded since that backup was taken is kept in the safety copy "
        f"{report.safety_copy.name} in {report.safety_copy.parent}."
    )


def ask_restore_file(parent: QWidget, start: Path) -> Path | None:
    """Which backup to restore, or None (tests replace this)."""
    name, _ = QFileDialog.getOpenFileName(
        parent, "Restore a backup", str(start), f"PIPE Desk backups (*{SUFFIX});;All files (*)"
    )
    return Path(name) if name else None


def tell(parent: QWidget, title: str, text: str) -> None:
    """A message the user must read before going on (tests replace this)."""
    QMessageBox.information(parent, title, text)


class BackupTab(QWidget):
    """``restored`` fires once a restore has finished and the user has been told."""

    restored = Signal()

    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("backupTab")
        self.db = db
        self._service = BackupService(db, actor)
        self.task: Task | None = None
        self.folder = paths.backup_dir()
        intro = QLabel(
            "A backup is a verified copy of the whole database: it passes an integrity check "
            "and every table's rows are counted against the database before it is kept. "
            f"Backups are kept in {self.folder}."
        )
        intro.setObjectName("backupIntro")
        intro.setWordWrap(True)
        intro.setProperty("role", "hint")
        intro.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.backup_button = self._button("backupNowButton", "&Back up now")
        self.backup_button.setDefault(True)
        self.backup_file_button = self._button("backupToFileButton", "Back up to a &file…")
        self.restore_button = self._button("restoreButton", "&Restore…")
        self.result_card = QFrame()
        self.result_card.setObjectName("backupResultCard")
        self.result_card.setProperty("role", "card")
        self.result_heading = QLabel()
        self.result_heading.setObjectName("backupResultHeading")
        self.result_heading.setProperty("role", "cardHeading")
        self.result_label = QLabel()
        self.result_label.setObjectName("backupResult")
        self.result_label.setAccessibleName("Backup result")
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        card = QVBoxLayout(self.result_card)
        card.setContentsMargins(16, 12, 16, 12)
        card.addWidget(self.result_heading)
        card.addWidget(self.result_label)
        self.result_card.hide()
        self.error_label = QLabel()
        self.error_label.setObjectName("backupError")
        self.error_label.setProperty("role", "error")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.model = RowTableModel(BACKUP_COLUMNS, parent=self)
        self.table, self.proxy = sorted_view("backupsTable", "Backups kept", self.model, self)
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        heading = QLabel("Backups kept")
        heading.setProperty("role", "cardHeading")
        row = QHBoxLayout()
        for button in (self.backup_button, self.backup_file_button, self.restore_button):
            row.addWidget(button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(intro)
        nest(layout, row)
        layout.addWidget(self.result_card)
        layout.addWidget(self.error_label)
        layout.addSpacing(8)
        layout.addWidget(heading)
        layout.addWidget(self.table, 1)
        self._connect_signals()

    def _button(self, name: str, text: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setAccessibleName(text.replace("&", "").replace("…", ""))
        return button

    def _connect_signals(self) -> None:
        self.backup_button.clicked.connect(self._on_backup_clicked)
        self.backup_file_button.clicked.connect(self._on_backup_to_file_clicked)
        self.restore_button.clicked.connect(self._on_restore_clicked)

    def refresh(self) -> None:
        self.model.set_rows(list_backups(self.folder))
        fit_columns(self.table, most=480)

    @property
    def busy(self) -> bool:
        return self.task is not None and not self.task.done

    def _set_busy(self, busy: bool) -> None:
        for button in (self.backup_button, self.backup_file_button, self.restore_button):
            button.setEnabled(not busy)

    def _show(self, heading: str = "", result: str = "", error: str = "") -> None:
        self.result_heading.setText(heading)
        self.result_label.setText(result)
        self.result_card.setVisible(bool(result))
        self.error_label.setText(error)
        self.error_label.setVisible(bool(error))

    def _start(self, title: str, work: object, on_done: object) -> None:
        self._set_busy(True)
        self._show()
        self.task = run_task(self, title, work, on_done, self._on_failed, cancellable=False)  # type: ignore[arg-type]

    # ---- backing up --------------------------------------------------------------------

    def _on_backup_clicked(self) -> None:
        self.back_up(self.folder)

    def _on_backup_to_file_clicked(self) -> None:
        target = ask_backup_file(self, self.folder)
        if target is not None:
            self.back_up(target)

    def back_up(self, target: Path) -> None:
        def work(progress: Progress) -> BackupReport:
            progress.report(0, 0, "Copying and checking the database…")
            return self._service.back_up(target)

        self._start("Backing up", work, self._on_backed_up)

    def _on_backed_up(self, report: BackupReport) -> None:
        self._set_busy(False)
        self._show("✓ Backup made and verified", report_text(report))
        self.refresh()

    def _on_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        if isinstance(error, BackupError):
            self._show(error=as_sentence(str(error)))
        else:
            self._show(error=describe_failure(error, "finish"))
        self.refresh()

    # ---- restoring ---------------------------------------------------------------------

    def _selected(self) -> BackupFile | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].data(ROW_ROLE) if rows else None

    def _on_restore_clicked(self) -> None:
        chosen = self._selected()
        source = ask_restore_file(self, chosen.path if chosen else self.folder)
        if source is None:
            return
        made = ""
        with contextlib.suppress(OSError):
            made = f", made {show_time(datetime.fromtimestamp(source.stat().st_mtime, UTC))}"
        question = (
            f"Restore {source.name}{made}?\n\n"
            f"Everything now in the database at {self.db.describe()} (residents, key work, "
            "groups, staff, training, supervision, evidence, sites and logins) will be replaced "
            "by what the backup holds. A backup of the current data is made first, in "
            f"{self.folder}.\n\nEveryone is signed out afterwards."
        )
        if not ask_to_confirm(self, "Restore a backup", question, "Replace and restore"):
            return
        self.restore(source)

    def restore(self, source: Path) -> None:
        def work(progress: Progress) -> BackupReport:
            progress.report(0, 0, "Checking the backup, saving the current data, restoring…")
            return self._service.restore(source)

        self._start("Restoring a backup", work, self._on_restored)

    def _on_restored(self, report: BackupReport) -> None:
        self._set_busy(False)
        self._show("✓ Backup restored", report_text(report))
        self.refresh()
        tell(
            self,
            "Backup restored",
            f"The data now comes from {report.path.name} ({report.rows:,} rows).{kept_text(report)}"
            " PIPE Desk will now sign you out, because what you were looking at has changed. "
            "Sign in again to carry on.",
        )
        self.restored.emit()
