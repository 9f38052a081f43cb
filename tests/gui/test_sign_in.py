"""Signing in: Enter submits, failures say so plainly, lockout is explained."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from pipe_app.domain.enums import Role
from pipe_app.gui.sign_in import SignInDialog
from tests.factories import PASSWORD
from tests.gui.helpers import click, type_into


def _open(qtbot, db, username: str = "") -> SignInDialog:
    dialog = SignInDialog(db, username=username)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_enter_signs_in_with_the_right_password(qtbot, world):
    dialog = _open(qtbot, world.db)
    with qtbot.waitSignal(dialog.signed_in) as signal:
        qtbot.keyClicks(dialog.username_edit, "KEY_WORKER_KIRK")
        qtbot.keyClick(dialog.username_edit, Qt.Key.Key_Tab)
        qtbot.keyClicks(dialog.password_edit, PASSWORD)
        qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    actor = signal.args[0]
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert actor.username == "key_worker_kirk"
    assert actor.roles == frozenset({Role.KEY_WORKER})
    assert actor.site_ids == frozenset({world.kirk.id})
    assert dialog.password_edit.text() == ""


def test_a_wrong_password_shows_the_message_and_clears_the_password(qtbot, world):
    dialog = _open(qtbot, world.db, username="key_worker_kirk")
    qtbot.keyClicks(dialog.password_edit, "not the password")
    click(qtbot, dialog.sign_in_button)
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.actor is None
    assert dialog.message == "The username or password is not right."
    assert dialog.password_edit.text() == ""
    assert dialog.focusWidget() is dialog.password_edit
    qtbot.keyClicks(dialog.password_edit, "x")
    assert dialog.message == ""  # typing again clears the old message


def test_an_unknown_user_gets_the_same_message(qtbot, world):
    dialog = _open(qtbot, world.db, username="nobody")
    qtbot.keyClicks(dialog.password_edit, PASSWORD)
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    assert dialog.message == "The username or password is not right."


def test_empty_fields_are_asked_for(qtbot, world):
    dialog = _open(qtbot, world.db)
    click(qtbot, dialog.sign_in_button)
    assert dialog.message == "Enter your username to sign in."


def test_lockout_is_explained(qtbot, world):
    dialog = _open(qtbot, world.db, username="manager_kirk")
    for _ in range(5):
        type_into(qtbot, dialog.password_edit, "wrong password")
        qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    type_into(qtbot, dialog.password_edit, PASSWORD)
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.message.startswith("This account is locked after 5 failed sign-ins until ")
    assert dialog.message.endswith("an administrator can unlock it.")


def test_the_dialog_can_be_filled_before_the_database_is_ready(qtbot, world):
    dialog = SignInDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.username_edit, "key_worker_kirk")
    assert not dialog.is_ready
    assert not dialog.sign_in_button.isEnabled()
    assert dialog.database_label.text() == "Opening the database…"
    dialog.set_database(world.db)
    assert dialog.sign_in_button.isEnabled()
    assert dialog.database_label.text() == f"Database: {world.db.describe()}"
    assert dialog.focusWidget() is dialog.password_edit
