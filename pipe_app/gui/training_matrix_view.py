"""The training matrix tab: staff down the side, courses across, each cell a status in words
and in colour, filtered by site and job role. Read and exported (CSV or PDF) off the GUI
thread."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from pipe_app.domain.enums import StaffRole
from pipe_app.gui.latest_load import LatestLoad
from pipe_app.gui.problems import describe_failure
from pipe_app.gui.tasks import Progress, Task, run_task
from pipe_app.reports.training_matrix import TrainingMatrix, build_matrix, export, role_label
from pipe_app.services.permissions import Actor
from pipe_app.services.sites import SiteService
from pipe_app.storage.database import Database

_Index = QModelIndex | QPersistentModelIndex

# The same fills as the printed matrix, so screen and paper agree.
FILLS = {
    "current": QColor("#d4edda"),
    "expiring": QColor("#ffe8a3"),
    "expired": QColor("#f5b7b1"),
    "missing": QColor("#f5b7b1"),
    "not required": QColor("#f0f0f0"),
}
INK = QColor("#1f2933")
FIRST_COURSE = 2
QUIET_INK = QColor("#52606d")


def ask_save_path(parent: QWidget, caption: str, suggested: str, pattern: str) -> Path | None:
    """Where to save an export (None when cancelled); tests patch this."""
    chosen, _filter = QFileDialog.getSaveFileName(parent, caption, suggested, pattern)
    return Path(chosen) if chosen else None


class MatrixModel(QAbstractTableModel):
    """Column 0 is the person, column 1 their job role; each further column is one course."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.matrix: TrainingMatrix | None = None

    def set_matrix(self, matrix: TrainingMatrix | None) -> None:
        self.beginResetModel()
        self.matrix = matrix
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self.matrix is None:
            return 0
        return len(self.matrix.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self.matrix is None:
            return 0
        return FIRST_COURSE + len(self.matrix.courses)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        matrix = self.matrix
        if matrix is None or not index.isValid() or not 0 <= index.row() < len(matrix.rows):
            return None
        row = matrix.rows[index.row()]
        if index.column() < FIRST_COURSE:
            if role == Qt.ItemDataRole.DisplayRole:
                return row.name if index.column() == 0 else role_label(row.job_role)
            return None
        if not 0 <= index.column() - FIRST_COURSE < len(row.cells):
            return None
        cell = row.cells[index.column() - FIRST_COURSE]
        if role == Qt.ItemDataRole.DisplayRole:
            if cell.expires_on is not None and cell.status in ("current", "expiring", "expired"):
                return f"{cell.label}\n{cell.expires_on:%d/%m/%Y}"
            return cell.label
        if role == Qt.ItemDataRole.BackgroundRole:
            return FILLS[cell.status]
        if role == Qt.ItemDataRole.ForegroundRole:
            return QUIET_INK if cell.status == "not required" else INK
        if role == Qt.ItemDataRole.ToolTipRole:
            course = matrix.courses[index.column() - FIRST_COURSE].name
            done = f", completed {cell.completed_on:%d %b %Y}" if cell.completed_on else ""
            ends = f", expires {cell.expires_on:%d %b %Y}" if cell.expires_on else ""
            return f"{row.name}, {course}: {cell.label}{done}{ends}"
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        matrix = self.matrix
        if orientation != Qt.Orientation.Horizontal or matrix is None:
            return None
        if not 0 <= section < FIRST_COURSE + len(matrix.courses):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if section < FIRST_COURSE:
                return ("Staff member", "Job role")[section]
            return matrix.courses[section - FIRST_COURSE].name
        if role == Qt.ItemDataRole.ToolTipRole and section >= FIRST_COURSE:
            course = matrix.courses[section - FIRST_COURSE]
            renews = f"renew every {course.renewal_months} months" if course.renewal_months else ""
            return f"{course.code}{': ' + renews if renews else ''}"
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )


class TrainingMatrixView(QWidget):
    """Filters and export buttons over the matrix table."""

    exported = Signal(str)  # a sentence saying where the file went
    failed = Signal(str)

    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db, self.actor = db, actor
        self.setObjectName("trainingMatrixView")
        self.model = MatrixModel(self)
        self.task: Task | None = None
        self.loads = LatestLoad(self, "Loading the training matrix")
        self._ready = False

        self.site_combo = QComboBox()
        self.site_combo.setObjectName("matrixSiteFilter")
        self.site_combo.setAccessibleName("Show the matrix for site")
        self.role_combo = QComboBox()
        self.role_combo.setObjectName("matrixRoleFilter")
        self.role_combo.setAccessibleName("Show staff with job role")
        self.role_combo.addItem("All job roles", None)
        for job in StaffRole:
            self.role_combo.addItem(role_label(job), job.value)
        for combo in (self.site_combo, self.role_combo):  # narrow windows still fit
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(12)
        self.csv_button = QPushButton("Export CSV…")
        self.csv_button.setObjectName("exportCsvButton")
        self.csv_button.setToolTip("Save the matrix as a spreadsheet file")
        self.pdf_button = QPushButton("Export PDF…")
        self.pdf_button.setObjectName("exportPdfButton")
        self.pdf_button.setToolTip("Save the matrix as an A4 sheet to print")
        self.summary_label = QLabel()
        self.summary_label.setObjectName("matrixSummary")
        self.summary_label.setProperty("role", "hint")
        self.summary_label.setWordWrap(True)
        self.notice_label = QLabel()
        self.notice_label.setObjectName("matrixNotice")
        self.notice_label.setProperty("role", "hint")
        self.notice_label.setWordWrap(True)

        self.table = QTableView()
        self.table.setObjectName("trainingMatrixTable")
        self.table.setAccessibleName("Training matrix: staff against courses")
        self.table.setModel(self.model)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setDefaultSectionSize(140)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)

        # A tool bar folds what does not fit behind a » button, so narrow windows still work.
        bar = QToolBar("Filters")
        bar.setObjectName("matrixFilters")
        bar.setProperty("role", "filters")
        for caption, combo in (("Site", self.site_combo), ("Job role", self.role_combo)):
            label = QLabel(caption)
            label.setBuddy(combo)
            bar.addWidget(label)
            bar.addWidget(combo)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(spacer)
        bar.addWidget(self.csv_button)
        bar.addWidget(self.pdf_button)
        self.filter_bar = bar
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(bar)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.notice_label)
        layout.addWidget(self.table, 1)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.site_combo.currentIndexChanged.connect(self._on_filters_changed)
        self.role_combo.currentIndexChanged.connect(self._on_filters_changed)
        self.csv_button.clicked.connect(self._on_csv_clicked)
        self.pdf_button.clicked.connect(self._on_pdf_clicked)

    def _fill_sites(self) -> None:
        self.site_combo.blockSignals(True)
        self.site_combo.clear()
        for site in SiteService(self.db, self.actor).rows():
            if self.actor.is_system or site.id in self.actor.site_ids:
                self.site_combo.addItem(site.name, site.id)
        self.site_combo.blockSignals(False)
        self._ready = True

    @property
    def is_loading(self) -> bool:
        return self.loads.is_loading

    @property
    def site_id(self) -> uuid.UUID | None:
        """The site chosen (the first of the user's once the sites are filled)."""
        return self.site_combo.currentData()

    def prepare(self) -> None:
        """Fill the site choices (one short read), so the first showing reads the matrix only."""
        if not self._ready:
            self._fill_sites()

    def refresh(self) -> None:
        """Read the matrix for the chosen filters off the GUI thread."""
        try:
            self.prepare()
        except Exception as exc:
            self._on_load_failed(exc)
            return
        site_id = self.site_id
        if site_id is None:
            self._show_matrix(None)
            return
        role = self.role_combo.currentData()
        roles = (StaffRole(role),) if role else ()
        db, actor = self.db, self.actor
        self.csv_button.setEnabled(False)
        self.pdf_button.setEnabled(False)
        self.summary_label.setText("Loading…")
        self.loads.start(
            lambda: build_matrix(db, actor, site_id, job_roles=roles),
            self._show_matrix,
            self._on_load_failed,
        )

    def _on_load_failed(self, error: BaseException) -> None:
        self.model.set_matrix(None)
        text = describe_failure(error, "build the training matrix")
        self._show_summary()
        self.summary_label.setText(text)
        self.failed.emit(text)

    def _show_matrix(self, matrix: TrainingMatrix | None) -> None:
        self.model.set_matrix(matrix)
        self._show_summary()

    def _show_summary(self) -> None:
        matrix = self.model.matrix
        has_rows = matrix is not None and bool(matrix.rows)
        self.csv_button.setEnabled(has_rows)
        self.pdf_button.setEnabled(has_rows)
        if matrix is None:
            self.summary_label.setText("You have no site to show a matrix for.")
            return
        if not matrix.rows:
            self.summary_label.setText("No staff match these filters.")
            return
        courses = "course" if len(matrix.courses) == 1 else "courses"
        self.summary_label.setText(
            f"{len(matrix.rows)} staff, {len(matrix.courses)} {courses}: "
            f"{matrix.count('expired')} expired, {matrix.count('missing')} missing, "
            f"{matrix.count('expiring')} expiring within {matrix.expiring_within_days} days."
        )
        self.table.resizeColumnToContents(0)
        self.table.resizeColumnToContents(1)
        self._fit_rows(matrix)

    def _fit_rows(self, matrix: TrainingMatrix) -> None:
        """Every row as tall as a row with a dated cell (two lines), measured once: the cells
        hold a status and at most a date, and ``resizeRowsToContents`` asked the delegate
        for every cell (a third of showing the matrix)."""
        dated = next(
            (n for n, row in enumerate(matrix.rows) if any(c.expires_on for c in row.cells)), 0
        )
        self.table.verticalHeader().setDefaultSectionSize(self.table.sizeHintForRow(dated))

    def _on_filters_changed(self, _index: int) -> None:
        if self._ready:
            self.refresh()

    # ---- export ------------------------------------------------------------------------

    def _on_csv_clicked(self) -> None:
        self.export_to("csv")

    def _on_pdf_clicked(self) -> None:
        self.export_to("pdf")

    def export_to(self, kind: str) -> None:
        matrix = self.model.matrix
        if matrix is None or (self.task is not None and not self.task.done):
            return
        suggested = f"Training matrix {matrix.site_name} {matrix.on:%Y-%m-%d}.{kind}"
        pattern = "CSV files (*.csv)" if kind == "csv" else "PDF files (*.pdf)"
        path = ask_save_path(
            self, f"Export the training matrix as {kind.upper()}", suggested, pattern
        )
        if path is None:
            return
        if path.suffix.lower() != f".{kind}":
            path = path.with_name(f"{path.name}.{kind}")

        def work(_progress: Progress) -> Path:
            export(matrix, path)
            return path

        self.task = run_task(
            self, "Exporting the training matrix", work, self._on_exported, self._on_export_failed
        )

    def _on_exported(self, path: Path) -> None:
        text = f"Saved the training matrix to {path}."
        self.notice_label.setText(text)
        self.exported.emit(text)

    def _on_export_failed(self, error: BaseException) -> None:
        self.failed.emit(describe_failure(error, "export the training matrix"))
