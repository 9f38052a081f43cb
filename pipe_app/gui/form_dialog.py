"""A modal dialog around a form: field messages, and one Save that checks, writes, then closes.

Subclasses lay out their fields (a Designer form through ``use_designer_form`` or widgets of
their own and ``use_buttons``), then say what is wrong before writing (``problems``) and how to
write (``write``). Saving shows the service's refusals next to the fields they name, and an
unexpected failure as one sentence, without closing the dialog or losing what was typed.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pipe_app.gui.assets import child, load_form
from pipe_app.gui.field_errors import FieldErrors
from pipe_app.gui.problems import describe_failure
from pipe_app.services.errors import FieldProblem, ValidationError


def grow_to_fit(dialog: QDialog) -> None:
    """Messages add rows: grow rather than squeeze the fields together."""
    layout = dialog.layout()
    if layout is not None:
        layout.activate()
    wanted = dialog.sizeHint().expandedTo(dialog.size())
    if wanted != dialog.size():
        dialog.resize(wanted)


def index_of(combo: QComboBox, value: object) -> int:
    """The entry holding ``value`` (``findData`` cannot compare Python objects such as UUIDs)."""
    for index in range(combo.count()):
        if combo.itemData(index) == value:
            return index
    return -1


def accepted(dialog: QDialog) -> bool:
    """Run a dialog to its end and let it go; True when the user saved."""
    try:
        return dialog.exec() == QDialog.DialogCode.Accepted
    finally:
        dialog.deleteLater()


class FormDialog(QDialog):
    failure_action = "save"  # "could not <failure_action>" when something unexpected fails

    def __init__(self, name: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setWindowTitle(title)
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(20, 16, 20, 14)

    def use_designer_form(
        self, ui_name: str, fields: dict[str, tuple[str, str]], save_text: str
    ) -> QWidget:
        """Load ``ui/<ui_name>.ui``: its messageLabel, the named fields and its buttonBox."""
        self.form = load_form(ui_name, self)
        self.body.addWidget(self.form)
        self.errors = FieldErrors(child(self.form, QLabel, "messageLabel"))
        for key, (name, label) in fields.items():
            self.errors.add(key, child(self.form, QWidget, name), label)
        self.use_buttons(child(self.form, QDialogButtonBox, "buttonBox"), save_text)
        return self.form

    def use_buttons(self, buttons: QDialogButtonBox, save_text: str) -> None:
        self.save_button: QPushButton = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(save_text)
        self.save_button.setDefault(True)
        buttons.accepted.connect(self._on_save_clicked)
        buttons.rejected.connect(self.reject)

    # ---- what a subclass says ------------------------------------------------------------

    def problems(self) -> list[FieldProblem]:
        """What the service would refuse, found before anything is sent."""
        return []

    def write(self) -> None:
        raise NotImplementedError

    def show_problems(self, problems: list[FieldProblem]) -> None:
        first = self.errors.show(problems)
        grow_to_fit(self)
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)

    # ---- the one action ------------------------------------------------------------------

    def _on_save_clicked(self) -> None:
        self.errors.clear()
        found = self.problems()
        if found:
            self.show_problems(found)
            return
        try:
            self.write()
        except ValidationError as exc:
            self.show_problems(list(exc.problems))
            return
        except Exception as exc:
            self.errors.show_general(describe_failure(exc, self.failure_action))
            grow_to_fit(self)
            return
        self.accept()
