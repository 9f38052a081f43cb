"""Read-only table views, set up the same way everywhere (sorting, selection, widths)."""

from __future__ import annotations

import heapq
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from pipe_app.gui.table_model import SEARCH_ROLE, RowTableModel
from pipe_app.gui.view_layout import USER_WIDTHS

FIT_ROWS = 50  # fit_columns measures this many rows (a screenful and more), not every row
FIT_TEXTS = 5  # ... and of those, the texts with most characters: the widest among them


def plain_view(name: str, accessible_name: str, model: Any, parent: QWidget) -> QTableView:
    """A read-only table of whole rows: arrows move, Enter opens, Tab leaves."""
    view = QTableView(parent)
    view.setObjectName(name)
    view.setAccessibleName(accessible_name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.setTabKeyNavigation(False)  # Tab leaves the table, arrows move inside it
    view.verticalHeader().hide()
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    header.setHighlightSections(False)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    header.setResizeContentsPrecision(FIT_ROWS)
    return view


class SearchProxy(QSortFilterProxyModel):
    """Filters on search text; sorting (a header click) is the source model's own, one key a
    row (``RowTableModel.sort``), where sorting here asked two keys a comparison."""

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.sourceModel().sort(column, order)


def search_proxy(model: RowTableModel[Any], parent: QWidget) -> QSortFilterProxyModel:
    """A proxy over ``model`` that filters on search text, and passes sorting to it."""
    proxy = SearchProxy(parent)
    proxy.setSourceModel(model)
    proxy.setFilterRole(SEARCH_ROLE)
    proxy.setFilterKeyColumn(0)
    proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    return proxy


def sorted_view(
    name: str, accessible_name: str, model: RowTableModel[Any], parent: QWidget
) -> tuple[QTableView, QSortFilterProxyModel]:
    """A table over ``model`` through a proxy that sorts by value and filters on search text."""
    proxy = search_proxy(model, parent)
    view = plain_view(name, accessible_name, proxy, parent)
    view.setSortingEnabled(True)
    view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    return view, proxy


def fit_columns(view: QTableView, *, least: int = 64, most: int = 320) -> None:
    """Columns as wide as their content plus breathing room, within sensible bounds; unless
    the user set them (``view_layout``), which they keep.

    Measures, with the view's font, the ``FIT_TEXTS`` longest display texts (by characters)
    of each column's first ``FIT_ROWS`` rows: measuring all of them took a millisecond of
    the Residents list's first screen. Asks the delegate for one cell per column only (its
    padding, icon and font), instead of ``resizeColumnsToContents``, which asks it for
    every cell: under the style sheet that took most of a list's first paint.
    """
    if view.property(USER_WIDTHS):
        return
    model = view.model()
    header = view.horizontalHeader()
    metrics = view.fontMetrics()
    rows = min(model.rowCount(), FIT_ROWS)
    columns = model.columnCount()
    if header.stretchLastSection():
        columns -= 1  # the last one takes what is left; widening it would add a scroll bar
    for column in range(columns):
        if view.isColumnHidden(column):
            continue
        widest = header.sectionSizeHint(column)
        if rows:
            texts = _texts(model, column, rows)
            first = model.index(0, column)
            padding = view.sizeHintForIndex(first).width() - metrics.horizontalAdvance(texts[0])
            longest = heapq.nlargest(FIT_TEXTS, texts, key=len)
            cells = max(metrics.horizontalAdvance(text) for text in longest) + max(padding, 0)
            widest = max(widest, cells)
        view.setColumnWidth(column, min(max(widest + 12, least), most))


def _texts(model: QAbstractItemModel, column: int, rows: int) -> list[str]:
    """The display text of a column's first rows; straight from a ``RowTableModel``'s rows
    where it can (asking Qt for each cell costs a round trip into Python per cell). Behind a
    sorting or filtering proxy, the model's own first rows: as good a sample for a width."""
    source = model.sourceModel() if isinstance(model, QSortFilterProxyModel) else model
    shown = getattr(source, "column_texts", None)
    if shown is not None:
        return list(shown(column, rows))
    return [_text(model.index(row, column)) for row in range(rows)]


def _text(index: QModelIndex) -> str:
    value = index.data(Qt.ItemDataRole.DisplayRole)
    return "" if value is None else str(value)
