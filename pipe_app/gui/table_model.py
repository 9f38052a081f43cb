"""A read-only table model over frozen row dataclasses, described by a list of columns."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from pipe_app.timeutil import format_local

R = TypeVar("R")

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 2
ROW_ROLE = Qt.ItemDataRole.UserRole + 3

_Index = QModelIndex | QPersistentModelIndex


def show_date(value: date | None) -> str:
    return value.strftime("%d %b %Y") if value is not None else ""


def show_time(value: datetime | None) -> str:
    return format_local(value) if value is not None else ""


@dataclass(frozen=True)
class Column(Generic[R]):
    """``value`` gives what is shown; ``sort_key`` what sorting uses (dates sort as dates)."""

    header: str
    value: Callable[[R], Any]
    sort_key: Callable[[R], Any] | None = None
    align_right: bool = False
    tooltip: str = ""

    def shown(self, row: R) -> str:
        value = self.value(row)
        if isinstance(value, datetime):
            return show_time(value)
        if isinstance(value, date):
            return show_date(value)
        return "" if value is None else str(value)

    def key(self, row: R) -> Any:
        if self.sort_key is not None:
            return self.sort_key(row)
        value = self.value(row)
        if value is None:
            return ""
        if isinstance(value, date):
            return value.isoformat()  # datetimes too: ISO text sorts in time order
        return value.casefold() if isinstance(value, str) else value


class RowTableModel(QAbstractTableModel, Generic[R]):
    """Rows are replaced as a whole (``set_rows``); views sort and filter through a proxy."""

    def __init__(
        self,
        columns: Sequence[Column[R]],
        search_text: Callable[[R], str] | None = None,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._rows: list[R] = []
        self._search_text = search_text

    def set_rows(self, rows: Sequence[R]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row(self, number: int) -> R:
        return self._rows[number]

    @property
    def rows(self) -> list[R]:
        return list(self._rows)

    # ---- QAbstractTableModel -----------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.shown(row)
        if role == SORT_ROLE:
            return column.key(row)
        if role == SEARCH_ROLE:
            return self._search_text(row) if self._search_text else column.shown(row)
        if role == Qt.ItemDataRole.TextAlignmentRole and column.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == ROW_ROLE:
            return row
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._columns):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._columns[section].header
        if role == Qt.ItemDataRole.ToolTipRole and self._columns[section].tooltip:
            return self._columns[section].tooltip
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )
