"""Every widget of every page belongs to Qt, and no page or form keeps a Python wrapper of a
QWidgetItem.

A widget that belongs to Python (made without a parent and never put in a layout) is freed by
Python's collector whenever it runs, even inside a Qt destructor: the supervision page's
unused site box, freed while a page was being deleted, deadlocked on the mutex the outer
destructor held (py-spy: gc_collect_main inside ~QObject, then ~QComboBox waiting).

A QWidgetItem's wrapper is owned by its layout's wrapper and outlives the item, which Qt
deletes with its widget. A widget later made at the same address then came back from PySide as that
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
from tests.gui.helpers import click, click_entry, ready_window


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


def _python_owned_widgets(window: QWidget) -> list[str]:
    gc.collect()
    return [
        f"{type(wrapper).__name__} {wrapper.objectName()!r}"
        for wrapper in shiboken6.getAllValidWrappers()
        if isinstance(wrapper, QWidget)
        and wrapper is not window
        and shiboken6.ownedByPython(wrapper)
    ]


@pytest.mark.parametrize("role", [Role.MANAGER, Role.PSYCHOLOGIST, Role.KEY_WORKER])
def test_pages_and_their_new_record_forms_leave_no_item_wrapper_nor_python_widget(
    qtbot, world, settings, role
):
    before = _item_wrappers()
    window = ready_window(qtbot, world, settings, role)
    navigation = window.navigation
    titles = [navigation.item(row).text() for row in range(navigation.count())]
    assert len(titles) >= 6
    for title in titles:
        click_entry(qtbot, navigation, title)
        page = window.current_page
        button = getattr(page, "new_button", None)
        if button is not None and button.isVisible() and button.isEnabled():
            click(qtbot, button)
            qtbot.waitUntil(lambda page=page: page.form_open)

    assert _item_wrappers() - before == set()
    assert _python_owned_widgets(window) == []
