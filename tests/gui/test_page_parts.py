"""Pages built while the window is idle come a part a turn (a tab, then the signals that
join the tabs), so no one turn holds the GUI thread for a whole page. A page wanted before
its last part is finished at once, and the user's layout goes back only once it is whole."""

from __future__ import annotations

from itertools import pairwise

import pytest
from PySide6.QtCore import QByteArray, Qt
from PySide6.QtWidgets import QSplitter, QTabWidget, QWidget

from pipe_app.domain.enums import Role
from pipe_app.gui import main_window
from pipe_app.gui.accreditation_page import AccreditationPage
from pipe_app.gui.pages import Page, built_in_parts, spec_for
from pipe_app.gui.staff_page import StaffPage
from pipe_app.gui.supervision_page import SupervisionPage
from tests.gui.helpers import click_entry, click_tab
from tests.gui.test_page_building import _window

CTRL = Qt.KeyboardModifier.ControlModifier
PARTED: dict[str, tuple[type[Page], Role]] = {
    "accreditation": (AccreditationPage, Role.MANAGER),
    "staff": (StaffPage, Role.MANAGER),
    "supervision": (SupervisionPage, Role.PSYCHOLOGIST),  # the review queue is a part too
}
SPLITTER_KEY = "layout/{}/coverageSplitter/splitter"


def _titles(page: Page) -> list[str]:
    tabs = page.findChild(QTabWidget)
    assert tabs is not None
    return [tabs.tabText(index) for index in range(tabs.count())]


def _only_unbuilt(window, key: str) -> None:
    """Every page but ``key`` built already: the idle turns have that one alone."""
    for spec in window.specs:
        if spec.key != key:
            window.page(spec.key)


@pytest.mark.parametrize("key", list(PARTED))
def test_a_page_built_in_parts_gains_a_tab_a_part_and_ends_as_one_built_at_once(qtbot, world, key):
    page_class, role = PARTED[key]
    actor = world.actor(role)
    whole = page_class(spec_for(key), world.db, actor)
    qtbot.addWidget(whole)
    assert whole.complete
    with built_in_parts():
        parted = page_class(spec_for(key), world.db, actor)
    qtbot.addWidget(parted)
    assert not parted.complete
    tabs = [len(_titles(parted))]
    while not parted.complete:
        parted.build_next_part()
        tabs.append(len(_titles(parted)))
    assert tabs[0] == 1, "the first turn builds the first tab alone"
    assert all(later - earlier <= 1 for earlier, later in pairwise(tabs))
    assert len(tabs) >= 3, tabs  # at least two turns after the first
    assert _titles(parted) == _titles(whole)


def _saved_splitter() -> QByteArray:
    """A coverage splitter the user dragged narrow on the left (its default is wider)."""
    splitter = QSplitter(Qt.Orientation.Horizontal)
    splitter.addWidget(QWidget())
    splitter.addWidget(QWidget())
    splitter.setSizes([200, 800])
    state = splitter.saveState()
    splitter.deleteLater()
    return state


def test_a_page_opened_before_its_last_part_is_finished_first_with_the_users_layout(
    qtbot, world, settings, monkeypatch
):
    monkeypatch.setattr(main_window, "IDLE_BUILD_GAP_MS", 60_000)  # no second turn here
    state = _saved_splitter()
    window = _window(qtbot, world, settings)
    key = SPLITTER_KEY.format(window.actor.username)
    settings.setValue(key, state)
    _only_unbuilt(window, "accreditation")
    window.build_pages_while_idle()
    qtbot.waitUntil(lambda: "accreditation" in window.pages)
    page = window.pages["accreditation"]
    assert isinstance(page, AccreditationPage)
    assert not page.complete and page.tabs.count() == 1
    window.save_settings()  # its layout never went back: what the user saved stays
    assert settings.value(key) == state

    click_entry(qtbot, window.navigation, "Accreditation")
    assert window.current_page is page and page.complete
    assert _titles(page) == ["&Coverage", "&Evidence", "Award c&ycles"]
    splitter = page.findChild(QSplitter, "coverageSplitter")
    left, right = splitter.sizes()
    assert left < right, "the user's splitter went back once the page was whole"
    click_tab(qtbot, page.tabs, page.evidence_stack)
    qtbot.keyClick(page, Qt.Key.Key_N, CTRL)  # its signals were joined: Ctrl+N works
    assert page.form_open and page.form.record_id is None


def test_the_idle_turns_carry_on_once_a_page_is_finished_by_opening_it(
    qtbot, world, settings, monkeypatch
):
    monkeypatch.setattr(main_window, "IDLE_BUILD_GAP_MS", 400)  # time to click between turns
    window = _window(qtbot, world, settings)
    _only_unbuilt(window, "staff")
    window.build_pages_while_idle()
    qtbot.waitUntil(lambda: "staff" in window.pages)
    staff = window.pages["staff"]
    assert not staff.complete
    click_entry(qtbot, window.navigation, "Staff & training")
    assert staff.complete and _titles(staff) == ["Staff", "Training matrix", "Records"]
    qtbot.waitUntil(lambda: window.pages_ready, timeout=20_000)
    assert all(page.complete for page in window.pages.values())


def test_a_part_that_fails_while_idle_is_built_when_the_page_is_opened(
    qtbot, world, settings, monkeypatch, caplog
):
    tries: list[int] = []
    build = StaffPage._add_matrix_tab

    def fails_once(page: StaffPage) -> None:
        tries.append(1)
        if len(tries) == 1:
            raise RuntimeError("the matrix could not be built")
        build(page)

    monkeypatch.setattr(StaffPage, "_add_matrix_tab", fails_once)
    window = _window(qtbot, world, settings)
    _only_unbuilt(window, "staff")
    window.build_pages_while_idle()
    qtbot.waitUntil(lambda: window.pages_ready, timeout=20_000)  # the turns went on
    assert "the matrix could not be built" in caplog.text
    staff = window.pages["staff"]
    assert not staff.complete and _titles(staff) == ["Staff"]
    click_entry(qtbot, window.navigation, "Staff & training")
    assert len(tries) == 2 and staff.complete
    assert _titles(staff) == ["Staff", "Training matrix", "Records"]
