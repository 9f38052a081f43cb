"""Coverage of a framework: the standards tree, a painted bar chart, and the gaps.

Every status is shown as words with a colour swatch beside them, never colour alone.
QtCharts is not in PySide6-Essentials, so the bars are painted here. ``read_coverage`` gathers
what the tab shows in one call, for a worker thread (no widgets).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QPersistentModelIndex,
    QRectF,
    QSize,
    Qt,
)
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from pipe_app.domain.enums import SelfAssessmentRating
from pipe_app.services.accreditation import AccreditationService, SelfAssessmentRow
from pipe_app.services.coverage import (
    LABELS,
    CoverageReport,
    CoverageService,
    CoverageStatus,
    CriterionCoverage,
    StandardCoverage,
)
from pipe_app.services.frameworks import FrameworkService, FrameworkTree
from pipe_app.services.permissions import Actor
from pipe_app.storage.database import Database

_Index = QModelIndex | QPersistentModelIndex
CRITERION_ROLE = Qt.ItemDataRole.UserRole + 10
STATUS_COLOURS = {
    CoverageStatus.COVERED: QColor("#2e7d32"),
    CoverageStatus.STALE: QColor("#b26a00"),
    CoverageStatus.DRAFT_ONLY: QColor("#6d5a9c"),
    CoverageStatus.NO_EVIDENCE: QColor("#a8201a"),
    CoverageStatus.NOT_APPLICABLE_UNJUSTIFIED: QColor("#a8201a"),
    CoverageStatus.NOT_APPLICABLE: QColor("#6b7280"),
}
RATING_LABELS = {
    SelfAssessmentRating.MET: "Met",
    SelfAssessmentRating.PARTLY_MET: "Partly met",
    SelfAssessmentRating.NOT_MET: "Not met",
    SelfAssessmentRating.NOT_APPLICABLE: "Not applicable",
}
HEADERS = ("Standard / criterion", "Coverage", "Self-assessment", "Current evidence")
_FRAMEWORK = 0  # internal id of the framework row; standards use 1, criteria 2 + standard row


@dataclass(frozen=True)
class CoverageData:
    """Everything the Coverage tab shows for a site and framework on a day."""

    tree: FrameworkTree
    report: CoverageReport
    assessments: dict[uuid.UUID, SelfAssessmentRow]
    cycle_from: date | None  # the membership date of the cycle the report follows


def read_coverage(
    db: Database, actor: Actor, site_id: uuid.UUID, framework_id: uuid.UUID, on: date
) -> CoverageData:
    tree = FrameworkService(db, actor).tree(framework_id)
    report = CoverageService(db, actor).coverage(site_id, framework_id, on)
    if report.cycle_id is None:
        return CoverageData(tree, report, {}, None)
    detail = AccreditationService(db, actor).get(report.cycle_id)
    assessments = {a.criterion_id: a for a in detail.self_assessments}
    return CoverageData(tree, report, assessments, detail.cycle.membership_on)


def counts_text(standard: StandardCoverage | CoverageReport) -> str:
    counts = standard.counts
    covered = counts.count(CoverageStatus.COVERED)
    return f"{covered} of {counts.applicable} covered ({counts.covered_percent:.0f}%)"


class CoverageTreeModel(QAbstractItemModel):
    """Framework → standards → criteria, read-only, from one CoverageReport."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report: CoverageReport | None = None

    def set_report(self, report: CoverageReport | None) -> None:
        self.beginResetModel()
        self.report = report
        self.endResetModel()

    def criterion_index(self, criterion_id: uuid.UUID) -> QModelIndex:
        if self.report is None:
            return QModelIndex()
        for s_row, standard in enumerate(self.report.standards):
            for c_row, criterion in enumerate(standard.criteria):
                if criterion.criterion_id == criterion_id:
                    return self.createIndex(c_row, 0, 2 + s_row)
        return QModelIndex()

    def _standards(self) -> tuple[StandardCoverage, ...]:
        return self.report.standards if self.report is not None else ()

    # ---- QAbstractItemModel ------------------------------------------------------------

    def index(self, row: int, column: int, parent: _Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, _FRAMEWORK)
        if parent.internalId() == _FRAMEWORK:
            return self.createIndex(row, column, 1)
        if parent.internalId() == 1:
            return self.createIndex(row, column, 2 + parent.row())
        return QModelIndex()

    def parent(self, index: _Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid():
            return QModelIndex()
        level = index.internalId()
        if level == _FRAMEWORK:
            return QModelIndex()
        if level == 1:
            return self.createIndex(0, 0, _FRAMEWORK)
        return self.createIndex(level - 2, 0, 1)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        if self.report is None:
            return 0
        if not parent.isValid():
            return 1
        if parent.column() != 0:
            return 0
        if parent.internalId() == _FRAMEWORK:
            return len(self._standards())
        if parent.internalId() == 1:
            return len(self._standards()[parent.row()].criteria)
        return 0

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return len(HEADERS)

    def node(self, index: _Index) -> CoverageReport | StandardCoverage | CriterionCoverage | None:
        if not index.isValid() or self.report is None:
            return None
        level = index.internalId()
        if level == _FRAMEWORK:
            return self.report
        if level == 1:
            return self._standards()[index.row()]
        return self._standards()[level - 2].criteria[index.row()]

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        node = self.node(index)
        if node is None:
            return None
        column = index.column()
        if isinstance(node, CriterionCoverage):
            return self._criterion_data(node, column, role)
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                if isinstance(node, CoverageReport):
                    return node.framework_title
                return f"{node.code}  {node.name}"
            if column == 1:
                return counts_text(node)
            return ""
        if role == Qt.ItemDataRole.ToolTipRole and isinstance(node, StandardCoverage):
            return node.statement
        return None

    @staticmethod
    def _criterion_data(node: CriterionCoverage, column: int, role: int) -> Any:
        if role == CRITERION_ROLE:
            return node
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return f"{node.code}  {node.text}"
            if column == 1:
                return LABELS[node.status]
            if column == 2:
                return RATING_LABELS[node.assessment.rating] if node.assessment else "Not rated"
            if column == 3:
                return str(node.approved_current)
        if role == Qt.ItemDataRole.DecorationRole and column == 1:
            return STATUS_COLOURS[node.status]
        if role == Qt.ItemDataRole.ForegroundRole and column == 1:
            return STATUS_COLOURS[node.status]
        if role == Qt.ItemDataRole.ToolTipRole:
            return node.text
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 3:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(HEADERS)
        ):
            return HEADERS[section]
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.internalId() >= 2:
            flags |= Qt.ItemFlag.ItemNeverHasChildren
        return flags


class CoverageChart(QWidget):
    """One horizontal bar per standard: the share of its criteria covered, with the figure."""

    BAR_HEIGHT = 14
    GAP = 3
    LABEL_WIDTH = 190

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("coverageChart")
        self.setAccessibleName("Coverage by standard")
        self.report: CoverageReport | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMinimumHeight(60)

    def set_report(self, report: CoverageReport | None) -> None:
        self.report = report
        self.setMinimumHeight(self.sizeHint().height())  # every bar keeps its label legible
        summary = (
            "; ".join(f"{s.code} {s.name}: {counts_text(s)}" for s in report.standards)
            if report is not None
            else ""
        )
        self.setAccessibleDescription(summary)
        self.setToolTip(summary.replace("; ", "\n"))
        self.update()

    def sizeHint(self) -> QSize:
        rows = len(self.bars()) or 1
        return QSize(480, rows * (self.BAR_HEIGHT + self.GAP) + self.GAP)

    def bars(self) -> list[tuple[str, float]]:
        """(label, percent covered) for each bar, overall last."""
        if self.report is None:
            return []
        rows = [(f"{s.code} {s.name}", s.counts.covered_percent) for s in self.report.standards]
        return [*rows, ("Overall", self.report.counts.covered_percent)]

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text_colour = self.palette().windowText().color()
        track = QColor("#e5e7eb")
        fill = STATUS_COLOURS[CoverageStatus.COVERED]
        width = max(self.width() - self.LABEL_WIDTH - 60, 20)
        bars = self.bars()
        step = min(self.BAR_HEIGHT + self.GAP, (self.height() - self.GAP) / max(len(bars), 1))
        height = max(step - self.GAP, 3.0)
        top = float(self.GAP)
        metrics = painter.fontMetrics()
        for label, percent in bars:
            label_rect = QRectF(0, top, self.LABEL_WIDTH - 8, height)
            painter.setPen(text_colour)
            shown = metrics.elidedText(label, Qt.TextElideMode.ElideRight, self.LABEL_WIDTH - 8)
            painter.drawText(label_rect, Qt.AlignmentFlag.AlignVCenter, shown)
            bar = QRectF(self.LABEL_WIDTH, top, width, height)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(track)
            painter.drawRoundedRect(bar, 3, 3)
            painter.setBrush(fill)
            painter.drawRoundedRect(
                QRectF(bar.left(), top, width * percent / 100, bar.height()), 3, 3
            )
            painter.setPen(text_colour)
            painter.drawText(
                QRectF(bar.right() + 6, top, 54, height),
                Qt.AlignmentFlag.AlignVCenter,
                f"{percent:.0f}%",
            )
            top += step
        painter.end()
