"""First run: an empty database gets its first administrator and one or two sites."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from pipe_app.domain.enums import Role
from pipe_app.gui.assets import app_icon, child, load_form
from pipe_app.gui.field_errors import FieldErrors
from pipe_app.gui.form_dialog import grow_to_fit
from pipe_app.gui.labels import AP_TYPE_LABELS
from pipe_app.gui.problems import describe_failure
from pipe_app.services.auth import check_password_strength, has_users
from pipe_app.services.errors import FieldProblem, ValidationError
from pipe_app.services.permissions import Actor
from pipe_app.services.sites import SiteInput, SiteRow, SiteService
from pipe_app.services.users import USERNAME_CHARS, UserInput, UserRow, UserService
from pipe_app.storage.database import Database

_ADMIN_FIELDS = {
    "username": ("usernameEdit", "Username"),
    "display_name": ("displayNameEdit", "Display name"),
    "password": ("passwordEdit", "Password"),
    "confirm": ("confirmEdit", "Repeated password"),
}
_SITE_FIELDS = {
    "name": ("NameEdit", "Site name"),
    "code": ("CodeEdit", "Short code"),
    "beds": ("BedsSpin", "Beds"),
    "ap_type": ("TypeCombo", "AP type"),
    "key_work_frequency_days": ("FrequencySpin", "Key-work frequency"),
}


@dataclass(frozen=True)
class FirstRunResult:
    administrator: UserRow
    sites: tuple[SiteRow, ...]


@dataclass
class _SiteFields:
    group: QGroupBox
    name: QLineEdit
    code: QLineEdit
    beds: QSpinBox
    ap_type: QComboBox
    frequency: QSpinBox

    def data(self) -> SiteInput:
        return SiteInput(
            name=self.name.text(),
            code=self.code.text(),
            ap_type=self.ap_type.currentData(),
            beds=self.beds.value(),
            key_work_frequency_days=self.frequency.value(),
        )


class FirstRunDialog(QDialog):
    """Creates the first administrator and sites as the system actor (nobody can sign in yet),
    or (``server_requested``) hands over to connecting to the site's server instead."""

    server_requested = Signal()

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("firstRunDialog")
        self.setWindowTitle("First run")
        self.setWindowIcon(app_icon())
        self._db = db
        self._system = Actor.system()
        self.created: FirstRunResult | None = None

        self.form = load_form("first_run", self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.addWidget(self.form)
        self.username_edit: QLineEdit = child(self.form, QLineEdit, "usernameEdit")
        self.display_name_edit: QLineEdit = child(self.form, QLineEdit, "displayNameEdit")
        self.password_edit: QLineEdit = child(self.form, QLineEdit, "passwordEdit")
        self.confirm_edit: QLineEdit = child(self.form, QLineEdit, "confirmEdit")
        self.sites = [self._site_fields(number) for number in (1, 2)]
        self.second_site_box = self.sites[1].group
        self.errors = FieldErrors(child(self.form, QLabel, "messageLabel"))
        for key, (name, label) in _ADMIN_FIELDS.items():
            self.errors.add(f"admin.{key}", child(self.form, QWidget, name), label)
        for number in (1, 2):
            for key, (suffix, label) in _SITE_FIELDS.items():
                widget = child(self.form, QWidget, f"site{number}{suffix}")
                self.errors.add(f"site{number}.{key}", widget, label)
        buttons: QDialogButtonBox = child(self.form, QDialogButtonBox, "buttonBox")
        self.create_button: QPushButton = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.create_button.setText("Create and continue")
        self.create_button.setAccessibleName("Create the administrator and sites")
        self.create_button.setDefault(True)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Quit")
        self.server_button = buttons.addButton(
            "Use a site &server instead…", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.server_button.setObjectName("serverButton")
        self.server_button.setToolTip(
            "Where several desktops share one database: connect to the site's server"
        )
        self._connect_signals(buttons)
        self.username_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _site_fields(self, number: int) -> _SiteFields:
        prefix = f"site{number}"
        fields = _SiteFields(
            child(self.form, QGroupBox, f"{prefix}Group"),
            child(self.form, QLineEdit, f"{prefix}NameEdit"),
            child(self.form, QLineEdit, f"{prefix}CodeEdit"),
            child(self.form, QSpinBox, f"{prefix}BedsSpin"),
            child(self.form, QComboBox, f"{prefix}TypeCombo"),
            child(self.form, QSpinBox, f"{prefix}FrequencySpin"),
        )
        for ap_type, label in AP_TYPE_LABELS.items():
            fields.ap_type.addItem(label, ap_type)
        return fields

    def _connect_signals(self, buttons: QDialogButtonBox) -> None:
        buttons.accepted.connect(self._on_create_clicked)
        buttons.rejected.connect(self.reject)
        self.server_button.clicked.connect(self.server_requested)

    # ---- checks ------------------------------------------------------------------------

    def _admin_problems(self) -> list[FieldProblem]:
        """What the services would refuse, checked before anything is written."""
        problems: list[FieldProblem] = []
        username = self.username_edit.text().strip().lower()
        if not username:
            problems.append(FieldProblem("username", "is required"))
        elif not set(username) <= USERNAME_CHARS:
            problems.append(
                FieldProblem("username", "may use only letters, digits, '.', '_' and '-'")
            )
        if not self.display_name_edit.text().strip():
            problems.append(FieldProblem("display_name", "is required"))
        password = self.password_edit.text()
        try:
            check_password_strength(password)
        except ValidationError as exc:
            problems.extend(exc.problems)
        else:
            if self.confirm_edit.text() != password:
                problems.append(FieldProblem("confirm", "does not match the password"))
        return problems

    def _site_problems(self, fields: _SiteFields) -> list[FieldProblem]:
        problems = []
        if not fields.name.text().strip():
            problems.append(FieldProblem("name", "is required"))
        if not fields.code.text().strip():
            problems.append(FieldProblem("code", "is required"))
        return problems

    def _wanted_sites(self) -> list[tuple[int, _SiteFields]]:
        wanted = [(1, self.sites[0])]
        if self.second_site_box.isChecked():
            wanted.append((2, self.sites[1]))
        return wanted

    # ---- the one action ----------------------------------------------------------------

    def _on_create_clicked(self) -> None:
        self.errors.clear()
        first = self.errors.show(self._admin_problems(), "admin.")
        for number, fields in self._wanted_sites():
            shown = self.errors.show(self._site_problems(fields), f"site{number}.")
            first = first or shown
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)
            grow_to_fit(self)
            return
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.created = self._create()
        except _FieldFailure as failure:
            widget = self.errors.show(failure.problems, failure.prefix)
            if widget is not None:
                widget.setFocus(Qt.FocusReason.OtherFocusReason)
            grow_to_fit(self)
            return
        except Exception as exc:
            self.errors.show_general(describe_failure(exc, "set up PIPE Desk"))
            grow_to_fit(self)
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.accept()

    def _create(self) -> FirstRunResult:
        """Sites first, then the login; a site made by an earlier attempt is reused, not doubled."""
        service = SiteService(self._db, self._system)
        made: list[SiteRow] = []
        for number, fields in self._wanted_sites():
            data = fields.data()
            existing = service.find_by_name(data.name)
            if existing is not None and existing.code == data.code.strip().upper():
                made.append(existing)
                continue
            try:
                made.append(service.create(data))
            except ValidationError as exc:
                raise _FieldFailure(exc.problems, f"site{number}.") from None
        user = UserInput(
            username=self.username_edit.text(),
            display_name=self.display_name_edit.text(),
            roles=frozenset({Role.ADMINISTRATOR}),
        )
        try:
            admin = UserService(self._db, self._system).create(user, self.password_edit.text())
        except ValidationError as exc:
            raise _FieldFailure(exc.problems, "admin.") from None
        return FirstRunResult(admin, tuple(made))

    @classmethod
    def ask(cls, db: Database, parent: QWidget | None = None) -> FirstRunResult | None:
        """Run the dialog; what was created, or None if the person quit."""
        dialog = cls(db, parent)
        try:
            return dialog.created if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()


class _FieldFailure(Exception):
    def __init__(self, problems: list[FieldProblem], prefix: str) -> None:
        super().__init__("; ".join(map(str, problems)))
        self.problems = problems
        self.prefix = prefix


def needs_first_run(db: Database) -> bool:
    """True while the database has no logins at all (archived ones count: it was set up)."""
    return not has_users(db)
