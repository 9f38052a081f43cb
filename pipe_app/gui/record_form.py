"""The shared machinery of record forms: a Designer form, inline messages, Save (Ctrl+S),
Cancel (Esc) with a question before unsaved typing is thrown away, local drafts, conflicts,
Archive and History.

A subclass names its ``.ui`` file and fields, and says how to read, fill, load, write and
archive its record; everything a user expects of every form lives here, once.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pipe_app.domain.enums import AuditAction
from pipe_app.gui.assets import child, load_form
from pipe_app.gui.drafts import (
    Autosaver,
    Draft,
    DraftKey,
    delete_draft,
    load_draft,
    save_draft,
)
from pipe_app.gui.field_errors import FieldErrors
from pipe_app.gui.layouts import nest
from pipe_app.gui.problems import describe_failure
from pipe_app.services.errors import ConflictError, FieldProblem, ValidationError
from pipe_app.services.history import AuditTrailService, HistoryRow
from pipe_app.services.permissions import Actor
from pipe_app.storage.database import Database
from pipe_app.timeutil import format_local, local_today, to_local

SKIPPED_IN_HISTORY = frozenset({"site_id", "archived_at"})


class Confirm:
    """A yes/no question; tests answer it by patching ``ask``."""

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        title: str,
        text: str,
        yes: str,
        no: str,
        *,
        informative: str = "",
    ) -> bool:
        box = QMessageBox(parent)
        box.setObjectName("confirmBox")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(title)
        box.setText(text)
        if informative:
            box.setInformativeText(informative)
        yes_button = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
        no_button = box.addButton(no, QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(no_button)
        box.setEscapeButton(no_button)
        box.exec()
        answered = box.clickedButton() is yes_button
        box.deleteLater()
        return answered


def when_text(moment: datetime) -> str:
    """``14:05`` today, ``25 Nov 14:05`` on another day: how people say when they typed."""
    local = to_local(moment)
    return f"{local:%H:%M}" if local.date() == local_today() else f"{local:%d %b %H:%M}"


def plain_value(value: Any) -> str:
    """A stored value as words for the history list."""
    if value is None or value == "" or value == []:
        return "(empty)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(plain_value(item) for item in value)
    text = str(value)
    if len(text) >= 19 and text[10:11] == "T":
        try:
            return format_local(datetime.fromisoformat(text))
        except ValueError:
            pass
    text = " ".join(text.split())
    return text if len(text) <= 80 else f"{text[:79]}…"


_ACTIONS = {
    AuditAction.CREATE: "Created",
    AuditAction.UPDATE: "Changed",
    AuditAction.ARCHIVE: "Archived",
    AuditAction.RESTORE: "Restored",
    AuditAction.DELETE: "Deleted",
}


class HistoryDialog(QDialog):
    """Who changed what and when, oldest first, from the audit trail."""

    def __init__(self, title: str, rows: list[tuple[str, str, str, str]], parent: QWidget | None):
        super().__init__(parent)
        self.setObjectName("historyDialog")
        self.setWindowTitle(title)
        self.resize(860, 480)
        self.table = QTableWidget(len(rows), 4, self)
        self.table.setObjectName("historyTable")
        self.table.setAccessibleName("Changes to this record")
        self.table.setHorizontalHeaderLabels(["When", "Who", "What", "Changes"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        for number, values in enumerate(rows):
            for column, value in enumerate(values):
                self.table.setItem(number, column, QTableWidgetItem(value))
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        for column in range(3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.resizeRowsToContents()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        if not rows:
            empty = QLabel("No changes have been recorded yet.")
            empty.setProperty("role", "hint")
            layout.addWidget(empty)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)

    @classmethod
    def show_rows(
        cls, title: str, rows: list[tuple[str, str, str, str]], parent: QWidget | None
    ) -> None:
        dialog = cls(title, rows, parent)
        try:
            dialog.exec()
        finally:
            dialog.deleteLater()


class RecordForm(QWidget):
    """Base of every record form. Subclasses set the class attributes and the hooks below."""

    saved = Signal(object)  # the record id
    archived = Signal(object)
    closed = Signal()  # the form is finished with (saved, discarded or archived)

    UI_NAME: ClassVar[str]
    KIND: ClassVar[str]  # drafts: which kind of form
    ENTITY_TYPE: ClassVar[str]  # audit trail: the table name
    NOUN: ClassVar[str]  # "key-work session"
    DRAFT_NOUN: ClassVar[str]  # "key-work note"
    FIELDS: ClassVar[dict[str, tuple[str, str]]]  # service field -> (widget name, label)

    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.actor = actor
        self.record_id: uuid.UUID | None = None
        self.version: int | None = None
        self._clean: dict[str, Any] = {}
        self._filling = False
        self._draft_values: dict[str, Any] | None = None
        self.setObjectName(f"{self.KIND}Form")

        self.title_label = QLabel()
        self.title_label.setObjectName("formTitle")
        self.title_label.setProperty("role", "cardHeading")
        self.draft_label = QLabel()
        self.draft_label.setObjectName("draftStatus")
        self.draft_label.setProperty("role", "hint")
        self.draft_label.setAccessibleName("Draft status")
        general = QLabel()
        general.setObjectName("formMessage")
        general.setProperty("role", "error")
        self.form = load_form(self.UI_NAME, self)
        self.errors = FieldErrors(general)
        for key, (name, label) in self.FIELDS.items():
            self.errors.add(key, child(self.form, QWidget, name), label)

        self.save_button = QPushButton("Save")
        self.save_button.setObjectName("saveButton")
        self.save_button.setToolTip("Save (Ctrl+S)")
        self.save_button.setAccessibleName(f"Save the {self.NOUN}")
        self.save_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setToolTip("Close without saving (Esc)")
        self.history_button = QPushButton("History…")
        self.history_button.setObjectName("historyButton")
        self.history_button.setToolTip("Who changed this record, and when")
        self.archive_button = QPushButton("Archive…")
        self.archive_button.setObjectName("archiveButton")
        self.archive_button.setToolTip("Remove from lists; the audit trail keeps it")

        scroll = QScrollArea()
        scroll.setObjectName("formScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.form)
        self.scroll_area = scroll
        header = QHBoxLayout()
        header.addWidget(self.title_label, 1)
        header.addWidget(self.draft_label)
        buttons = QHBoxLayout()
        buttons.addWidget(self.history_button)
        buttons.addWidget(self.archive_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        self.button_bar = buttons
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        nest(layout, header)
        layout.addWidget(general)
        layout.addWidget(scroll, 1)
        nest(layout, buttons)

        self.save_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self)
        self.cancel_shortcut = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        for shortcut in (self.save_shortcut, self.cancel_shortcut):
            # Window-wide while the form is shown (hidden widgets' shortcuts are inactive).
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        self.autosaver = Autosaver(self._on_autosave_due, self)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.save_button.clicked.connect(self._on_save_requested)
        self.cancel_button.clicked.connect(self._on_cancel_requested)
        self.history_button.clicked.connect(self._on_history_clicked)
        self.archive_button.clicked.connect(self._on_archive_clicked)
        self.save_shortcut.activated.connect(self._on_save_requested)
        self.cancel_shortcut.activated.connect(self._on_cancel_requested)

    # ---- hooks for subclasses ----------------------------------------------------------

    def blank_values(self) -> dict[str, Any]:
        """What a new record's form shows (defaults)."""
        raise NotImplementedError

    def values(self) -> dict[str, Any]:
        """Everything typed, as plain JSON values (drafts and the dirty check use it)."""
        raise NotImplementedError

    def set_values(self, values: dict[str, Any]) -> None:
        raise NotImplementedError

    def load(self, record_id: uuid.UUID) -> tuple[dict[str, Any], int]:
        """The record's values and version, from its service."""
        raise NotImplementedError

    def write(self) -> tuple[uuid.UUID, int]:
        """Create or update through the service; returns the id and new version."""
        raise NotImplementedError

    def archive_record(self, record_id: uuid.UUID, version: int) -> None:
        raise NotImplementedError

    def title_text(self) -> str:
        return f"New {self.NOUN}" if self.record_id is None else self.NOUN.capitalize()

    def history_value(self, field: str, value: Any) -> str:
        """Override to name ids (a key worker's name rather than a number)."""
        return plain_value(value)

    def problems_for(self, problems: list[FieldProblem]) -> list[FieldProblem]:
        """Override to reword a service's problems for this form."""
        return problems

    # ---- state -------------------------------------------------------------------------

    @property
    def draft_key(self) -> DraftKey:
        return DraftKey(self.KIND, self.record_id)

    def is_dirty(self) -> bool:
        return self.values() != self._clean

    def _fill(self, values: dict[str, Any]) -> None:
        self._filling = True
        try:
            self.set_values(values)
        finally:
            self._filling = False

    def _settle(
        self, values: dict[str, Any], record_id: uuid.UUID | None, version: int | None
    ) -> None:
        self.record_id, self.version = record_id, version
        self.errors.clear()
        self._fill(values)
        self._clean = self.values()
        self._draft_values = None
        self.title_label.setText(self.title_text())
        self.archive_button.setEnabled(record_id is not None)
        self.history_button.setEnabled(record_id is not None)
        self._show_draft_state()
        self.autosaver.start()

    def start_new(self, *, offer_draft: bool = True) -> None:
        self._settle(self.blank_values(), None, None)
        if offer_draft:
            self.offer_draft()
        self.focus_first()

    def open_record(self, record_id: uuid.UUID, *, offer_draft: bool = True) -> bool:
        try:
            values, version = self.load(record_id)
        except Exception as exc:
            self.errors.show_general(describe_failure(exc, f"open the {self.NOUN}"))
            return False
        self._settle(values, record_id, version)
        if offer_draft:
            self.offer_draft()
        self.focus_first()
        return True

    def focus_first(self) -> None:
        first = next(iter(self.FIELDS.values()))[0]
        child(self.form, QWidget, first).setFocus(Qt.FocusReason.OtherFocusReason)

    # ---- drafts ------------------------------------------------------------------------

    def offer_draft(self) -> bool:
        """Ask whether to bring back an unsaved draft of this form; True when restored."""
        draft = load_draft(self.actor.username, self.draft_key)
        if draft is None:
            return False
        if draft.values == self._clean:
            delete_draft(self.actor.username, self.draft_key)
            return False
        if Confirm.ask(
            self,
            "Unsaved changes",
            f"You have an unsaved {self.DRAFT_NOUN} from {when_text(draft.saved_at)}. Restore it?",
            "Restore",
            "Discard it",
        ):
            self.restore(draft)
            return True
        delete_draft(self.actor.username, self.draft_key)
        return False

    def restore(self, draft: Draft) -> None:
        """Bring a draft back; its version is kept, so a newer save elsewhere is a conflict."""
        self._fill({**self._clean, **draft.values})
        if draft.version is not None:
            self.version = draft.version
        self._draft_values = draft.values
        self._show_draft_state(draft.saved_at)

    def _on_autosave_due(self) -> None:
        if self._filling:
            return
        if not self.is_dirty():
            if self._draft_values is not None:
                delete_draft(self.actor.username, self.draft_key)
                self._draft_values = None
            return
        values = self.values()
        if values == self._draft_values:
            return
        try:
            draft = save_draft(
                self.actor.username, self.draft_key, self.draft_title(), values, self.version
            )
        except OSError as exc:
            self.draft_label.setText(f"Could not keep a draft: {exc.strerror or exc}")
            return
        self._draft_values = values
        self._show_draft_state(draft.saved_at)

    def draft_title(self) -> str:
        return self.title_text()

    def _show_draft_state(self, saved_at: datetime | None = None) -> None:
        self.draft_label.setText(
            f"Draft kept on this computer at {when_text(saved_at)}" if saved_at else ""
        )

    def forget_draft(self) -> None:
        delete_draft(self.actor.username, self.draft_key)
        self._draft_values = None
        self._show_draft_state()

    # ---- actions -----------------------------------------------------------------------

    def _on_save_requested(self) -> None:
        self.save()

    def save(self) -> bool:
        self.errors.clear()
        try:
            record_id, version = self.write()
        except ValidationError as exc:
            first = self.errors.show(self.problems_for(exc.problems))
            if first is not None:
                first.setFocus(Qt.FocusReason.OtherFocusReason)
                self.scroll_area.ensureWidgetVisible(first)
            return False
        except ConflictError as exc:
            self._on_conflict(exc)
            return False
        except Exception as exc:
            self.errors.show_general(describe_failure(exc, f"save the {self.NOUN}"))
            return False
        self.forget_draft()
        self.record_id, self.version = record_id, version
        self._clean = self.values()
        self.autosaver.stop()
        self.saved.emit(record_id)
        self.closed.emit()
        return True

    def _on_conflict(self, exc: ConflictError) -> None:
        self.errors.show_general(describe_failure(exc))
        if self.record_id is not None and Confirm.ask(
            self,
            "Someone else changed this record",
            f"{describe_failure(exc)}",
            "Reload their version",
            "Keep my changes",
            informative="Reloading replaces what you typed. To keep it, copy your text "
            "first, then reload.",
        ):
            self.forget_draft()
            self.open_record(self.record_id, offer_draft=False)

    def can_close(self) -> bool:
        """True when the form may close: nothing unsaved, or the user chose to discard it."""
        if not self.is_dirty():
            self.forget_draft()
            return True
        if not Confirm.ask(
            self,
            "Unsaved changes",
            "Discard your changes?",
            "Discard",
            "Keep editing",
            informative=f"What you typed in this {self.NOUN} has not been saved.",
        ):
            return False
        self.forget_draft()
        self._clean = self.values()
        return True

    def _on_cancel_requested(self) -> None:
        if self.can_close():
            self.autosaver.stop()
            self.closed.emit()

    def _on_archive_clicked(self) -> None:
        if self.record_id is None or self.version is None:
            return
        if not Confirm.ask(
            self,
            f"Archive this {self.NOUN}?",
            f"Archive this {self.NOUN}?",
            "Archive",
            "Keep it",
            informative="It will no longer appear in lists or figures; the audit trail keeps it.",
        ):
            return
        try:
            self.archive_record(self.record_id, self.version)
        except ConflictError as exc:
            self._on_conflict(exc)
            return
        except Exception as exc:
            self.errors.show_general(describe_failure(exc, f"archive the {self.NOUN}"))
            return
        self.forget_draft()
        self._clean = self.values()
        self.autosaver.stop()
        self.archived.emit(self.record_id)
        self.closed.emit()

    # ---- history -----------------------------------------------------------------------

    def history_rows(self) -> list[tuple[str, str, str, str]]:
        """(when, who, what, changes) for every audited change to the open record."""
        if self.record_id is None:
            return []
        events = AuditTrailService(self.db, self.actor).history(self.ENTITY_TYPE, self.record_id)
        return [self._history_row(event) for event in events]

    def _history_row(self, event: HistoryRow) -> tuple[str, str, str, str]:
        labels = {key: label for key, (_name, label) in self.FIELDS.items()}
        lines = []
        for field, change in event.changes.items():
            if field in SKIPPED_IN_HISTORY or not hasattr(change, "get"):
                continue
            label = labels.get(field, field.replace("_", " ").capitalize())
            before, after = change.get("before"), change.get("after")
            if event.action == AuditAction.CREATE:
                if after not in (None, "", [], ()):
                    lines.append(f"{label}: {self.history_value(field, after)}")
            else:
                old, new = self.history_value(field, before), self.history_value(field, after)
                lines.append(f"{label}: {old} → {new}")
        action = _ACTIONS.get(event.action, str(event.action).replace("_", " ").capitalize())
        return format_local(event.occurred_at), event.username, action, "\n".join(lines)

    def _on_history_clicked(self) -> None:
        try:
            rows = self.history_rows()
        except Exception as exc:
            self.errors.show_general(describe_failure(exc, "read the history"))
            return
        HistoryDialog.show_rows(f"History of this {self.NOUN}", rows, self)
