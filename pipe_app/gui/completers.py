"""Pick a record by typing part of it: a completer that asks a service as you type.

The service does the searching (and the site scoping), so the popup lists only what the user
may see, however many records there are; the completer shows the answers unfiltered.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QCompleter, QLineEdit

from pipe_app.services.permissions import Actor
from pipe_app.services.residents import ResidentRow, ResidentService
from pipe_app.storage.database import Database
from pipe_app.timeutil import local_today

PICK_ROLE = Qt.ItemDataRole.UserRole + 10
Search = Callable[[str], Sequence[tuple[str, Any]]]


class SearchCompleter(QCompleter):
    """Lists ``search(text)`` under ``edit``; ``picked`` carries the chosen item (None: cleared).

    Typing after a pick clears it, so the field never shows one name while holding another.
    """

    picked = Signal(object)

    def __init__(self, edit: QLineEdit, search: Search, *, minimum: int = 1) -> None:
        self._items = QStandardItemModel()
        super().__init__(self._items, edit)
        self._items.setParent(self)
        self._edit = edit
        self._search = search
        self._minimum = minimum
        self.chosen: Any = None
        self.failure = ""
        self.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setMaxVisibleItems(8)
        edit.setCompleter(self)
        self.list_view.setObjectName(f"{edit.objectName()}Popup")
        self.list_view.setAccessibleName(f"Matches for {edit.accessibleName() or 'the search'}")
        self._connect_signals()

    def _connect_signals(self) -> None:
        self._edit.textEdited.connect(self._on_text_edited)
        self.activated[QModelIndex].connect(self._on_activated)  # type: ignore[index]

    @property
    def list_view(self) -> QAbstractItemView:
        popup = self.popup()
        assert popup is not None  # a completer always has its popup
        return popup

    def set_choice(self, text: str, value: Any) -> None:
        """Show a choice made elsewhere (an opened record, a restored draft)."""
        self.chosen = value
        self._edit.setText(text)

    def _on_text_edited(self, text: str) -> None:
        if self.chosen is not None:
            self.chosen = None
            self.picked.emit(None)
        self._items.clear()
        text = text.strip()
        if len(text) < self._minimum:
            self.list_view.hide()
            return
        try:
            matches = self._search(text)
            self.failure = ""
        except Exception as exc:  # shown by the form; the field keeps working
            from pipe_app.gui.problems import describe_failure

            self.failure = describe_failure(exc, "search")
            matches = []
        for label, value in matches:
            item = QStandardItem(label)
            item.setData(value, PICK_ROLE)
            item.setEditable(False)
            self._items.appendRow(item)
        if matches:
            self.complete()
        else:
            self.list_view.hide()

    def _on_activated(self, index: QModelIndex | QPersistentModelIndex) -> None:
        self.chosen = index.data(PICK_ROLE)
        self._edit.setText(str(index.data(Qt.ItemDataRole.DisplayRole) or ""))
        self.picked.emit(self.chosen)


def resident_label(name: str, crn: str) -> str:
    return f"{name} ({crn})"


def resident_completer(
    edit: QLineEdit, db: Database, actor: Actor, *, limit: int = 20
) -> SearchCompleter:
    """Residents placed today at the user's sites, by part of a name or CRN."""
    service = ResidentService(db, actor)

    def search(text: str) -> list[tuple[str, ResidentRow]]:
        rows = service.rows(search=text, current_on=local_today(), limit=limit)
        several_sites = len({row.site_id for row in rows}) > 1
        return [
            (
                resident_label(row.display_name, row.crn)
                + (f", {row.site_name}" if several_sites else ""),
                row,
            )
            for row in rows
        ]

    return SearchCompleter(edit, search)
