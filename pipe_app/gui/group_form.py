"""The form of one group session (ui/group_form.ui): new from an activity template, or edit.

Kept small on purpose: dirty tracking, Ctrl+S/Esc and conflict handling are the parts that
belong on the shared record-form base once it exists.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

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
from pipe_app.gui.assets import child, load_form
from pipe_app.gui.field_errors import FieldErrors
from pipe_app.gui.problems import describe_failure
from pipe_app.services.errors import ConflictError, ValidationError
from pipe_app.services.groups import ACTIVITY_SUGGESTIONS, GroupInput, GroupRow, GroupService
from pipe_app.services.permissions import Actor
from pipe_app.services.sites import SiteRow
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

# Typical length of each suggested activity; anything else starts at an hour.
TEMPLATE_MINUTES = {
    "cooking": 90,
    "art": 90,
    "drama": 90,
    "gardening": 90,
    "sport": 90,
    "outing": 180,
    "film night": 120,
    "volunteering": 180,
    "community meeting": 60,
    "house meeting": 45,
    "reading": 60,
    "quiz": 60,
}

_FIELDS = {
    "site_id": ("siteCombo", "Site"),
    "kind": ("kindCombo", "Kind"),
    "activity": ("activityCombo", "Activity"),
    "title": ("titleEdit", "Title"),
    "started_at": ("startEdit", "Start"),
    "duration_minutes": ("durationSpin", "Duration"),
    "status": ("statusCombo", "Status"),
    "facilitator_ids": ("facilitatorList", "Facilitators"),
    "resident_planning_note": ("planningNoteEdit", "Planning note"),
    "observations": ("observationsEdit", "Observations"),
}


def auto_title(activity: str) -> str:
    activity = activity.strip()
    return activity[:1].upper() + activity[1:]


def _to_qt(moment: datetime) -> QDateTime:
    local = to_local(moment)
    return QDateTime(
        QDate(local.year, local.month, local.day),
        QTime(local.hour, local.minute),
        QTimeZone(b"Europe/London"),
    )


def _from_qt(value: QDateTime) -> datetime:
    """What the field shows, read as UK local time."""
    day, clock = value.date(), value.time()
    local = datetime(day.year(), day.month(), day.day(), clock.hour(), clock.minute())
    return to_utc(local)


class GroupForm(QWidget):
    """``saved`` carries the GroupRow after create/update/repeat; ``row`` is None while new."""

    saved = Signal(object)
    back_requested = Signal()

    def __init__(
        self, db: Database, actor: Actor, service: GroupService, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("groupForm")
        self.db, self.actor, self._service = db, actor, service
        self.row: GroupRow | None = None
        self._snapshot: GroupInput | None = None
        self._auto_title = ""
        self._status_touched = False
        self.form = load_form("group_form", self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.form)
        f = self.form
        self.heading: QLabel = child(f, QLabel, "headingLabel")
        self.site_combo: QComboBox = child(f, QComboBox, "siteCombo")
        self.kind_combo: QComboBox = child(f, QComboBox, "kindCombo")
        self.activity_combo: QComboBox = child(f, QComboBox, "activityCombo")
        self.title_edit: QLineEdit = child(f, QLineEdit, "titleEdit")
        self.start_edit: QDateTimeEdit = child(f, QDateTimeEdit, "startEdit")
        self.duration_spin: QSpinBox = child(f, QSpinBox, "durationSpin")
        self.status_combo: QComboBox = child(f, QComboBox, "statusCombo")
        self.facilitator_list: QListWidget = child(f, QListWidget, "facilitatorList")
        self.planned_check: QCheckBox = child(f, QCheckBox, "plannedCheck")
        self.planning_note_edit: QPlainTextEdit = child(f, QPlainTextEdit, "planningNoteEdit")
        self.observations_edit: QPlainTextEdit = child(f, QPlainTextEdit, "observationsEdit")
        self.repeat_button: QPushButton = child(f, QPushButton, "repeatButton")
        self.back_button: QPushButton = child(f, QPushButton, "backButton")
        self.save_button: QPushButton = child(f, QPushButton, "saveButton")
        self.errors = FieldErrors(child(f, QLabel, "messageLabel"))
        for key, (name, label) in _FIELDS.items():
            self.errors.add(key, child(f, QWidget, name), label)
        activity_edit = self.activity_combo.lineEdit()
        assert activity_edit is not None  # editable in the .ui
        activity_edit.setMaxLength(80)
        self.activity_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        # Staff type UK wall-clock times whatever the computer's own zone is set to.
        self.start_edit.setTimeZone(QTimeZone(b"Europe/London"))
        for kind, label in KIND_LABELS.items():
            self.kind_combo.addItem(label, kind)
        for status, label in STATUS_LABELS.items():
            self.status_combo.addItem(label, status)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.kind_combo.currentIndexChanged.connect(self._on_kind_changed)
        self.activity_combo.currentTextChanged.connect(self._on_activity_changed)
        self.site_combo.currentIndexChanged.connect(self._on_site_changed)
        self.start_edit.dateTimeChanged.connect(self._on_start_changed)
        self.status_combo.activated.connect(self._on_status_chosen)
        self.save_button.clicked.connect(self.save)
        self.repeat_button.clicked.connect(self.repeat_last_week)
        self.back_button.clicked.connect(self.back_requested)

    # ---- filling -----------------------------------------------------------------------

    def set_sites(self, sites: list[SiteRow]) -> None:
        self.site_combo.blockSignals(True)
        self.site_combo.clear()
        for site in sites:
            self.site_combo.addItem(site.name, site.id)
        self.site_combo.blockSignals(False)

    def _select(self, combo: QComboBox, value: object) -> None:
        index = combo.findData(value)
        if index >= 0:
            combo.setCurrentIndex(index)

    def start_new(self, site_id: uuid.UUID | None = None) -> None:
        """A blank session for now (rounded to the quarter hour), run by me."""
        self.row = None
        self.heading.setText("New session")
        self.errors.clear()
        if site_id is not None:
            self._select(self.site_combo, site_id)
        self.site_combo.setEnabled(self.site_combo.count() > 1)
        now = to_local(utc_now()).replace(second=0, microsecond=0)
        self.start_edit.setDateTime(_to_qt(now.replace(minute=now.minute - now.minute % 15)))
        self.kind_combo.setCurrentIndex(0)
        self._on_kind_changed()
        self.activity_combo.setCurrentIndex(-1)
        self.activity_combo.setEditText("")
        self.title_edit.clear()
        self._auto_title = ""
        self.duration_spin.setValue(60)
        self._status_touched = False
        self._select(self.status_combo, GroupStatus.HELD)
        self._fill_facilitators(
            {self.actor.staff_member_id} if self.actor.staff_member_id else set()
        )
        self.planned_check.setChecked(False)
        self.planning_note_edit.clear()
        self.observations_edit.clear()
        self.repeat_button.setVisible(True)
        self._snapshot = self.data()
        self.kind_combo.setFocus(Qt.FocusReason.OtherFocusReason)

    def load(self, row: GroupRow) -> None:
        self.row = row
        self.heading.setText(f"{row.title}, {local_day(row.started_at):%a %d %b %Y}")
        self.errors.clear()
        self._select(self.site_combo, row.site_id)
        self.site_combo.setEnabled(False)  # a session cannot move to another site
        self._select(self.kind_combo, row.kind)
        self._on_kind_changed()
        self.activity_combo.setEditText(row.activity)
        self.title_edit.setText(row.title)
        self._auto_title = ""
        self.start_edit.setDateTime(_to_qt(row.started_at))
        self.duration_spin.setValue(row.duration_minutes)
        self._status_touched = True
        self._select(self.status_combo, row.status)
        self._fill_facilitators(set(row.facilitator_ids))
        self.planned_check.setChecked(row.planned_by_residents)
        self.planning_note_edit.setPlainText(row.resident_planning_note)
        self.observations_edit.setPlainText(row.observations)
        self.repeat_button.setVisible(False)
        self._snapshot = self.data()

    def take_version(self, row: GroupRow) -> None:
        """Our own register save bumped the version: keep the typing, take the new version."""
        if self.row is not None and self.row.id == row.id:
            self.row = row

    def _fill_facilitators(self, checked: set[uuid.UUID]) -> None:
        self.facilitator_list.clear()
        site_id = self.site_combo.currentData()
        try:
            staff = StaffService(self.db, self.actor).rows(site_id=site_id) if site_id else []
        except Exception as exc:
            self.errors.show_general(describe_failure(exc, "list the staff at this site"))
            staff = []
        for member in staff:
            item = QListWidgetItem(member.full_name)
            item.setData(Qt.ItemDataRole.UserRole, member.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if member.id in checked else Qt.CheckState.Unchecked
            )
            self.facilitator_list.addItem(item)

    def facilitator_ids(self) -> frozenset[uuid.UUID]:
        items = (self.facilitator_list.item(i) for i in range(self.facilitator_list.count()))
        return frozenset(
            item.data(Qt.ItemDataRole.UserRole)
            for item in items
            if item.checkState() == Qt.CheckState.Checked
        )

    # ---- template behaviour ------------------------------------------------------------

    def _on_kind_changed(self, _index: int = 0) -> None:
        kind = self.kind_combo.currentData()
        text = self.activity_combo.currentText()
        self.activity_combo.blockSignals(True)
        self.activity_combo.clear()
        self.activity_combo.addItems(list(ACTIVITY_SUGGESTIONS.get(kind, ())))
        self.activity_combo.setCurrentIndex(-1)
        self.activity_combo.setEditText(text)
        self.activity_combo.blockSignals(False)

    def _on_activity_changed(self, text: str) -> None:
        title = self.title_edit.text().strip()
        if not title or title == self._auto_title:
            self._auto_title = auto_title(text)
            self.title_edit.setText(self._auto_title)
        if self.row is None and text.strip().casefold() in TEMPLATE_MINUTES:
            self.duration_spin.setValue(TEMPLATE_MINUTES[text.strip().casefold()])

    def _on_site_changed(self, _index: int) -> None:
        self._fill_facilitators(set(self.facilitator_ids()))

    def _on_start_changed(self, value: QDateTime) -> None:
        if not self._status_touched:
            future = _from_qt(value) > utc_now()
            self._select(self.status_combo, GroupStatus.PLANNED if future else GroupStatus.HELD)

    def _on_status_chosen(self, _index: int) -> None:
        self._status_touched = True

    # ---- reading and saving ------------------------------------------------------------

    def data(self) -> GroupInput:
        site_id = self.site_combo.currentData()
        return GroupInput(
            site_id=site_id if isinstance(site_id, uuid.UUID) else uuid.UUID(int=0),
            kind=GroupKind(self.kind_combo.currentData()),  # Qt hands enums back as str
            activity=self.activity_combo.currentText().strip(),
            title=self.title_edit.text().strip(),
            started_at=_from_qt(self.start_edit.dateTime()),
            duration_minutes=self.duration_spin.value(),
            facilitator_ids=self.facilitator_ids(),
            planned_by_residents=self.planned_check.isChecked(),
            resident_planning_note=self.planning_note_edit.toPlainText().strip(),
            observations=self.observations_edit.toPlainText().strip(),
            status=GroupStatus(self.status_combo.currentData()),
        )

    @property
    def is_dirty(self) -> bool:
        return self.row is None or self.data() != self._snapshot

    @property
    def has_typing(self) -> bool:
        """Changes someone would be sorry to lose (a new, untouched form has none)."""
        return self.data() != self._snapshot

    def save(self) -> GroupRow | None:
        """Create or update; problems appear under their fields and nothing is written."""
        self.errors.clear()
        data = self.data()
        try:
            if self.row is None:
                saved = self._service.create(data)
            elif data != self._snapshot:
                saved = self._service.update(self.row.id, self.row.version, data)
            else:
                return self.row
        except ValidationError as exc:
            first = self.errors.show(exc.problems)
            if first is not None:
                first.setFocus(Qt.FocusReason.OtherFocusReason)
            return None
        except ConflictError:
            assert self.row is not None
            self._reload_after_conflict(self.row.id)
            return None
        except Exception as exc:
            self.errors.show_general(describe_failure(exc, "save the session"))
            return None
        self.load(saved)
        self.saved.emit(saved)
        return saved

    def _reload_after_conflict(self, group_id: uuid.UUID) -> None:
        try:
            fresh = self._service.get(group_id)
        except Exception as exc:
            self.errors.show_general(describe_failure(exc, "reload the session"))
            return
        self.load(fresh)
        self.errors.show_general(
            "Not saved: someone else changed this session while you were editing it. "
            "It has been reloaded with their changes; please make yours again."
        )

    def repeat_last_week(self) -> GroupRow | None:
        """Copy the session held 7 days before this date (same activity if one is chosen)."""
        self.errors.clear()
        data = self.data()
        day = local_day(data.started_at) - timedelta(days=7)
        try:
            found = self._service.rows(site_id=data.site_id, date_from=day, date_to=day)
        except Exception as exc:
            self.errors.show_general(describe_failure(exc, "find last week's session"))
            return None
        activity = data.activity.casefold()
        same = [row for row in found if row.activity.casefold() == activity] if activity else []
        kind = [row for row in found if row.kind == data.kind]
        candidates = same or (kind if not activity else []) or ([] if activity else found)
        if not candidates:
            what = f"{data.activity} session" if activity else "session"
            self.errors.show_general(
                f"There was no {what} on {day:%a %d %b %Y} at {self.site_combo.currentText()} "
                "to repeat. Choose a date a week after the one you want to copy."
            )
            return None
        return self.repeat(min(candidates, key=lambda row: row.started_at))

    def repeat(self, source: GroupRow) -> GroupRow | None:
        """The same session one week later (facilitators and planning; no register)."""
        try:
            # A week later by the clock on the wall, across a change to or from summer time.
            later = to_utc(to_local(source.started_at) + timedelta(days=7))
            copy = self._service.repeat(source.id, later)
        except Exception as exc:
            self.errors.show_general(describe_failure(exc, "repeat the session"))
            return None
        self.load(copy)
        self.saved.emit(copy)
        return copy
