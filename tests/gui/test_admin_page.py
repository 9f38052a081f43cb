"""Administration page: logins, site settings, backups and restore, driven as a user would."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit
from sqlalchemy import select

from pipe_app import paths
from pipe_app.domain import AuditEvent
from pipe_app.domain.enums import AttendanceCode, AuditAction, Role
from pipe_app.gui import admin_backup, admin_users
from pipe_app.gui.admin_page import AdministrationPage
from pipe_app.gui.admin_sites import SiteDialog
from pipe_app.gui.admin_users import PasswordDialog, UserDialog, index_of
from pipe_app.gui.main_window import MainWindow
from pipe_app.services.auth import sign_in
from pipe_app.services.errors import AuthenticationError, PermissionDenied
from pipe_app.services.sites import SiteService, site_settings
from pipe_app.services.staff import StaffInput, StaffService
from pipe_app.services.users import UserInput, UserService
from pipe_app.storage.backup import backup_to, check_backup_file
from tests.factories import PASSWORD
from tests.gui.helpers import click, type_into

NEW_PASSWORD = "a brand new password"


def _window(qtbot, world, settings, role: Role, site: str = "crowley") -> MainWindow:
    window = MainWindow(world.db, world.actor(role, site), settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.show_page("administration")
    return window


def _page(window: MainWindow) -> AdministrationPage:
    page = window.pages["administration"]
    assert isinstance(page, AdministrationPage)
    return page


def _when_dialog_opens(qtbot, name: str, act: Callable[[QDialog], None]) -> list[str]:
    """Act on the modal dialog ``name`` once it shows (it blocks the click that opened it).

    A dialog still open after ``act`` is closed, so a failure fails the test rather than
    hanging it; what it said is returned for the assertion message.
    """
    left_open: list[str] = []
    tries = iter(range(500))

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, QDialog) and dialog.objectName() == name and dialog.isVisible():
            try:
                act(dialog)
            finally:
                if dialog.isVisible():
                    errors = getattr(dialog, "errors", None)
                    left_open.append(str(errors.general_message if errors else "") or "open")
                    dialog.reject()
        elif next(tries, None) is not None:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)
    return left_open


def _row_of(page_model, username: str) -> int:
    for row in range(page_model.rowCount()):
        if page_model.row(row).username == username:
            return row
    raise AssertionError(f"{username} not listed")


def _select_user(page: AdministrationPage, username: str) -> None:
    tab = page.users_tab
    for row in range(tab.proxy.rowCount()):
        if tab.proxy.index(row, 0).data() == username:
            tab.table.selectRow(row)
            return
    raise AssertionError(f"{username} not shown")


def _fill_user(qtbot, dialog: UserDialog, username: str, *, confirm: str = NEW_PASSWORD) -> None:
    type_into(qtbot, dialog.username_edit, username)
    type_into(qtbot, dialog.display_name_edit, "Jo Bloggs")
    click(qtbot, dialog.role_checks[Role.KEY_WORKER])
    type_into(qtbot, dialog.password_edit, NEW_PASSWORD)
    type_into(qtbot, dialog.confirm_edit, confirm)


# ---- users -------------------------------------------------------------------------------


def test_administrator_creates_a_login_that_can_then_sign_in(qtbot, world, settings, qtmodeltester):
    window = _window(qtbot, world, settings, Role.ADMINISTRATOR)
    page = _page(window)
    qtmodeltester.check(page.users_model)
    qtmodeltester.check(page.users_tab.proxy)
    kirk_worker = StaffService(world.db, world.system).create(
        StaffInput("Jo", "Bloggs", "residential_worker", date(2025, 1, 6), {world.kirk.id})
    )

    def fill(dialog: QDialog) -> None:
        assert isinstance(dialog, UserDialog)
        _fill_user(qtbot, dialog, "Jo.Bloggs")
        dialog.staff_combo.setFocus()
        linked = world.staff[(Role.KEY_WORKER, "kirk")].id
        assert index_of(dialog.staff_combo, linked) == -1  # has a login already
        dialog.staff_combo.setCurrentIndex(index_of(dialog.staff_combo, kirk_worker.id))
        sites = dialog.sites_list
        sites.setFocus()
        kirk_row = next(
            row
            for row in range(sites.count())
            if sites.item(row).data(Qt.ItemDataRole.UserRole) == world.kirk.id
        )
        sites.setCurrentRow(kirk_row)
        qtbot.keyClick(sites, Qt.Key.Key_Space)  # ticks the site
        click(qtbot, dialog.save_button)

    left_open = _when_dialog_opens(qtbot, "userDialog", fill)
    click(qtbot, page.users_tab.new_button)
    assert not left_open, left_open

    assert page.users_tab.notice.text() == "Login jo.bloggs created; they can sign in now."
    row = page.users_model.row(_row_of(page.users_model, "jo.bloggs"))
    assert row.staff_member_id == kirk_worker.id
    actor = sign_in(world.db, "jo.bloggs", NEW_PASSWORD)
    assert actor.roles == frozenset({Role.KEY_WORKER})
    assert actor.site_ids == frozenset(frozenset({world.kirk.id}))
    assert page.users_tab.selected() is not None
    assert page.users_tab.selected().username == "jo.bloggs"


def test_a_bad_username_is_named_under_the_field_and_nothing_is_written(qtbot, world):
    admin = world.actor(Role.ADMINISTRATOR, "crowley")
    before = len(UserService(world.db, admin).rows())
    dialog = UserDialog(world.db, admin)
    qtbot.addWidget(dialog)
    dialog.set_site_checked(world.crowley.id)
    _fill_user(qtbot, dialog, "jo bloggs", confirm="not the same password")
    click(qtbot, dialog.save_button)
    assert dialog.errors.message_for("username") == (
        "Username may use only letters, digits, '.', '_' and '-'."
    )
    assert dialog.errors.message_for("confirm") == "Repeated password does not match the password."
    assert dialog.username_edit.property("invalid") is True

    type_into(qtbot, dialog.username_edit, "key_worker_kirk")  # taken: the service says so
    type_into(qtbot, dialog.confirm_edit, NEW_PASSWORD)
    click(qtbot, dialog.save_button)
    assert dialog.errors.message_for("username") == "Username: 'key_worker_kirk' is already taken."
    assert dialog.errors.message_for("confirm") == ""
    assert dialog.saved is None
    assert len(UserService(world.db, admin).rows()) == before


def test_manager_is_offered_only_care_roles_at_their_own_sites(qtbot, world, settings):
    manager = world.actor(Role.MANAGER, "crowley")
    dialog = UserDialog(world.db, manager)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.role_checks[Role.ADMINISTRATOR].isHidden()
    assert not dialog.role_checks[Role.MANAGER].isHidden()
    assert dialog.offered_site_ids() == {world.crowley.id}

    service = UserService(world.db, manager)
    with pytest.raises(PermissionDenied):
        service.create(
            UserInput("sneaky", "Sneaky", frozenset({Role.ADMINISTRATOR}), frozenset()),
            NEW_PASSWORD,
        )
    with pytest.raises(PermissionDenied):
        service.create(
            UserInput(
                "elsewhere", "Else", frozenset({Role.KEY_WORKER}), frozenset({world.kirk.id})
            ),
            NEW_PASSWORD,
        )
    window = _window(qtbot, world, settings, Role.MANAGER)
    page = _page(window)
    shown = {page.users_model.row(r).username for r in range(page.users_model.rowCount())}
    assert "key_worker_crowley" in shown
    assert not shown & {"key_worker_kirk", "administrator_crowley"}
    assert page.tabs.tabText(page.tabs.count() - 1) == "Sites"  # no Backups tab


def test_locked_login_is_shown_as_text_then_unlocked_reset_and_archived(
    qtbot, world, settings, monkeypatch
):
    for _ in range(5):
        with pytest.raises(AuthenticationError):
            sign_in(world.db, "key_worker_kirk", "wrong password!")
    window = _window(qtbot, world, settings, Role.ADMINISTRATOR)
    page = _page(window)
    tab = page.users_tab
    _select_user(page, "key_worker_kirk")
    status = tab.proxy.index(tab.table.currentIndex().row(), 5).data()
    assert status.startswith("Locked until ")
    assert tab.unlock_button.isEnabled()
    click(qtbot, tab.unlock_button)
    assert tab.notice.text() == "Login key_worker_kirk unlocked."
    assert sign_in(world.db, "key_worker_kirk", PASSWORD).username == "key_worker_kirk"

    row = tab.selected()
    assert row is not None and not tab.unlock_button.isEnabled()
    reset = PasswordDialog(world.db, window.actor, row)
    qtbot.addWidget(reset)
    type_into(qtbot, reset.password_edit, "short")
    click(qtbot, reset.save_button)
    assert reset.errors.message_for("password") == "Password must be at least 10 characters."
    type_into(qtbot, reset.password_edit, NEW_PASSWORD)
    type_into(qtbot, reset.confirm_edit, NEW_PASSWORD)
    click(qtbot, reset.save_button)
    assert reset.result() == QDialog.DialogCode.Accepted
    assert sign_in(world.db, "key_worker_kirk", NEW_PASSWORD).username == "key_worker_kirk"

    questions: list[str] = []
    monkeypatch.setattr(
        admin_users, "ask_to_confirm", lambda _p, _t, text, _a: questions.append(text) or False
    )
    click(qtbot, tab.archive_button)
    assert "key_worker_kirk" in questions[0]
    assert sign_in(world.db, "key_worker_kirk", NEW_PASSWORD)  # declined: nothing changed
    monkeypatch.setattr(admin_users, "ask_to_confirm", lambda *_args: True)
    page.refresh()  # signing in changed the login since the list was read (F5)
    _select_user(page, "key_worker_kirk")
    click(qtbot, tab.archive_button)
    assert tab.notice.text() == "Login key_worker_kirk archived."
    with pytest.raises(AuthenticationError):
        sign_in(world.db, "key_worker_kirk", NEW_PASSWORD)
    _select_user(page, "administrator_crowley")
    assert not tab.archive_button.isEnabled()  # not your own login


# ---- sites -------------------------------------------------------------------------------


def test_manager_changes_site_settings_which_are_saved_and_audited(
    qtbot, world, settings, qtmodeltester
):
    window = _window(qtbot, world, settings, Role.MANAGER)
    page = _page(window)
    page.show_tab(page.sites_tab)
    qtmodeltester.check(page.sites_model)
    qtmodeltester.check(page.sites_tab.proxy)
    assert [page.sites_model.row(r).name for r in range(page.sites_model.rowCount())] == [
        "Crowley House"
    ]
    manager = world.actor(Role.MANAGER, "crowley")
    dialog = SiteDialog(world.db, manager, SiteService(world.db, manager).get(world.crowley.id))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    type_into(qtbot, dialog.frequency_spin, "14")
    type_into(qtbot, dialog.training_spin, "30")
    dialog.set_code(AttendanceCode.ATTENDED, False, False)
    click(qtbot, dialog.save_button)
    assert dialog.errors.message_for("attendance_codes") == "Codes in use must include 'attended'."
    assert dialog.tabs.currentIndex() == 1  # the tab with the problem is shown
    assert SiteService(world.db, manager).get(world.crowley.id).key_work_frequency_days == 7

    dialog.set_code(AttendanceCode.ATTENDED, True, False)
    dialog.set_code(AttendanceCode.NOT_REQUIRED, False, False)
    click(qtbot, dialog.add_template_button)
    type_into(qtbot, dialog.template_name(0), "Cooking")
    click(qtbot, dialog.save_button)
    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.errors.message_for(
        "activity_templates"
    )

    saved = SiteService(world.db, manager).get(world.crowley.id)
    assert saved.key_work_frequency_days == 14
    stored = site_settings(saved)
    assert AttendanceCode.NOT_REQUIRED not in stored.attendance_codes
    assert stored.training_warning_days == 30
    assert [t.name for t in stored.activity_templates] == ["Cooking"]
    with world.db.reading() as session:
        events = session.scalars(
            select(AuditEvent).where(
                AuditEvent.entity_id == world.crowley.id, AuditEvent.action == AuditAction.UPDATE
            )
        ).all()
    changed = [set(event.changes) for event in events if event.username == "manager_crowley"]
    assert any("key_work_frequency_days" in c for c in changed)
    assert any("settings" in c for c in changed)


def test_edit_is_offered_only_for_sites_the_user_manages(qtbot, world, settings):
    window = _window(qtbot, world, settings, Role.ADMINISTRATOR)
    page = _page(window)
    page.show_tab(page.sites_tab)
    tab = page.sites_tab
    assert not tab.edit_button.isEnabled()
    tab.table.selectRow(0)
    assert tab.edit_button.isEnabled()
    assert not tab.new_button.isHidden()


# ---- backups -----------------------------------------------------------------------------


def test_back_up_now_writes_a_verified_file_and_shows_its_result(
    qtbot, world, settings, qtmodeltester
):
    window = _window(qtbot, world, settings, Role.ADMINISTRATOR)
    page = _page(window)
    tab = page.backup_tab
    assert page.show_tab(tab)
    qtmodeltester.check(tab.model)
    assert tab.model.rowCount() == 0
    click(qtbot, tab.backup_button)
    qtbot.waitUntil(lambda: not tab.busy and tab.backup_button.isEnabled(), timeout=30_000)
    assert tab.error_label.isHidden(), tab.error_label.text()
    [made] = list(paths.backup_dir().glob("*.sqlite3"))
    check_backup_file(made)
    assert tab.result_heading.text() == "✓ Backup made and verified"
    lines = tab.result_label.text().splitlines()
    assert lines[:2] == [f"File: {made.name}", f"Folder: {made.parent}"]
    assert " tables, " in lines[2] and " rows, " in lines[2]
    assert tab.model.rowCount() == 1
    assert tab.model.row(0).path == made
    qtmodeltester.check(tab.proxy)


def test_a_backup_that_cannot_be_written_is_a_sentence(
    qtbot, world, settings, monkeypatch, tmp_path
):
    window = _window(qtbot, world, settings, Role.ADMINISTRATOR)
    tab = _page(window).backup_tab
    monkeypatch.setattr(
        admin_backup, "ask_backup_file", lambda *_a: tmp_path / "nowhere" / "b.sqlite3"
    )
    click(qtbot, tab.backup_file_button)
    qtbot.waitUntil(lambda: not tab.busy and tab.backup_button.isEnabled(), timeout=30_000)
    assert tab.error_label.text() == f"Folder {tmp_path / 'nowhere'} does not exist."
    assert tab.result_card.isHidden()


def test_restore_round_trip_then_the_user_is_signed_out(
    qtbot, world, settings, monkeypatch, tmp_path
):
    backup = backup_to(world.db, tmp_path).path
    admin = world.actor(Role.ADMINISTRATOR, "crowley")
    UserService(world.db, admin).create(
        UserInput(
            "after.backup", "Made Later", frozenset({Role.KEY_WORKER}), frozenset({world.kirk.id})
        ),
        NEW_PASSWORD,
    )
    window = _window(qtbot, world, settings, Role.ADMINISTRATOR)
    tab = _page(window).backup_tab
    questions: list[str] = []
    told: list[str] = []
    monkeypatch.setattr(admin_backup, "ask_restore_file", lambda _p, _start: backup)
    monkeypatch.setattr(
        admin_backup, "ask_to_confirm", lambda _p, _t, q, _a: questions.append(q) or True
    )
    monkeypatch.setattr(admin_backup, "tell", lambda _p, _t, text: told.append(text))
    with qtbot.waitSignal(window.signed_out, timeout=60_000):
        click(qtbot, tab.restore_button)
    assert backup.name in questions[0] and "will be replaced" in questions[0]
    assert "sign you out" in told[0]
    assert tab.result_heading.text() == "✓ Backup restored"
    assert tab.result_label.text().startswith(f"File: {backup.name}\n")
    with pytest.raises(AuthenticationError):
        sign_in(world.db, "after.backup", NEW_PASSWORD)
    assert sign_in(world.db, "key_worker_kirk", PASSWORD).username == "key_worker_kirk"
    safety = list(paths.backup_dir().glob("*before-restore*.sqlite3"))
    assert len(safety) == 1  # the data that was replaced is kept, and the user is told where
    assert safety[0].name in told[0]


def test_ctrl_n_opens_a_new_login_and_esc_leaves_without_writing(qtbot, world, settings):
    window = _window(qtbot, world, settings, Role.ADMINISTRATOR)
    page = _page(window)
    before = page.users_model.rowCount()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    page.users_tab.table.setFocus()
    opened: list[str] = []

    def cancel(dialog: QDialog) -> None:
        opened.append(dialog.windowTitle())
        qtbot.keyClicks(dialog.findChild(QLineEdit, "usernameEdit"), "half.typed")
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)

    left_open = _when_dialog_opens(qtbot, "userDialog", cancel)
    qtbot.keyClick(page.users_tab.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: bool(opened))
    assert opened == ["New login"] and not left_open
    page.refresh()
    assert page.users_model.rowCount() == before


def test_manager_edits_roles_of_a_key_worker_at_their_site(qtbot, world, settings):
    window = _window(qtbot, world, settings, Role.MANAGER)
    page = _page(window)
    _select_user(page, "key_worker_crowley")
    row = page.users_tab.selected()
    dialog = UserDialog(world.db, window.actor, row)
    qtbot.addWidget(dialog)
    assert dialog.username_edit.isReadOnly() and dialog.password_edit.isHidden()
    assert dialog.staff_combo.currentData() == row.staff_member_id  # its own link is offered
    type_into(qtbot, dialog.display_name_edit, "Sam Key Worker")
    click(qtbot, dialog.role_checks[Role.PSYCHOLOGIST])
    click(qtbot, dialog.save_button)
    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.errors.general_message
    actor = sign_in(world.db, "key_worker_crowley", PASSWORD)
    assert actor.roles == frozenset({Role.KEY_WORKER, Role.PSYCHOLOGIST})
    assert actor.display_name == "Sam Key Worker"
