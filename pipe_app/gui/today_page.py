"""Today: what needs the signed-in user now, one card per kind of work.

Loaded off the GUI thread (``LatestLoad``) so a slow database never freezes the window. Every
line opens its record (Enter or double-click) by asking the main window through
``record_requested``; urgency is always written out and shown by an icon, never colour alone.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from pipe_app.gui.latest_load import LatestLoad
from pipe_app.gui.layouts import nest
from pipe_app.gui.pages import Page, PageSpec
from pipe_app.gui.problems import describe_failure
from pipe_app.gui.table_model import Column, RowTableModel
from pipe_app.gui.today_lines import Level, TodayLine, TodaySection, gather_today
from pipe_app.services.permissions import Actor
from pipe_app.storage.database import Database
from pipe_app.timeutil import local_today

LEVEL_COLOURS = {
    Level.OVERDUE: "#a8201a",
    Level.DUE: "#8a5a00",
    Level.SOON: "#8a5a00",
    Level.INFO: "#1f6f78",
}
VISIBLE_ROWS = 5
ROW_HEIGHT = 48

_Index = QModelIndex | QPersistentModelIndex


def level_icon(level: Level) -> QIcon:
    """A filled mark with "!" when action is due, a ring when it is coming or for information."""
    size = 32
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    colour = QColor(LEVEL_COLOURS[level])
    box = QRectF(3, 3, size - 6, size - 6)
    if level in (Level.OVERDUE, Level.DUE):
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(colour))
        painter.drawEllipse(box)
        painter.setPen(QPen(QColor("#ffffff")))
        font = QFont()
        font.setBold(True)
        font.setPixelSize(20)
        painter.setFont(font)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, "!")
    else:
        painter.setPen(QPen(colour, 4))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(box.adjusted(2, 2, -2, -2))
    painter.end()
    return QIcon(pixmap)


# Two lines per entry (what, then its details) so nothing important is cut off at 1366 wide.
LINE_COLUMNS: list[Column[TodayLine]] = [
    Column("What", lambda line: f"{line.text}\n{line.detail}" if line.detail else line.text),
    Column("Status", lambda line: line.status),
]
STATUS_COLUMN = 1


class TodayLinesModel(RowTableModel[TodayLine]):
    """The lines of one Today section; the status column carries the urgency icon and colour."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(LINE_COLUMNS, lambda line: line.accessible_text.casefold(), parent)
        # Painted once per model, when first asked for (an empty section never asks); not
        # module-wide, so no Qt object outlives the application.
        self._icons: dict[Level, QIcon] = {}

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and 0 <= index.row() < self.rowCount():
            line = self.row(index.row())
            if role == Qt.ItemDataRole.ToolTipRole:
                return line.detail or line.status
            if role == Qt.ItemDataRole.AccessibleTextRole:
                return line.accessible_text
            if index.column() == STATUS_COLUMN:
                if role == Qt.ItemDataRole.DecorationRole:
                    if line.level not in self._icons:
                        self._icons[line.level] = level_icon(line.level)
                    return self._icons[line.level]
                if role == Qt.ItemDataRole.ForegroundRole:
                    return QBrush(QColor(LEVEL_COLOURS[line.level]))
                if role == Qt.ItemDataRole.FontRole and line.level == Level.OVERDUE:
                    font = QFont()
                    font.setBold(True)
                    return font
        return super().data(index, role)


class SectionCard(QFrame):
    """A heading with a count, then the lines (or a sentence saying there are none)."""

    line_opened = Signal(object)

    def __init__(self, section: TodaySection, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.section = section
        self.setObjectName(f"today_{section.key}")
        self.setProperty("role", "card")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 12)
        layout.setSpacing(6)
        count = len(section.lines)
        self.heading = QLabel(f"{section.title}  ({count})" if count else section.title)
        self.heading.setProperty("role", "cardHeading")
        layout.addWidget(self.heading)
        self.model = TodayLinesModel(self)
        self.model.set_rows(section.lines)
        # A section with no lines has no table: most of a day's sections are empty, and an
        # empty card took about 5 ms to build with its table, 1 ms without (stop 18).
        self.view: QTableView | None = self._lines_view(count) if count else None
        if self.view is not None:
            layout.addWidget(self.view)
        self.empty_label = QLabel(section.empty_text, self)  # a parent first: never a window
        self.empty_label.setProperty("role", "hint")
        self.empty_label.setVisible(count == 0)
        layout.addWidget(self.empty_label)
        layout.addStretch(1)

    def _lines_view(self, count: int) -> QTableView:
        view = QTableView(self)
        view.setObjectName(f"today_{self.section.key}_lines")
        view.setAccessibleName(self.section.title)
        view.setModel(self.model)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setTabKeyNavigation(False)
        view.setShowGrid(False)
        view.setWordWrap(False)
        view.setAlternatingRowColors(True)
        view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        view.horizontalHeader().hide()
        view.verticalHeader().hide()
        view.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        header = view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        header.setStretchLastSection(False)
        view.ensurePolished()  # measured as styled: the style sheet sets frame and padding
        view.setFixedHeight(min(count, VISIBLE_ROWS) * ROW_HEIGHT + 2 * view.frameWidth())
        header.resizeSection(STATUS_COLUMN, self._status_width(view))
        view.activated.connect(self._on_line_activated)
        return view

    def _status_width(self, view: QTableView) -> int:
        """Wide enough for the widest status, measured as text in bold (how the overdue ones
        are drawn), plus the icon and padding of one cell. Sizing the column to its contents
        asked for every line's cell: a psychologist's 1,200 lines of training held the
        window still for 200 ms."""
        bold = QFont(view.font())
        bold.setBold(True)
        metrics = QFontMetrics(bold)
        first = self.model.index(0, STATUS_COLUMN)
        first_font = self.model.data(first, Qt.ItemDataRole.FontRole) or view.font()
        padding = view.sizeHintForIndex(first).width() - QFontMetrics(first_font).horizontalAdvance(
            self.section.lines[0].status
        )
        widest = max(metrics.horizontalAdvance(line.status) for line in self.section.lines)
        return widest + max(padding, 0)

    def _on_line_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.line_opened.emit(self.model.row(index.row()))


class TodayPage(Page):
    """Sections follow the user's role: key work and groups for care staff, the sign-off
    queue for psychologists, training and accreditation deadlines for managers."""

    loaded = Signal()

    def __init__(
        self, spec: PageSpec, db: Database, actor: Actor, parent: QWidget | None = None
    ) -> None:
        super().__init__(spec, db, actor, parent)
        self.cards: dict[str, SectionCard] = {}
        self.loads = LatestLoad(self, "Loading Today")

        top = QHBoxLayout()
        self.date_label = QLabel()
        self.date_label.setObjectName("todayDate")
        self.date_label.setProperty("role", "subtitle")
        self.status_label = QLabel()
        self.status_label.setObjectName("todayStatus")
        self.status_label.setProperty("role", "hint")
        top.addWidget(self.date_label)
        top.addStretch(1)
        top.addWidget(self.status_label)
        nest(self.body, top)

        self.scroll_area = QScrollArea()
        self.scroll_area.setObjectName("todayScroll")
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.content = QWidget()
        self.content.setObjectName("todayContent")
        self.grid = QGridLayout(self.content)
        self.grid.setContentsMargins(0, 0, 4, 0)
        self.grid.setHorizontalSpacing(14)
        self.grid.setVerticalSpacing(14)
        self.scroll_area.setWidget(self.content)
        # The page's own background shows through (setWidget turns filling on).
        self.content.setAutoFillBackground(False)
        self.scroll_area.viewport().setAutoFillBackground(False)
        self.body.addWidget(self.scroll_area, 1)

    @property
    def is_loading(self) -> bool:
        return self.loads.is_loading

    def refresh(self) -> None:
        today = local_today()
        self.date_label.setText(f"{today:%A %d %B %Y} · {self.actor.display_name}")
        self.status_label.setText("Loading…")
        db, actor = self.db, self.actor
        self.loads.start(
            lambda: gather_today(db, actor, today), self._on_sections_loaded, self._on_load_failed
        )

    def _on_sections_loaded(self, sections: list[TodaySection]) -> None:
        self.show_error("")
        self._show(sections)
        waiting = sum(len(s.lines) for s in sections)
        self.status_label.setText(
            "Nothing needs you today."
            if waiting == 0
            else f"{waiting} thing{'s' if waiting > 1 else ''} to look at"
        )
        self.loaded.emit()

    def _on_load_failed(self, error: BaseException) -> None:
        self.status_label.setText("")
        self.show_error(describe_failure(error, "load your day"))
        self.loaded.emit()

    def _show(self, sections: list[TodaySection]) -> None:
        for card in self.cards.values():
            self.grid.removeWidget(card)
            card.deleteLater()
        self.cards = {}
        # Residents' work on the left, staff matters on the right; two columns fit 1366 wide.
        left = ("key_work_due", "drafts", "groups")
        rows = {0: 0, 1: 0}
        for section in sections:
            card = SectionCard(section, self.content)
            card.line_opened.connect(self._on_line_opened)
            column = 0 if section.key in left else 1
            self.grid.addWidget(card, rows[column], column)
            rows[column] += 1
            self.cards[section.key] = card
        self.grid.setRowStretch(max(rows.values()), 1)
        self.grid.setColumnStretch(0, 1)
        self.grid.setColumnStretch(1, 1)

    def _on_line_opened(self, line: TodayLine) -> None:
        self.record_requested.emit(line.page_key, line.record_id)
