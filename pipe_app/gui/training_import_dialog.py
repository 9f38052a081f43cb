"""Import training records from a CSV: every row shown as it will be stored, or its error,
and nothing written until the user chooses "Import all" or "Import valid rows only"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from pipe_app.gui.layouts import nest
from pipe_app.gui.problems import describe_failure
from pipe_app.gui.tasks import Progress, Task, run_task
from pipe_app.services.permissions import Actor
from pipe_app.services.training_import import ImportPreview, ImportRow, TrainingImportService
from pipe_app.storage.database import Database

_Index = QModelIndex | QPersistentModelIndex
ERROR_INK = QColor("#a8201a")
HEADERS = ("Line", "Staff member", "Course", "Completed", "Hours", "Notes", "Result")
RESULT_COLUMN = 6


def ask_import_file(parent: QWidget) -> Path | None:
    """The CSV to import (None when cancelled); tests patch this."""
    chosen, _filter = QFileDialog.getOpenFileName(
        parent, "Import training records", "", "CSV files (*.csv);;All files (*)"
    )
    return Path(chosen) if chosen else None


def _result(row: ImportRow) -> str:
    return "Ready" if row.ok else f"Error: {row.error}"


class ImportPreviewModel(QAbstractTableModel):
    def __init__(self, preview: ImportPreview, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preview = preview

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.preview.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        rows = self.preview.rows
        if not index.isValid() or not 0 <= index.row() < len(rows):
            return None
        row = rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            values = (
                str(row.line),
                row.staff_name,
                row.course_name,
                row.completed_on.strftime("%d %b %Y") if row.completed_on else "",
                f"{row.hours:g}" if row.ok else "",
                row.notes,
                _result(row),
            )
            return values[index.column()] if 0 <= index.column() < len(values) else None
        if role == Qt.ItemDataRole.ForegroundRole and not row.ok:
            return ERROR_INK
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in (0, 4):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(HEADERS):
            return None
        return HEADERS[section] if role == Qt.ItemDataRole.DisplayRole else None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )


def preview_sentence(preview: ImportPreview) -> str:
    total, bad = len(preview.rows), len(preview.errors)
    rows = "row" if total == 1 else "rows"
    if not bad:
        return f"{preview.file_name}: all {total} {rows} are ready to import."
    return (
        f"{preview.file_name}: {total} {rows}, {bad} with errors (shown in red). "
        "Fix the file and choose it again, or import the valid rows only."
    )


class TrainingImportDialog(QDialog):
    """Shows a preview; ``imported`` carries the result as a sentence once rows are written."""

    imported = Signal(str)

    def __init__(
        self, preview: ImportPreview, db: Database, actor: Actor, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("trainingImportDialog")
        self.setWindowTitle("Import training records")
        self.resize(1100, 520)
        self.preview = preview
        self._service = TrainingImportService(db, actor)
        self.task: Task | None = None
        self.model = ImportPreviewModel(preview, self)
        self.summary_label = QLabel(preview_sentence(preview))
        self.summary_label.setObjectName("importSummary")
        self.summary_label.setWordWrap(True)
        self.result_label = QLabel()
        self.result_label.setObjectName("importResult")
        self.result_label.setWordWrap(True)
        self.result_label.setAccessibleName("Import result")
        self.table = QTableView()
        self.table.setObjectName("importPreviewTable")
        self.table.setAccessibleName("Rows of the file as they will be stored")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for column, width in enumerate((48, 160, 170, 110, 64, 140)):
            header.resizeSection(column, width)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.setWordWrap(True)  # an error is read whole, not cut short
        self.table.resizeRowsToContents()
        self.all_button = QPushButton("Import all")
        self.all_button.setObjectName("importAllButton")
        self.valid_button = QPushButton("Import valid rows only")
        self.valid_button.setObjectName("importValidButton")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("importCancelButton")
        self.all_button.setEnabled(bool(preview.rows) and not preview.has_errors)
        self.all_button.setToolTip(
            "Fix the rows with errors first" if preview.has_errors else "Write every row"
        )
        self.valid_button.setEnabled(bool(preview.valid))
        buttons = QHBoxLayout()
        buttons.addWidget(self.result_label, 1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.valid_button)
        buttons.addWidget(self.all_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.table, 1)
        nest(layout, buttons)
        self._connect_signals()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.table.resizeRowsToContents()  # column widths are final only once shown

    def _connect_signals(self) -> None:
        self.all_button.clicked.connect(self._on_all_clicked)
        self.valid_button.clicked.connect(self._on_valid_clicked)
        self.cancel_button.clicked.connect(self.reject)

    def _on_all_clicked(self) -> None:
        self._commit(only_valid=False)

    def _on_valid_clicked(self) -> None:
        self._commit(only_valid=True)

    def _commit(self, *, only_valid: bool) -> None:
        self.all_button.setEnabled(False)
        self.valid_button.setEnabled(False)
        preview, service = self.preview, self._service

        def work(_progress: Progress) -> int:
            return len(service.commit(preview, only_valid=only_valid))

        self.task = run_task(
            self,
            "Importing training records",
            work,
            self._on_done,
            self._on_failed,
            cancellable=False,
        )

    def _on_done(self, count: int) -> None:
        skipped = len(self.preview.errors)
        text = f"Imported {count} training record{'' if count == 1 else 's'}"
        text += (
            f"; {skipped} row{'' if skipped == 1 else 's'} with errors skipped." if skipped else "."
        )
        self.result_label.setProperty("role", "")
        self.result_label.style().polish(self.result_label)
        self.result_label.setText(text)
        self.cancel_button.setText("Close")
        self.imported.emit(text)

    def _on_failed(self, error: BaseException) -> None:
        self.result_label.setProperty("role", "error")
        self.result_label.style().polish(self.result_label)
        self.result_label.setText(describe_failure(error, "import the training records"))
        self.valid_button.setEnabled(bool(self.preview.valid))
        self.all_button.setEnabled(not self.preview.has_errors)
