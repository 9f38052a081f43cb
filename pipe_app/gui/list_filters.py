"""The pieces of a list's filter bar: the bar, its boxes (dates that can read "Any"), and
the search delay."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QComboBox, QDateEdit, QLabel, QToolBar, QWidget

ANY_DAY = QDate(2000, 1, 1)  # a date box at this value reads "Any": no limit on that side


class AnyDateEdit(QDateEdit):
    """A date box that Tab leaves while it reads "Any" (a plain one kept the focus: with no
    day, month and year to step through, Tab went nowhere and keyboard users were stuck)."""

    def focusNextPrevChild(self, next: bool) -> bool:
        if self.date() == self.minimumDate() and self.specialValueText():
            return QWidget.focusNextPrevChild(self, next)
        return super().focusNextPrevChild(next)


def date_filter(name: str, accessible: str, day: date | None = None) -> QDateEdit:
    """A date box whose lowest value reads "Any"; it starts at ``day`` or at "Any"."""
    edit = AnyDateEdit()
    edit.setObjectName(name)
    edit.setAccessibleName(accessible)
    edit.setDisplayFormat("dd/MM/yyyy")
    edit.setCalendarPopup(True)
    edit.setMinimumDate(ANY_DAY)
    edit.setSpecialValueText("Any")
    edit.setDate(QDate(day.year, day.month, day.day) if day else ANY_DAY)
    return edit


def filtered_day(edit: QDateEdit) -> date | None:
    """The box's day, or None while it reads "Any"."""
    value = edit.date()
    return None if value == ANY_DAY else date(value.year(), value.month(), value.day())


def plain_combo(name: str, accessible: str) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    combo.setAccessibleName(accessible)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    return combo


def filter_combo(name: str, accessible: str) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    combo.setAccessibleName(accessible)
    # Long choices show in full in the pop-up; the box stays narrow so the filters fit.
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(9)
    return combo


def keep_unshown(widget: QWidget, owner: QWidget) -> None:
    """A filter box left out of the bar (a site box with one site) still belongs to Qt: a
    widget without a parent is Python's, and the collector freeing it inside a Qt
    destructor deadlocked."""
    widget.setParent(owner)
    widget.hide()


def filter_bar(name: str, *pairs: tuple[str, QWidget]) -> QToolBar:
    """Labelled filter boxes; a tool bar folds what does not fit behind a » button."""
    bar = QToolBar("Filters")
    bar.setObjectName(name)
    bar.setProperty("role", "filters")
    for caption, widget in pairs:
        label = QLabel(caption)
        label.setBuddy(widget)
        bar.addWidget(label)
        bar.addWidget(widget)
    return bar
