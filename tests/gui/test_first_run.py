"""First run: an empty database gets an administrator and sites, then sign-in works."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from pipe_app.domain.enums import APType, Role
from pipe_app.gui.first_run import FirstRunDialog, needs_first_run
from pipe_app.gui.sign_in import SignInDialog
from pipe_app.services.permissions import Actor
from pipe_app.services.sites import SiteService
from pipe_app.services.users import UserService
from tests.gui.helpers import click, type_into

ADMIN_PASSWORD = "a long first password"


def _open(qtbot, db) -> FirstRunDialog:
    dialog = FirstRunDialog(db)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _fill_admin(qtbot, dialog: FirstRunDialog, confirm: str = ADMIN_PASSWORD) -> None:
    type_into(qtbot, dialog.username_edit, "Pat.Admin")
    type_into(qtbot, dialog.display_name_edit, "Pat Administrator")
    type_into(qtbot, dialog.password_edit, ADMIN_PASSWORD)
    type_into(qtbot, dialog.confirm_edit, confirm)


def _fill_site(qtbot, dialog: FirstRunDialog, number: int, name: str, code: str) -> None:
    site = dialog.sites[number - 1]
    type_into(qtbot, site.name, name)
    type_into(qtbot, site.code, code)
    type_into(qtbot, site.beds, "22")
    type_into(qtbot, site.frequency, "14")


def test_first_run_creates_an_administrator_and_a_site_then_sign_in_works(qtbot, db):
    assert needs_first_run(db)
    dialog = _open(qtbot, db)
    _fill_admin(qtbot, dialog)
    _fill_site(qtbot, dialog, 1, "Kirk Lodge", "kl")
    click(qtbot, dialog.create_button)

    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.created is not None
    assert dialog.created.administrator.username == "pat.admin"
    assert not needs_first_run(db)
    [site] = SiteService(db, Actor.system()).rows()
    assert (site.name, site.code, site.beds, site.key_work_frequency_days) == (
        "Kirk Lodge",
        "KL",
        22,
        14,
    )
    assert site.ap_type is APType.PIPE

    sign_in = SignInDialog(db, username=dialog.created.administrator.username)
    qtbot.addWidget(sign_in)
    sign_in.show()
    with qtbot.waitSignal(sign_in.signed_in):  # the password is checked in the background
        qtbot.keyClicks(sign_in.password_edit, ADMIN_PASSWORD)
        qtbot.keyClick(sign_in.password_edit, Qt.Key.Key_Return)
    assert sign_in.result() == QDialog.DialogCode.Accepted
    assert sign_in.actor is not None
    assert sign_in.actor.roles == frozenset({Role.ADMINISTRATOR})
    assert site.id in sign_in.actor.site_ids


def test_problems_are_named_under_their_fields_and_nothing_is_written(qtbot, db):
    dialog = _open(qtbot, db)
    type_into(qtbot, dialog.username_edit, "pat admin")
    type_into(qtbot, dialog.password_edit, "too short")
    click(qtbot, dialog.create_button)

    assert dialog.result() != QDialog.DialogCode.Accepted
    errors = dialog.errors
    assert errors.message_for("admin.username") == (
        "Username may use only letters, digits, '.', '_' and '-'."
    )
    assert errors.message_for("admin.display_name") == "Display name is required."
    assert errors.message_for("admin.password") == "Password must be at least 10 characters."
    assert errors.message_for("site1.name") == "Site name is required."
    assert errors.message_for("site1.code") == "Short code is required."
    assert errors.message_for("site2.name") == ""  # the second site is not asked for
    assert dialog.focusWidget() is dialog.username_edit
    assert "Username may use only" in dialog.username_edit.accessibleDescription()
    assert SiteService(db, Actor.system()).rows() == []
    assert needs_first_run(db)


def test_repeated_password_must_match(qtbot, db):
    dialog = _open(qtbot, db)
    _fill_admin(qtbot, dialog, confirm="a long first passwore")
    _fill_site(qtbot, dialog, 1, "Kirk Lodge", "KL")
    click(qtbot, dialog.create_button)
    assert dialog.errors.message_for("admin.confirm") == (
        "Repeated password does not match the password."
    )
    assert needs_first_run(db)


def test_a_refused_second_site_can_be_fixed_without_doubling_the_first(qtbot, db):
    dialog = _open(qtbot, db)
    _fill_admin(qtbot, dialog)
    _fill_site(qtbot, dialog, 1, "Crowley House", "CH")
    dialog.second_site_box.setFocus()
    qtbot.keyClick(dialog.second_site_box, Qt.Key.Key_Space)
    assert dialog.second_site_box.isChecked()
    _fill_site(qtbot, dialog, 2, "Kirk Lodge", "ch")
    click(qtbot, dialog.create_button)

    assert dialog.errors.message_for("site2.code") == "Short code: another site already uses 'CH'."
    assert needs_first_run(db)  # no login until every site is right

    type_into(qtbot, dialog.sites[1].code, "KL")
    click(qtbot, dialog.create_button)
    assert dialog.result() == QDialog.DialogCode.Accepted
    names = [site.name for site in SiteService(db, Actor.system()).rows()]
    assert names == ["Crowley House", "Kirk Lodge"]
    [admin] = UserService(db, Actor.system()).rows()
    assert admin.roles == frozenset({Role.ADMINISTRATOR})
