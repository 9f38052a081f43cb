"""Acting as a user: typing into fields, clicking buttons and list entries."""

from __future__ import annotations

import gc
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QDateEdit,
    QLineEdit,
    QListWidget,
    QTabWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

from pipe_app.domain.enums import Role


def type_into(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """Replace what the field holds, keystroke by keystroke."""
    if isinstance(widget, QLineEdit | QAbstractSpinBox):
        widget.selectAll()
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(widget, Qt.Key.Key_Delete)
    qtbot.keyClicks(widget, text)


def click(qtbot: QtBot, widget: QWidget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def click_entry(qtbot: QtBot, navigation: QListWidget, title: str) -> None:
    """Click a navigation entry by its visible title."""
    matches = navigation.findItems(title, Qt.MatchFlag.MatchExactly)
    assert matches, f"no navigation entry {title!r}"
    rect = navigation.visualItemRect(matches[0])
    qtbot.mouseClick(navigation.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def click_tab(qtbot: QtBot, tabs: QTabWidget, tab: QWidget) -> None:
    """Click the tab that holds ``tab`` on the tab bar."""
    bar = tabs.tabBar()
    rect = bar.tabRect(tabs.indexOf(tab))
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=rect.center())
    assert tabs.currentWidget() is tab


def type_date(qtbot: QtBot, edit: QDateEdit, day: date) -> None:
    """Select the day section from the start, then type the digits (sections follow on)."""
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_Home)
    for _ in range(2):
        qtbot.keyClick(edit, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClicks(edit, f"{day:%d%m%Y}")
    assert edit.date() == QDate(day.year, day.month, day.day)


def crash(widget: QWidget) -> None:
    """Delete ``widget``'s C++ side at once, as a crash would: no close events, no questions.

    Then collect Python's garbage: a wrapper left in a cycle (the collector may be paused
    while background work runs) keeps its C++ address registered. (The stale QWidgetItems
    once seen after this, "'QWidgetItem' has no attribute 'hide'", were PySide's wrappers of
    layout items: see ``pipe_app.gui.layouts.nest``.)"""
    import shiboken6

    shiboken6.delete(widget)
    gc.collect()


def ready_window(qtbot: QtBot, world: Any, settings: Any, role: Role, site: str = "crowley") -> Any:
    """A main window for ``role`` at ``site``, shown, its first loads done, and active."""
    from PySide6.QtCore import QThreadPool
    from PySide6.QtWidgets import QProgressDialog

    from pipe_app.gui.main_window import MainWindow

    window = MainWindow(world.db, world.actor(role, site), settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    # A slow first load shows a progress dialog, which takes the focus until it closes.
    qtbot.waitUntil(lambda: QThreadPool.globalInstance().activeThreadCount() == 0)
    qtbot.waitUntil(lambda: not window.findChild(QProgressDialog, "taskProgress"))
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    return window


def another_desktop_commits(world: Any) -> None:
    """A commit from another connection that changes no row a list shows: an SQLite list
    read while idle is then read again as it opens (``WarmRows.current``)."""
    with world.db.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE sites SET name = name")
