"""The form that records one training completion: who, which course, when, how long, and
the certificate.

The certificate belongs to a saved record: it is attached at once (chosen in a file dialog or
dropped on the form) through TrainingService.attach_certificate, replacing any earlier one,
without saving or losing what is typed in the other fields. It opens from a private copy in
this run's own temporary folder, or is saved as a copy where the user chooses.
"""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QUrl
from PySide6.QtGui import QDesktopServices, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDoubleSpinBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from pipe_app.gui.assets import child
from pipe_app.gui.attachment_open import AskCopyPath, NoViewer, file_problem, write_private_copy
from pipe_app.gui.attachments import (
    AskFiles,
    FileRefused,
    dropped_files,
    read_attachable,
    size_text,
)
from pipe_app.gui.drafts import PAGE_FOR_KIND
from pipe_app.gui.record_form import RecordForm, plain_value
from pipe_app.services.errors import ConflictError, FieldProblem, ValidationError
from pipe_app.services.evidence import AttachmentRow
from pipe_app.services.permissions import Actor, Permission
from pipe_app.services.staff import StaffService
from pipe_app.services.training import TrainingRecordInput, TrainingService
from pipe_app.storage.database import Database
from pipe_app.timeutil import local_today

NOBODY = uuid.UUID(int=0)  # lets the service report every other problem at once
PAGE_FOR_KIND["training_record"] = "staff"


def _day(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class TrainingRecordForm(RecordForm):
    UI_NAME = "training_record_form"
    KIND = "training_record"
    ENTITY_TYPE = "training_records"
    NOUN = "training record"
    DRAFT_NOUN = "training record"
    FIELDS = {
        "staff_member_id": ("staffCombo", "Staff member"),
        "course_id": ("courseCombo", "Course"),
        "completed_on": ("completedDate", "Completed on"),
        "hours": ("hoursSpin", "Hours"),
        "notes": ("notesEdit", "Notes"),
        "certificate_attachment_id": ("certificateBox", "Certificate"),
    }

    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(db, actor, parent)
        self._service = TrainingService(db, actor)
        self.staff_combo = child(self.form, QComboBox, "staffCombo")
        self.course_combo = child(self.form, QComboBox, "courseCombo")
        self.completed_date = child(self.form, QDateEdit, "completedDate")
        self.hours_spin = child(self.form, QDoubleSpinBox, "hoursSpin")
        self.notes_edit = child(self.form, QPlainTextEdit, "notesEdit")
        self.certificate_file = child(self.form, QLabel, "certificateFile")
        self.attach_button = child(self.form, QPushButton, "attachCertificateButton")
        self.open_button = child(self.form, QPushButton, "openCertificateButton")
        self.save_copy_button = child(self.form, QPushButton, "saveCertificateButton")
        self.certificate: AttachmentRow | None = None
        self._names: dict[str, str] = {}
        self.setAcceptDrops(True)
        self.attach_button.clicked.connect(self._on_attach_clicked)
        self.open_button.clicked.connect(self._on_open_clicked)
        self.save_copy_button.clicked.connect(self._on_save_copy_clicked)
        self.reload_choices()
        self._show_certificate()

    def reload_choices(self) -> None:
        """Staff at the user's sites and the current courses (a blank choice first)."""
        for combo in (self.staff_combo, self.course_combo):
            combo.clear()
        self.staff_combo.addItem("Choose a member of staff", None)
        self.course_combo.addItem("Choose a course", None)
        try:
            for member in StaffService(self.db, self.actor).rows():
                self.staff_combo.addItem(member.full_name, str(member.id))
                self._names[str(member.id)] = member.full_name
            for course in self._service.courses():
                self.course_combo.addItem(f"{course.name} ({course.code})", str(course.id))
                self._names[str(course.id)] = course.name
        except Exception as exc:  # the form still opens; saving will say what is wrong
            self.errors.show_general(f"Could not read the choices: {exc}")
        self.completed_date.setMaximumDate(QDate.currentDate().addDays(1))

    # ---- RecordForm hooks --------------------------------------------------------------

    def blank_values(self) -> dict[str, Any]:
        return {
            "staff_member_id": None,
            "course_id": None,
            "completed_on": local_today().isoformat(),
            "hours": 0.0,
            "notes": "",
        }

    def values(self) -> dict[str, Any]:
        return {
            "staff_member_id": self.staff_combo.currentData(),
            "course_id": self.course_combo.currentData(),
            "completed_on": _day(self.completed_date.date()).isoformat(),
            "hours": round(self.hours_spin.value(), 1),
            "notes": self.notes_edit.toPlainText(),
        }

    def set_values(self, values: dict[str, Any]) -> None:
        for combo, key in ((self.staff_combo, "staff_member_id"), (self.course_combo, "course_id")):
            combo.setCurrentIndex(max(combo.findData(values.get(key)), 0))
        self.completed_date.setDate(QDate.fromString(values["completed_on"], "yyyy-MM-dd"))
        self.hours_spin.setValue(float(values.get("hours", 0.0)))
        self.notes_edit.setPlainText(values.get("notes", ""))

    def load(self, record_id: uuid.UUID) -> tuple[dict[str, Any], int]:
        row = self._service.get(record_id)
        for combo, key, name in (
            (self.staff_combo, str(row.staff_member_id), row.staff_name),
            (self.course_combo, str(row.course_id), row.course_name),
        ):
            if combo.findData(key) < 0:  # someone who has left, or an archived course
                combo.addItem(name, key)
            self._names[key] = name
        values = {
            "staff_member_id": str(row.staff_member_id),
            "course_id": str(row.course_id),
            "completed_on": row.completed_on.isoformat(),
            "hours": row.hours,
            "notes": row.notes,
        }
        self.certificate = self._service.certificate(record_id)
        return values, row.version

    def data(self) -> TrainingRecordInput:
        values = self.values()
        return TrainingRecordInput(
            staff_member_id=uuid.UUID(values["staff_member_id"])
            if values["staff_member_id"]
            else NOBODY,
            course_id=uuid.UUID(values["course_id"]) if values["course_id"] else NOBODY,
            completed_on=date.fromisoformat(values["completed_on"]),
            hours=values["hours"],
            notes=values["notes"],
            certificate_attachment_id=self.certificate.id if self.certificate else None,
        )

    def write(self) -> tuple[uuid.UUID, int]:
        data = self.data()
        if self.record_id is None:
            row = self._service.record(data)
        else:
            assert self.version is not None
            row = self._service.update(self.record_id, self.version, data)
        return row.id, row.version

    def archive_record(self, record_id: uuid.UUID, version: int) -> None:
        self._service.archive(record_id, version)

    def problems_for(self, problems: list[FieldProblem]) -> list[FieldProblem]:
        """Nothing chosen reads as "choose", not as an unknown id."""
        unchosen = {
            "staff_member_id": self.staff_combo.currentData() is None,
            "course_id": self.course_combo.currentData() is None,
        }
        what = {"staff_member_id": "a member of staff", "course_id": "a course"}
        return [
            FieldProblem(p.field, f"is required: choose {what[p.field]}")
            if unchosen.get(p.field)
            else p
            for p in problems
        ]

    def title_text(self) -> str:
        if self.record_id is None:
            return "Record a training completion"
        staff = self._names.get(self.staff_combo.currentData() or "", "")
        course = self._names.get(self.course_combo.currentData() or "", "")
        return f"{course}: {staff}" if staff and course else "Training record"

    def history_value(self, field: str, value: Any) -> str:
        if field in ("staff_member_id", "course_id") and isinstance(value, str):
            return self._names.get(value, "another record")
        if field in ("completed_on", "expires_on") and isinstance(value, str):
            return date.fromisoformat(value[:10]).strftime("%d %b %Y")
        if field == "certificate_attachment_id" and isinstance(value, str):
            return "a file"
        return plain_value(value)

    def _settle(
        self, values: dict[str, Any], record_id: uuid.UUID | None, version: int | None
    ) -> None:
        if record_id is None:
            self.certificate = None
        super()._settle(values, record_id, version)
        self._show_certificate()

    # ---- the certificate ---------------------------------------------------------------

    def _may_attach(self) -> bool:
        return self.record_id is not None and self.actor.can(Permission.TRAINING_WRITE)

    def _show_certificate(self) -> None:
        certificate = self.certificate
        if self.record_id is None:
            text = "Save the record first, then open it again to attach its certificate."
        elif certificate is None:
            text = "None attached. Drop the file on this form, or choose Attach certificate."
        else:
            text = f"{certificate.file_name}  ·  {size_text(certificate.size_bytes)}"
        self.certificate_file.setText(text)
        self.attach_button.setEnabled(self._may_attach())
        for button in (self.open_button, self.save_copy_button):
            button.setEnabled(certificate is not None)

    def _refuse(self, message: str) -> None:
        first = self.errors.show([FieldProblem("certificate_attachment_id", message)])
        if first is not None:
            self.scroll_area.ensureWidgetVisible(first)

    def attach_certificate(self, path: Path) -> bool:
        """Store ``path`` as this record's certificate now; typing elsewhere is kept unsaved."""
        if not self._may_attach() or self.record_id is None or self.version is None:
            return False
        self.errors.clear()
        try:
            media, content = read_attachable(path)
            row = self._service.attach_certificate(
                self.record_id, self.version, path.name, media, content
            )
        except FileRefused as exc:
            self._refuse(f"{path.name} was not attached: {exc}")
            return False
        except ValidationError as exc:
            reasons = "; ".join(problem.message for problem in exc.problems)
            self._refuse(f"{path.name} was not attached: {reasons}")
            return False
        except ConflictError as exc:
            self._on_conflict(exc)
            return False
        except Exception as exc:
            self._refuse(file_problem(exc, f"attach {path.name}"))
            return False
        self.version = row.version  # the record moved on; what is typed still saves over it
        try:
            self.certificate = self._service.certificate(row.id)
        except Exception as exc:
            self._refuse(file_problem(exc, "read the certificate's details"))
        self._show_certificate()
        return True

    def open_certificate(self) -> Path | None:
        """Open the certificate from a private copy with the system's viewer; the copy's path."""
        if self.record_id is None or self.certificate is None:
            return None
        try:
            content = self._service.certificate_content(self.record_id)
            path = write_private_copy(self.certificate.file_name, content)
            if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
                raise NoViewer(f"no program on this computer opens {path.name}")
        except Exception as exc:
            self._refuse(file_problem(exc, "open the certificate"))
            return None
        return path

    def save_certificate_copy(self) -> Path | None:
        """Ask where, then write a copy there; None when cancelled or refused."""
        if self.record_id is None or self.certificate is None:
            return None
        target = AskCopyPath.ask(self, self.certificate.file_name)
        if target is None:
            return None
        try:
            target.write_bytes(self._service.certificate_content(self.record_id))
        except Exception as exc:
            self._refuse(file_problem(exc, "save a copy of the certificate"))
            return None
        return target

    def _on_attach_clicked(self) -> None:
        path = AskFiles.ask_one(self, "Attach the certificate", "Certificates")
        if path is not None:
            self.attach_certificate(path)

    def _on_open_clicked(self) -> None:
        self.open_certificate()

    def _on_save_copy_clicked(self) -> None:
        self.save_certificate_copy()

    # ---- drag and drop -----------------------------------------------------------------

    def _dropped(self, event: QDragEnterEvent | QDropEvent) -> Path | None:
        """The one local file dropped, when a certificate may be attached."""
        files = dropped_files(event.mimeData())
        return files[0] if len(files) == 1 and self._may_attach() else None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._dropped(event) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        path = self._dropped(event)
        if path is None:
            event.ignore()
            return
        event.acceptProposedAction()
        self.attach_certificate(path)
