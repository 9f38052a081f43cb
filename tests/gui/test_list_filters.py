"""The filter bar's date boxes: Tab moves on from a box that reads "Any"."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLineEdit, QWidget

from pipe_app.gui.list_filters import date_filter, filtered_day


def _row(qtbot, day: date | None) -> tuple[QWidget, QLineEdit, QWidget, QLineEdit]:
    holder = QWidget()
    qtbot.addWidget(holder)
    before, after = QLineEdit(), QLineEdit()
    edit = date_filter("fromFilter", "From date", day)
    layout = QHBoxLayout(holder)
    for widget in (before, edit, after):
        layout.addWidget(widget)
    holder.show()
    holder.activateWindow()
    qtbot.waitUntil(holder.isActiveWindow)
    before.setFocus()
    qtbot.waitUntil(before.hasFocus)
    return holder, before, edit, after


def _tab(qtbot, key: Qt.Key = Qt.Key.Key_Tab) -> QWidget | None:
    """Press Tab (or Shift+Tab) where the focus is; where the focus went."""
    qtbot.keyClick(QApplication.focusWidget(), key)
    return QApplication.focusWidget()


def test_tab_leaves_a_date_box_that_reads_any(qtbot) -> None:
    _holder, before, edit, after = _row(qtbot, None)
    assert edit.text() == "Any" and filtered_day(edit) is None
    assert _tab(qtbot) is edit
    assert _tab(qtbot) is after  # was stuck on the box: nothing to step through
    assert _tab(qtbot, Qt.Key.Key_Backtab) is edit
    assert _tab(qtbot, Qt.Key.Key_Backtab) is before


def test_tab_still_steps_through_a_real_date_first(qtbot) -> None:
    _holder, _before, edit, after = _row(qtbot, date(2026, 3, 9))
    assert _tab(qtbot) is edit
    assert _tab(qtbot) is edit  # day -> month: the box keeps the focus
    assert _tab(qtbot) is edit  # month -> year
    assert _tab(qtbot) is after
    assert filtered_day(edit) == date(2026, 3, 9)
