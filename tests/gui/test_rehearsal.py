"""Pages built while the window is idle are laid out at the window's size, and painted once
off-screen, before they are first opened; so is every tab not on show. Nothing is opened or
read by it: the first opening finds the page where it will show it."""

from __future__ import annotations

from PySide6.QtWidgets import QScrollArea, QTabWidget

from pipe_app.gui.main_window import MainWindow
from pipe_app.gui.residents_page import ResidentsPage
from tests.gui.helpers import click_entry, click_tab
from tests.gui.test_page_building import _window


def _rehearsed_window(qtbot, world, settings) -> MainWindow:
    world.admit(given_name="Robin")  # a row for the Residents list, once it is opened
    window = _window(qtbot, world, settings)
    window.resize(1366, 768)  # an office screen: every page fits without scrolling
    window.build_pages_while_idle()
    qtbot.waitUntil(lambda: window.pages_ready, timeout=20_000)
    return window


def _area(window: MainWindow, key: str) -> QScrollArea:
    area = window.stack.widget([spec.key for spec in window.specs].index(key))
    assert isinstance(area, QScrollArea)
    return area


def test_hidden_pages_and_their_tabs_are_laid_out_at_the_window_size(qtbot, world, settings):
    window = _rehearsed_window(qtbot, world, settings)
    assert window.current_page_key == "today"
    hidden = [key for key in window.pages if key != "today"]
    assert len(hidden) >= 6, hidden
    for key in hidden:
        page, area = window.pages[key], _area(window, key)
        assert not page.isVisible(), key
        assert area.size() == window.stack.size(), key
        assert page.width() == area.viewport().width(), key
        for tabs in page.findChildren(QTabWidget):
            shown = tabs.currentWidget()
            assert tabs.currentIndex() == 0, f"{key}: the rehearsal changed the tab"
            for index in range(tabs.count()):
                assert tabs.widget(index).size() == shown.size(), (key, tabs.tabText(index))


def test_the_first_opening_finds_the_page_and_its_tabs_where_they_were_laid_out(
    qtbot, world, settings
):
    window = _rehearsed_window(qtbot, world, settings)
    residents = window.pages["residents"]
    assert isinstance(residents, ResidentsPage)
    before = residents.table.geometry()
    click_entry(qtbot, window.navigation, "Residents")
    assert window.current_page is residents
    qtbot.waitUntil(lambda: residents.model.rowCount() > 0)
    assert residents.table.geometry() == before

    staff = window.pages["staff"]
    matrix = staff.matrix_view
    laid_out = matrix.geometry()
    click_entry(qtbot, window.navigation, "Staff & training")
    click_tab(qtbot, staff.tabs, matrix)
    assert matrix.geometry() == laid_out
