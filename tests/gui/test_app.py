"""Start-up as a person meets it: first run or sign-in, the window, sign-out, quit."""

from __future__ import annotations

import gc
import re
import threading
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy.engine import make_url

from pipe_app.domain.enums import Role
from pipe_app.gui import app as app_module
from pipe_app.gui.app import Launcher, StartupError, bootstrap, saved_server
from pipe_app.gui.collector import LongLived
from pipe_app.gui.settings import SERVER_URL_KEY
from pipe_app.gui.table_model import FIRST_ROWS
from pipe_app.storage.migrations import current_revision, head_revision
from tests.factories import PASSWORD
from tests.gui.helpers import click, click_entry, type_into

ADMIN_PASSWORD = "the first admin password"


def _launch(qtbot, url: str, settings) -> Launcher:
    launcher = Launcher(url, settings)
    qtbot.addWidget(launcher.sign_in)
    launcher.window_opened.connect(qtbot.addWidget)
    launcher.start()
    return launcher


@pytest.fixture
def launched(qtbot, settings):
    started: list[Launcher] = []

    def launch(url: str) -> Launcher:
        started.append(_launch(qtbot, url, settings))
        return started[-1]

    yield launch
    for launcher in started:
        assert launcher.wait_for_database()
        for window in (launcher.first_run, launcher.server_dialog, launcher.problem_box):
            if window is not None and shiboken6.isValid(window):  # not shown through qtbot
                window.close()
                window.deleteLater()
        if launcher.db is not None:
            launcher.db.dispose()


def test_bootstrap_migrates_a_new_file_and_asks_for_the_first_run(tmp_path):
    desk = bootstrap(f"sqlite:///{tmp_path / 'new' / 'pipe.sqlite3'}")
    try:
        assert desk.first_run
        assert current_revision(desk.db) == head_revision()
    finally:
        desk.db.dispose()


def test_bootstrap_refuses_an_unsupported_database():
    with pytest.raises(StartupError, match="'mysql' is not supported: use SQLite or PostgreSQL"):
        bootstrap("mysql://someone@server/pipe")


def test_first_run_then_sign_in_then_sign_out(qtbot, db_url, launched):
    launcher = launched(db_url)
    qtbot.waitUntil(lambda: launcher.first_run is not None and launcher.first_run.isVisible())
    dialog = launcher.first_run
    assert not launcher.sign_in.isVisible()
    type_into(qtbot, dialog.username_edit, "admin")
    type_into(qtbot, dialog.display_name_edit, "Pat Administrator")
    type_into(qtbot, dialog.password_edit, ADMIN_PASSWORD)
    type_into(qtbot, dialog.confirm_edit, ADMIN_PASSWORD)
    type_into(qtbot, dialog.sites[0].name, "Crowley House")
    type_into(qtbot, dialog.sites[0].code, "CH")
    click(qtbot, dialog.create_button)

    qtbot.waitUntil(lambda: launcher.sign_in.isVisible())
    assert launcher.sign_in.is_ready
    assert launcher.sign_in.username_edit.text() == "admin"
    qtbot.keyClicks(launcher.sign_in.password_edit, ADMIN_PASSWORD)
    with qtbot.waitSignal(launcher.window_opened) as opened:
        qtbot.keyClick(launcher.sign_in.password_edit, Qt.Key.Key_Return)
    window = opened.args[0]
    assert window.isVisible()
    assert window.actor.roles == frozenset({Role.ADMINISTRATOR})
    assert not launcher.sign_in.isVisible()
    assert launcher.sign_in.password_edit.text() == ""

    window.sign_out_action.trigger()
    qtbot.waitUntil(lambda: launcher.sign_in.isVisible())
    assert launcher.window is None
    assert launcher.sign_in.username_edit.text() == ""  # nothing left for the next person
    with qtbot.waitSignal(launcher.finished) as finished:
        click(qtbot, launcher.sign_in.cancel_button)
    assert finished.args == [0]


def test_with_users_the_app_goes_straight_to_sign_in(qtbot, world, launched):
    launcher = launched(world.db.url.render_as_string(hide_password=False))
    qtbot.waitUntil(lambda: launcher.sign_in.is_ready)
    assert launcher.first_run is None
    type_into(qtbot, launcher.sign_in.username_edit, "key_worker_kirk")
    type_into(qtbot, launcher.sign_in.password_edit, PASSWORD)
    with qtbot.waitSignal(launcher.window_opened) as opened:
        qtbot.keyClick(launcher.sign_in.password_edit, Qt.Key.Key_Return)
    window = opened.args[0]
    assert "Administration" not in window.navigation_titles()
    with qtbot.waitSignal(launcher.finished) as finished:
        window.quit_action.trigger()
    assert finished.args == [0]


def test_while_signing_in_only_qt_free_code_loads_off_the_gui_thread(
    qtbot, world, launched, monkeypatch
):
    """Defining a Qt class on another thread can crash PySide6: GUI modules load on the GUI
    thread, one per turn of the event loop, after the core has loaded on the start-up thread."""
    loads: list[tuple[str, bool]] = []
    real_load = app_module._load
    gui_thread = threading.main_thread()  # no QThread wrapper for a thread that may end

    def record(name: str) -> None:
        loads.append((name, threading.current_thread() is gui_thread))
        real_load(name)

    monkeypatch.setattr(app_module, "_load", record)
    launcher = launched(world.db.url.render_as_string(hide_password=False))
    gui_modules = set(app_module.modules_of("pipe_app.gui"))
    qtbot.waitUntil(lambda: gui_modules <= {name for name, _ in loads}, timeout=60_000)
    assert launcher.window is None
    core = [(name, on_gui) for name, on_gui in loads if not name.startswith("pipe_app.gui.")]
    gui = [(name, on_gui) for name, on_gui in loads if name.startswith("pipe_app.gui.")]
    assert {name.split(".")[1] for name, _ in core} == {"services", "reports"}
    assert not any(on_gui for _, on_gui in core)
    assert gui and all(on_gui for _, on_gui in gui)
    assert loads.index(gui[0]) > loads.index(core[-1])  # the core first


def test_a_database_that_cannot_be_opened_is_explained(qtbot, launched):
    launcher = launched("mysql://someone@server/pipe")
    qtbot.waitUntil(lambda: launcher.problem_box is not None)
    box = launcher.problem_box
    qtbot.addWidget(box)
    assert box.icon() == QMessageBox.Icon.Critical
    assert "is not supported: use SQLite or PostgreSQL" in box.text()
    assert not launcher.sign_in.isVisible()
    with qtbot.waitSignal(launcher.finished) as finished:
        click(qtbot, box.button(QMessageBox.StandardButton.Ok))
    assert finished.args == [1]


def test_gui_modules_load_leaves_first():
    order = app_module.leaves_first("pipe_app.gui")
    assert sorted(order) == app_module.modules_of("pipe_app.gui")
    position = {name: index for index, name in enumerate(order)}
    assert position["pipe_app.gui.assets"] < position["pipe_app.gui.pages"]
    assert position["pipe_app.gui.record_form"] < position["pipe_app.gui.key_work_form"]
    assert position["pipe_app.gui.key_work_page"] < position["pipe_app.gui.page_registry"]
    assert position["pipe_app.gui.page_registry"] < position["pipe_app.gui.main_window"]


@pytest.mark.postgres
def test_first_run_can_connect_to_the_site_server_instead(
    qtbot, tmp_path, postgres, launched, settings
):
    """A second desktop at a site: first run on an empty local file, then the site server."""
    server = make_url(postgres.new())
    launcher = launched(f"sqlite:///{tmp_path / 'local.sqlite3'}")
    qtbot.waitUntil(lambda: launcher.first_run is not None and launcher.first_run.isVisible())
    local = launcher.first_run
    click(qtbot, local.server_button)
    dialog = launcher.server_dialog
    assert dialog is not None and dialog.isVisible()
    type_into(qtbot, dialog.host_edit, server.host or "127.0.0.1")
    type_into(qtbot, dialog.port_spin, "1")  # nothing listens there
    type_into(qtbot, dialog.database_edit, server.database or "")
    type_into(qtbot, dialog.username_edit, server.username or "")
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: "did not answer" in dialog.errors.message_for("host"), timeout=30_000)
    assert launcher.first_run is local and settings.value(SERVER_URL_KEY) is None

    type_into(qtbot, dialog.port_spin, str(server.port or 5432))
    click(qtbot, dialog.save_button)
    # The server is empty too: first run goes on there, and this desktop remembers it.
    qtbot.waitUntil(
        lambda: launcher.first_run is not None and launcher.first_run is not local, timeout=30_000
    )
    assert launcher.db is not None and launcher.db.url.database == server.database
    saved = settings.value(SERVER_URL_KEY)
    assert make_url(saved).database == server.database and make_url(saved).password is None
    assert saved_server(settings) == saved


def _rows_asked(sql: str, params: Any) -> int | None:
    """The rows the statement asks for (its ``LIMIT``: SQLite's ``?`` or psycopg's named);
    None when it has no limit."""
    if isinstance(params, dict):
        named = re.search(r"LIMIT %\((\w+)\)s", sql)
        return None if named is None else int(params[named.group(1)])
    return int(params[-2]) if sql.rstrip().endswith("LIMIT ? OFFSET ?") else None


def test_after_sign_in_the_other_pages_are_built_while_idle_and_read_again_on_first_showing(
    qtbot, world, launched
):
    """Every page the user may open is built in the quiet after sign-in, so a click finds
    it ready; a list's first rows are read then (off the GUI thread) and go on show while it
    is hidden, and its first showing reads them again."""
    from sqlalchemy import event

    world.admit(family_name="Idlebuilt")
    launcher = launched(world.db.url.render_as_string(hide_password=False))
    qtbot.waitUntil(lambda: launcher.sign_in.is_ready)
    # Start-up readies the statements of signing in and Today for no one while a person
    # types (warm_statements); a quick typist may sign in before it ends. Its reads, of
    # residents' key work among them, are over before those below are counted.
    assert launcher.wait_for_database()
    type_into(qtbot, launcher.sign_in.username_edit, "manager_crowley")
    type_into(qtbot, launcher.sign_in.password_edit, PASSWORD)
    with qtbot.waitSignal(launcher.window_opened) as opened:
        qtbot.keyClick(launcher.sign_in.password_edit, Qt.Key.Key_Return)
    window = opened.args[0]
    assert list(window.pages) == ["today"]  # only the page on show, at first
    assert launcher.db is not None
    qtbot.waitUntil(lambda: not window.current_page.is_loading)  # Today's own read
    read: list[tuple[str, Any]] = []

    def on_execute(_conn, _cursor, sql: str, params: Any, *_args) -> None:
        read.append((sql, params))

    event.listen(launcher.db.engine, "before_cursor_execute", on_execute)
    try:
        everything = {spec.key for spec in window.specs}
        qtbot.waitUntil(lambda: set(window.pages) == everything, timeout=10_000)
        assert window.current_page_key == "today"
    finally:
        event.remove(launcher.db.engine, "before_cursor_execute", on_execute)
    records = [(sql, p) for sql, p in read if "FROM residents" in sql or "key_work_sess" in sql]
    pages = [_rows_asked(sql, p) for sql, p in records if _rows_asked(sql, p) is not None]
    assert pages, "no list's first rows were read while idle"
    assert set(pages) == {FIRST_ROWS}, records  # a first page each, no more

    key_work = window.pages["key_work"]  # its filters' choices are ready before it is shown
    assert key_work.worker_combo.findText("Sam Key_Worker CH") >= 0
    # All built and prepared: what lives as long as the window leaves full collections.
    qtbot.waitUntil(lambda: LongLived.frozen)
    assert gc.get_freeze_count() > 0
    residents = window.pages["residents"]
    qtbot.waitUntil(lambda: residents.table.model().rowCount() == 1)  # the idle read's row
    assert window.current_page_key == "today"
    world.admit(family_name="Admitted Meanwhile")  # at another desktop
    click_entry(qtbot, window.navigation, "Residents")
    assert window.current_page is residents
    assert residents.table.model().rowCount() == 1  # on show at once, and read again
    qtbot.waitUntil(lambda: residents.table.model().rowCount() == 2)
    with qtbot.waitSignal(launcher.finished):
        window.quit_action.trigger()
    assert not LongLived.frozen and gc.get_freeze_count() == 0  # collectable again
