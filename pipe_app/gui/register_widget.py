"""The register of a group session: one key press records a code, Ctrl+S saves it all at once.

Codes that need a note (refused, unacceptable absence, suspended) ask for it at once; the
register refuses to save while any of them has none, so nothing half-explained is stored.
"""

from __future__ import annotations

import uuid
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
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from pipe_app.domain.enums import NOTE_REQUIRED_CODES, AttendanceCode
from pipe_app.gui.problems import describe_failure
from pipe_app.services.errors import ConflictError
from pipe_app.services.groups import AttendanceInput, GroupRow, GroupService, RegisterEntry

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

# One letter per code, typed on the selected row.
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


def legend_text() -> str:
    keys = "   ".join(
        f"<b>{code_letter(code)}</b> {CODE_LABELS[code].lower()}"
        + ("*" if code in NOTE_REQUIRED_CODES else "")
        for code in CODE_KEYS.values()
    )
    return (
        f"Keys: {keys}<br>* asks for a note.   <b>Enter</b> edits the note, "
        "<b>Delete</b> clears the code, <b>Up/Down</b> move, <b>Ctrl+S</b> saves the register."
    )


@dataclass(frozen=True)
class Mark:
    """One register row as the user is editing it; ``saved_*`` is what the database holds."""

    entry: RegisterEntry
    code: AttendanceCode | None
    note: str

    @property
    def needs_note(self) -> bool:
        return self.code in NOTE_REQUIRED_CODES and not self.note.strip()

    @property
    def changed(self) -> bool:
        return (self.code, self.note.strip()) != (self.entry.code, self.entry.note)

    @property
    def status(self) -> str:
        if self.needs_note:
            return "Needs a note"
        if self.changed:
            return "Not saved yet"
        return "Saved" if self.code is not None else "Not recorded"


def _code_text(code: AttendanceCode | None) -> str:
    return "—" if code is None else f"{CODE_LABELS[code]} ({code_letter(code)})"


_HEADERS = ("Resident", "CRN", "Code", "Status", "Note")
CODE_COLUMN, STATUS_COLUMN, NOTE_COLUMN = 2, 3, 4


class RegisterModel(QAbstractTableModel):
    """The register in memory; rows keep the service's order (family name, given name)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._marks: list[Mark] = []

    def set_entries(self, entries: list[RegisterEntry]) -> None:
        self.beginResetModel()
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
                _code_text(mark.code),
                mark.status,
                mark.note,
            )[column]
        if role == Qt.ItemDataRole.ToolTipRole and column == NOTE_COLUMN and mark.note:
            return mark.note
        if role == Qt.ItemDataRole.FontRole and column == STATUS_COLUMN and mark.status != "Saved":
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
        self, resident_name: str, code: AttendanceCode, note: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("attendanceNoteDialog")
        self.setWindowTitle(f"Note for {resident_name}")
        self.required = code in NOTE_REQUIRED_CODES
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

    @classmethod
    def ask(
        cls, parent: QWidget, resident_name: str, code: AttendanceCode, note: str = ""
    ) -> str | None:
        """The note typed, or None when cancelled (blocking; the register uses ``open()``)."""
        dialog = cls(resident_name, code, note, parent)
        return dialog.note if dialog.exec() == QDialog.DialogCode.Accepted else None


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
    """Shows and edits the register of one session; ``saved`` carries the updated GroupRow."""

    saved = Signal(object)  # GroupRow
    reloaded = Signal(object)  # GroupRow, after someone else's change forced a reload
    changed = Signal()

    def __init__(self, service: GroupService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("registerWidget")
        self._service = service
        self._group: GroupRow | None = None
        self.note_dialog: NoteDialog | None = None
        self.model = RegisterModel(self)

        heading = QLabel("Register")
        heading.setProperty("role", "cardHeading")
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
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        # Everything but the note is always readable in full; the note takes what is left
        # (its full text is in the tooltip, and Enter opens it).
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(NOTE_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.legend = QLabel(legend_text())
        self.legend.setObjectName("registerLegend")
        self.legend.setProperty("role", "hint")
        self.legend.setWordWrap(True)
        self.message_label = QLabel()
        self.message_label.setObjectName("registerMessage")
        self.message_label.setProperty("role", "error")
        self.message_label.setWordWrap(True)
        self.message_label.hide()
        self.save_button = QPushButton("Save register")
        self.save_button.setObjectName("saveRegisterButton")
        self.save_button.setAccessibleName("Save the register")
        self.save_button.setToolTip("Save every code on the register at once (Ctrl+S)")

        top = QHBoxLayout()
        top.addWidget(heading)
        top.addStretch(1)
        top.addWidget(self.counts_label)
        bottom = QHBoxLayout()
        bottom.addWidget(self.legend, 1)
        bottom.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.message_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        self._connect_signals()
        self._update_counts()

    def _connect_signals(self) -> None:
        self.table.code_typed.connect(self._on_code_typed)
        self.table.note_requested.connect(self._on_note_requested)
        self.table.doubleClicked.connect(lambda _index: self._on_note_requested())
        self.save_button.clicked.connect(self.save)
        self.model.dataChanged.connect(self._update_counts)
        self.model.modelReset.connect(self._update_counts)

    # ---- loading -----------------------------------------------------------------------

    def load(self, group: GroupRow) -> bool:
        """Show the register of ``group``; False (with a message) when it cannot be read."""
        self._group = group
        self.show_message("")
        try:
            entries = self._service.register(group.id)
        except Exception as exc:
            self.model.set_entries([])
            self.show_message(describe_failure(exc, "load the register"))
            return False
        self.model.set_entries(entries)
        if entries:
            self.table.selectRow(0)
        return True

    def set_version(self, group: GroupRow) -> None:
        """The session was saved elsewhere on this page: keep the register, take the version."""
        self._group = group

    # ---- editing -----------------------------------------------------------------------

    def current_row(self) -> int:
        index = self.table.currentIndex()
        return index.row() if index.isValid() else -1

    def _on_code_typed(self, code: AttendanceCode | None) -> None:
        row = self.current_row()
        if row < 0:
            return
        mark = self.model.mark(row)
        note = mark.note if code is not None else ""
        self.model.set_mark(row, code, note)
        self.changed.emit()
        if code in NOTE_REQUIRED_CODES and not note.strip():
            self._ask_note(row)

    def _on_note_requested(self) -> None:
        row = self.current_row()
        if row >= 0 and self.model.mark(row).code is not None:
            self._ask_note(row)

    def _ask_note(self, row: int) -> None:
        """Ask without blocking (``open()``): the answer arrives in ``_on_note_finished``."""
        mark = self.model.mark(row)
        assert mark.code is not None
        dialog = NoteDialog(mark.entry.resident_name, mark.code, mark.note, self)
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

    # ---- state and saving --------------------------------------------------------------

    @property
    def is_dirty(self) -> bool:
        return any(mark.changed for mark in self.model.marks)

    def _update_counts(self) -> None:
        marks = self.model.marks
        recorded = sum(mark.code is not None for mark in marks)
        attended = sum(mark.code is AttendanceCode.ATTENDED for mark in marks)
        waiting = sum(mark.needs_note for mark in marks)
        parts = [f"Attended {attended}", f"recorded {recorded} of {len(marks)}"]
        if waiting:
            parts.append(f"{waiting} need a note")
        if self.is_dirty:
            parts.append("not saved yet")
        self.counts_label.setText(" · ".join(parts))

    def show_message(self, text: str) -> None:
        self.message_label.setText(text)
        self.message_label.setVisible(bool(text))

    def save(self) -> bool:
        """Save the whole register in one call; True when saved (or nothing to save)."""
        group = self._group
        if group is None:
            return False
        marks = self.model.marks
        missing = [row for row, mark in enumerate(marks) if mark.needs_note]
        if missing:
            names = ", ".join(marks[row].entry.resident_name for row in missing)
            self.show_message(f"Not saved: add a note for {names} (select the row, press Enter).")
            self.table.selectRow(missing[0])
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)
            return False
        entries = [
            AttendanceInput(mark.entry.resident_id, mark.code, mark.note.strip())
            for mark in marks
            if mark.code is not None
        ]
        try:
            updated = self._service.set_attendance(group.id, group.version, entries)
        except ConflictError:
            self._reload_after_conflict(group.id)
            return False
        except Exception as exc:
            self.show_message(describe_failure(exc, "save the register"))
            return False
        self.load(updated)
        self.saved.emit(updated)
        return True

    def _reload_after_conflict(self, group_id: uuid.UUID) -> None:
        try:
            fresh = self._service.get(group_id)
        except Exception as exc:
            self.show_message(describe_failure(exc, "reload the register"))
            return
        self.load(fresh)
        self.show_message(
            "Not saved: someone else changed this session while you were recording. "
            "The register has been reloaded with their changes; please record your codes again."
        )
        self.reloaded.emit(fresh)
