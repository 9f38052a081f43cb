"""The key-work session form (ui/key_work_form.ui): quick to fill from the keyboard.

Defaults make the common case short: now (UK time) as the start, the signed-in key worker,
45 minutes, planned, complete. The resident is picked by typing part of a name or CRN.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from PySide6.QtCore import QDate, QDateTime, QTime, QTimeZone
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from pipe_app.domain.enums import SessionStatus
from pipe_app.gui.assets import child
from pipe_app.gui.completers import resident_completer, resident_label
from pipe_app.gui.drafts import PAGE_FOR_KIND
from pipe_app.gui.record_form import RecordForm, plain_value
from pipe_app.services.errors import FieldProblem
from pipe_app.services.key_work import KeyWorkInput, KeyWorkService
from pipe_app.services.permissions import Actor
from pipe_app.services.residents import ResidentRow
from pipe_app.services.staff import StaffService
from pipe_app.storage.database import Database
from pipe_app.timeutil import local_today, to_local, to_utc, utc_now

NO_PLACEMENT = uuid.UUID(int=0)  # lets the service report every other problem at once
STATUS_LABELS = {SessionStatus.COMPLETE: "Complete", SessionStatus.DRAFT: "Draft (finish later)"}
PAGE_FOR_KIND["key_work"] = "key_work"


def day_of(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def split_topics(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


class KeyWorkForm(RecordForm):
    UI_NAME = "key_work_form"
    KIND = "key_work"
    ENTITY_TYPE = "key_work_sessions"
    NOUN = "key-work session"
    DRAFT_NOUN = "key-work note"
    FIELDS = {
        "placement_id": ("residentEdit", "Resident"),
        "started_at": ("startedEdit", "Start"),
        "duration_minutes": ("durationSpin", "Duration"),
        "key_worker_id": ("keyWorkerCombo", "Key worker"),
        "planned": ("plannedCheck", "Session type"),
        "topics": ("topicsEdit", "Topics"),
        "did_not_attend": ("didNotAttendCheck", "Attendance"),
        "dna_reason": ("dnaReasonEdit", "Reason for not attending"),
        "next_session_on": ("nextSessionDate", "Next session"),
        "status": ("statusCombo", "Status"),
        "resident_voice": ("residentVoiceEdit", "Resident's voice"),
        "summary": ("summaryEdit", "Summary"),
        "actions_agreed": ("actionsEdit", "Actions agreed"),
        "risk_concern": ("riskCheck", "Risk concern"),
        "escalation_note": ("escalationEdit", "Escalation note"),
    }

    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(db, actor, parent)
        self._service = KeyWorkService(db, actor)
        form = self.form
        self.resident_edit = child(form, QLineEdit, "residentEdit")
        self.started_edit = child(form, QDateTimeEdit, "startedEdit")
        self.duration_spin = child(form, QSpinBox, "durationSpin")
        self.key_worker_combo = child(form, QComboBox, "keyWorkerCombo")
        self.planned_check = child(form, QCheckBox, "plannedCheck")
        self.topics_edit = child(form, QLineEdit, "topicsEdit")
        self.dna_check = child(form, QCheckBox, "didNotAttendCheck")
        self.dna_reason_edit = child(form, QLineEdit, "dnaReasonEdit")
        self.next_check = child(form, QCheckBox, "nextSessionCheck")
        self.next_date = child(form, QDateEdit, "nextSessionDate")
        self.status_combo = child(form, QComboBox, "statusCombo")
        self.voice_edit = child(form, QPlainTextEdit, "residentVoiceEdit")
        self.summary_edit = child(form, QPlainTextEdit, "summaryEdit")
        self.actions_edit = child(form, QPlainTextEdit, "actionsEdit")
        self.risk_check = child(form, QCheckBox, "riskCheck")
        self.escalation_edit = child(form, QPlainTextEdit, "escalationEdit")
        # The edit holds UK wall-clock time; UTC as its zone means no shifts by the PC's zone.
        self.started_edit.setTimeZone(QTimeZone(QTimeZone.Initialization.UTC))
        for status, label in STATUS_LABELS.items():
            self.status_combo.addItem(label, status.value)
        self.completer = resident_completer(self.resident_edit, db, actor)
        self._resident_name = ""
        self._staff_names: dict[str, str] = {}
        self._fill_key_workers()
        self.dna_check.toggled.connect(self._on_attendance_toggled)
        self.risk_check.toggled.connect(self._on_risk_toggled)
        self.next_check.toggled.connect(self.next_date.setEnabled)
        self.completer.picked.connect(self._on_resident_picked)

    def _fill_key_workers(self) -> None:
        """Staff at the user's sites, the signed-in key worker first."""
        try:
            staff = StaffService(self.db, self.actor).rows()
        except Exception:
            staff = []
        mine = self.actor.staff_member_id
        staff.sort(key=lambda row: (row.id != mine, row.family_name, row.given_name))
        for row in staff:
            label = f"{row.full_name} (me)" if row.id == mine else row.full_name
            self.key_worker_combo.addItem(label, str(row.id))
            self._staff_names[str(row.id)] = row.full_name
        if mine is not None and str(mine) not in self._staff_names:
            self.key_worker_combo.insertItem(0, f"{self.actor.display_name} (me)", str(mine))
            self._staff_names[str(mine)] = self.actor.display_name

    # ---- slots -------------------------------------------------------------------------

    def _on_attendance_toggled(self, checked: bool) -> None:
        self.dna_reason_edit.setEnabled(checked)

    def _on_risk_toggled(self, checked: bool) -> None:
        self.escalation_edit.setEnabled(checked)

    def _on_resident_picked(self, row: ResidentRow | None) -> None:
        self._resident_name = row.display_name if row is not None else ""

    # ---- RecordForm hooks --------------------------------------------------------------

    def blank_values(self) -> dict[str, Any]:
        now = to_local(utc_now()).replace(second=0, microsecond=0, tzinfo=None)
        mine = self.actor.staff_member_id
        return {
            "resident": "",
            "placement_id": None,
            "started_at": now.isoformat(timespec="minutes"),
            "duration_minutes": 45,
            "key_worker_id": str(mine) if mine else self.key_worker_combo.itemData(0),
            "planned": True,
            "topics": "",
            "did_not_attend": False,
            "dna_reason": "",
            "next_session": False,
            "next_session_on": (local_today() + timedelta(days=7)).isoformat(),
            "status": SessionStatus.COMPLETE.value,
            "resident_voice": "",
            "summary": "",
            "actions_agreed": "",
            "risk_concern": False,
            "escalation_note": "",
        }

    def values(self) -> dict[str, Any]:
        chosen = self.completer.chosen
        started = self.started_edit.dateTime()
        wall = datetime(
            started.date().year(),
            started.date().month(),
            started.date().day(),
            started.time().hour(),
            started.time().minute(),
        )
        return {
            "resident": self.resident_edit.text(),
            "placement_id": str(chosen.placement_id) if chosen is not None else None,
            "started_at": wall.isoformat(timespec="minutes"),
            "duration_minutes": self.duration_spin.value(),
            "key_worker_id": self.key_worker_combo.currentData(),
            "planned": self.planned_check.isChecked(),
            "topics": self.topics_edit.text(),
            "did_not_attend": self.dna_check.isChecked(),
            "dna_reason": self.dna_reason_edit.text(),
            "next_session": self.next_check.isChecked(),
            "next_session_on": day_of(self.next_date.date()).isoformat(),
            "status": self.status_combo.currentData(),
            "resident_voice": self.voice_edit.toPlainText(),
            "summary": self.summary_edit.toPlainText(),
            "actions_agreed": self.actions_edit.toPlainText(),
            "risk_concern": self.risk_check.isChecked(),
            "escalation_note": self.escalation_edit.toPlainText(),
        }

    def set_values(self, values: dict[str, Any]) -> None:
        placement = values.get("placement_id")
        chosen = _PickedPlacement(uuid.UUID(placement), "") if placement else None
        self.completer.set_choice(values.get("resident", ""), chosen)
        wall = datetime.fromisoformat(values["started_at"])
        self.started_edit.setDateTime(
            QDateTime(
                QDate(wall.year, wall.month, wall.day),
                QTime(wall.hour, wall.minute),
                QTimeZone(QTimeZone.Initialization.UTC),
            )
        )
        self.duration_spin.setValue(int(values["duration_minutes"]))
        index = self.key_worker_combo.findData(values.get("key_worker_id"))
        self.key_worker_combo.setCurrentIndex(max(index, 0))
        self.planned_check.setChecked(bool(values["planned"]))
        self.topics_edit.setText(values.get("topics", ""))
        self.dna_check.setChecked(bool(values["did_not_attend"]))
        self.dna_reason_edit.setText(values.get("dna_reason", ""))
        self.dna_reason_edit.setEnabled(self.dna_check.isChecked())
        self.next_check.setChecked(bool(values["next_session"]))
        self.next_date.setDate(QDate.fromString(values["next_session_on"], "yyyy-MM-dd"))
        self.next_date.setEnabled(self.next_check.isChecked())
        self.status_combo.setCurrentIndex(max(self.status_combo.findData(values["status"]), 0))
        self.voice_edit.setPlainText(values.get("resident_voice", ""))
        self.summary_edit.setPlainText(values.get("summary", ""))
        self.actions_edit.setPlainText(values.get("actions_agreed", ""))
        self.risk_check.setChecked(bool(values["risk_concern"]))
        self.escalation_edit.setPlainText(values.get("escalation_note", ""))
        self.escalation_edit.setEnabled(self.risk_check.isChecked())

    def load(self, record_id: uuid.UUID) -> tuple[dict[str, Any], int]:
        row = self._service.get(record_id)
        self._resident_name = row.resident_name
        if str(row.key_worker_id) not in self._staff_names:
            self.key_worker_combo.addItem(row.key_worker_name, str(row.key_worker_id))
            self._staff_names[str(row.key_worker_id)] = row.key_worker_name
        started = to_local(row.started_at).replace(tzinfo=None)
        next_on = row.next_session_on
        values = {
            "resident": resident_label(row.resident_name, row.crn),
            "placement_id": str(row.placement_id),
            "started_at": started.isoformat(timespec="minutes"),
            "duration_minutes": row.duration_minutes,
            "key_worker_id": str(row.key_worker_id),
            "planned": row.planned,
            "topics": ", ".join(row.topics),
            "did_not_attend": row.did_not_attend,
            "dna_reason": row.dna_reason,
            "next_session": next_on is not None,
            "next_session_on": (next_on or local_today() + timedelta(days=7)).isoformat(),
            "status": row.status.value,
            "resident_voice": row.resident_voice,
            "summary": row.summary,
            "actions_agreed": row.actions_agreed,
            "risk_concern": row.risk_concern,
            "escalation_note": row.escalation_note,
        }
        return values, row.version

    def data(self) -> KeyWorkInput:
        values = self.values()
        worker = values["key_worker_id"]
        return KeyWorkInput(
            placement_id=uuid.UUID(values["placement_id"])
            if values["placement_id"]
            else NO_PLACEMENT,
            key_worker_id=uuid.UUID(worker) if worker else NO_PLACEMENT,
            started_at=to_utc(datetime.fromisoformat(values["started_at"])),
            duration_minutes=values["duration_minutes"],
            planned=values["planned"],
            did_not_attend=values["did_not_attend"],
            dna_reason=values["dna_reason"] if values["did_not_attend"] else "",
            topics=split_topics(values["topics"]),
            resident_voice=values["resident_voice"],
            summary=values["summary"],
            risk_concern=values["risk_concern"],
            escalation_note=values["escalation_note"] if values["risk_concern"] else "",
            actions_agreed=values["actions_agreed"],
            next_session_on=date.fromisoformat(values["next_session_on"])
            if values["next_session"]
            else None,
            status=values["status"],
        )

    def write(self) -> tuple[uuid.UUID, int]:
        data = self.data()
        if self.record_id is None:
            row = self._service.record(data)
        else:
            assert self.version is not None
            row = self._service.update(self.record_id, self.version, data)
        self._resident_name = row.resident_name
        return row.id, row.version

    def archive_record(self, record_id: uuid.UUID, version: int) -> None:
        self._service.archive(record_id, version)

    def problems_for(self, problems: list[FieldProblem]) -> list[FieldProblem]:
        if self.completer.chosen is not None:
            return problems
        reworded = [p for p in problems if p.field != "placement_id"]
        message = "is required: type part of a name or CRN, then pick from the list"
        return [FieldProblem("placement_id", message), *reworded]

    def title_text(self) -> str:
        if self.record_id is None:
            return f"New {self.NOUN}"
        name = self._resident_name or self.resident_edit.text()
        return f"Key-work session with {name}" if name else "Key-work session"

    def draft_title(self) -> str:
        name = self.resident_edit.text().strip()
        return f"{self.title_text()}" if self.record_id or not name else f"Key work with {name}"

    def history_value(self, field: str, value: Any) -> str:
        if field == "key_worker_id" and isinstance(value, str):
            return self._staff_names.get(value, "another member of staff")
        if field == "placement_id" and value is not None:
            return "another placement"
        if field == "status" and isinstance(value, str):
            return STATUS_LABELS.get(SessionStatus(value), value)
        if field == "planned" and isinstance(value, bool):
            return "Planned" if value else "Unplanned"
        if field == "next_session_on" and isinstance(value, str):
            return date.fromisoformat(value).strftime("%d %b %Y")
        return plain_value(value)


class _PickedPlacement:
    """Stands in for a ResidentRow when a record or draft says which placement was chosen."""

    def __init__(self, placement_id: uuid.UUID, display_name: str) -> None:
        self.placement_id = placement_id
        self.display_name = display_name
