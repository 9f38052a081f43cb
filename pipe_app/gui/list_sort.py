"""Header clicks on a lazily fetched list sort the whole list in the database.

Only columns the model can sort in SQL take a click (the others keep the indicator where it
was); the order chosen is remembered per list in the settings and kept through filter and
search changes.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QTableView

from pipe_app.gui.settings import make_settings
from pipe_app.gui.table_model import LazyRowTableModel
from pipe_app.services.ordering import Order

DESCENDING = "desc"


def sort_setting(list_name: str) -> str:
    return f"lists/{list_name}/sort"


class DatabaseSortHeader(QObject):
    """Wires ``view``'s header to ``model.sort``; call before the list first loads."""

    def __init__(self, view: QTableView, model: LazyRowTableModel[Any, Any]) -> None:
        super().__init__(view)
        self._model = model
        self._setting = sort_setting(view.objectName())
        self._header = view.horizontalHeader()
        self._header.setSectionsClickable(True)
        self._header.setSortIndicatorShown(True)
        self._restore()
        self._show_order()
        self._header.sortIndicatorChanged.connect(self._on_indicator_changed)

    def _restore(self) -> None:
        saved = make_settings().value(self._setting, "")
        key_name, _, direction = (saved if isinstance(saved, str) else "").partition(" ")
        for key in self._model.sort_keys.values():
            if key.value == key_name:
                self._model.set_order(Order(key, descending=direction == DESCENDING))

    def _show_order(self) -> None:
        self._header.blockSignals(True)
        descending = self._model.order.descending
        self._header.setSortIndicator(
            self._model.sort_column(),
            Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder,
        )
        self._header.blockSignals(False)

    def _on_indicator_changed(self, column: int, order: Qt.SortOrder) -> None:
        self._model.sort(column, order)
        self._show_order()  # a column the database cannot sort by puts the indicator back
        current = self._model.order
        direction = DESCENDING if current.descending else "asc"
        make_settings().setValue(self._setting, f"{current.key.value} {direction}")
