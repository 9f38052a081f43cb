"""The coverage read while the window is idle is on show when Accreditation first opens, and
the read that opening starts checks it: what changed replaces it, what did not stays put."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import event

from pipe_app.domain.enums import Role
from pipe_app.gui import change_mark
from pipe_app.gui.accreditation_page import AccreditationPage
from pipe_app.gui.main_window import MainWindow
from pipe_app.gui.pages import spec_for
from pipe_app.services.evidence import EvidenceService
from pipe_app.services.frameworks import FrameworkService
from tests.gui.helpers import another_desktop_commits, click_entry, click_tab
from tests.gui.test_accreditation_page import _item
from tests.gui.test_page_building import idle_window


def _idle_window(qtbot, world, settings) -> MainWindow:
    """A manager's window after the quiet that follows sign-in, with a framework."""
    FrameworkService(world.db, world.system).install_builtin()
    return idle_window(qtbot, world, settings)


def _cover(world, criterion_id) -> None:
    """Approved evidence for one criterion, saved by someone else meanwhile."""
    item = _item(world)
    service = EvidenceService(world.db, world.system)
    service.link(item.id, criterion_id, "Residents chaired it")
    service.approve(item.id, item.version)


def _accreditation(window: MainWindow) -> AccreditationPage:
    page = window.pages["accreditation"]
    assert isinstance(page, AccreditationPage)
    return page


def test_the_first_opening_shows_the_idle_read_at_once_then_what_changed(qtbot, world, settings):
    window = _idle_window(qtbot, world, settings)
    page = _accreditation(window)
    assert not page.isVisible()
    assert page.report is not None, "the idle read was not put on show"
    criterion = page.report.standards[0].criteria[0]
    assert page.coverage_text(criterion.code) == "No evidence"
    _cover(world, criterion.criterion_id)

    click_entry(qtbot, window.navigation, "Accreditation")
    assert window.current_page is page
    assert page.coverage_loads.is_loading, "the first opening did not read the coverage"
    assert page.coverage_text(criterion.code) == "No evidence"  # the idle read, at once
    assert page.overall_label.text() == "Loading…"
    qtbot.waitUntil(lambda: not page.coverage_loads.is_loading)
    assert page.coverage_text(criterion.code) == "Covered"
    assert page.overall_label.text().startswith("Overall 1 of")


def test_a_read_that_finds_nothing_changed_leaves_the_tree_as_it_is(qtbot, world, settings):
    window = _idle_window(qtbot, world, settings)
    page = _accreditation(window)
    click_entry(qtbot, window.navigation, "Accreditation")
    qtbot.waitUntil(lambda: not page.coverage_loads.is_loading)
    assert page.report is not None
    criterion = page.report.standards[1].criteria[0]
    page.select_criterion(criterion.criterion_id)
    resets: list[int] = []
    page.coverage_model.modelReset.connect(lambda: resets.append(1))

    qtbot.keyClick(window, Qt.Key.Key_F5)
    assert page.overall_label.text() == "Loading…"
    qtbot.waitUntil(lambda: not page.coverage_loads.is_loading)
    assert resets == []
    assert page.overall_label.text().startswith("Overall 0 of")
    current = page.coverage_tree.currentIndex()
    assert current.siblingAtColumn(0).data().startswith(criterion.code)

    _cover(world, criterion.criterion_id)
    qtbot.keyClick(window, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: not page.coverage_loads.is_loading)
    assert resets == [1]
    assert page.coverage_text(criterion.code) == "Covered"
    current = page.coverage_tree.currentIndex()  # the selection is put back after the reset
    assert current.siblingAtColumn(0).data().startswith(criterion.code)


def test_an_idle_read_that_comes_after_the_first_opening_is_dropped(qtbot, world, settings):
    """The page's own read is newer; and an idle read of another scope is never shown."""
    window = _idle_window(qtbot, world, settings)
    page = _accreditation(window)
    work = page.warm_up()
    assert work is not None
    before = work()  # read before the evidence below was saved, delivered after the opening
    assert page.report is not None
    criterion = page.report.standards[0].criteria[0]
    _cover(world, criterion.criterion_id)
    click_entry(qtbot, window.navigation, "Accreditation")
    qtbot.waitUntil(lambda: not page.coverage_loads.is_loading)
    assert page.coverage_text(criterion.code) == "Covered"
    page.warmed(before)
    assert page.coverage_text(criterion.code) == "Covered"


def _two_site_page(qtbot, world) -> AccreditationPage:
    """A manager of both houses: the page offers a choice of site."""
    FrameworkService(world.db, world.system).install_builtin()
    both = frozenset({world.crowley.id, world.kirk.id})
    actor = replace(world.actor(Role.MANAGER, "crowley"), site_ids=both)
    page = AccreditationPage(spec_for("accreditation"), world.db, actor)
    qtbot.addWidget(page)
    return page


def test_an_idle_read_of_another_site_is_not_shown(qtbot, world):
    page = _two_site_page(qtbot, world)
    page.prepare()
    work = page.warm_up()
    assert work is not None
    outcome = work()  # read for the first site; the second is chosen before it comes
    page.site_combo.setCurrentIndex(1)
    page.warmed(outcome)
    assert page.coverage is None and page.coverage_model.rowCount() == 0
    page.site_combo.setCurrentIndex(0)
    page.warmed(outcome)
    assert page.coverage is not None and page.coverage_model.rowCount() > 0


def test_back_to_the_same_site_the_cycle_is_said_again(qtbot, world):
    page = _two_site_page(qtbot, world)
    page.resize(1300, 760)
    page.show()
    qtbot.waitExposed(page)
    page.activate()
    qtbot.waitUntil(lambda: not page.coverage_loads.is_loading)
    assert page.cycle_label.text() == "No accreditation cycle yet"
    click_tab(qtbot, page.tabs, page.evidence_stack)
    page.site_combo.setCurrentIndex(1)  # chosen elsewhere: the cycle is said when shown
    assert page.cycle_label.text() == ""
    page.site_combo.setCurrentIndex(0)
    click_tab(qtbot, page.tabs, page.coverage_tab)
    qtbot.waitUntil(lambda: not page.coverage_loads.is_loading)
    assert page.cycle_label.text() == "No accreditation cycle yet"


def _selects(world) -> tuple[list[str], object]:
    sent: list[str] = []

    def on_execute(_c, _cur, sql, *_args) -> None:
        if sql.lstrip().upper().startswith("SELECT"):
            sent.append(sql)

    event.listen(world.db.engine, "before_cursor_execute", on_execute)
    return sent, on_execute


def test_on_sqlite_coverage_unchanged_since_its_idle_read_opens_without_reading_again(
    qtbot, world, settings
):
    """Nothing committed since (SQLite's change mark): the idle read is what a read would
    find. PostgreSQL has no such mark and reads again; F5 always reads."""
    window = _idle_window(qtbot, world, settings)
    page = _accreditation(window)
    assert page.report is not None
    shown = page.overall_label.text()
    sent, listener = _selects(world)
    try:
        click_entry(qtbot, window.navigation, "Accreditation")
        assert page.coverage_loads.is_loading is (not world.db.is_sqlite)
        qtbot.waitUntil(lambda: not page.coverage_loads.is_loading)
        opened = list(sent)
        qtbot.keyClick(window, Qt.Key.Key_F5)
        assert page.coverage_loads.is_loading, "F5 did not read the coverage"
        qtbot.waitUntil(lambda: not page.coverage_loads.is_loading)
    finally:
        event.remove(world.db.engine, "before_cursor_execute", listener)
    assert (opened == []) is world.db.is_sqlite, opened
    assert page.overall_label.text() == shown


@pytest.mark.parametrize("change", ["a commit elsewhere", "a new day"])
def test_coverage_is_read_again_when_something_may_have_changed(
    qtbot, world, settings, monkeypatch, change
):
    window = _idle_window(qtbot, world, settings)
    page = _accreditation(window)
    assert page.report is not None
    if change == "a commit elsewhere":
        another_desktop_commits(world)
    else:  # what is due, and the twelve months counted, turn on the date
        tomorrow = date.today() + timedelta(days=1)
        monkeypatch.setattr(change_mark, "local_today", lambda: tomorrow)
    click_entry(qtbot, window.navigation, "Accreditation")
    assert page.coverage_loads.is_loading, "the coverage was not read again"
    qtbot.waitUntil(lambda: not page.coverage_loads.is_loading)
