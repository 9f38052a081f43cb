"""Signing in: Enter submits, failures say so plainly, lockout is explained.

The password is checked on a worker thread, so each attempt is followed by waiting for the
answer (``_answered``) as a person waits for the busy bar to stop.
"""

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


def _answered(qtbot, dialog: SignInDialog) -> None:
    qtbot.waitUntil(lambda: not dialog.is_checking)


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
    _answered(qtbot, dialog)
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
    _answered(qtbot, dialog)
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
        _answered(qtbot, dialog)
        assert dialog.message == "The username or password is not right."
    type_into(qtbot, dialog.password_edit, PASSWORD)
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    _answered(qtbot, dialog)
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


def test_the_password_is_checked_in_the_background_with_sign_in_disabled(qtbot, world):
    dialog = _open(qtbot, world.db, username="key_worker_kirk")
    qtbot.keyClicks(dialog.password_edit, PASSWORD)
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    # The answer can only arrive through the event loop, which has not run since Return.
    assert dialog.is_checking
    assert not dialog.sign_in_button.isEnabled()
    assert dialog.busy_bar.isVisible()
    assert dialog.password_edit.isReadOnly()
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)  # a second Return: no second check
    with qtbot.waitSignal(dialog.signed_in) as signal:
        pass
    assert signal.args[0].username == "key_worker_kirk"
    assert not dialog.is_checking
    assert not dialog.busy_bar.isVisible()


def test_after_a_refusal_the_dialog_is_usable_again(qtbot, world):
    dialog = _open(qtbot, world.db, username="key_worker_kirk")
    qtbot.keyClicks(dialog.password_edit, "not the password")
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    assert not dialog.sign_in_button.isEnabled()
    _answered(qtbot, dialog)
    assert dialog.sign_in_button.isEnabled()
    assert not dialog.busy_bar.isVisible()
    assert not dialog.password_edit.isReadOnly()
    with qtbot.waitSignal(dialog.signed_in):
        qtbot.keyClicks(dialog.password_edit, PASSWORD)
        qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)


def test_quitting_while_the_password_is_checked_signs_nobody_in(qtbot, world):
    dialog = _open(qtbot, world.db, username="key_worker_kirk")
    qtbot.keyClicks(dialog.password_edit, PASSWORD)
    with qtbot.assertNotEmitted(dialog.signed_in, wait=0):
        qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
        click(qtbot, dialog.cancel_button)
        _answered(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert dialog.actor is None
