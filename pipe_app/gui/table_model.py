"""Read-only table models over frozen row dataclasses, described by a list of columns."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Generic, Protocol, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from pipe_app.gui.problems import describe_failure
from pipe_app.services.ordering import Order
from pipe_app.timeutil import format_local

R = TypeVar("R")

# A list's first read (on opening, after a filter changes, and a search's answer): more than
# a tall screen shows (a view not filled asks for the next page at once); the rest comes a
# page at a time as the list is scrolled. Half a page: a search with many matches read 200
# rows at busy scale in 55-65 ms, 100 in ~42; a psychologist's key work at stress scale, the
# first read of a session, 30-50 ms for 200 rows on the GUI thread, 25 for 100.
FIRST_ROWS = 100
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 2
ROW_ROLE = Qt.ItemDataRole.UserRole + 3

_Index = QModelIndex | QPersistentModelIndex
_ROW_FLAGS = (
    Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
)
# The roles ``RowTableModel.data`` answers. A view asks each cell for seven or more roles as
# it paints (font, colours, check state, decoration …); the rest get None at once.
_ANSWERED = frozenset(
    int(role)
    for role in (
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.TextAlignmentRole,
        SEARCH_ROLE,
        ROW_ROLE,
    )
)


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


def sorted_positions(keys: Sequence[Any], descending: bool) -> list[int]:
    """The positions of ``keys`` in sorted order, equal keys kept in their order (as Qt's
    sorting keeps them). Keys of different kinds (a number and the empty text of a missing
    one) sort numbers first, then texts, then the rest as text."""
    try:
        return sorted(range(len(keys)), key=keys.__getitem__, reverse=descending)
    except TypeError:
        ranked = [_ranked(key) for key in keys]
        return sorted(range(len(ranked)), key=ranked.__getitem__, reverse=descending)


def _ranked(key: Any) -> tuple[int, Any]:
    if isinstance(key, int | float):
        return 0, key
    return (1, key) if isinstance(key, str) else (2, str(key))


class RowTableModel(QAbstractTableModel, Generic[R]):
    """Rows are replaced as a whole (``set_rows``); views filter through a proxy, and sort
    here (``sort``: a header click, or ``sortByColumn``), by one key a row. A proxy sorting
    the rows asked the model for two keys a comparison, in Python: the review queue's 168
    rows took 26 ms to show."""

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
        self._sorted_by: tuple[int, Qt.SortOrder] | None = None  # the last ``sort``

    def set_rows(self, rows: Sequence[R]) -> None:
        """Show ``rows``, in the order last sorted by if any."""
        self.beginResetModel()
        self._rows = self._in_order(list(rows))
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Order the rows by ``column``'s sort key (kept for the rows set later)."""
        if not 0 <= column < len(self._columns):
            return
        self._sorted_by = (column, order)
        self.layoutAboutToBeChanged.emit()  # PySide6 sends it without its arguments
        rows = self._rows
        moved = self._positions(rows)  # the old row numbers, in their new order
        self._rows = [rows[n] for n in moved]
        row_now = {old: new for new, old in enumerate(moved)}
        held = self.persistentIndexList()  # the selection and current row follow their rows
        self.changePersistentIndexList(
            held, [self.index(row_now[index.row()], index.column()) for index in held]
        )
        self.layoutChanged.emit()

    def _in_order(self, rows: list[R]) -> list[R]:
        return [rows[n] for n in self._positions(rows)] if self._sorted_by else rows

    def _positions(self, rows: list[R]) -> list[int]:
        if self._sorted_by is None:
            return list(range(len(rows)))
        column, order = self._sorted_by
        key = self._columns[column].key
        return sorted_positions([key(row) for row in rows], order == Qt.SortOrder.DescendingOrder)

    def row(self, number: int) -> R:
        return self._rows[number]

    @property
    def rows(self) -> list[R]:
        return list(self._rows)

    def column_texts(self, column: int, rows: int) -> list[str]:
        """What the first ``rows`` rows show in ``column`` (for sizing it)."""
        shown = self._columns[column].shown
        return [shown(row) for row in self._rows[:rows]]

    # ---- QAbstractTableModel -----------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in _ANSWERED or not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.shown(row)
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
        return _ROW_FLAGS


class _Identified(Protocol):
    @property
    def id(self) -> uuid.UUID: ...


RowWithId = TypeVar("RowWithId", bound=_Identified)
SortKey = TypeVar("SortKey", bound=StrEnum)


class LazyRowTableModel(RowTableModel[RowWithId], Generic[RowWithId, SortKey]):
    """Holds the pages fetched so far; the view asks for more as the user scrolls, so a list
    of 200,000 rows opens as fast as one of 200. ``fetch(limit, offset, order)`` reads one
    page; the first is ``FIRST_ROWS`` at most. ``sorts`` names the service's sort key for
    each column the database can sort by; ``sort()`` on another column does nothing, on one
    of these it starts the fetch again in the new ``order`` (which later queries keep)."""

    failed = Signal(str)

    def __init__(
        self,
        columns: Sequence[Column[RowWithId]],
        search_text: Callable[[RowWithId], str] | None = None,
        parent: Any = None,
        *,
        page_size: int,
        what: str,
        order: Order[SortKey],
        sorts: Mapping[int, SortKey],
    ) -> None:
        super().__init__(columns, search_text, parent)
        self.page_size = page_size
        self.order = order
        self._sorts = dict(sorts)
        self._what = what
        self._fetch: Callable[[int, int, Order[SortKey]], list[RowWithId]] | None = None
        self._ids: set[uuid.UUID] = set()
        self._more = False
        self._resetting = False
        self._inserting = False
        self._held = False  # ``hold``: no more pages until the next reset
        self.error = ""

    def reset(
        self,
        fetch: Callable[[int, int, Order[SortKey]], list[RowWithId]],
        first_page: list[RowWithId] | None = None,
        *,
        asked: int | None = None,
    ) -> None:
        """Start again with a new query; its first page is fetched at once, unless it was
        read already (``first_page``: ``fetch(asked or page_size, 0, order)``, off the GUI
        thread). A first page that is the rows on show (a list read again as it opens, a
        reload that found nothing changed) leaves them be: the view is not laid out and
        painted again, and keeps its scroll and chosen row."""
        if first_page is not None and not self.error and first_page == self._rows:
            self._fetch, self._held = fetch, False
            self._more = bool(first_page) and len(first_page) >= (asked or self.page_size)
            return
        self._resetting = True  # views and testers ask for more while a reset is announced
        try:
            self.beginResetModel()
            self._fetch, self._rows, self._ids = fetch, [], set()
            self._more, self._held = True, False
            self.error = ""
            self.endResetModel()
        finally:
            self._resetting = False
        if first_page is None:
            self._read(min(self.page_size, FIRST_ROWS))
        else:
            self._take(first_page, asked or self.page_size)

    def narrow(self, keep: Callable[[RowWithId], bool]) -> None:
        """Hide at once the held rows ``keep`` refuses, while the database is asked: its
        answer comes with the next ``reset``, and no more pages are fetched until then."""
        self._more = False
        kept = [row for row in self._rows if keep(row)]
        if len(kept) == len(self._rows):
            return
        self.beginResetModel()
        self._rows, self._ids = kept, {row.id for row in kept}
        self.endResetModel()

    def hold(self) -> None:
        """Fetch no more pages of this query until the next ``reset``: a proxy narrows the
        rows held while other words are read. A view whose narrowed rows no longer fill it
        asks for more: at busy scale two pages of the list without words, 20-30 ms on the
        GUI thread, were read at the first keys of a Residents search, for nothing."""
        self._held = True

    @property
    def complete(self) -> bool:
        """Every matching row is held (counting and client-side filtering are exact)."""
        return not self._more

    # ---- order -------------------------------------------------------------------------

    @property
    def sort_keys(self) -> dict[int, SortKey]:
        """The sort key of each column the database can sort by."""
        return dict(self._sorts)

    def sort_column(self) -> int:
        """The column showing the current order (-1 when none does)."""
        return next((c for c, key in self._sorts.items() if key == self.order.key), -1)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = self._sorts.get(column)
        if key is None:
            return
        self.set_order(Order(key, descending=order == Qt.SortOrder.DescendingOrder))

    def set_order(self, order: Order[SortKey]) -> None:
        if order == self.order:
            return
        self.order = order
        if self._fetch is not None:
            self.reset(self._fetch)

    # ---- fetching ----------------------------------------------------------------------

    def canFetchMore(self, parent: _Index) -> bool:
        busy = self._resetting or self._inserting  # asked again while rows are announced
        return not parent.isValid() and self._more and not (busy or self._held)

    def fetchMore(self, parent: _Index) -> None:
        if self.canFetchMore(parent):
            self._read(self.page_size)

    def _read(self, rows: int) -> None:
        """Read the next ``rows`` rows at most, after those held."""
        if self._fetch is None:
            return
        try:
            page = self._fetch(rows, len(self._rows), self.order)
        except Exception as exc:
            self._more = False
            self.error = describe_failure(exc, f"load {self._what}")
            self.failed.emit(self.error)
            return
        self._take(page, rows)

    def _take(self, page: list[RowWithId], asked: int) -> None:
        """Append a page just read, of ``asked`` rows at most (a full one means there may be
        more)."""
        if len(page) < asked:
            self._more = False
        fresh = [row for row in page if row.id not in self._ids]  # added meanwhile
        if not fresh:
            self._more = self._more and bool(page)
            return
        start = len(self._rows)
        self._inserting = True
        try:
            self.beginInsertRows(QModelIndex(), start, start + len(fresh) - 1)
            self._rows.extend(fresh)
            self._ids.update(row.id for row in fresh)
            self.endInsertRows()
        finally:
            self._inserting = False
