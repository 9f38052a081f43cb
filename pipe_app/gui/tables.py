"""Read-only table views, set up the same way everywhere (sorting, selection, widths)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from pipe_app.gui.table_model import SEARCH_ROLE, SORT_ROLE, RowTableModel
from pipe_app.gui.view_layout import USER_WIDTHS

FIT_ROWS = 50  # fit_columns measures this many rows (a screenful and more), not every row


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


def search_proxy(model: RowTableModel[Any], parent: QWidget) -> QSortFilterProxyModel:
    """A proxy over ``model`` that filters on search text (and sorts by value if asked)."""
    proxy = QSortFilterProxyModel(parent)
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
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
    the user set them (``view_layout``), which they keep."""
    if view.property(USER_WIDTHS):
        return
    view.resizeColumnsToContents()
    columns = view.model().columnCount()
    if view.horizontalHeader().stretchLastSection():
        columns -= 1  # the last one takes what is left; widening it would add a scroll bar
    for column in range(columns):
        width = view.columnWidth(column) + 12
        view.setColumnWidth(column, min(max(width, least), most))
