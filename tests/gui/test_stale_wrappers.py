"""No page or form keeps a Python wrapper of a QWidgetItem.

Such a wrapper is owned by its layout's wrapper and outlives the item, which Qt deletes with
the layout. A widget later made at the same address then came back from PySide as that
stale QWidgetItem ("'QWidgetItem' object has no attribute 'hide'" in CI, about once in
1,500 tests). Layouts are nested with ``layouts.nest``, which forgets those wrappers, and a
form's layouts are found as QObjects, never through ``itemAt``."""

from __future__ import annotations

import gc

import pytest
import shiboken6
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QLayout,
    QLayoutItem,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from pipe_app.domain.enums import Role
from pipe_app.gui.field_errors import FieldErrors
from pipe_app.gui.main_window import MainWindow
from tests.gui.helpers import click, click_entry

TITLES = [
    "Residents",
    "Key work",
    "Groups & activities",
    "Staff & training",
    "Supervision",
    "Accreditation",
]


def _item_wrappers() -> set[int]:
    """Addresses of the layout items (not layouts) PySide holds a wrapper for."""
    gc.collect()
    return {
        id(wrapper)
        for wrapper in shiboken6.getAllValidWrappers()
        if isinstance(wrapper, QLayoutItem) and not isinstance(wrapper, QLayout)
    }


def test_a_field_message_finds_its_nested_form_without_item_wrappers(qtbot):
    holder = QWidget()
    qtbot.addWidget(holder)
    outer = QVBoxLayout(holder)
    outer.addWidget(QLabel("Heading"))
    form = QFormLayout()
    outer.addLayout(form)
    edit = QLineEdit()
    edit.setObjectName("nameEdit")
    form.addRow("Name", edit)
    before = _item_wrappers()

    errors = FieldErrors(QLabel())
    errors.add("name", edit, "Name")

    assert _item_wrappers() - before == set()
    row, _role = form.getWidgetPosition(edit)
    message = form.itemAt(row + 1, QFormLayout.ItemRole.FieldRole).widget()
    assert message.objectName() == "nameEditError"


@pytest.mark.parametrize("title", TITLES)
def test_a_page_and_its_new_record_form_hold_no_item_wrappers(qtbot, world, settings, title):
    before = _item_wrappers()
    window = MainWindow(world.db, world.actor(Role.MANAGER, "crowley"), settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    click_entry(qtbot, window.navigation, title)
    page = window.current_page
    click(qtbot, page.new_button)
    qtbot.waitUntil(lambda: page.form_open)

    assert _item_wrappers() - before == set()
