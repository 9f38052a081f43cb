"""The sign-in dialog. It can open before the database is ready, so the app appears at once.

It is the first window, so it is built in code rather than from a Designer form: PySide's
QUiLoader initialises every widget class it knows (some 150 Python enums, tens of
milliseconds) before anything can be drawn. ``Qt`` itself is imported only where it is used
after the first paint, for the same reason.

The password check (argon2, deliberately slow) runs on a worker thread: the dialog stays
responsive, with Sign in disabled and a busy bar, until the answer comes back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pipe_app.gui.assets import app_icon
from pipe_app.gui.layouts import nest
from pipe_app.gui.problems import as_sentence, describe_failure

if TYPE_CHECKING:  # the dialog opens before SQLAlchemy and argon2 are imported
    from PySide6.QtGui import QPaintEvent

    from pipe_app.services.permissions import Actor
    from pipe_app.storage.database import Database


class SignInDialog(QDialog):
    """Username and password; ``actor`` holds the signed-in Actor once accepted."""

    signed_in = Signal(object)  # the Actor
    drawn = Signal()  # the first time the dialog is painted: slower start-up work can begin

    def __init__(
        self, db: Database | None = None, parent: QWidget | None = None, username: str = ""
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sign in")
        self.setWindowIcon(app_icon())
        self.setObjectName("signInDialog")
        self._db: Database | None = None
        self._checking = False
        self._drawn = False
        self.actor: Actor | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(12)
        nest(layout, _header())
        self.username_edit = _edit("usernameEdit", "Username")
        self.username_edit.setMaxLength(64)
        self.password_edit = _edit("passwordEdit", "Password")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        fields = QFormLayout()
        fields.setHorizontalSpacing(12)
        fields.setVerticalSpacing(8)
        for text, edit in (("&Username", self.username_edit), ("&Password", self.password_edit)):
            label = QLabel(text)
            label.setBuddy(edit)
            fields.addRow(label, edit)
        nest(layout, fields)
        self.message_label = _label("messageLabel", "error")
        self.message_label.setAccessibleName("Sign-in message")
        layout.addWidget(self.message_label)
        self.busy_bar = QProgressBar()
        self.busy_bar.setObjectName("signInBusy")
        self.busy_bar.setRange(0, 0)  # no steps to count: it moves while the check runs
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setMaximumHeight(6)
        self.busy_bar.setAccessibleName("Checking your password")
        self.busy_bar.hide()
        layout.addWidget(self.busy_bar)
        layout.addSpacing(8)
        self.database_label = _label("databaseLabel", "hint")  # selectable once it names one
        layout.addWidget(self.database_label)
        ok, cancel = QDialogButtonBox.StandardButton.Ok, QDialogButtonBox.StandardButton.Cancel
        buttons = QDialogButtonBox()  # (ok | cancel) would resolve overloads through all of Qt
        buttons.setStandardButtons(ok | cancel)
        buttons.setObjectName("buttonBox")
        layout.addWidget(buttons)
        self.sign_in_button: QPushButton = buttons.button(ok)
        self.sign_in_button.setText("Sign in")
        self.sign_in_button.setAccessibleName("Sign in")
        self.sign_in_button.setDefault(True)
        self.cancel_button: QPushButton = buttons.button(cancel)
        self.cancel_button.setText("Quit")
        self.cancel_button.setAccessibleName("Quit PIPE Desk")
        self.message_label.hide()
        self.setMinimumWidth(440)
        self._connect_signals(buttons)
        self.username_edit.setText(username)
        self.set_database(db)

    def _connect_signals(self, buttons: QDialogButtonBox) -> None:
        buttons.accepted.connect(self._on_sign_in_clicked)
        buttons.rejected.connect(self.reject)
        self.username_edit.textEdited.connect(self._on_text_edited)
        self.password_edit.textEdited.connect(self._on_text_edited)

    # ---- state -------------------------------------------------------------------------

    @property
    def is_ready(self) -> bool:
        return self._db is not None

    @property
    def is_checking(self) -> bool:
        """True while the password is being checked (Sign in is disabled meanwhile)."""
        return self._checking

    def _set_checking(self, checking: bool) -> None:
        self._checking = checking
        self.busy_bar.setVisible(checking)
        self.sign_in_button.setEnabled(not checking and self._db is not None)
        self.username_edit.setReadOnly(checking)
        self.password_edit.setReadOnly(checking)
        if checking:
            from PySide6.QtCore import Qt

            self.setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.unsetCursor()

    def set_database(self, db: Database | None, username: str | None = None) -> None:
        """Enable signing in once the database is open (until then the fields can be filled)."""
        self._db = db
        if username is not None:
            self.username_edit.setText(username)
        self.sign_in_button.setEnabled(db is not None)
        if db is None:
            self.database_label.setText("Opening the database…")
        else:
            from PySide6.QtCore import Qt

            self.database_label.setText(f"Database: {db.describe()}")
            self.database_label.setTextInteractionFlags(
                Qt.TextInteractionFlag.TextSelectableByMouse  # to copy it into a message
            )
        self.focus_first_empty()

    def reset(self) -> None:
        """Ready for the next person at a shared desktop: nothing of the last one is left."""
        self.actor = None
        self.username_edit.clear()
        self.password_edit.clear()
        self.message_label.hide()
        self.focus_first_empty()

    def focus_first_empty(self) -> None:
        target = self.password_edit if self.username_edit.text() else self.username_edit
        target.setFocus()

    @property
    def message(self) -> str:
        return self.message_label.text() if not self.message_label.isHidden() else ""

    def show_message(self, text: str) -> None:
        self.message_label.setText(text)
        self.message_label.show()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._drawn:
            self._drawn = True
            self.drawn.emit()

    # ---- slots -------------------------------------------------------------------------

    def _on_text_edited(self, _text: str) -> None:
        self.message_label.hide()

    def _on_sign_in_clicked(self) -> None:
        if self._db is None or self._checking:
            return
        username = self.username_edit.text().strip()
        password = self.password_edit.text()
        if not username or not password:
            missing = "your username" if not username else "your password"
            self.show_message(f"Enter {missing} to sign in.")
            self.focus_first_empty()
            return
        from pipe_app.gui.tasks import run_task  # loaded when first needed, not before the paint

        db = self._db
        self.message_label.hide()
        self._set_checking(True)
        run_task(
            self,
            "Signing in…",
            lambda _progress: _check_password(db, username, password),
            self._on_checked,
            self._on_refused,
            cancellable=False,
        )

    def _on_checked(self, actor: Actor) -> None:
        self._set_checking(False)
        if not self.isVisible():  # the person quit while the password was checked
            return
        self.password_edit.clear()
        self.actor = actor
        self.signed_in.emit(actor)
        self.accept()

    def _on_refused(self, error: BaseException) -> None:
        from pipe_app.services.errors import AuthenticationError

        self._set_checking(False)
        if isinstance(error, AuthenticationError):
            self.show_message(as_sentence(str(error)))
            self.password_edit.clear()
            self.password_edit.setFocus()
        else:  # the database went away: say so, keep the dialog usable
            self.show_message(describe_failure(error))

    # ---- for callers -------------------------------------------------------------------

    @classmethod
    def ask(cls, db: Database, parent: QWidget | None = None, username: str = "") -> Actor | None:
        """Run the dialog; the signed-in Actor, or None when the person chose to quit."""
        dialog = cls(db, parent, username)
        try:
            return dialog.actor if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()


def _check_password(db: Database, username: str, password: str) -> Actor:
    """On the worker thread: argon2 and the services load here, not before the dialog shows."""
    from pipe_app.services.auth import sign_in

    return sign_in(db, username, password)


def _label(name: str, role: str, text: str = "") -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    label.setProperty("role", role)  # styled by resources/style.qss
    label.setWordWrap(True)
    return label


def _edit(name: str, accessible_name: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setAccessibleName(accessible_name)
    return edit


def _header() -> QHBoxLayout:
    """The logo, the app's name and one line on what to do."""
    logo = QLabel()
    logo.setObjectName("logoLabel")
    logo.setFixedSize(56, 56)
    logo.setAccessibleName("PIPE Desk logo")
    logo.setPixmap(app_icon().pixmap(56, 56))
    titles = QVBoxLayout()
    titles.setSpacing(2)
    title = _label("titleLabel", "title", "PIPE Desk")
    title.setWordWrap(False)
    titles.addWidget(title)
    titles.addWidget(
        _label("subtitleLabel", "subtitle", "Sign in with your PIPE Desk username and password.")
    )
    header = QHBoxLayout()
    header.setSpacing(14)
    header.addWidget(logo)
    nest(header, titles)
    return header
