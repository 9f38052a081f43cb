"""The evidence item form (ui/evidence_form.ui): the item, its criteria and its files.

Links and files belong to a saved item, so they open up once the item has been saved. Files
come from a file dialog or are dropped onto the form; the service checks size and duplicates
and its message is shown as it is.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from pipe_app.domain.enums import EvidenceKind, EvidenceStatus
from pipe_app.gui.assets import child
from pipe_app.gui.attachment_open import file_problem, open_attachment, save_copy
from pipe_app.gui.attachments import (
    AskFiles,
    FileRefused,
    dropped_files,
    read_attachable,
    size_text,
)
from pipe_app.gui.drafts import PAGE_FOR_KIND
from pipe_app.gui.problems import describe_failure
from pipe_app.gui.record_form import RecordForm, plain_value
from pipe_app.reports.pack_data import KIND_LABELS
from pipe_app.services.errors import ValidationError
from pipe_app.services.evidence import AttachmentRow, EvidenceInput, EvidenceService
from pipe_app.services.frameworks import FrameworkTree
from pipe_app.services.permissions import Actor, Permission
from pipe_app.services.staff import StaffService
from pipe_app.storage.database import Database
from pipe_app.timeutil import local_today

PAGE_FOR_KIND["evidence"] = "accreditation"
STATUS_LABELS = {EvidenceStatus.DRAFT: "Draft", EvidenceStatus.APPROVED: "Approved"}
FILE_NAME_ROLE = Qt.ItemDataRole.UserRole + 1


def day_of(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def attachment_text(row: AttachmentRow) -> str:
    return f"{row.file_name}  ·  {size_text(row.size_bytes)}  ·  SHA-256 {row.sha256[:12]}…"


class EvidenceForm(RecordForm):
    UI_NAME = "evidence_form"
    KIND = "evidence"
    ENTITY_TYPE = "evidence_items"
    NOUN = "evidence item"
    DRAFT_NOUN = "evidence item"
    FIELDS = {
        "title": ("titleEdit", "Title"),
        "kind": ("kindCombo", "Kind"),
        "effective_on": ("effectiveDate", "Effective date"),
        "author_id": ("authorCombo", "Author"),
        "review_by": ("reviewByDate", "Review by"),
        "narrative": ("narrativeEdit", "Narrative"),
    }

    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(db, actor, parent)
        self._service = EvidenceService(db, actor)
        self.site_id: uuid.UUID | None = None
        self.status = EvidenceStatus.DRAFT
        form = self.form
        self.title_edit = child(form, QLineEdit, "titleEdit")
        self.kind_combo = child(form, QComboBox, "kindCombo")
        self.effective_date = child(form, QDateEdit, "effectiveDate")
        self.author_combo = child(form, QComboBox, "authorCombo")
        self.review_check = child(form, QCheckBox, "reviewByCheck")
        self.review_date = child(form, QDateEdit, "reviewByDate")
        self.narrative_edit = child(form, QPlainTextEdit, "narrativeEdit")
        self.status_label = child(form, QLabel, "statusLabel")
        self.approve_button = child(form, QPushButton, "approveButton")
        self.save_first_hint = child(form, QLabel, "saveFirstHint")
        self.links_list = child(form, QListWidget, "linksList")
        self.criterion_combo = child(form, QComboBox, "criterionCombo")
        self.rationale_edit = child(form, QLineEdit, "rationaleEdit")
        self.link_button = child(form, QPushButton, "linkButton")
        self.unlink_button = child(form, QPushButton, "unlinkButton")
        self.attachments_list = child(form, QListWidget, "attachmentsList")
        self.add_file_button = child(form, QPushButton, "addFileButton")
        self.open_file_button = child(form, QPushButton, "openFileButton")
        self.save_copy_button = child(form, QPushButton, "saveCopyButton")
        self.file_message = child(form, QLabel, "fileMessage")
        self.links_group = child(form, QWidget, "linksGroup")
        self.files_group = child(form, QWidget, "filesGroup")
        for kind in EvidenceKind:
            self.kind_combo.addItem(KIND_LABELS[kind], kind.value)
        self.author_combo.addItem("(not named)", None)
        self._staff_names: dict[str, str] = {}
        try:
            staff = StaffService(db, actor).rows() if actor.can(Permission.STAFF_READ) else []
        except Exception:
            staff = []
        for row in staff:
            self.author_combo.addItem(row.full_name, str(row.id))
            self._staff_names[str(row.id)] = row.full_name
        self.setAcceptDrops(True)
        self.review_check.toggled.connect(self.review_date.setEnabled)
        self.approve_button.clicked.connect(self._on_approve_clicked)
        self.link_button.clicked.connect(self._on_link_clicked)
        self.unlink_button.clicked.connect(self._on_unlink_clicked)
        self.add_file_button.clicked.connect(self._on_add_file_clicked)
        self.attachments_list.itemActivated.connect(self._on_attachment_activated)
        self.attachments_list.itemSelectionChanged.connect(self._show_file_actions)
        self.open_file_button.clicked.connect(self._on_open_file_clicked)
        self.save_copy_button.clicked.connect(self._on_save_copy_clicked)
        self._show_extras()

    def set_framework(self, tree: FrameworkTree | None) -> None:
        """The criteria offered for linking."""
        self.criterion_combo.clear()
        if tree is None:
            return
        for standard in tree.standards:
            for criterion in standard.criteria:
                text = f"{criterion.code}  {criterion.text}"
                self.criterion_combo.addItem(text if len(text) < 110 else f"{text[:109]}…")
                self.criterion_combo.setItemData(
                    self.criterion_combo.count() - 1, criterion.id, Qt.ItemDataRole.UserRole
                )
                self.criterion_combo.setItemData(
                    self.criterion_combo.count() - 1, criterion.text, Qt.ItemDataRole.ToolTipRole
                )

    # ---- RecordForm hooks --------------------------------------------------------------

    def blank_values(self) -> dict[str, Any]:
        mine = self.actor.staff_member_id
        author = str(mine) if mine is not None and str(mine) in self._staff_names else None
        return {
            "title": "",
            "kind": EvidenceKind.DOCUMENT.value,
            "effective_on": local_today().isoformat(),
            "author_id": author,
            "review": False,
            "review_by": (local_today() + timedelta(days=365)).isoformat(),
            "narrative": "",
        }

    def values(self) -> dict[str, Any]:
        return {
            "title": self.title_edit.text(),
            "kind": self.kind_combo.currentData(),
            "effective_on": day_of(self.effective_date.date()).isoformat(),
            "author_id": self.author_combo.currentData(),
            "review": self.review_check.isChecked(),
            "review_by": day_of(self.review_date.date()).isoformat(),
            "narrative": self.narrative_edit.toPlainText(),
        }

    def set_values(self, values: dict[str, Any]) -> None:
        self.title_edit.setText(values.get("title", ""))
        self.kind_combo.setCurrentIndex(max(self.kind_combo.findData(values.get("kind")), 0))
        self.effective_date.setDate(QDate.fromString(values["effective_on"], "yyyy-MM-dd"))
        self.author_combo.setCurrentIndex(max(self.author_combo.findData(values["author_id"]), 0))
        self.review_check.setChecked(bool(values.get("review")))
        self.review_date.setDate(QDate.fromString(values["review_by"], "yyyy-MM-dd"))
        self.review_date.setEnabled(self.review_check.isChecked())
        self.narrative_edit.setPlainText(values.get("narrative", ""))

    def load(self, record_id: uuid.UUID) -> tuple[dict[str, Any], int]:
        detail = self._service.get(record_id)
        item = detail.item
        self.site_id = item.site_id
        self.status = item.status
        author = str(item.author_id) if item.author_id is not None else None
        if author is not None and author not in self._staff_names:
            self.author_combo.addItem("another member of staff", author)
            self._staff_names[author] = "another member of staff"
        values = {
            "title": item.title,
            "kind": item.kind.value,
            "effective_on": item.effective_on.isoformat(),
            "author_id": author,
            "review": item.review_by is not None,
            "review_by": (item.review_by or local_today() + timedelta(days=365)).isoformat(),
            "narrative": item.narrative,
        }
        return values, item.version

    def write(self) -> tuple[uuid.UUID, int]:
        values = self.values()
        if self.site_id is None:
            raise ValidationError.single("site_id", "choose a site first")
        data = EvidenceInput(
            site_id=self.site_id,
            title=values["title"],
            kind=values["kind"],
            effective_on=date.fromisoformat(values["effective_on"]),
            author_id=uuid.UUID(values["author_id"]) if values["author_id"] else None,
            narrative=values["narrative"],
            review_by=date.fromisoformat(values["review_by"]) if values["review"] else None,
        )
        if self.record_id is None:
            row = self._service.create(data)
        else:
            assert self.version is not None
            row = self._service.update(self.record_id, self.version, data)
        self.status = row.status
        return row.id, row.version

    def archive_record(self, record_id: uuid.UUID, version: int) -> None:
        self._service.archive(record_id, version)

    def history_value(self, field: str, value: Any) -> str:
        if field == "author_id" and isinstance(value, str):
            return self._staff_names.get(value, "another member of staff")
        if field == "kind" and isinstance(value, str) and value in {k.value for k in EvidenceKind}:
            return KIND_LABELS[EvidenceKind(value)]
        if (
            field == "status"
            and isinstance(value, str)
            and value in {k.value for k in EvidenceStatus}
        ):
            return STATUS_LABELS[EvidenceStatus(value)]
        return plain_value(value)

    def _settle(
        self, values: dict[str, Any], record_id: uuid.UUID | None, version: int | None
    ) -> None:
        if record_id is None:
            self.status = EvidenceStatus.DRAFT
        super()._settle(values, record_id, version)
        self._show_extras()

    # ---- links, files, approval ---------------------------------------------------------

    def _show_extras(self) -> None:
        """Links, files and the approval state of the open item, fresh from the service."""
        saved = self.record_id is not None
        site = self.site_id
        can_write = site is not None and self.actor.can(Permission.EVIDENCE_WRITE, site)
        can_approve = site is not None and self.actor.can(Permission.EVIDENCE_APPROVE, site)
        self.save_first_hint.setVisible(not saved)
        self.links_list.clear()
        self.attachments_list.clear()
        self.file_message.clear()
        self.file_message.hide()
        if saved and self.record_id is not None:
            try:
                detail = self._service.get(self.record_id)
            except Exception as exc:
                self.errors.show_general(describe_failure(exc, "read the evidence"))
                return
            self.status = detail.item.status
            if not self.is_dirty():
                self.version = detail.item.version
            for link in detail.links:
                text = f"{link.criterion_code}" + (f"  {link.rationale}" if link.rationale else "")
                entry = QListWidgetItem(text)
                entry.setData(Qt.ItemDataRole.UserRole, link.criterion_id)
                self.links_list.addItem(entry)
            for attachment in detail.attachments:
                entry = QListWidgetItem(attachment_text(attachment))
                entry.setData(Qt.ItemDataRole.UserRole, attachment.id)
                entry.setData(FILE_NAME_ROLE, attachment.file_name)
                entry.setToolTip(f"SHA-256 {attachment.sha256}\n{attachment.media_type}")
                self.attachments_list.addItem(entry)
        self.status_label.setText(STATUS_LABELS[self.status] if saved else "New (draft)")
        self.approve_button.setVisible(can_approve)
        self.approve_button.setEnabled(saved and self.status != EvidenceStatus.APPROVED)
        self.links_group.setEnabled(saved and can_write)
        self.files_group.setEnabled(saved)  # readers open files; writers also add them
        self.add_file_button.setEnabled(saved and can_write)
        self._show_file_actions()

    def _on_approve_clicked(self) -> None:
        self.approve()

    def approve(self) -> bool:
        if self.record_id is None or self.version is None:
            return False
        if self.is_dirty():
            self.errors.show_general("Save your changes before approving this evidence.")
            return False
        try:
            row = self._service.approve(self.record_id, self.version)
        except Exception as exc:
            self.errors.show_general(describe_failure(exc, "approve the evidence"))
            return False
        self.version, self.status = row.version, row.status
        self.errors.clear()
        self._show_extras()
        self.saved.emit(self.record_id)
        return True

    def _on_link_clicked(self) -> None:
        criterion = self.criterion_combo.currentData(Qt.ItemDataRole.UserRole)
        if self.record_id is None or criterion is None:
            return
        try:
            self._service.link(self.record_id, criterion, self.rationale_edit.text())
        except Exception as exc:
            self.errors.show_general(describe_failure(exc, "link the criterion"))
            return
        self.rationale_edit.clear()
        self._show_extras()

    def _on_unlink_clicked(self) -> None:
        entry = self.links_list.currentItem()
        if self.record_id is None or entry is None:
            return
        try:
            self._service.unlink(self.record_id, entry.data(Qt.ItemDataRole.UserRole))
        except Exception as exc:
            self.errors.show_general(describe_failure(exc, "unlink the criterion"))
            return
        self._show_extras()

    def _on_add_file_clicked(self) -> None:
        self.add_files(AskFiles.ask(self))

    def add_files(self, paths: list[Path]) -> list[str]:
        """Attach each file; returns (and shows) a message per file that was refused."""
        if self.record_id is None:
            return []
        problems: list[str] = []
        for path in paths:
            try:
                self._service.add_attachment(self.record_id, path.name, *read_attachable(path))
            except FileRefused as exc:
                problems.append(f"{path.name}: {exc}.")
            except ValidationError as exc:
                problems.append(f"{path.name}: " + "; ".join(p.message for p in exc.problems))
            except Exception as exc:
                problems.append(describe_failure(exc, f"attach {path.name}"))
        self._show_extras()
        self.file_message.setText("\n".join(problems))
        self.file_message.setVisible(bool(problems))
        return problems

    def _selected_attachment(self) -> tuple[uuid.UUID, str] | None:
        entry = self.attachments_list.currentItem()
        if entry is None or not entry.isSelected():
            return None
        return entry.data(Qt.ItemDataRole.UserRole), entry.data(FILE_NAME_ROLE)

    def _show_file_actions(self) -> None:
        chosen = self._selected_attachment() is not None
        self.open_file_button.setEnabled(chosen)
        self.save_copy_button.setEnabled(chosen)

    def _on_attachment_activated(self, _entry: QListWidgetItem) -> None:
        self.open_selected_file()

    def _on_open_file_clicked(self) -> None:
        self.open_selected_file()

    def open_selected_file(self) -> Path | None:
        """Open the selected file with the system's viewer; returns the private copy."""
        chosen = self._selected_attachment()
        if chosen is None:
            return None
        try:
            path = open_attachment(self._service, *chosen)
        except Exception as exc:
            self._say_file(file_problem(exc, f"open {chosen[1]}"))
            return None
        self._say_file("")
        return path

    def _on_save_copy_clicked(self) -> None:
        chosen = self._selected_attachment()
        if chosen is None:
            return
        try:
            save_copy(self, self._service, *chosen)
        except Exception as exc:
            self._say_file(file_problem(exc, f"save a copy of {chosen[1]}"))
            return
        self._say_file("")

    def _say_file(self, text: str) -> None:
        self.file_message.setText(text)
        self.file_message.setVisible(bool(text))

    # ---- drag and drop -----------------------------------------------------------------

    def _dropped_paths(self, event: QDragEnterEvent | QDropEvent) -> list[Path]:
        if self.record_id is None or not self.add_file_button.isEnabled():
            return []
        return dropped_files(event.mimeData())

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._dropped_paths(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = self._dropped_paths(event)
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.add_files(paths)
