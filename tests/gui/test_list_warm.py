"""A list's first rows are read while the window is idle and put on show while it is hidden:
its first opening paints them at once and reads them again off the GUI thread; what changed
meanwhile comes with that read. A late idle read is dropped."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import event

from pipe_app.gui import change_mark, lazy_list_panel, residents_page
from pipe_app.gui.key_work_page import KeyWorkPage
from pipe_app.gui.residents_page import ResidentsPage
from pipe_app.services.errors import PipeError
from pipe_app.services.key_work import KeyWorkService
from pipe_app.services.residents import ResidentService
from tests.gui.helpers import another_desktop_commits, click_entry
from tests.gui.test_key_work_page import _session
from tests.gui.test_page_building import idle_window as _idle_window


def _summaries(page: KeyWorkPage) -> list[str]:
    return [page.model.row(n).summary for n in range(page.model.rowCount())]


def test_key_work_opens_on_the_idle_read_then_reads_again(qtbot, world, settings):
    _session(world, summary="Read while idle")
    window = _idle_window(qtbot, world, settings)
    page = window.pages["key_work"]
    assert isinstance(page, KeyWorkPage)
    assert not page.isVisible()
    assert _summaries(page) == ["Read while idle"], "the idle read was not put on show"
    _session(world, summary="Saved meanwhile")  # at another desktop

    click_entry(qtbot, window.navigation, "Key work")
    assert window.current_page is page
    assert _summaries(page) == ["Read while idle"]  # at once
    assert page.is_loading, "the first opening did not read the list again"
    assert page.count_label.text() == "Loading…"
    qtbot.waitUntil(lambda: not page.is_loading)
    assert sorted(_summaries(page)) == ["Read while idle", "Saved meanwhile"]
    assert page.count_label.text() == "2 sessions"


def test_residents_open_on_the_idle_read_then_read_again(qtbot, world, settings):
    world.admit(family_name="Idle")
    window = _idle_window(qtbot, world, settings)
    page = window.pages["residents"]
    assert isinstance(page, ResidentsPage)
    assert page.model.rowCount() == 1
    world.admit(family_name="Meanwhile")

    click_entry(qtbot, window.navigation, "Residents")
    assert page.model.rowCount() == 1  # at once
    assert page.is_loading
    qtbot.waitUntil(lambda: not page.is_loading)
    assert sorted(page.model.row(n).family_name for n in range(2)) == ["Idle", "Meanwhile"]
    assert page.count_label.text() == "2 residents"


def test_an_idle_read_that_comes_after_the_first_opening_is_dropped(qtbot, world, settings):
    _session(world, summary="Old")
    window = _idle_window(qtbot, world, settings)
    for key, title in (("key_work", "Key work"), ("residents", "Residents")):
        page = window.pages[key]
        late = page.warm_up()()  # read before the opening, delivered after it
        _session(world, summary=f"Later {key}")  # a resident and a session more since
        click_entry(qtbot, window.navigation, title)
        qtbot.waitUntil(lambda page=page: not page.is_loading)
        held = page.model.rowCount()
        page.warmed(late)
        assert page.model.rowCount() == held, key
        assert not page.is_loading, key


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """Set by the test to let the blocked reads go; set at teardown in any case."""
    event = threading.Event()
    yield event
    event.set()


def _blocked(monkeypatch, service: type, release: threading.Event, *, fail: bool = False):
    """``service.rows`` waits for ``release`` (then fails, if ``fail``) from now on."""
    rows = service.rows

    def held(self, **arguments):
        release.wait(10)
        if fail:
            raise PipeError("the database went away")
        return rows(self, **arguments)

    monkeypatch.setattr(service, "rows", held)


def test_the_count_is_not_guessed_while_residents_are_read_again(
    qtbot, world, settings, monkeypatch, release
):
    world.admit(family_name="Idle")
    window = _idle_window(qtbot, world, settings)
    page = window.pages["residents"]
    assert isinstance(page, ResidentsPage)
    another_desktop_commits(world)
    _blocked(monkeypatch, ResidentService, release)
    click_entry(qtbot, window.navigation, "Residents")
    assert page.count_label.text() == "Counting…"
    qtbot.keyClicks(page.search_edit, "z")  # typed before the list is read again
    assert "of 0" not in page.count_label.text()
    assert not page.empty_label.isVisible()
    page.search_edit.clear()
    release.set()
    qtbot.waitUntil(lambda: not page.is_loading)
    assert page.count_label.text() == "1 resident"


def test_a_failed_first_read_does_not_leave_the_idle_rows_on_show(
    qtbot, world, settings, monkeypatch, release
):
    _session(world, summary="Read while idle")
    window = _idle_window(qtbot, world, settings)
    another_desktop_commits(world)
    release.set()
    _blocked(monkeypatch, KeyWorkService, release, fail=True)
    _blocked(monkeypatch, ResidentService, release, fail=True)
    for key, title in (("key_work", "Key work"), ("residents", "Residents")):
        page = window.pages[key]
        assert page.model.rowCount() == 1, key
        click_entry(qtbot, window.navigation, title)
        qtbot.waitUntil(lambda page=page: not page.is_loading)
        assert page.model.rowCount() == 0, key
        assert "the database went away" in page.error_banner.text(), key


def test_the_session_chosen_while_key_work_is_read_again_stays_chosen(
    qtbot, world, settings, monkeypatch, release
):
    _session(world, summary="First")
    _session(world, summary="Second")
    window = _idle_window(qtbot, world, settings)
    page = window.pages["key_work"]
    assert isinstance(page, KeyWorkPage)
    _blocked(monkeypatch, KeyWorkService, release)
    click_entry(qtbot, window.navigation, "Key work")
    rect = page.table.visualRect(page.model.index(1, 0))
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert page.table.currentIndex().row() == 1
    chosen = page.model.row(1).summary
    release.set()
    qtbot.waitUntil(lambda: not page.is_loading)
    current = page.table.currentIndex()
    assert current.isValid() and page.model.row(current.row()).summary == chosen


@pytest.mark.parametrize("title", ["Residents", "Key work"])
def test_a_list_read_again_unchanged_is_not_laid_out_again(qtbot, world, settings, title):
    """Nothing changed since the idle read: the rows on show stay, the view is not reset
    (laid out and painted a second time), and the row chosen meanwhile stays chosen."""
    world.admit(family_name="Idle")
    _session(world, summary="Read while idle")
    window = _idle_window(qtbot, world, settings)
    key = "residents" if title == "Residents" else "key_work"
    page = window.pages[key]
    resets: list[int] = []
    page.model.modelReset.connect(lambda: resets.append(1))
    another_desktop_commits(world)  # read again (on SQLite too), finding the same rows
    click_entry(qtbot, window.navigation, title)
    table = page.table
    table.setCurrentIndex(table.model().index(0, 0))
    qtbot.waitUntil(lambda: not page.is_loading)
    assert resets == [], "the same rows were shown again"
    held = page.model.rowCount()
    assert held >= 1 and table.currentIndex().row() == 0
    assert page.count_label.text().startswith(f"{held} "), page.count_label.text()
    world.admit(family_name="Later")  # then F5 finds a change: shown
    _session(world, summary="Later")
    qtbot.keyClick(window, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: not page.is_loading and page.model.rowCount() > held)


def _selects(world) -> tuple[list[str], object]:
    sent: list[str] = []

    def on_execute(_conn, _cursor, sql: str, *_rest) -> None:
        if sql.lstrip().startswith("SELECT") and "LIMIT" in sql:
            sent.append(sql)

    event.listen(world.db.engine, "before_cursor_execute", on_execute)
    return sent, on_execute


@pytest.mark.parametrize("title", ["Residents", "Key work"])
def test_an_sqlite_list_unchanged_since_its_idle_read_opens_without_reading_again(
    qtbot, world, settings, title
):
    """SQLite says whether anything was committed since (``PRAGMA data_version``): if not,
    the idle read's rows are what a read would find. PostgreSQL always reads again."""
    world.admit(family_name="Idle")
    _session(world, summary="Read while idle")
    window = _idle_window(qtbot, world, settings)
    page = window.pages["residents" if title == "Residents" else "key_work"]
    sent, listener = _selects(world)
    try:
        click_entry(qtbot, window.navigation, title)
        qtbot.waitUntil(lambda: not page.is_loading)
    finally:
        event.remove(world.db.engine, "before_cursor_execute", listener)
    assert (sent == []) is world.db.is_sqlite, sent
    held = page.model.rowCount()
    assert held >= 1 and page.count_label.text().startswith(f"{held} ")


@pytest.mark.parametrize("change", ["a commit elsewhere", "a new day"])
def test_an_sqlite_list_read_again_when_something_may_have_changed(
    qtbot, world, settings, monkeypatch, change
):
    world.admit(family_name="Idle")
    window = _idle_window(qtbot, world, settings)
    page = window.pages["residents"]
    if change == "a commit elsewhere":
        another_desktop_commits(world)
    else:  # a status (expected, resident, moved on) may turn on the date
        tomorrow = date.today() + timedelta(days=1)
        monkeypatch.setattr(change_mark, "local_today", lambda: tomorrow)
    sent, listener = _selects(world)
    try:
        click_entry(qtbot, window.navigation, "Residents")
        qtbot.waitUntil(lambda: not page.is_loading)
    finally:
        event.remove(world.db.engine, "before_cursor_execute", listener)
    assert sent, "the list was not read again"


def test_a_day_that_turns_while_the_idle_read_starts_leaves_its_rows_to_be_read_again(
    qtbot, world, settings, monkeypatch
):
    """The mark is taken before the filters read the day: rows read for a later day than
    their mark's are never taken for current."""
    world.admit(family_name="Idle")
    window = _idle_window(qtbot, world, settings)
    page = window.pages["residents"]
    assert isinstance(page, ResidentsPage)
    click_entry(qtbot, window.navigation, "Residents")
    qtbot.mouseClick(page.current_check, Qt.MouseButton.LeftButton)  # the filter asks the day
    assert page.current_check.isChecked()
    qtbot.waitUntil(lambda: not page.is_loading)
    days = iter([date.today()])  # the first asked is today; every later one, tomorrow
    tomorrow = date.today() + timedelta(days=1)

    def clock() -> date:
        return next(days, tomorrow)

    monkeypatch.setattr(change_mark, "local_today", clock)
    monkeypatch.setattr(residents_page, "local_today", clock)
    outcome = page.warm_up()()
    assert isinstance(outcome, lazy_list_panel.WarmRows)
    assert outcome.mark is not None or not world.db.is_sqlite
    assert not outcome.current
