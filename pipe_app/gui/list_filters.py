"""The pieces of a list's filter bar: date boxes that can read "Any", and the search delay."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QComboBox, QDateEdit

SEARCH_DELAY_MS = 200  # search-as-you-type waits for a pause in typing
ANY_DAY = QDate(2000, 1, 1)  # a date box at this value reads "Any": no limit on that side


def date_filter(name: str, accessible: str, day: date | None = None) -> QDateEdit:
    """A date box whose lowest value reads "Any"; it starts at ``day`` or at "Any"."""
    edit = QDateEdit()
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
