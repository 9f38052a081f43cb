"""A list's first screen builds the list alone: each record form is built the first time it
is opened, once, and then works as before (its Esc reaches the page)."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import QTabWidget
from sqlalchemy import event
from sqlalchemy.engine.default import CACHE_HIT

from pipe_app.domain.enums import Role
from pipe_app.gui.cycle_form import CycleForm
from pipe_app.gui.evidence_form import EvidenceForm
from pipe_app.gui.group_form import GroupForm
from pipe_app.gui.key_work_form import KeyWorkForm
from pipe_app.gui.main_window import MainWindow
from pipe_app.gui.placement_form import PlacementForm
from pipe_app.gui.record_form import RecordForm
from pipe_app.gui.resident_form import ResidentForm
from pipe_app.gui.supervision_form import SupervisionForm
from pipe_app.gui.training_record_form import TrainingRecordForm
from tests.gui.helpers import another_desktop_commits, click, click_entry, click_tab

CTRL = Qt.KeyboardModifier.ControlModifier

# navigation title: (page key, the forms that page may open)
LISTS: dict[str, tuple[str, tuple[type[RecordForm], ...]]] = {
    "Residents": ("residents", (ResidentForm, PlacementForm)),
    "Key work": ("key_work", (KeyWorkForm,)),
    "Groups & activities": ("groups", (GroupForm,)),
    "Staff & training": ("staff", (TrainingRecordForm,)),
    "Supervision": ("supervision", (SupervisionForm,)),
    "Accreditation": ("accreditation", (EvidenceForm, CycleForm)),
}


def _window(qtbot, world, settings) -> MainWindow:
    window = MainWindow(world.db, world.actor(Role.MANAGER, "crowley"), settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    return window


def idle_window(qtbot, world, settings) -> MainWindow:
    """A manager's window after the quiet that follows sign-in: every page built, warmed."""
    window = _window(qtbot, world, settings)
    window.build_pages_while_idle()
    qtbot.waitUntil(lambda: window.pages_ready, timeout=20_000)
    QThreadPool.globalInstance().waitForDone()  # the warm-up reads
    qtbot.wait(50)  # their outcomes delivered
    return window


@pytest.mark.parametrize("title", list(LISTS))
def test_opening_a_list_builds_none_of_its_forms(qtbot, world, settings, title):
    window = _window(qtbot, world, settings)
    click_entry(qtbot, window.navigation, title)
    key, forms = LISTS[title]
    page = window.pages[key]
    assert window.current_page is page
    for form in forms:
        assert page.findChildren(form) == [], f"{form.__name__} built before it was opened"


def test_a_form_built_on_first_use_is_reused_and_closes_back_to_the_list(qtbot, world, settings):
    window = _window(qtbot, world, settings)
    click_entry(qtbot, window.navigation, "Residents")
    page = window.current_page
    assert page.findChildren(ResidentForm) == []

    click(qtbot, page.new_button)  # "New resident"
    forms = page.findChildren(ResidentForm)
    assert len(forms) == 1 and page.stack.currentWidget() is forms[0]
    qtbot.keyClick(forms[0], Qt.Key.Key_Escape)  # nothing typed: closes without asking
    assert page.stack.currentWidget() is page.list_panel

    qtbot.keyClick(page.table, Qt.Key.Key_N, CTRL)  # opened again: the same form, not another
    assert page.findChildren(ResidentForm) == forms
    assert page.stack.currentWidget() is forms[0]
    qtbot.keyClick(forms[0], Qt.Key.Key_Escape)
    assert page.stack.currentWidget() is page.list_panel


# (navigation title, tab opened or "", what marks the statements of the read warmed up: a
# list's page, or the figures of the tab shown). Accreditation's coverage is warmed the same
# way; the test world installs no framework, so it has no coverage to read.
WARMED = [
    ("Residents", "", "LIMIT"),
    ("Key work", "", "LIMIT"),
    ("Groups & activities", "", "LIMIT"),
    ("Supervision", "", "supervision_"),
    ("Staff & training", "", "staff_members"),
    ("Staff & training", "Training matrix", "training_records"),
]


@pytest.mark.parametrize(("title", "tab", "marker"), WARMED)
def test_a_page_prepared_while_idle_opens_with_its_read_compiled(
    qtbot, world, settings, title, tab, marker
):
    """The idle building runs each page's first read once off the GUI thread, so its first
    opening finds the statements compiled (SQLAlchemy's cache)."""
    window = idle_window(qtbot, world, settings)
    another_desktop_commits(world)  # the lists read again as they open (on SQLite too)
    pages: list[tuple[str, Any]] = []

    def on_execute(_conn, _cursor, sql: str, _params, context, _many) -> None:
        if sql.lstrip().startswith("SELECT") and marker in sql:
            pages.append((sql, context.cache_hit is CACHE_HIT))

    event.listen(world.db.engine, "before_cursor_execute", on_execute)
    try:
        click_entry(qtbot, window.navigation, title)
        page = window.current_page
        if tab:
            tabs = page.findChild(QTabWidget)
            titles = [tabs.tabText(n).replace("&", "") for n in range(tabs.count())]
            click_tab(qtbot, tabs, tabs.widget(titles.index(tab)))
        qtbot.waitUntil(lambda: bool(pages) and not getattr(page, "is_loading", False))
    finally:
        event.remove(world.db.engine, "before_cursor_execute", on_execute)
    assert all(hit for _sql, hit in pages), pages
