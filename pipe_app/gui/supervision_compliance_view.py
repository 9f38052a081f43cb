"""The supervision compliance tab: who is up to date, and a 12-month bar chart per site.

The status is always written out (on time, due soon, overdue, never); its colour only adds to
the words. The chart is painted here (QtCharts is not part of PySide6-Essentials). The
figures are read off the GUI thread.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QComboBox, QLabel, QSizePolicy, QVBoxLayout, QWidget

from pipe_app.gui.latest_load import LatestLoad
from pipe_app.gui.list_filters import filter_bar, filter_combo
from pipe_app.gui.problems import describe_failure
from pipe_app.gui.supervision_form import KIND_LABELS
from pipe_app.gui.table_model import Column, RowTableModel
from pipe_app.gui.tables import fit_columns, sorted_view
from pipe_app.services.supervision_compliance import (
    ComplianceOverview,
    CompliancePoint,
    ComplianceRow,
    SupervisionComplianceService,
)

STATUS_TEXT = {"on time": "On time", "due soon": "Due soon", "overdue": "Overdue", "never": "Never"}
STATUS_COLOURS = {
    "on time": QColor("#1b7f3b"),
    "due soon": QColor("#9a6700"),
    "overdue": QColor("#b42318"),
    "never": QColor("#b42318"),
}
STATUS_ORDER = {"overdue": 0, "never": 1, "due soon": 2, "on time": 3}


def _requirement(row: ComplianceRow) -> str:
    return f"{KIND_LABELS[row.kind]} every {row.frequency_days} days"


def _status(row: ComplianceRow) -> str:
    text = STATUS_TEXT[row.status]
    return f"{text} ({row.days_overdue} days)" if row.status == "overdue" else text


COMPLIANCE_COLUMNS: list[Column[ComplianceRow]] = [
    Column("Status", _status, sort_key=lambda r: (STATUS_ORDER[r.status], -r.days_overdue)),
    Column("Staff member", lambda r: r.staff_name),
    Column("Job role", lambda r: r.job_role.value.replace("_", " ").capitalize()),
    Column("Requirement", _requirement),
    Column("Last supervision", lambda r: r.last_on),
    Column("Next due", lambda r: r.next_due),
]
STATUS_COLUMN = 0

_Index = QModelIndex | QPersistentModelIndex


class ComplianceModel(RowTableModel[ComplianceRow]):
    """Adds the status colour (beside its words) to the shared row model."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(COMPLIANCE_COLUMNS, parent=parent)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and index.isValid()
            and index.column() == STATUS_COLUMN
            and 0 <= index.row() < self.rowCount()
        ):
            return STATUS_COLOURS[self.row(index.row()).status]
        return super().data(index, role)


class ComplianceChart(QWidget):
    """Bars of the share of requirements met at the end of each month, oldest on the left."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("complianceChart")
        self.setMinimumHeight(130)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.points: list[CompliancePoint] = []

    def set_points(self, points: list[CompliancePoint]) -> None:
        self.points = points
        described = "; ".join(
            f"{p.label}: {'no requirements' if p.percent is None else f'{p.percent:g}% met'}"
            for p in points
        )
        self.setAccessibleName("Supervision compliance over 12 months")
        self.setAccessibleDescription(described)
        self.setToolTip(described.replace("; ", "\n"))
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            self._paint(painter)
        finally:
            painter.end()

    def _paint(self, painter: QPainter) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text = self.palette().color(QPalette.ColorRole.WindowText)
        left, top, bottom = 44.0, 22.0, 30.0
        width = self.width() - left - 10
        height = self.height() - top - bottom
        painter.setPen(text)
        for percent in (0, 50, 100):
            y = top + height * (1 - percent / 100)
            painter.drawText(
                QRectF(0, y - 8, left - 6, 16), Qt.AlignmentFlag.AlignRight, f"{percent}%"
            )
            painter.drawLine(int(left), int(y), int(left + width), int(y))
        if not self.points:
            return
        slot = width / len(self.points)
        for number, point in enumerate(self.points):
            x = left + number * slot
            label_box = QRectF(x, top + height + 4, slot, 16)
            painter.setPen(text)
            painter.drawText(label_box, Qt.AlignmentFlag.AlignCenter, point.month.strftime("%b"))
            if point.percent is None:
                painter.drawText(
                    QRectF(x, top + height - 18, slot, 16), Qt.AlignmentFlag.AlignCenter, "-"
                )
                continue
            bar = height * point.percent / 100
            colour = STATUS_COLOURS["on time" if point.percent >= 90 else "overdue"]
            if 75 <= point.percent < 90:
                colour = STATUS_COLOURS["due soon"]
            painter.fillRect(QRectF(x + slot * 0.2, top + height - bar, slot * 0.6, bar), colour)
            painter.drawText(
                QRectF(x, top + height - bar - 16, slot, 16),
                Qt.AlignmentFlag.AlignCenter,
                f"{point.percent:.0f}%",
            )


class ComplianceView(QWidget):
    failed = Signal(str)  # a sentence saying what could not be read

    def __init__(
        self, service: SupervisionComplianceService, sites: list[tuple[str, uuid.UUID]]
    ) -> None:
        super().__init__()
        self.setObjectName("supervisionCompliance")
        self._service = service
        self.loads = LatestLoad(self, "Loading supervision compliance")
        self.model = ComplianceModel(self)
        self.site_combo: QComboBox = filter_combo("complianceSiteFilter", "Compliance at site")
        for name, site_id in sites:
            self.site_combo.addItem(name, site_id)
        self.table, self.proxy = sorted_view(
            "complianceTable", "Supervision compliance per member of staff", self.model, self
        )
        self.chart = ComplianceChart(self)
        self.chart_title = QLabel("Share of staff supervision requirements met, month by month")
        self.chart_title.setProperty("role", "hint")
        self.notice = QLabel()
        self.notice.setObjectName("complianceNotice")
        self.notice.setProperty("role", "hint")
        layout = QVBoxLayout(self)
        layout.addWidget(filter_bar("complianceFilters", ("Site", self.site_combo)))
        layout.addWidget(self.notice)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.chart_title)
        layout.addWidget(self.chart)
        self.site_combo.currentIndexChanged.connect(self._on_site_changed)

    @property
    def is_loading(self) -> bool:
        return self.loads.is_loading

    def read(self) -> Callable[[], ComplianceOverview]:
        """The read of the figures for the site chosen (run off the GUI thread)."""
        site: uuid.UUID | None = self.site_combo.currentData()
        service = self._service

        def read() -> ComplianceOverview:
            if site is None:
                return ComplianceOverview(service.rows(None), [])
            return service.overview(site)

        return read

    def load(self) -> None:
        """Re-read the figures off the GUI thread; a failure is shown and sent as ``failed``."""
        self.notice.setText("Loading…")
        self.loads.start(self.read(), self._show, self._on_load_failed)

    def _on_load_failed(self, error: BaseException) -> None:
        text = describe_failure(error, "read supervision compliance")
        self.notice.setText(text)
        self.failed.emit(text)

    def _show(self, overview: ComplianceOverview) -> None:
        rows, points = overview.rows, overview.points
        self.model.set_rows(rows)
        self.table.sortByColumn(STATUS_COLUMN, Qt.SortOrder.AscendingOrder)
        fit_columns(self.table)
        self.chart.set_points(points)
        self.notice.setText(
            "" if rows else "No supervision requirements apply to staff at this site yet."
        )

    def _on_site_changed(self, _index: int) -> None:
        self.load()
