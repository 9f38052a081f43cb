"""A page's list and its record form, one shown at a time."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QStackedWidget, QWidget

from pipe_app.gui.record_form import RecordForm


class ListFormStack(QStackedWidget):
    """Leaving the form goes through ``leave()``: it asks before unsaved typing is lost."""

    def __init__(
        self, name: str, list_panel: QWidget, form: RecordForm, focus_on_return: QWidget
    ) -> None:
        super().__init__()
        self.setObjectName(name)
        self.list_panel, self.form, self._focus = list_panel, form, focus_on_return
        self.addWidget(list_panel)
        self.addWidget(form)

    @property
    def form_open(self) -> bool:
        return self.currentWidget() is self.form

    def show_form(self) -> None:
        self.setCurrentWidget(self.form)

    def back_to_list(self) -> None:
        self.form.autosaver.stop()
        self.setCurrentWidget(self.list_panel)
        self._focus.setFocus(Qt.FocusReason.OtherFocusReason)

    def leave(self) -> bool:
        """True when the form may close (nothing unsaved, or the user said discard)."""
        if not self.form_open:
            return True
        if not self.form.can_close():
            return False
        self.back_to_list()
        return True
