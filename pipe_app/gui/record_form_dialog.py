"""A record form in a window of its own, over the page that opened it (the resident's page
opens a new placement this way): Save (Ctrl+S) closes it; Cancel, Esc or the window's close
button ask first when something typed would be lost."""

from __future__ import annotations

import uuid

from PySide6.QtWidgets import QDialog, QVBoxLayout, QWidget

from pipe_app.gui.record_form import RecordForm


class RecordFormDialog(QDialog):
    """Opened with ``open()`` (window-modal, not blocking); ``accepted`` once it is saved."""

    def __init__(self, form: RecordForm, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.form = form
        self.saved_id: uuid.UUID | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(form)
        form.saved.connect(self._on_saved)
        form.closed.connect(self._on_closed)

    def fit(self) -> None:
        """Title the window as the form, and make it tall enough to show every field without
        scrolling where the screen allows (call once the form holds its record)."""
        self.setWindowTitle(self.form.title_text())
        inner = self.form.form.sizeHint()
        room = self.screen().availableGeometry()
        self.resize(
            min(max(inner.width() + 64, 760), room.width() - 32),
            min(inner.height() + 150, room.height() - 32),
        )

    def _on_saved(self, record_id: uuid.UUID) -> None:
        self.saved_id = record_id

    def _on_closed(self) -> None:
        if self.saved_id is not None:
            self.accept()
        else:
            super().reject()

    def reject(self) -> None:
        """The window's close button (Esc and Cancel reach the form's own question first)."""
        if self.form.can_close():
            self.form.autosaver.stop()
            super().reject()
