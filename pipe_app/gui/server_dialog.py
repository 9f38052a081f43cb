"""Connecting this desktop to its site's shared PostgreSQL server instead of a local file.

Offered at first run. The address (never a password) is remembered in the settings, so the
next start opens the server. A server that needs a password gets it from PostgreSQL's own
password file (``~/.pgpass``, set up by the site's IT), so no password is kept by PIPE Desk.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from pipe_app.gui.field_errors import FieldErrors
from pipe_app.gui.form_dialog import FormDialog, grow_to_fit
from pipe_app.gui.tasks import run_task
from pipe_app.services.errors import FieldProblem

CONNECT_TIMEOUT_S = 8


def server_url(host: str, port: int, database: str, username: str) -> str:
    from sqlalchemy.engine import URL

    url = URL.create(
        "postgresql+psycopg",
        username or None,
        None,
        host,
        port,
        database,
        {"connect_timeout": str(CONNECT_TIMEOUT_S)},
    )
    return url.render_as_string(hide_password=False)


def check_server(url: str) -> None:
    """Connect and bring the schema up to date, or raise with the reason (off the GUI thread)."""
    from pipe_app.storage.database import Database

    db = Database.open(url)
    try:
        with db.engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    finally:
        db.dispose()


class ServerDialog(FormDialog):
    """``connected(url)`` once the server answered; the dialog then closes."""

    connected = Signal(str)
    failure_action = "connect to the server"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("serverDialog", "Connect to a site server", parent)
        intro = QLabel(
            "Where several desktops at a site share one database, enter the server your IT "
            "team set up. PIPE Desk keeps no password: a server that needs one reads it from "
            "PostgreSQL's password file on this computer."
        )
        intro.setWordWrap(True)
        intro.setProperty("role", "hint")
        self.body.addWidget(intro)
        holder = QWidget()
        form = QFormLayout(holder)
        form.setContentsMargins(0, 0, 0, 0)
        self.host_edit = self._line("serverHostEdit", "Server name or address", "localhost")
        self.port_spin = QSpinBox()
        self.port_spin.setObjectName("serverPortSpin")
        self.port_spin.setAccessibleName("Server port")
        self.port_spin.setRange(1, 65535)
        self.port_spin.setValue(5432)
        self.database_edit = self._line("serverDatabaseEdit", "Database name", "pipe_desk")
        self.username_edit = self._line("serverUserEdit", "Database user", "pipe_desk")
        form.addRow("&Server", self.host_edit)
        form.addRow("&Port", self.port_spin)
        form.addRow("&Database", self.database_edit)
        form.addRow("&User", self.username_edit)
        self.body.addWidget(holder)
        message = QLabel()
        message.setProperty("role", "error")
        message.setWordWrap(True)
        self.body.addWidget(message)
        self.errors = FieldErrors(message)
        self.errors.add("host", self.host_edit, "Server")
        self.errors.add("database", self.database_edit, "Database")
        self.errors.add("username", self.username_edit, "User")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.body.addWidget(buttons)
        self.use_buttons(buttons, "Connect")
        self.setMinimumWidth(480)
        self.busy = False

    @staticmethod
    def _line(name: str, accessible: str, text: str) -> QLineEdit:
        edit = QLineEdit(text)
        edit.setObjectName(name)
        edit.setAccessibleName(accessible)
        return edit

    def url(self) -> str:
        return server_url(
            self.host_edit.text().strip(),
            self.port_spin.value(),
            self.database_edit.text().strip(),
            self.username_edit.text().strip(),
        )

    def problems(self) -> list[FieldProblem]:
        fields = {
            "host": self.host_edit,
            "database": self.database_edit,
            "username": self.username_edit,
        }
        return [
            FieldProblem(field, "is required") for field, edit in fields.items() if not edit.text()
        ]

    def write(self) -> None:
        """Try the server off the GUI thread; the dialog closes only once it answered."""
        if self.busy:
            return
        self.busy = True
        self.save_button.setEnabled(False)
        url = self.url()
        run_task(
            self,
            "Connecting to the server",
            lambda _progress: check_server(url),
            lambda _result: self._on_connected(url),
            self._on_failed,
        )

    def _on_connected(self, url: str) -> None:
        self.busy = False
        self.connected.emit(url)
        self.accept()

    def _on_failed(self, error: BaseException) -> None:
        self.busy = False
        self.save_button.setEnabled(True)
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        self.errors.show([FieldProblem("host", f"did not answer as a PIPE Desk server: {reason}")])
        grow_to_fit(self)

    def _on_save_clicked(self) -> None:
        """Check, then connect in the background (``accept`` waits for the answer)."""
        self.errors.clear()
        found = self.problems()
        if found:
            self.show_problems(found)
            return
        self.write()
