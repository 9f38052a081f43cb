"""The list half of a list page: search box, filter bar, notice and count, and the table.

Each lazily fetched list (``LazyRowTableModel``) is laid out the same way::

    [ search … (Ctrl+F)                    ] [buttons]
    Site [▾]  From [date]  To [date]  …                (a tool bar: » when narrow)
    notice                                   1,234 sessions
    table (header clicks sort in the database)

The page declares what differs (``ListPanelSpec``, its filter boxes and buttons) and listens
to ``changed``, emitted when a filter box changes or the search words do; it then calls
``load_rows``. Tab goes search, buttons, filters, table. A page that can tell whether a row
holds the words (``holds``) has its held rows narrowed at each keystroke, before the
database answers.

With words in the search box, and when they are cleared, ``load_rows`` reads the first
``FIRST_ROWS`` off the GUI thread: the window must not freeze while a search is read
(a rare word could take a third of a second before the notes were indexed; clearing the
words read a whole first page at once, 90-100 ms on a shared PostgreSQL server at busy
scale on a slow machine). The rows on show stay, and the count says "Searching…", until the
answer comes; a newer load drops an older one's answer. The filters alone read along an
index, at once.

The list's first rows are read while the window is idle (``warm_up``) and put on show while
it is hidden (``warmed``): its first opening paints them at once and reads them again off
the GUI thread, as a search is read (the first read at stress scale took 25-50 ms on the
GUI thread, the longest stall of opening the page), unless the database says nothing has
been committed since they were read (``WarmRows.current``: SQLite's change mark).

When the search words are read is ``SearchPace``'s to say (a burst of keys is read once it
ends, at most two reads at once, the newest words next).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from pipe_app.gui.change_mark import change_mark, unchanged_since
from pipe_app.gui.latest_load import LatestLoad
from pipe_app.gui.layouts import nest
from pipe_app.gui.list_count import ListCount
from pipe_app.gui.list_filters import filter_bar
from pipe_app.gui.list_sort import DatabaseSortHeader
from pipe_app.gui.problems import describe_failure
from pipe_app.gui.search_pace import SearchPace
from pipe_app.gui.table_model import FIRST_ROWS, LazyRowTableModel
from pipe_app.gui.tables import plain_view
from pipe_app.storage.change_watch import ChangeWatch

RowT = TypeVar("RowT")
OrderT = TypeVar("OrderT")


def service_fetch(
    rows: Callable[..., list[RowT]], arguments: Mapping[str, Any]
) -> Callable[[int, int, OrderT], list[RowT]]:
    """A list's ``fetch(limit, offset, order)``: a service's ``rows`` with the filters'
    ``arguments`` (keyword arguments, with ``order``, ``limit`` and ``offset``)."""

    def fetch(limit: int, offset: int, order: OrderT) -> list[RowT]:
        return rows(**arguments, order=order, limit=limit, offset=offset)

    return fetch


@dataclass(frozen=True)
class WarmRows:
    """A list's first rows read while the window was idle, with the read and its order, and
    the database's change mark taken before it (``ChangeWatch``) on the day it was read."""

    fetch: Callable[[int, int, Any], list[Any]]
    order: Any
    rows: list[Any]
    mark: object = None  # None: not known; the rows must be read again
    watch: ChangeWatch | None = None

    @property
    def current(self) -> bool:
        """Nothing has been committed to the database since the rows were read, and it is
        still the day they were read on (a status may turn on the date): they are what a
        read now would find."""
        return unchanged_since(self.watch, self.mark)


def warm_read(
    make_fetch: Callable[[], Callable[[int, int, Any], list[Any]]], order: Any, watch: ChangeWatch
) -> Callable[[], object]:
    """A list's ``Page.warm_up``: its first rows, read in ``order`` by the read
    ``make_fetch`` makes from the filters. The mark is taken now (on the GUI thread), before
    the filters are read: a day that turns in between leaves the mark on the older day."""
    mark = change_mark(watch)
    fetch = make_fetch()
    return lambda: WarmRows(fetch, order, fetch(FIRST_ROWS, 0, order), mark, watch)


def show_warm_rows(model: LazyRowTableModel[Any, Any], outcome: object) -> bool:
    """Put the idle read's rows on show in ``model`` (held: no more pages of them, the
    first load reads the list again); False when ``outcome`` is not such rows in the
    model's order."""
    if not isinstance(outcome, WarmRows) or outcome.order != model.order:
        return False
    model.reset(outcome.fetch, outcome.rows, asked=FIRST_ROWS)
    model.hold()
    return True


@dataclass(frozen=True)
class ListPanelSpec:
    """What one list's panel says and is called; the rest is the same for every list."""

    prefix: str  # object names {prefix}Search, {prefix}Filters, {prefix}Notice, {prefix}Count
    name: str  # the panel's object name
    what: str  # "key-work sessions": "Search …" and "Number of … found"
    search_hint: str  # the search box's placeholder, e.g. "Search residents …  (Ctrl+F)"
    noun: str  # the count's "1 session" …
    plural: str  # … and "2 sessions"
    table: str  # the table's object name (its sort order is saved under it)
    table_name: str  # the table's accessible name (and a printed list's title)
    widths: Sequence[int] = ()  # initial column widths, from the first column
    search_name: str = ""  # the search box's accessible name when not "Search {what}"


class LazyListPanel(QWidget):
    """Search, filters, notice, count and table over a ``LazyRowTableModel``.

    ``filters`` are (caption, box) pairs: combo boxes and date boxes, whose changes emit
    ``changed``. ``buttons`` sit right of the search box. The page fills the notice and
    loads the model; ``count.update`` then shows the total beside the notice. ``failed``
    says why the model's rows or the count could not be read.
    """

    changed = Signal()  # a filter changed, or the search words are due to be read
    failed = Signal(str)  # the rows or the count could not be read: for the error banner
    loaded = Signal()  # ``load_rows``' first rows are in the model (at once, or once searched)

    def __init__(
        self,
        spec: ListPanelSpec,
        model: LazyRowTableModel[Any, Any],
        filters: Sequence[tuple[str, QWidget]] = (),
        buttons: Sequence[QWidget] = (),
        parent: QWidget | None = None,
        *,
        holds: Callable[[Any, str], bool] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(spec.name)
        self.model = model
        self._holds = holds
        self._searched = False  # the last load had words to look for
        self._ever_loaded = False  # load_rows has run: the idle read's rows are not wanted
        self._warm: WarmRows | None = None  # the idle read's rows on show: see ``load_rows``
        # Made in tab order: each widget joins the focus chain as it is put in the panel.
        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName(f"{spec.prefix}Search")
        self.search_edit.setPlaceholderText(spec.search_hint)
        self.search_edit.setAccessibleName(spec.search_name or f"Search {spec.what}")
        self.search_edit.setClearButtonEnabled(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        bar.addWidget(self.search_edit, 1)
        for button in buttons:
            bar.addWidget(button)
        nest(layout, bar)
        self.filter_bar = filter_bar(f"{spec.prefix}Filters", *filters)
        layout.addWidget(self.filter_bar)

        self.notice_label = QLabel()
        self.notice_label.setObjectName(f"{spec.prefix}Notice")
        self.notice_label.setProperty("role", "hint")
        self.count_label = QLabel()
        self.count_label.setObjectName(f"{spec.prefix}Count")
        self.count_label.setProperty("role", "hint")
        self.count_label.setAccessibleName(f"Number of {spec.what} found")
        self.count = ListCount(self, self.count_label, spec.noun, spec.plural)
        self._plural = spec.plural
        self._searches = LatestLoad(self, f"Searching the {spec.plural}", quiet=True)
        self._pace = SearchPace(self, self._searches)
        self.search_timer = self._pace.timer  # running while a burst of keys goes on
        counts = QHBoxLayout()
        counts.addWidget(self.notice_label, 1)
        counts.addWidget(self.count_label)
        nest(layout, counts)

        self.table = plain_view(spec.table, spec.table_name, model, self)
        for column, width in enumerate(spec.widths):
            self.table.horizontalHeader().resizeSection(column, width)
        self.sorting = DatabaseSortHeader(self.table, model)
        layout.addWidget(self.table, 1)

        model.failed.connect(self.failed)
        self.count.failed.connect(self.failed)
        self.search_edit.textChanged.connect(self._on_search_edited)
        self._pace.due.connect(self.changed)
        for _caption, box in filters:
            if isinstance(box, QComboBox):
                box.currentIndexChanged.connect(self._on_filter_changed)
            elif isinstance(box, QDateTimeEdit):
                box.dateChanged.connect(self._on_filter_changed)
            else:
                raise TypeError(f"no change signal known for a {type(box).__name__} filter")

    @property
    def is_loading(self) -> bool:
        return self._searches.is_loading or self.count.is_loading

    @property
    def reading_rows(self) -> bool:
        """The first rows of a load are being read off the GUI thread (not its count)."""
        return self._searches.is_loading

    def warm_up(
        self, make_fetch: Callable[[], Callable[[int, int, Any], list[Any]]], watch: ChangeWatch
    ) -> Callable[[], object]:
        """``Page.warm_up`` for a list read by what ``make_fetch`` makes: its first rows
        (``WarmRows``)."""
        return warm_read(make_fetch, self.model.order, watch)

    def warmed(self, outcome: object) -> None:
        """``Page.warmed``: the rows the idle read found go on show while the list is still
        hidden, unless it has been read since; its first load reads them again unless
        nothing has changed since (``WarmRows.current``)."""
        if not self._ever_loaded and show_warm_rows(self.model, outcome):
            assert isinstance(outcome, WarmRows)
            self._warm = outcome

    def load_rows(
        self,
        fetch: Callable[[int, int, Any], list[Any]],
        count: Callable[[], int],
        at_most: int | None = None,
    ) -> None:
        """Show the rows ``fetch(limit, offset, order)`` reads, then count them (``count``
        runs off the GUI thread; it stops past ``at_most`` if given); with a search, the
        first rows are read off it too."""
        model = self.model
        self._pace.started()  # this load reads the words as they are now
        searched, self._searched = self._searched, bool(self.search_edit.text().strip())
        warm, self._warm, self._ever_loaded = self._warm, None, True
        if not (self._searched or searched or warm):  # a filter changed, or the list opened
            self._searches.forget()  # an older search still running must not come back
            model.reset(fetch)
            self.count.update(model, count, at_most)
            self.loaded.emit()
            return
        order = model.order

        def found(rows: list[Any]) -> None:
            current = self._current_id()
            if model.order == order:
                model.reset(fetch, rows, asked=FIRST_ROWS)
            else:  # sorted meanwhile
                model.reset(fetch)
            self._select(current)
            self.count.update(model, count, at_most)
            self.loaded.emit()

        def failed(error: BaseException) -> None:
            self.count_label.clear()
            if warm:  # the idle read's rows are not left on show as if they were read now
                model.reset(fetch, [], asked=FIRST_ROWS)
            doing = "search" if searched or self._searched else "read"
            self.failed.emit(describe_failure(error, f"{doing} the {self._plural}"))

        if warm is not None and warm.current and not self._searched:  # nothing changed since
            found(model.rows)
            return
        self.count_label.setText("Searching…" if self._searched or searched else "Loading…")
        self._searches.start(lambda: fetch(FIRST_ROWS, 0, order), found, failed)

    def _current_id(self) -> Any:
        index = self.table.currentIndex()
        return self.model.row(index.row()).id if index.isValid() else None

    def _select(self, row_id: Any) -> None:
        """Make the row ``row_id`` current again if it is held (after a reset)."""
        model = self.model
        for number in range(model.rowCount() if row_id is not None else 0):
            if model.row(number).id == row_id:
                self.table.setCurrentIndex(model.index(number, 0))
                return

    def _on_search_edited(self, text: str) -> None:
        words, holds = text.strip().lower(), self._holds
        if words and holds is not None:  # at once: narrow what is held
            self.model.narrow(lambda row: holds(row, words))
            self.count_label.setText("Searching…")
        self._pace.typed()

    def _on_filter_changed(self, *_args: object) -> None:
        self._pace.started()  # the reload reads the search words too
        self._searched = False  # so without words it reads at once: a filter, not the box
        self.changed.emit()
