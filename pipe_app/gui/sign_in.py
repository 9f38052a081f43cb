"""The sign-in dialog. It can open before the database is ready, so the app appears at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pipe_app.gui.assets import app_icon, child, load_form
from pipe_app.gui.problems import as_sentence, describe_failure

if TYPE_CHECKING:  # the dialog opens before SQLAlchemy and argon2 are imported
    from pipe_app.services.permissions import Actor
    from pipe_app.storage.database import Database


class SignInDialog(QDialog):
    """Username and password; ``actor`` holds the signed-in Actor once accepted."""

    signed_in = Signal(object)  # the Actor

    def __init__(
        self, db: Database | None = None, parent: QWidget | None = None, username: str = ""
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sign in")
        self.setWindowIcon(app_icon())
        self.setObjectName("signInDialog")
        self._db: Database | None = None
        self.actor: Actor | None = None

        self.form = load_form("sign_in", self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.addWidget(self.form)
        self.username_edit: QLineEdit = child(self.form, QLineEdit, "usernameEdit")
        self.password_edit: QLineEdit = child(self.form, QLineEdit, "passwordEdit")
        self.message_label: QLabel = child(self.form, QLabel, "messageLabel")
        self.database_label: QLabel = child(self.form, QLabel, "databaseLabel")
        buttons: QDialogButtonBox = child(self.form, QDialogButtonBox, "buttonBox")
        self.sign_in_button: QPushButton = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.sign_in_button.setText("Sign in")
        self.sign_in_button.setAccessibleName("Sign in")
        self.sign_in_button.setDefault(True)
        self.cancel_button: QPushButton = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setText("Quit")
        self.cancel_button.setAccessibleName("Quit PIPE Desk")
        logo: QLabel = child(self.form, QLabel, "logoLabel")
        logo.setPixmap(app_icon().pixmap(56, 56))
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

    def set_database(self, db: Database | None, username: str | None = None) -> None:
        """Enable signing in once the database is open (until then the fields can be filled)."""
        self._db = db
        if username is not None:
            self.username_edit.setText(username)
        self.sign_in_button.setEnabled(db is not None)
        if db is None:
            self.database_label.setText("Opening the database…")
        else:
            self.database_label.setText(f"Database: {db.describe()}")
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
        target.setFocus(Qt.FocusReason.OtherFocusReason)

    @property
    def message(self) -> str:
        return self.message_label.text() if not self.message_label.isHidden() else ""

    def show_message(self, text: str) -> None:
        self.message_label.setText(text)
        self.message_label.show()

    # ---- slots -------------------------------------------------------------------------

    def _on_text_edited(self, _text: str) -> None:
        self.message_label.hide()

    def _on_sign_in_clicked(self) -> None:
        from pipe_app.services.auth import sign_in  # argon2 loads only when needed
        from pipe_app.services.errors import AuthenticationError

        if self._db is None:
            return
        username = self.username_edit.text().strip()
        password = self.password_edit.text()
        if not username or not password:
            missing = "your username" if not username else "your password"
            self.show_message(f"Enter {missing} to sign in.")
            self.focus_first_empty()
            return
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            actor = sign_in(self._db, username, password)
        except AuthenticationError as exc:
            self.show_message(as_sentence(str(exc)))
            self.password_edit.clear()
            self.password_edit.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        except Exception as exc:  # the database went away: say so, keep the dialog usable
            self.show_message(describe_failure(exc))
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.password_edit.clear()
        self.actor = actor
        self.signed_in.emit(actor)
        self.accept()

    # ---- for callers -------------------------------------------------------------------

    @classmethod
    def ask(cls, db: Database, parent: QWidget | None = None, username: str = "") -> Actor | None:
        """Run the dialog; the signed-in Actor, or None when the person chose to quit."""
        dialog = cls(db, parent, username)
        try:
            return dialog.actor if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()
