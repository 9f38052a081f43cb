"""The "1,234 sessions" figure beside a lazily fetched list.

When the first page holds every row the figure is its length. Otherwise a ``count(*)`` is
needed, and it is read off the GUI thread after the first rows are on show: on a shared
PostgreSQL server counting a site's ten years of sessions took longer than the rows. A count
told to stop at ``at_most`` (a search's: ``SEARCH_COUNTED_TO``) says "More than 10,000
sessions" past it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, Signal
from PySide6.QtWidgets import QLabel, QWidget

from pipe_app.gui.latest_load import LatestLoad
from pipe_app.gui.problems import describe_failure
from pipe_app.gui.table_model import LazyRowTableModel

SEARCH_COUNTED_TO = 10_000  # a search's matches are counted to here, "More than" beyond


class ListCount(QObject):
    counted = Signal(int)  # the total, once known
    failed = Signal(str)  # what went wrong, for the page's error banner

    def __init__(self, parent: QWidget, label: QLabel, noun: str, plural: str) -> None:
        super().__init__(parent)
        self._label = label
        self._noun, self._plural = noun, plural
        self._loads = LatestLoad(parent, f"Counting the {plural}", quiet=True)
        self._at_most: int | None = None

    @property
    def is_loading(self) -> bool:
        return self._loads.is_loading

    def update(
        self,
        model: LazyRowTableModel[Any, Any],
        count: Callable[[], int],
        at_most: int | None = None,
    ) -> None:
        """Show the total of what ``model`` was just reset to; ``count`` runs on a worker,
        and a figure past ``at_most`` from it means "more than ``at_most``"."""
        self._at_most = at_most
        if not model.canFetchMore(QModelIndex()):
            self._loads.forget()  # an older count still running must not overwrite this
            self._show(model.rowCount())
            return
        self._label.setText("Counting…")
        self._loads.start(count, self._show, self._on_failed)

    def clear(self) -> None:
        """No figure: the rows could not be read (a count still running is dropped)."""
        self._loads.forget()
        self._label.clear()

    def _show(self, total: int) -> None:
        at_most = self._at_most
        if at_most is not None and total > at_most:
            self._label.setText(f"More than {at_most:,} {self._plural}")
        else:
            self._label.setText(f"{total:,} {self._noun if total == 1 else self._plural}")
        self.counted.emit(total)

    def _on_failed(self, error: BaseException) -> None:
        self._label.clear()
        self.failed.emit(describe_failure(error, f"count the {self._plural}"))
