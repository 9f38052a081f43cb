"""The register of a group session: one key press records a code; the form saves it.

The site's settings say which codes its register offers and which need a note; a code that
needs one asks for it at once, and the form refuses to save while any of them has none, so
nothing half-explained is stored.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from pipe_app.domain.enums import NOTE_REQUIRED_CODES, AttendanceCode, AuditAction
from pipe_app.gui.record_form import plain_value
from pipe_app.services.groups import AttendanceInput, RegisterChange, RegisterEntry
from pipe_app.services.sites import SiteSettingsInput
from pipe_app.timeutil import format_local

_Index = QModelIndex | QPersistentModelIndex

CODE_LABELS = {
    AttendanceCode.ATTENDED: "Attended",
    AttendanceCode.REFUSED: "Refused",
    AttendanceCode.ACCEPTABLE_ABSENCE: "Acceptable absence",
    AttendanceCode.UNACCEPTABLE_ABSENCE: "Unacceptable absence",
    AttendanceCode.SESSION_CANCELLED: "Session cancelled",
    AttendanceCode.NOT_REQUIRED: "Not required",
    AttendanceCode.SUSPENDED: "Suspended",
}

# One letter per code, typed on the selected row (the same letter at every site).
CODE_KEYS: dict[Qt.Key, AttendanceCode] = {
    Qt.Key.Key_A: AttendanceCode.ATTENDED,
    Qt.Key.Key_R: AttendanceCode.REFUSED,
    Qt.Key.Key_E: AttendanceCode.ACCEPTABLE_ABSENCE,
    Qt.Key.Key_U: AttendanceCode.UNACCEPTABLE_ABSENCE,
    Qt.Key.Key_C: AttendanceCode.SESSION_CANCELLED,
    Qt.Key.Key_N: AttendanceCode.NOT_REQUIRED,
    Qt.Key.Key_S: AttendanceCode.SUSPENDED,
}


def code_letter(code: AttendanceCode) -> str:
    return next(key.name[-1] for key, value in CODE_KEYS.items() if value is code)


@dataclass(frozen=True)
class RegisterCodes:
    """The codes a site's register offers (in key order), and those that need a note."""

    offered: tuple[AttendanceCode, ...]
    need_note: frozenset[AttendanceCode]

    @classmethod
    def of(cls, settings: SiteSettingsInput) -> RegisterCodes:
        used = {AttendanceCode(code) for code in settings.attendance_codes}
        return cls(
            tuple(code for code in CODE_KEYS.values() if code in used),
            frozenset(AttendanceCode(code) for code in settings.note_codes),
        )

    def label(self, code: AttendanceCode | None) -> str:
        if code is None:
            return "—"
        if code not in self.offered:
            return f"{CODE_LABELS[code]} (no longer used here)"
        return f"{CODE_LABELS[code]} ({code_letter(code)})"

    def legend(self) -> str:
        keys = "   ".join(
            f"<b>{code_letter(code)}</b> {CODE_LABELS[code].lower()}"
            + ("*" if code in self.need_note else "")
            for code in self.offered
        )
        asks = "* asks for a note.   " if self.need_note & set(self.offered) else ""
        return (
            f"Keys: {keys}<br>{asks}<b>Enter</b> edits the note, <b>Delete</b> clears the "
            "code, <b>Up/Down</b> move, <b>Ctrl+S</b> saves the session and its register."
        )


USUAL_CODES = RegisterCodes(tuple(CODE_KEYS.values()), NOTE_REQUIRED_CODES)


@dataclass(frozen=True)
class Mark:
    """One register row as the user is editing it; ``entry`` holds what the database has."""

    entry: RegisterEntry
    code: AttendanceCode | None
    note: str

    @property
    def changed(self) -> bool:
        return (self.code, self.note.strip()) != (self.entry.code, self.entry.note)


_HEADERS = ("Resident", "CRN", "Code", "Status", "Note")
CODE_COLUMN, STATUS_COLUMN, NOTE_COLUMN = 2, 3, 4


class RegisterModel(QAbstractTableModel):
    """The register in memory; rows keep the service's order (family name, given name)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._marks: list[Mark] = []
        self.codes = USUAL_CODES

    def set_entries(self, entries: list[RegisterEntry], codes: RegisterCodes) -> None:
        self.beginResetModel()
        self.codes = codes
        self._marks = [Mark(entry, entry.code, entry.note) for entry in entries]
        self.endResetModel()

    @property
    def marks(self) -> list[Mark]:
        return list(self._marks)

    def mark(self, row: int) -> Mark:
        return self._marks[row]

    def set_mark(self, row: int, code: AttendanceCode | None, note: str) -> None:
        self._marks[row] = replace(self._marks[row], code=code, note=note)
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(_HEADERS) - 1))

    def needs_note(self, mark: Mark) -> bool:
        return mark.code in self.codes.need_note and not mark.note.strip() and mark.changed

    def status(self, mark: Mark) -> str:
        if self.needs_note(mark):
            return "Needs a note"
        if mark.changed:
            return "Not saved yet"
        return "Saved" if mark.code is not None else "Not recorded"

    # ---- QAbstractTableModel -----------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._marks)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(_HEADERS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._marks):
            return None
        mark = self._marks[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return (
                mark.entry.resident_name,
                mark.entry.crn,
                self.codes.label(mark.code),
                self.status(mark),
                mark.note,
            )[column]
        if role == Qt.ItemDataRole.ToolTipRole and column == NOTE_COLUMN and mark.note:
            return mark.note
        if role == Qt.ItemDataRole.FontRole and column == STATUS_COLUMN and mark.changed:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(_HEADERS)
        ):
            return _HEADERS[section]
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )


class NoteDialog(QDialog):
    """A one-line note for one resident's code; OK stays disabled while a needed note is empty."""

    def __init__(
        self,
        resident_name: str,
        code: AttendanceCode,
        note: str,
        required: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("attendanceNoteDialog")
        self.setWindowTitle(f"Note for {resident_name}")
        self.required = required
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 12)
        question = QLabel(
            f"{resident_name}, {CODE_LABELS[code].lower()}: "
            + ("why? A note is needed for this code." if self.required else "a note (optional).")
        )
        question.setWordWrap(True)
        self.note_edit = QLineEdit(note)
        self.note_edit.setObjectName("attendanceNoteEdit")
        self.note_edit.setAccessibleName(f"Note for {resident_name}")
        self.note_edit.setMaxLength(2000)
        self.note_edit.setMinimumWidth(380)
        question.setBuddy(self.note_edit)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setDefault(True)
        layout.addWidget(question)
        layout.addWidget(self.note_edit)
        layout.addWidget(buttons)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.note_edit.textChanged.connect(self._on_text_changed)
        self._on_text_changed(note)

    def _on_text_changed(self, text: str) -> None:
        self.ok_button.setEnabled(bool(text.strip()) or not self.required)

    @property
    def note(self) -> str:
        return self.note_edit.text().strip()


class RegisterTable(QTableView):
    """Letters record codes on the current row; arrows move; Enter edits the note."""

    code_typed = Signal(object)  # AttendanceCode | None (None: cleared)
    note_requested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        key = Qt.Key(event.key())
        if modifiers == Qt.KeyboardModifier.NoModifier or modifiers == (
            Qt.KeyboardModifier.ShiftModifier
        ):
            if key in CODE_KEYS:
                self.code_typed.emit(CODE_KEYS[key])
                return
            if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
                self.code_typed.emit(None)
                return
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F2):
                self.note_requested.emit()
                return
        super().keyPressEvent(event)


class RegisterWidget(QWidget):
    """Shows and edits one session's register; the group form saves it with the session."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("registerWidget")
        self.note_dialog: NoteDialog | None = None
        self.model = RegisterModel(self)

        self.counts_label = QLabel()
        self.counts_label.setObjectName("registerCounts")
        self.counts_label.setAccessibleName("Register counts")
        self.table = RegisterTable(self)
        self.table.setObjectName("registerTable")
        self.table.setAccessibleName("Register: type a code letter on a resident's row")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)
        self.table.setMinimumHeight(220)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        # Everything but the note is always readable in full; the note takes what is left
        # (its full text is in the tooltip, and Enter opens it; a narrow window scrolls to it).
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(NOTE_COLUMN, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(60)
        self.legend = QLabel(USUAL_CODES.legend())
        self.legend.setObjectName("registerLegend")
        self.legend.setProperty("role", "hint")
        self.legend.setWordWrap(True)
        self.message_label = QLabel()
        self.message_label.setObjectName("registerMessage")
        self.message_label.setProperty("role", "hint")
        self.message_label.setWordWrap(True)
        self.message_label.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.counts_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message_label)
        layout.addWidget(self.legend)
        self.table.code_typed.connect(self._on_code_typed)
        self.table.note_requested.connect(self._on_note_requested)
        self.table.doubleClicked.connect(self._on_double_clicked)
        self.model.dataChanged.connect(self._update_counts)
        self.model.modelReset.connect(self._update_counts)
        self._update_counts()

    # ---- loading and drafts ------------------------------------------------------------

    def load(self, entries: list[RegisterEntry], codes: RegisterCodes) -> None:
        """Show a register as saved, offering ``codes``."""
        self.model.set_entries(entries, codes)
        self.legend.setText(codes.legend())
        self.show_message("")
        if entries:
            self.table.selectRow(0)

    def values(self) -> dict[str, list[str]]:
        """Each changed row as ``{resident id: [code, note]}`` (a draft keeps these)."""
        return {
            str(mark.entry.resident_id): [mark.code.value if mark.code else "", mark.note]
            for mark in self.model.marks
            if mark.changed
        }

    def set_values(self, values: dict[str, list[str]]) -> None:
        """Back to the saved register, then the changed rows of a draft over it."""
        for row, mark in enumerate(self.model.marks):
            typed = values.get(str(mark.entry.resident_id))
            if typed is not None:
                code, note = typed
                self.model.set_mark(row, AttendanceCode(code) if code else None, note)
            elif mark.changed:
                self.model.set_mark(row, mark.entry.code, mark.entry.note)

    def entries(self) -> list[AttendanceInput]:
        """What saving sends: every row with a code."""
        return [
            AttendanceInput(mark.entry.resident_id, mark.code, mark.note.strip())
            for mark in self.model.marks
            if mark.code is not None
        ]

    def resident_name(self, resident_id: uuid.UUID) -> str:
        return next(
            (m.entry.resident_name for m in self.model.marks if m.entry.resident_id == resident_id),
            "a resident",
        )

    def rows_needing_a_note(self) -> list[int]:
        return [row for row, mark in enumerate(self.model.marks) if self.model.needs_note(mark)]

    # ---- editing -----------------------------------------------------------------------

    @property
    def is_dirty(self) -> bool:
        return any(mark.changed for mark in self.model.marks)

    def current_row(self) -> int:
        index = self.table.currentIndex()
        return index.row() if index.isValid() else -1

    def _on_code_typed(self, code: AttendanceCode | None) -> None:
        row = self.current_row()
        if row < 0:
            return
        codes = self.model.codes
        if code is not None and code not in codes.offered:
            self.show_message(f"{code_letter(code)} is not a code used at this site.")
            return
        self.show_message("")
        mark = self.model.mark(row)
        note = mark.note if code is not None else ""
        self.model.set_mark(row, code, note)
        self.changed.emit()
        if code in codes.need_note and not note.strip():
            self._ask_note(row)

    def _on_note_requested(self) -> None:
        row = self.current_row()
        if row >= 0 and self.model.mark(row).code is not None:
            self._ask_note(row)

    def _on_double_clicked(self, _index: QModelIndex) -> None:
        self._on_note_requested()

    def _ask_note(self, row: int) -> None:
        """Ask without blocking (``open()``): the answer arrives in ``_on_note_finished``."""
        mark = self.model.mark(row)
        assert mark.code is not None
        required = mark.code in self.model.codes.need_note
        dialog = NoteDialog(mark.entry.resident_name, mark.code, mark.note, required, self)
        dialog.finished.connect(lambda result: self._on_note_finished(dialog, row, result))
        self.note_dialog = dialog
        dialog.open()

    def _on_note_finished(self, dialog: NoteDialog, row: int, result: int) -> None:
        if result == QDialog.DialogCode.Accepted and row < self.model.rowCount():
            mark = self.model.mark(row)
            self.model.set_mark(row, mark.code, dialog.note)
            self.changed.emit()
        self.note_dialog = None
        dialog.deleteLater()
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_message(self, text: str) -> None:
        self.message_label.setText(text)
        self.message_label.setVisible(bool(text))

    def _update_counts(self) -> None:
        marks = self.model.marks
        recorded = sum(mark.code is not None for mark in marks)
        attended = sum(mark.code is AttendanceCode.ATTENDED for mark in marks)
        waiting = len(self.rows_needing_a_note())
        parts = [f"Attended {attended}", f"recorded {recorded} of {len(marks)}"]
        if waiting:
            parts.append(f"{waiting} need a note")
        if self.is_dirty:
            parts.append("not saved yet")
        self.counts_label.setText(" · ".join(parts))


_REGISTER_ACTIONS = {
    AuditAction.CREATE: "Register: code recorded",
    AuditAction.UPDATE: "Register: changed",
    AuditAction.ARCHIVE: "Register: code removed",
    AuditAction.RESTORE: "Register: code recorded again",
}


def _register_value(field: str, value: Any) -> str:
    if field == "code" and isinstance(value, str) and value in set(AttendanceCode):
        return CODE_LABELS[AttendanceCode(value)]
    return plain_value(value)


def register_history_row(change: RegisterChange) -> tuple[str, str, str, str]:
    """(when, who, what, changes) for a change to one resident's row of the register."""
    event = change.change
    lines = []
    for field in ("code", "note"):
        found = event.changes.get(field)
        if not isinstance(found, Mapping):
            continue
        before = _register_value(field, found.get("before"))
        after = _register_value(field, found.get("after"))
        if event.action == AuditAction.CREATE:
            if found.get("after"):
                lines.append(f"{change.resident_name}, {field}: {after}")
        else:
            lines.append(f"{change.resident_name}, {field}: {before} → {after}")
    if not lines:
        lines.append(change.resident_name)
    what = _REGISTER_ACTIONS.get(event.action, "Register")
    return format_local(event.occurred_at), event.username, what, "\n".join(lines)
