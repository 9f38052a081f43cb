"""Inline messages under form fields, named after the field, from a service's ValidationError."""

from __future__ import annotations

from typing import cast

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QLayout, QWidget

from pipe_app.services.errors import FieldProblem

_VERB_STARTS = ("is ", "must ", "may ", "cannot ", "contains ", "has ", "does ")


def sentence(label: str, message: str) -> str:
    """``Password must be at least 10 characters.`` or ``Code: another site already uses 'CH'.``"""
    text = f"{label} {message}" if message.startswith(_VERB_STARTS) else f"{label}: {message}"
    return text if text.endswith(".") else f"{text}."


def _row_in(form: QFormLayout, widget: QWidget) -> int:
    row, _role = cast(tuple[int, object], form.getWidgetPosition(widget))
    return row


def _form_holding(layout: QLayout | None, widget: QWidget) -> QFormLayout | None:
    """The QFormLayout (possibly nested) that holds ``widget``.

    Walks the layouts as QObjects (a nested layout is its outer layout's child), never
    with ``itemAt``: a QWidgetItem's Python wrapper outlives the item, and a widget later
    made at its address came back as that stale QWidgetItem."""
    if layout is None:
        return None
    for form in (layout, *layout.findChildren(QFormLayout)):
        if isinstance(form, QFormLayout) and _row_in(form, widget) >= 0:
            return form
    return None


def _mark(widget: QWidget, invalid: bool, description: str = "") -> None:
    """Style the field (QSS ``[invalid="true"]``) and tell assistive technology why."""
    widget.setProperty("invalid", invalid)
    widget.setAccessibleDescription(description)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


class FieldErrors:
    """Owns one hidden message label under each registered field of a QFormLayout."""

    def __init__(self, general: QLabel) -> None:
        self._general = general
        self._fields: dict[str, tuple[QWidget, str, QLabel]] = {}
        general.setWordWrap(True)
        general.hide()

    def add(self, key: str, widget: QWidget, label: str) -> None:
        """Put a message label on the form row under ``widget``."""
        holder = widget.parentWidget()
        form = _form_holding(holder.layout() if holder is not None else None, widget)
        if form is None:
            raise LookupError(f"{widget.objectName()} is not in a form layout")
        message = QLabel(holder)
        message.setObjectName(f"{widget.objectName()}Error")
        message.setProperty("role", "fieldError")
        message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        message.hide()
        form.insertRow(_row_in(form, widget) + 1, "", message)
        self._fields[key] = (widget, label, message)

    def clear(self) -> None:
        for widget, _label, message in self._fields.values():
            message.clear()
            message.hide()
            _mark(widget, False)
        self._general.clear()
        self._general.hide()

    def show(self, problems: list[FieldProblem], prefix: str = "") -> QWidget | None:
        """Show each problem under its field; returns the first field to put the cursor in."""
        first: QWidget | None = None
        general: list[str] = []
        for problem in problems:
            entry = self._fields.get(f"{prefix}{problem.field}")
            if entry is None:
                name = problem.field.replace("_", " ").capitalize()
                general.append(sentence(name, problem.message))
                continue
            widget, label, message = entry
            message.setText(sentence(label, problem.message))
            message.show()
            _mark(widget, True, message.text())
            first = first or widget
        if general:
            self.show_general(" ".join(general))
        return first

    def show_general(self, text: str) -> None:
        self._general.setText(text)
        self._general.show()

    def message_for(self, key: str) -> str:
        """The message under a field ('' when none): what tests and screen readers read."""
        return self._fields[key][2].text()

    @property
    def general_message(self) -> str:
        return self._general.text()
