"""Column widths and splitter positions the user set, kept per login between sessions.

Each table and splitter is known by its object name. Once the user drags a column edge (or
widths were restored), the table's widths are the user's: ``tables.fit_columns`` leaves them
alone and they are saved; tables the user never touched stay fitted to their content.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QSplitter, QTableView, QWidget

USER_WIDTHS = "userColumnWidths"  # a table property: its widths are the user's, not fitted


def _watch(view: QTableView) -> None:
    """A column edge dragged with the mouse makes the widths the user's."""
    header = view.horizontalHeader()

    def resized(column: int, _old: int, _new: int) -> None:
        stretched = header.stretchLastSection() and column == header.count() - 1
        dragging = bool(QGuiApplication.mouseButtons() & Qt.MouseButton.LeftButton)
        if dragging and not stretched:
            view.setProperty(USER_WIDTHS, True)

    header.sectionResized.connect(resized)


def _prefix(username: str) -> str:
    return f"layout/{username}"


def restore_layout(root: QWidget, settings: QSettings, username: str) -> None:
    prefix = _prefix(username)
    for view in root.findChildren(QTableView):
        if not view.objectName():
            continue
        stored = settings.value(f"{prefix}/{view.objectName()}/columns")
        widths = [stored] if isinstance(stored, str) else stored
        if isinstance(widths, list) and widths:
            header = view.horizontalHeader()
            for column, width in enumerate(widths[: header.count()]):
                header.resizeSection(column, int(width))
            view.setProperty(USER_WIDTHS, True)
        _watch(view)
    for splitter in root.findChildren(QSplitter):
        state = settings.value(f"{prefix}/{splitter.objectName()}/splitter")
        if splitter.objectName() and isinstance(state, QByteArray):
            splitter.restoreState(state)


def save_layout(root: QWidget, settings: QSettings, username: str) -> None:
    prefix = _prefix(username)
    for view in root.findChildren(QTableView):
        header = view.horizontalHeader()
        if view.objectName() and header.count() and view.property(USER_WIDTHS):
            sizes = [header.sectionSize(column) for column in range(header.count())]
            settings.setValue(f"{prefix}/{view.objectName()}/columns", sizes)
    for splitter in root.findChildren(QSplitter):
        if splitter.objectName():
            settings.setValue(f"{prefix}/{splitter.objectName()}/splitter", splitter.saveState())
