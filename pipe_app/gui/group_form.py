"""The form of one group session (ui/group_form.ui) beside its register.

A new session starts from one of the site's activity templates (the kind, length and title
fill in); a saved one shows its register: everyone placed at the site that day, with one key
per code the site uses. Ctrl+S saves the session and its register together; the shared
record-form base brings Esc, drafts, conflicts, Archive and History.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import QDate, QDateTime, Qt, QTime, QTimeZone, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from pipe_app.domain.enums import GroupKind, GroupStatus
from pipe_app.gui.assets import child
from pipe_app.gui.drafts import PAGE_FOR_KIND
from pipe_app.gui.problems import describe_failure
from pipe_app.gui.record_form import RecordForm, plain_value
from pipe_app.gui.register_widget import RegisterCodes, RegisterWidget, register_history_row
from pipe_app.services.errors import FieldProblem, ValidationError
from pipe_app.services.groups import (
    GroupInput,
    GroupRow,
    GroupService,
    activity_templates,
)
from pipe_app.services.history import AuditTrailService
from pipe_app.services.permissions import Actor
from pipe_app.services.sites import ActivityTemplate, SiteRow, SiteService, site_settings
from pipe_app.services.staff import StaffService
from pipe_app.storage.database import Database
from pipe_app.timeutil import local_day, to_local, to_utc, utc_now

KIND_LABELS = {
    GroupKind.SOCIALLY_CREATIVE: "Socially creative",
    GroupKind.STRUCTURED_GROUP: "Structured group",
    GroupKind.COMMUNITY_MEETING: "Community meeting",
    GroupKind.ENRICHMENT: "Enrichment",
}

STATUS_LABELS = {
    GroupStatus.PLANNED: "Planned",
    GroupStatus.HELD: "Held",
    GroupStatus.CANCELLED: "Cancelled",
}
PAGE_FOR_KIND["group"] = "groups"
NO_SITE = uuid.UUID(int=0)  # lets the service report every other problem at once


def auto_title(activity: str) -> str:
    activity = activity.strip()
    return activity[:1].upper() + activity[1:]


def _wall(value: QDateTime) -> datetime:
    """What the field shows: UK wall-clock time, without a zone."""
    day, clock = value.date(), value.time()
    return datetime(day.year(), day.month(), day.day(), clock.hour(), clock.minute())


def _qt_wall(wall: datetime) -> QDateTime:
    return QDateTime(
        QDate(wall.year, wall.month, wall.day),
        QTime(wall.hour, wall.minute),
        QTimeZone(QTimeZone.Initialization.UTC),
    )


class GroupForm(RecordForm):
    UI_NAME = "group_form"
    KIND = "group"
    ENTITY_TYPE = "group_sessions"
    NOUN = "group session"
    DRAFT_NOUN = "group session"
    FIELDS = {
        "site_id": ("siteCombo", "Site"),
        "activity": ("activityCombo", "Activity"),
        "kind": ("kindCombo", "Kind"),
        "title": ("titleEdit", "Title"),
        "started_at": ("startEdit", "Start"),
        "duration_minutes": ("durationSpin", "Duration"),
        "status": ("statusCombo", "Status"),
        "facilitator_ids": ("facilitatorList", "Facilitators"),
        "planned_by_residents": ("plannedCheck", "Planned by residents"),
        "resident_planning_note": ("planningNoteEdit", "Planning note"),
        "observations": ("observationsEdit", "Observations"),
        "register": ("registerPlace", "Register"),
    }

    created = Signal(object)  # the id of a session just created (the page reopens it)

    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(db, actor, parent)
        self._service = GroupService(db, actor)
        self._row: GroupRow | None = None
        self._auto_title = ""
        self._status_touched = False
        self._templates: dict[str, ActivityTemplate] = {}
        form = self.form
        self.site_combo = child(form, QComboBox, "siteCombo")
        self.kind_combo = child(form, QComboBox, "kindCombo")
        self.activity_combo = child(form, QComboBox, "activityCombo")
        self.title_edit = child(form, QLineEdit, "titleEdit")
        self.start_edit = child(form, QDateTimeEdit, "startEdit")
        self.duration_spin = child(form, QSpinBox, "durationSpin")
        self.status_combo = child(form, QComboBox, "statusCombo")
        self.facilitator_list = child(form, QListWidget, "facilitatorList")
        self.planned_check = child(form, QCheckBox, "plannedCheck")
        self.planning_note_edit = child(form, QPlainTextEdit, "planningNoteEdit")
        self.observations_edit = child(form, QPlainTextEdit, "observationsEdit")
        self.repeat_button = child(form, QPushButton, "repeatButton")
        place = child(form, QWidget, "registerPlace")
        self.register = RegisterWidget(place)
        self.register_hint = QLabel(
            "Save the session first; then its register lists everyone placed at the site that day.",
            place,
        )
        self.register_hint.setObjectName("registerHint")
        self.register_hint.setProperty("role", "hint")
        self.register_hint.setWordWrap(True)
        self.register_hint.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        box = QVBoxLayout(place)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.register, 1)
        box.addWidget(self.register_hint)
        place.setFocusProxy(self.register.table)  # a register problem puts the cursor there

        activity_edit = self.activity_combo.lineEdit()
        assert activity_edit is not None  # editable in the .ui
        activity_edit.setMaxLength(80)
        self.activity_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        # The edit holds UK wall-clock time; UTC as its zone means no shifts by the PC's zone.
        self.start_edit.setTimeZone(QTimeZone(QTimeZone.Initialization.UTC))
        for kind, label in KIND_LABELS.items():
            self.kind_combo.addItem(label, kind.value)
        for status, label in STATUS_LABELS.items():
            self.status_combo.addItem(label, status.value)
        self._sites: dict[uuid.UUID, SiteRow] = {}
        try:
            sites = SiteService(db, actor).rows()
        except Exception as exc:
            self.errors.show_general(describe_failure(exc, "read your sites"))
            sites = []
        for site in sites:
            self._sites[site.id] = site
            self.site_combo.addItem(site.name, str(site.id))
        self.activity_combo.currentTextChanged.connect(self._on_activity_changed)
        self.site_combo.currentIndexChanged.connect(self._on_site_changed)
        self.start_edit.dateTimeChanged.connect(self._on_start_changed)
        self.status_combo.activated.connect(self._on_status_chosen)
        self.repeat_button.clicked.connect(self._on_repeat_clicked)

    # ---- choices -----------------------------------------------------------------------

    def _site_id(self) -> uuid.UUID | None:
        value = self.site_combo.currentData()
        return uuid.UUID(value) if value else None

    def _fill_templates(self, site_id: uuid.UUID | None) -> None:
        """The site's activity templates, in the site's order."""
        site = self._sites.get(site_id) if site_id else None
        templates = activity_templates(site) if site is not None else ()
        self._templates = {template.name.casefold(): template for template in templates}
        text = self.activity_combo.currentText()
        self.activity_combo.blockSignals(True)
        self.activity_combo.clear()
        for template in templates:
            self.activity_combo.addItem(template.name)
        self.activity_combo.setCurrentIndex(-1)
        self.activity_combo.setEditText(text)
        self.activity_combo.blockSignals(False)

    def _fill_facilitators(self, site_id: uuid.UUID | None, checked: set[str]) -> None:
        self.facilitator_list.clear()
        try:
            staff = StaffService(self.db, self.actor).rows(site_id=site_id) if site_id else []
        except Exception as exc:
            self.errors.show_general(describe_failure(exc, "list the staff at this site"))
            staff = []
        for member in staff:
            item = QListWidgetItem(member.full_name)
            item.setData(Qt.ItemDataRole.UserRole, str(member.id))
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            ticked = str(member.id) in checked
            item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
            self.facilitator_list.addItem(item)

    def facilitator_ids(self) -> list[str]:
        items = (self.facilitator_list.item(i) for i in range(self.facilitator_list.count()))
        return sorted(
            str(item.data(Qt.ItemDataRole.UserRole))
            for item in items
            if item.checkState() == Qt.CheckState.Checked
        )

    # ---- slots -------------------------------------------------------------------------

    def _on_activity_changed(self, text: str) -> None:
        if self._filling:
            return
        title = self.title_edit.text().strip()
        if not title or title == self._auto_title:
            self._auto_title = auto_title(text)
            self.title_edit.setText(self._auto_title)
        template = self._templates.get(text.strip().casefold())
        if self.record_id is None and template is not None:
            self.kind_combo.setCurrentIndex(max(self.kind_combo.findData(str(template.kind)), 0))
            if template.minutes:
                self.duration_spin.setValue(template.minutes)

    def _on_site_changed(self, _index: int) -> None:
        if self._filling:
            return
        site_id = self._site_id()
        self._fill_templates(site_id)
        self._fill_facilitators(site_id, set(self.facilitator_ids()))

    def _on_start_changed(self, value: QDateTime) -> None:
        if self._filling or self._status_touched:
            return
        future = to_utc(_wall(value)) > utc_now()
        status = GroupStatus.PLANNED if future else GroupStatus.HELD
        self.status_combo.setCurrentIndex(self.status_combo.findData(status.value))

    def _on_status_chosen(self, _index: int) -> None:
        self._status_touched = True

    def _on_repeat_clicked(self) -> None:
        self.repeat_last_week()

    # ---- RecordForm hooks --------------------------------------------------------------

    def blank_values(self) -> dict[str, Any]:
        now = to_local(utc_now()).replace(second=0, microsecond=0, tzinfo=None)
        start = now.replace(minute=now.minute - now.minute % 15)
        mine = self.actor.staff_member_id
        return {
            "site_id": self.site_combo.itemData(0),
            "kind": GroupKind.SOCIALLY_CREATIVE.value,
            "activity": "",
            "title": "",
            "started_at": start.isoformat(timespec="minutes"),
            "duration_minutes": 60,
            "status": GroupStatus.HELD.value,
            "facilitator_ids": [str(mine)] if mine else [],
            "planned_by_residents": False,
            "resident_planning_note": "",
            "observations": "",
            "register": {},
        }

    def values(self) -> dict[str, Any]:
        return {
            "site_id": self.site_combo.currentData(),
            "kind": self.kind_combo.currentData(),
            "activity": self.activity_combo.currentText(),
            "title": self.title_edit.text(),
            "started_at": _wall(self.start_edit.dateTime()).isoformat(timespec="minutes"),
            "duration_minutes": self.duration_spin.value(),
            "status": self.status_combo.currentData(),
            "facilitator_ids": self.facilitator_ids(),
            "planned_by_residents": self.planned_check.isChecked(),
            "resident_planning_note": self.planning_note_edit.toPlainText(),
            "observations": self.observations_edit.toPlainText(),
            "register": self.register.values(),
        }

    def set_values(self, values: dict[str, Any]) -> None:
        self.site_combo.setCurrentIndex(max(self.site_combo.findData(values["site_id"]), 0))
        self.site_combo.setEnabled(self.record_id is None and self.site_combo.count() > 1)
        site_id = self._site_id()
        self._fill_templates(site_id)
        self._fill_facilitators(site_id, set(values["facilitator_ids"]))
        self.kind_combo.setCurrentIndex(max(self.kind_combo.findData(values["kind"]), 0))
        self.activity_combo.setEditText(values["activity"])
        self.title_edit.setText(values["title"])
        self._auto_title = auto_title(values["activity"]) if values["activity"] else ""
        self.start_edit.setDateTime(_qt_wall(datetime.fromisoformat(values["started_at"])))
        self.duration_spin.setValue(int(values["duration_minutes"]))
        self.status_combo.setCurrentIndex(max(self.status_combo.findData(values["status"]), 0))
        self._status_touched = self.record_id is not None
        self.planned_check.setChecked(bool(values["planned_by_residents"]))
        self.planning_note_edit.setPlainText(values["resident_planning_note"])
        self.observations_edit.setPlainText(values["observations"])
        saved = self.record_id is not None
        self.register.setVisible(saved)
        self.register_hint.setVisible(not saved)
        self.repeat_button.setVisible(not saved)
        if not saved:
            self._row = None
            self.register.load([], RegisterCodes((), frozenset()))
        self.register.set_values(values.get("register") or {})

    def load(self, record_id: uuid.UUID) -> tuple[dict[str, Any], int]:
        row = self._service.get(record_id)
        entries = self._service.register(record_id)
        site = self._sites.get(row.site_id) or SiteService(self.db, self.actor).get(row.site_id)
        self._row = row
        self.register.load(entries, RegisterCodes.of(site_settings(site)))
        started = to_local(row.started_at).replace(tzinfo=None)
        values: dict[str, Any] = {
            "site_id": str(row.site_id),
            "kind": row.kind.value,
            "activity": row.activity,
            "title": row.title,
            "started_at": started.isoformat(timespec="minutes"),
            "duration_minutes": row.duration_minutes,
            "status": row.status.value,
            "facilitator_ids": sorted(str(member) for member in row.facilitator_ids),
            "planned_by_residents": row.planned_by_residents,
            "resident_planning_note": row.resident_planning_note,
            "observations": row.observations,
            "register": {},
        }
        return values, row.version

    def data(self) -> GroupInput:
        values = self.values()
        site = values["site_id"]
        return GroupInput(
            site_id=uuid.UUID(site) if site else NO_SITE,
            kind=values["kind"],
            activity=values["activity"].strip(),
            title=values["title"].strip(),
            started_at=to_utc(datetime.fromisoformat(values["started_at"])),
            duration_minutes=values["duration_minutes"],
            facilitator_ids=frozenset(uuid.UUID(member) for member in values["facilitator_ids"]),
            planned_by_residents=values["planned_by_residents"],
            resident_planning_note=values["resident_planning_note"].strip(),
            observations=values["observations"].strip(),
            status=values["status"],
        )

    def write(self) -> tuple[uuid.UUID, int]:
        """The session and its changed register in one action (notes checked first)."""
        if self.record_id is None:
            row = self._service.create(self.data())
            self.created.emit(row.id)
            return row.id, row.version
        missing = self.register.rows_needing_a_note()
        if missing:
            names = ", ".join(self.register.model.mark(row).entry.resident_name for row in missing)
            self.register.table.selectRow(missing[0])
            raise ValidationError.single(
                "register", f"add a note for {names} (select the row, press Enter)"
            )
        assert self.version is not None
        if self.is_dirty():
            register = self.register.entries() if self.register.is_dirty else None
            row = self._service.update(self.record_id, self.version, self.data(), register)
            self.version, self._row = row.version, row
        return self.record_id, self.version

    def archive_record(self, record_id: uuid.UUID, version: int) -> None:
        self._service.archive(record_id, version)

    def problems_for(self, problems: list[FieldProblem]) -> list[FieldProblem]:
        """Register problems (``entries[i].note``) under the register, naming the resident."""
        entries = self.register.entries()
        reworded = []
        for problem in problems:
            if not problem.field.startswith("entries["):
                reworded.append(problem)
                continue
            index = int(problem.field[len("entries[") : problem.field.index("]")])
            part = problem.field.rsplit(".", 1)[-1]
            name = (
                self.register.resident_name(entries[index].resident_id)
                if index < len(entries)
                else "a resident"
            )
            reworded.append(FieldProblem("register", f"{name}'s {part}: {problem.message}"))
        return reworded

    def focus_first(self) -> None:
        if self.record_id is None:
            self.activity_combo.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.register.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def title_text(self) -> str:
        row = self._row
        if self.record_id is None or row is None:
            return f"New {self.NOUN}"
        return f"{row.title}, {local_day(row.started_at):%a %d %b %Y}"

    def draft_title(self) -> str:
        activity = self.activity_combo.currentText().strip()
        if self.record_id is None and activity:
            return f"New group session: {activity}"
        return self.title_text()

    def history_value(self, field: str, value: Any) -> str:
        if field == "kind" and isinstance(value, str) and value in set(GroupKind):
            return KIND_LABELS[GroupKind(value)]
        if field == "status" and isinstance(value, str) and value in set(GroupStatus):
            return STATUS_LABELS[GroupStatus(value)]
        if field == "planned_by_residents" and isinstance(value, bool):
            return "Yes" if value else "No"
        return plain_value(value)

    def history_rows(self) -> list[tuple[str, str, str, str]]:
        """The session's changes and its register's, oldest first."""
        if self.record_id is None:
            return []
        events = AuditTrailService(self.db, self.actor).history(self.ENTITY_TYPE, self.record_id)
        found = [(event.occurred_at, self._history_row(event)) for event in events]
        found += [
            (change.change.occurred_at, register_history_row(change))
            for change in self._service.register_history(self.record_id)
        ]
        return [row for _when, row in sorted(found, key=lambda pair: pair[0])]

    # ---- repeats -----------------------------------------------------------------------

    def repeat_last_week(self) -> bool:
        """Copy the session held 7 days before this date (same activity if one is chosen)."""
        self.errors.clear()
        data = self.data()
        day = local_day(data.started_at) - timedelta(days=7)
        try:
            found = self._service.rows(site_id=data.site_id, date_from=day, date_to=day)
        except Exception as exc:
            self.errors.show_general(describe_failure(exc, "find last week's session"))
            return False
        activity = data.activity.casefold()
        same = [row for row in found if row.activity.casefold() == activity]
        candidates = same if activity else found
        if not candidates:
            what = f"{data.activity} session" if activity else "session"
            self.errors.show_general(
                f"There was no {what} on {day:%a %d %b %Y} at {self.site_combo.currentText()} "
                "to repeat. Choose a date a week after the one you want to copy."
            )
            return False
        return self.repeat(min(candidates, key=lambda row: row.started_at))

    def repeat(self, source: GroupRow) -> bool:
        """The same session one week later (facilitators and planning; no register), opened."""
        try:
            # A week later by the clock on the wall, across a change to or from summer time.
            later = to_utc(to_local(source.started_at) + timedelta(days=7))
            copy = self._service.repeat(source.id, later)
        except Exception as exc:
            self.errors.show_general(describe_failure(exc, "repeat the session"))
            return False
        self.forget_draft()
        return self.open_record(copy.id, offer_draft=False)
