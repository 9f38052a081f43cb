"""The form that records one training completion: who, which course, when, how long."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QComboBox, QDateEdit, QDoubleSpinBox, QPlainTextEdit, QWidget

from pipe_app.gui.assets import child
from pipe_app.gui.drafts import PAGE_FOR_KIND
from pipe_app.gui.record_form import RecordForm, plain_value
from pipe_app.services.errors import FieldProblem
from pipe_app.services.permissions import Actor
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
    }

    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(db, actor, parent)
        self._service = TrainingService(db, actor)
        self.staff_combo = child(self.form, QComboBox, "staffCombo")
        self.course_combo = child(self.form, QComboBox, "courseCombo")
        self.completed_date = child(self.form, QDateEdit, "completedDate")
        self.hours_spin = child(self.form, QDoubleSpinBox, "hoursSpin")
        self.notes_edit = child(self.form, QPlainTextEdit, "notesEdit")
        self._names: dict[str, str] = {}
        self.reload_choices()

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
        return plain_value(value)
