"""Administration, Users tab: create logins, change roles and sites, reset, unlock, archive.

What a manager may choose is limited to what UserService lets them give (care roles at their
own sites); the service refuses anything else anyway.
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pipe_app.domain.enums import Role
from pipe_app.gui.assets import child
from pipe_app.gui.field_errors import FieldErrors
from pipe_app.gui.form_dialog import FormDialog, accepted, index_of
from pipe_app.gui.labels import roles_text
from pipe_app.gui.layouts import nest
from pipe_app.gui.problems import as_sentence, describe_failure
from pipe_app.gui.table_model import ROW_ROLE, Column, RowTableModel, show_time
from pipe_app.gui.tables import fit_columns, sorted_view
from pipe_app.services.auth import check_password_strength
from pipe_app.services.errors import FieldProblem, ValidationError
from pipe_app.services.permissions import Actor
from pipe_app.services.sites import SiteRow, SiteService
from pipe_app.services.staff import StaffService
from pipe_app.services.users import USERNAME_CHARS, UserInput, UserRow, UserService
from pipe_app.storage.database import Database
from pipe_app.timeutil import utc_now

_ROLE_CHECKS = {
    Role.KEY_WORKER: "keyWorkerCheck",
    Role.MANAGER: "managerCheck",
    Role.PSYCHOLOGIST: "psychologistCheck",
    Role.ADMINISTRATOR: "administratorCheck",
}
_FIELDS = {
    "username": ("usernameEdit", "Username"),
    "display_name": ("displayNameEdit", "Display name"),
    "staff_member_id": ("staffCombo", "Staff member"),
    "roles": ("rolesBox", "Roles"),
    "sites": ("sitesList", "Sites"),
    "password": ("passwordEdit", "Password"),
    "confirm": ("confirmEdit", "Repeated password"),
}


def ask_to_confirm(parent: QWidget, title: str, text: str, action: str) -> bool:
    """A yes/no question whose yes button says what will happen (tests replace this)."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    yes = box.addButton(action, QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is yes


def is_locked(row: UserRow) -> bool:
    return row.locked_until is not None and row.locked_until > utc_now()


def user_status(row: UserRow) -> str:
    if row.archived:
        return "Archived"
    if is_locked(row):
        return f"Locked until {show_time(row.locked_until)}"
    return "Active"


def user_columns(site_names: dict[uuid.UUID, str]) -> list[Column[UserRow]]:
    """``site_names`` is read at display time, so the page can refresh it in place."""

    def sites(row: UserRow) -> str:
        if Role.ADMINISTRATOR in row.roles:
            return "All sites"
        return ", ".join(
            sorted(site_names.get(site_id, "another site") for site_id in row.site_ids)
        )

    return [
        Column("Username", lambda r: r.username),
        Column("Name", lambda r: r.display_name),
        Column("Roles", lambda r: roles_text(r.roles)),
        Column("Sites", sites),
        Column("Last signed in", lambda r: r.last_sign_in_at),
        Column("Status", user_status),
    ]


def password_problems(password: str, confirm: str) -> list[FieldProblem]:
    try:
        check_password_strength(password)
    except ValidationError as exc:
        return list(exc.problems)
    if confirm != password:
        return [FieldProblem("confirm", "does not match the password")]
    return []


class UserDialog(FormDialog):
    """A new login (``user`` None) or an existing one's name, staff link, roles and sites."""

    failure_action = "save the login"

    def __init__(
        self,
        db: Database,
        actor: Actor,
        user: UserRow | None = None,
        parent: QWidget | None = None,
    ) -> None:
        title = "New login" if user is None else f"Change login {user.username}"
        super().__init__("userDialog", title, parent)
        self._db, self._actor, self._user = db, actor, user
        self.saved: UserRow | None = None
        self.use_designer_form(
            "user_form", _FIELDS, "Create login" if user is None else "Save changes"
        )
        self.username_edit: QLineEdit = child(self.form, QLineEdit, "usernameEdit")
        self.display_name_edit: QLineEdit = child(self.form, QLineEdit, "displayNameEdit")
        self.staff_combo: QComboBox = child(self.form, QComboBox, "staffCombo")
        self.sites_list: QListWidget = child(self.form, QListWidget, "sitesList")
        self.password_edit: QLineEdit = child(self.form, QLineEdit, "passwordEdit")
        self.confirm_edit: QLineEdit = child(self.form, QLineEdit, "confirmEdit")
        self.role_checks = {
            role: child(self.form, QCheckBox, name) for role, name in _ROLE_CHECKS.items()
        }
        self._offer_choices()
        if user is not None:
            self._fill(user)
        self.role_checks[Role.ADMINISTRATOR].toggled.connect(self._on_roles_changed)
        self.setMinimumWidth(520)

    def _offer_choices(self) -> None:
        """Only what this user may give: an administrator role and other sites are not shown."""
        self.role_checks[Role.ADMINISTRATOR].setVisible(Role.ADMINISTRATOR in self._actor.roles)
        self.staff_combo.addItem("No linked staff member", None)
        try:
            linked = {
                row.staff_member_id
                for row in UserService(self._db, self._actor).rows()
                if row.staff_member_id is not None and not row.archived
            }
            if self._user is not None:
                linked.discard(self._user.staff_member_id)
            for member in StaffService(self._db, self._actor).rows():
                if member.id in linked:
                    continue  # one login per staff member
                self.staff_combo.addItem(
                    f"{member.full_name} ({member.job_role.value.replace('_', ' ')})", member.id
                )
            sites = SiteService(self._db, self._actor).rows()
        except Exception as exc:
            self.errors.show_general(describe_failure(exc, "list the staff and sites"))
            sites = []
        for site in sites:
            item = QListWidgetItem(site.name)
            item.setData(Qt.ItemDataRole.UserRole, site.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            item.setSizeHint(QSize(0, 28))
            self.sites_list.addItem(item)

    def _fill(self, user: UserRow) -> None:
        self.username_edit.setText(user.username)
        self.username_edit.setReadOnly(True)
        self.username_edit.setToolTip("A username cannot be changed; archive it and make a new one")
        self.display_name_edit.setText(user.display_name)
        self.staff_combo.setCurrentIndex(max(index_of(self.staff_combo, user.staff_member_id), 0))
        for role, check in self.role_checks.items():
            check.setChecked(role in user.roles)
        for row in range(self.sites_list.count()):
            item = self.sites_list.item(row)
            checked = item.data(Qt.ItemDataRole.UserRole) in user.site_ids
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        for name in ("passwordLabel", "passwordEdit", "confirmLabel", "confirmEdit"):
            child(self.form, QWidget, name).hide()
        self._on_roles_changed()

    def _on_roles_changed(self, _checked: bool = False) -> None:
        admin = self.role_checks[Role.ADMINISTRATOR].isChecked()
        self.sites_list.setEnabled(not admin)
        self.sites_list.setToolTip("Administrators work at every site" if admin else "")

    # ---- reading the form --------------------------------------------------------------

    def set_site_checked(self, site_id: uuid.UUID, checked: bool = True) -> None:
        for row in range(self.sites_list.count()):
            item = self.sites_list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == site_id:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def offered_site_ids(self) -> set[uuid.UUID]:
        return {
            self.sites_list.item(r).data(Qt.ItemDataRole.UserRole)
            for r in range(self.sites_list.count())
        }

    def data(self) -> UserInput:
        roles = frozenset(role for role, check in self.role_checks.items() if check.isChecked())
        sites = frozenset(
            self.sites_list.item(row).data(Qt.ItemDataRole.UserRole)
            for row in range(self.sites_list.count())
            if self.sites_list.item(row).checkState() == Qt.CheckState.Checked
        )
        return UserInput(
            username=self.username_edit.text(),
            display_name=self.display_name_edit.text(),
            roles=roles,
            site_ids=sites if Role.ADMINISTRATOR not in roles else frozenset(),
            staff_member_id=self.staff_combo.currentData(),
        )

    def problems(self) -> list[FieldProblem]:
        problems: list[FieldProblem] = []
        username = self.username_edit.text().strip().lower()
        if self._user is None and username and not set(username) <= USERNAME_CHARS:
            problems.append(
                FieldProblem("username", "may use only letters, digits, '.', '_' and '-'")
            )
        data = self.data()
        if not data.roles:
            problems.append(FieldProblem("roles", "choose at least one role"))
        if not data.site_ids and Role.ADMINISTRATOR not in data.roles:
            problems.append(FieldProblem("sites", "choose at least one site"))
        if self._user is None:
            problems += password_problems(self.password_edit.text(), self.confirm_edit.text())
        return problems

    def write(self) -> None:
        service = UserService(self._db, self._actor)
        if self._user is None:
            self.saved = service.create(self.data(), self.password_edit.text())
        else:
            self.saved = service.update(self._user.id, self._user.version, self.data())

    @classmethod
    def ask(
        cls, db: Database, actor: Actor, user: UserRow | None = None, parent: QWidget | None = None
    ) -> UserRow | None:
        """Run the dialog; the saved login, or None if cancelled."""
        dialog = cls(db, actor, user, parent)
        return dialog.saved if accepted(dialog) else None


class PasswordDialog(FormDialog):
    """An administrator's reset: the user must choose their own at next sign-in."""

    failure_action = "reset the password"

    def __init__(
        self, db: Database, actor: Actor, user: UserRow, parent: QWidget | None = None
    ) -> None:
        super().__init__("passwordDialog", f"Reset the password of {user.username}", parent)
        self._db, self._actor, self._user = db, actor, user
        intro = QLabel(
            f"Choose a new password for {user.display_name}. Tell them in person; they will "
            "be asked to change it when they next sign in. A lock on the login is lifted."
        )
        intro.setWordWrap(True)
        intro.setProperty("role", "hint")
        self.body.addWidget(intro)
        holder = QWidget()
        form = QFormLayout(holder)
        form.setContentsMargins(0, 0, 0, 0)
        self.password_edit = QLineEdit()
        self.password_edit.setObjectName("newPasswordEdit")
        self.password_edit.setAccessibleName("New password")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm_edit = QLineEdit()
        self.confirm_edit.setObjectName("repeatPasswordEdit")
        self.confirm_edit.setAccessibleName("Repeat the new password")
        self.confirm_edit.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("&New password", self.password_edit)
        form.addRow("&Repeat password", self.confirm_edit)
        self.body.addWidget(holder)
        message = QLabel()
        message.setProperty("role", "error")
        self.body.addWidget(message)
        self.errors = FieldErrors(message)
        self.errors.add("password", self.password_edit, "Password")
        self.errors.add("confirm", self.confirm_edit, "Repeated password")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.body.addWidget(buttons)
        self.use_buttons(buttons, "Reset password")
        self.setMinimumWidth(460)

    def problems(self) -> list[FieldProblem]:
        return password_problems(self.password_edit.text(), self.confirm_edit.text())

    def write(self) -> None:
        UserService(self._db, self._actor).set_password(self._user.id, self.password_edit.text())

    @classmethod
    def ask(cls, db: Database, actor: Actor, user: UserRow, parent: QWidget | None = None) -> bool:
        return accepted(cls(db, actor, user, parent))


class UsersTab(QWidget):
    """The logins this user manages, with the actions on the selected one."""

    changed = Signal()  # a login was created or changed: the page reloads

    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("usersTab")
        self.db, self.actor = db, actor
        self._site_names: dict[uuid.UUID, str] = {}
        self.model = RowTableModel(user_columns(self._site_names), parent=self)
        self.table, self.proxy = sorted_view("usersTable", "Users", self.model, self)
        self.new_button = self._button("newUserButton", "&New login…", "Create a login (Ctrl+N)")
        self.edit_button = self._button("editUserButton", "&Edit…", "Change name, roles and sites")
        self.password_button = self._button("resetPasswordButton", "Reset &password…", "")
        self.unlock_button = self._button(
            "unlockButton", "&Unlock", "Lift the lock after failed sign-ins"
        )
        self.archive_button = self._button(
            "archiveUserButton", "&Archive…", "Stop this login signing in"
        )
        self.notice = QLabel()
        self.notice.setObjectName("usersNotice")
        self.notice.setProperty("role", "hint")
        self.notice.setWordWrap(True)
        self.notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row = QHBoxLayout()
        for button in (
            self.new_button,
            self.edit_button,
            self.password_button,
            self.unlock_button,
            self.archive_button,
        ):
            row.addWidget(button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        nest(layout, row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.notice)
        self.new_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.New), self)
        # Window-wide, but live only while this tab is the one shown.
        self.new_shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        self._connect_signals()
        self._on_selection_changed()

    def _button(self, name: str, text: str, tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setAccessibleName(text.replace("&", "").replace("…", ""))
        button.setToolTip(tip)
        return button

    def _connect_signals(self) -> None:
        self.new_button.clicked.connect(self._on_new_clicked)
        self.new_shortcut.activated.connect(self._on_new_clicked)
        self.edit_button.clicked.connect(self._on_edit_clicked)
        self.table.doubleClicked.connect(self._on_edit_clicked)
        self.password_button.clicked.connect(self._on_password_clicked)
        self.unlock_button.clicked.connect(self._on_unlock_clicked)
        self.archive_button.clicked.connect(self._on_archive_clicked)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.model.modelReset.connect(self._on_selection_changed)

    def set_rows(self, users: list[UserRow], sites: list[SiteRow]) -> None:
        chosen = self.selected()
        self._site_names.clear()
        self._site_names.update({site.id: site.name for site in sites})
        self.model.set_rows(users)
        fit_columns(self.table)
        if chosen is not None:
            self.select(chosen.id)

    def select(self, user_id: uuid.UUID) -> None:
        for row in range(self.proxy.rowCount()):
            if self.proxy.index(row, 0).data(ROW_ROLE).id == user_id:
                self.table.selectRow(row)
                return

    def selected(self) -> UserRow | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows:
            return None
        row = rows[0].data(ROW_ROLE)
        return row if isinstance(row, UserRow) else None

    def _on_selection_changed(self, *_args: object) -> None:
        row = self.selected()
        live = row is not None and not row.archived
        self.edit_button.setEnabled(live)
        self.password_button.setEnabled(live)
        self.unlock_button.setEnabled(live and row is not None and is_locked(row))
        self.archive_button.setEnabled(live and row is not None and row.id != self.actor.user_id)

    def _say(self, text: str) -> None:
        self.notice.setText(as_sentence(text))

    def _on_new_clicked(self) -> None:
        saved = UserDialog.ask(self.db, self.actor, None, self)
        if saved is not None:
            self._say(f"Login {saved.username} created; they can sign in now")
            self.changed.emit()
            self.select(saved.id)

    def _on_edit_clicked(self, *_args: object) -> None:
        row = self.selected()
        if row is None or row.archived:
            return
        saved = UserDialog.ask(self.db, self.actor, row, self)
        if saved is not None:
            self._say(f"Login {saved.username} saved")
            self.changed.emit()

    def _on_password_clicked(self) -> None:
        row = self.selected()
        if row is not None and PasswordDialog.ask(self.db, self.actor, row, self):
            self._say(f"Password of {row.username} reset; they choose their own at next sign-in")
            self.changed.emit()

    def _act(self, work: str, action: object) -> bool:
        try:
            assert callable(action)
            action()
        except Exception as exc:
            self._say(describe_failure(exc, work))
            return False
        return True

    def _on_unlock_clicked(self) -> None:
        row = self.selected()
        if row is None:
            return
        if self._act("unlock the login", lambda: UserService(self.db, self.actor).unlock(row.id)):
            self._say(f"Login {row.username} unlocked")
            self.changed.emit()

    def _on_archive_clicked(self) -> None:
        row = self.selected()
        if row is None:
            return
        question = (
            f"Archive the login {row.username} ({row.display_name})? They will no longer be "
            "able to sign in. What they recorded is kept, and the login stays in the audit trail."
        )
        if not ask_to_confirm(self, "Archive login", question, "Archive login"):
            return
        service = UserService(self.db, self.actor)
        if self._act("archive the login", lambda: service.archive(row.id, row.version)):
            self._say(f"Login {row.username} archived")
            self.changed.emit()
