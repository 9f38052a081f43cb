"""One resident's page, opened from the Residents list: placement, key workers, key work due
and one timeline of everything recorded, newest first. Managers change the placement, record a
departure, hand over key work and, once the last stay has ended, place the resident again.

Everything comes through the services in one background task, so the list never stalls and a
resident outside the user's sites gets a clear message and no data at all.
"""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from pipe_app.gui.assets import icon
from pipe_app.gui.drafts import Draft
from pipe_app.gui.key_worker_dialog import KeyWorkerDialog
from pipe_app.gui.labels import frequency_text
from pipe_app.gui.layouts import nest
from pipe_app.gui.placement_form import NewPlacementForm
from pipe_app.gui.problems import describe_failure
from pipe_app.gui.record_form_dialog import RecordFormDialog
from pipe_app.gui.resident_record import ResidentRecord, load_resident, placed_on
from pipe_app.gui.table_model import Column, RowTableModel, show_date, show_time
from pipe_app.gui.tasks import run_task
from pipe_app.gui.today_lines import Level, days_text
from pipe_app.gui.today_page import level_icon
from pipe_app.services.errors import NotFound, PermissionDenied
from pipe_app.services.permissions import Actor, Permission
from pipe_app.services.residents import PlacementRow
from pipe_app.services.timeline import (
    DEPARTURE_WORDS,
    RELEASE_WORDS,
    ROSH_WORDS,
    SENTENCE_WORDS,
    EventKind,
    TimelineEntry,
)
from pipe_app.storage.database import Database
from pipe_app.timeutil import local_today

_Index = QModelIndex | QPersistentModelIndex

# Timeline entries that open a record on another page.
OPENS = {EventKind.KEY_WORK: "key_work", EventKind.GROUP: "groups"}
KIND_ICONS = {
    EventKind.ARRIVAL: "residents",
    EventKind.DEPARTURE: "residents",
    EventKind.KEY_WORKER: "staff",
    EventKind.KEY_WORK: "key_work",
    EventKind.GROUP: "groups",
}
NOT_AVAILABLE = "That resident does not exist or is not placed at your sites."
NEW_PLACEMENT_TIP = "Place this resident again: a new stay after their last placement ended"
STILL_PLACED_TIP = "Record the departure from the current placement before placing them again"


def _when(entry: TimelineEntry) -> str:
    return show_time(entry.at) if entry.at is not None else show_date(entry.day)


TIMELINE_COLUMNS: list[Column[TimelineEntry]] = [
    Column("When", _when),
    Column("What", lambda entry: entry.title),
    Column("Details", lambda entry: entry.detail),
    Column("Site", lambda entry: entry.site_name),
]


class TimelineModel(RowTableModel[TimelineEntry]):
    """Newest first, as the service returns it; each kind has its page's icon."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(TIMELINE_COLUMNS, None, parent)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and 0 <= index.row() < self.rowCount():
            entry = self.row(index.row())
            if role == Qt.ItemDataRole.DecorationRole and index.column() == 1:
                return icon(KIND_ICONS[entry.kind])
            if role == Qt.ItemDataRole.ToolTipRole:
                if entry.kind in OPENS:
                    return f"{entry.detail}\nPress Enter or double-click to open it."
                return entry.detail or None
        return super().data(index, role)


def _card(name: str, title: str) -> tuple[QFrame, QVBoxLayout]:
    card = QFrame()
    card.setObjectName(name)
    card.setProperty("role", "card")
    layout = QVBoxLayout(card)
    layout.setContentsMargins(14, 10, 14, 12)
    layout.setSpacing(6)
    heading = QLabel(title)
    heading.setProperty("role", "cardHeading")
    layout.addWidget(heading)
    return card, layout


def _manager_button(text: str, name: str, tip: str) -> QPushButton:
    """Shown to managers (people who may change residents); enabled per placement's site."""
    button = QPushButton(text)
    button.setObjectName(name)
    button.setToolTip(tip)
    button.setAccessibleName(tip)
    button.setEnabled(False)
    return button


def _value_label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


PLACEMENT_FIELDS = (
    ("site", "Site"),
    ("kind", "Placement"),
    ("arrival", "Arrived"),
    ("expected_departure", "Expected to leave"),
    ("departure", "Left"),
    ("sentence", "Sentence"),
    ("release", "Release"),
    ("rosh", "RoSH overall"),
    ("rosh_detail", "RoSH by group"),
    ("key_worker", "Key worker"),
)


class ResidentDetail(QWidget):
    """Shown in place of the Residents list; Back or Esc returns to it."""

    closed = Signal()
    loaded = Signal()
    record_requested = Signal(str, object)
    edit_requested = Signal(object)  # the resident id
    placement_edit_requested = Signal(object, bool)  # the placement id; True: record departure
    key_worker_changed = Signal()
    placement_added = Signal(object)  # the new placement's id

    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("residentDetail")
        self.db, self.actor = db, actor
        self.resident_id: uuid.UUID | None = None
        self.record: ResidentRecord | None = None
        self.dialog: QDialog | None = None  # the one window open over the page, if any
        self._pending_draft: Draft | None = None  # a new stay to open once loaded
        self.can_write = actor.can(Permission.RESIDENT_WRITE)
        self._running = 0
        self._generation = 0

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(8)
        top = QHBoxLayout()
        self.back_button = QPushButton("Back to residents")
        self.back_button.setObjectName("residentBack")
        self.back_button.setToolTip("Return to the list of residents (Esc)")
        self.back_button.setAccessibleName("Back to the residents list")
        self.name_label = QLabel()
        self.name_label.setObjectName("residentName")
        self.name_label.setProperty("role", "cardHeading")
        self.summary_label = QLabel()
        self.summary_label.setObjectName("residentSummary")
        self.summary_label.setProperty("role", "hint")
        top.addWidget(self.back_button)
        top.addSpacing(12)
        top.addWidget(self.name_label)
        top.addSpacing(8)
        top.addWidget(self.summary_label, 1)
        self.edit_button = _manager_button(
            "Edit details…", "residentEdit", "Change the resident's name, CRN or other details"
        )
        self.new_placement_button = _manager_button(
            "&New placement…", "placementNew", NEW_PLACEMENT_TIP
        )
        top.addWidget(self.new_placement_button)
        top.addWidget(self.edit_button)
        nest(outer, top)

        self.message = QLabel()
        self.message.setObjectName("residentMessage")
        self.message.setProperty("role", "errorBanner")
        self.message.setWordWrap(True)
        self.message.hide()
        outer.addWidget(self.message)

        self.content = QWidget()
        self.content.setObjectName("residentContent")
        columns = QHBoxLayout(self.content)
        columns.setContentsMargins(0, 0, 0, 0)
        columns.setSpacing(14)
        columns.addWidget(self._build_side(), 0)
        columns.addWidget(self._build_timeline(), 1)
        outer.addWidget(self.content, 1)
        self.content.hide()

        for button in self._write_buttons():
            button.setVisible(self.can_write)
        self.escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        self.escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._connect_signals()

    # ---- building ----------------------------------------------------------------------

    def _build_side(self) -> QScrollArea:
        side = QWidget()
        layout = QVBoxLayout(side)
        layout.setContentsMargins(0, 0, 6, 0)
        layout.setSpacing(12)

        card, box = _card("placementCard", "Placement")
        self.placement_choice = QComboBox()
        self.placement_choice.setObjectName("placementChoice")
        self.placement_choice.setAccessibleName("Which placement to show")
        box.addWidget(self.placement_choice)
        form = QFormLayout()
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(4)
        self.placement_values: dict[str, QLabel] = {}
        for key, caption in PLACEMENT_FIELDS:
            label = _value_label(f"placement_{key}")
            label.setAccessibleName(caption)
            self.placement_values[key] = label
            form.addRow(f"{caption}:", label)
        nest(box, form)
        self.placement_edit_button = _manager_button(
            "Edit &placement…",
            "placementEdit",
            "Change the dates, sentence, RoSH or placement type",
        )
        self.departure_button = _manager_button(
            "Record &departure…", "placementDeparture", "Record the day the resident left, and why"
        )
        buttons = QHBoxLayout()
        buttons.addWidget(self.placement_edit_button)
        buttons.addWidget(self.departure_button)
        buttons.addStretch(1)
        nest(box, buttons)
        layout.addWidget(card)

        card, box = _card("dueCard", "Key work")
        row = QHBoxLayout()
        self.due_icon = QLabel()
        self.due_label = _value_label("keyWorkDue")
        self.due_label.setAccessibleName("Key work due")
        row.addWidget(self.due_icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.due_label, 1)
        nest(box, row)
        layout.addWidget(card)

        card, box = _card("keyWorkerCard", "Key-worker history")
        self.history_list = QListWidget()
        self.history_list.setObjectName("keyWorkerHistory")
        self.history_list.setAccessibleName("Key-worker history, newest first")
        self.history_list.setFixedHeight(76)
        box.addWidget(self.history_list)
        self.key_worker_button = _manager_button(
            "Change &key worker…", "keyWorkerChange", "Hand this placement to another key worker"
        )
        box.addWidget(self.key_worker_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(card)
        layout.addStretch(1)

        scroll = QScrollArea()
        scroll.setObjectName("residentSide")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(side)
        side.setAutoFillBackground(False)  # the page's background shows through
        scroll.viewport().setAutoFillBackground(False)
        scroll.setFixedWidth(400)
        return scroll

    def _build_timeline(self) -> QFrame:
        card, box = _card("timelineCard", "Timeline")
        hint = QLabel("Newest first. Enter or double-click opens a key-work or group session.")
        hint.setProperty("role", "hint")
        hint.setWordWrap(True)
        box.addWidget(hint)
        self.timeline_model = TimelineModel(self)
        self.timeline = QTableView()
        self.timeline.setObjectName("residentTimeline")
        self.timeline.setAccessibleName("Timeline of key work, groups and placement events")
        self.timeline.setModel(self.timeline_model)
        self.timeline.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.timeline.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.timeline.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.timeline.setTabKeyNavigation(False)
        self.timeline.setAlternatingRowColors(True)
        self.timeline.setWordWrap(False)
        self.timeline.verticalHeader().hide()
        header = self.timeline.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        box.addWidget(self.timeline, 1)
        self.timeline_empty = QLabel("Nothing has been recorded for this resident yet.")
        self.timeline_empty.setProperty("role", "hint")
        self.timeline_empty.hide()
        box.addWidget(self.timeline_empty)
        return card

    def _connect_signals(self) -> None:
        self.back_button.clicked.connect(self._on_back_clicked)
        self.edit_button.clicked.connect(self._on_edit_clicked)
        self.placement_edit_button.clicked.connect(self._on_placement_edit_clicked)
        self.departure_button.clicked.connect(self._on_departure_clicked)
        self.key_worker_button.clicked.connect(self._on_key_worker_clicked)
        self.new_placement_button.clicked.connect(self._on_new_placement_clicked)
        self.escape.activated.connect(self._on_back_clicked)
        self.timeline.activated.connect(self._on_entry_activated)
        self.placement_choice.currentIndexChanged.connect(self._on_placement_chosen)

    # ---- loading -----------------------------------------------------------------------

    @property
    def is_loading(self) -> bool:
        return self._running > 0

    def show_resident(self, resident_id: uuid.UUID) -> None:
        """Clear what was shown, then load this resident in the background."""
        self.resident_id = resident_id
        self._clear()
        self.name_label.setText("Loading…")
        self.reload()

    def reload(self) -> None:
        if self.resident_id is None:
            return
        self._generation += 1
        generation, resident_id = self._generation, self.resident_id
        db, actor, today = self.db, self.actor, local_today()
        self._running += 1
        task = run_task(
            self,
            "Opening the resident",
            lambda _progress: load_resident(db, actor, resident_id, today),
            lambda record: self._on_loaded(generation, record),
            lambda error: self._on_failed(generation, error),
        )
        task.ended.connect(self._on_task_ended)

    def _on_task_ended(self) -> None:
        self._running -= 1

    def _clear(self) -> None:
        self.record = None
        for button in self._write_buttons():
            button.setEnabled(False)
        self.content.hide()
        self.message.hide()
        self.summary_label.clear()
        self.timeline_model.set_rows([])
        self.history_list.clear()
        self.placement_choice.blockSignals(True)
        self.placement_choice.clear()
        self.placement_choice.blockSignals(False)
        for label in self.placement_values.values():
            label.clear()
        self.due_label.clear()

    def _on_loaded(self, generation: int, record: ResidentRecord) -> None:
        if generation != self._generation:
            return
        self.record = record
        resident = record.resident
        self.edit_button.setEnabled(self.actor.can(Permission.RESIDENT_WRITE, resident.site_id))
        ended = all(placement.actual_departure is not None for placement in record.placements)
        self.new_placement_button.setEnabled(self.can_write and ended)
        self.new_placement_button.setToolTip(NEW_PLACEMENT_TIP if ended else STILL_PLACED_TIP)
        self.name_label.setText(resident.display_name)
        born = f"born {resident.date_of_birth:%d %b %Y}"
        pronouns = f" · {resident.pronouns}" if resident.pronouns else ""
        self.summary_label.setText(f"CRN {resident.crn} · {born}{pronouns}")
        self.placement_choice.blockSignals(True)
        self.placement_choice.clear()
        for placement in record.placements:
            start = placement.actual_arrival or placement.expected_arrival
            self.placement_choice.addItem(f"{placement.site_name} from {start:%d %b %Y}")
        self.placement_choice.setCurrentIndex(0)
        self.placement_choice.blockSignals(False)
        self.placement_choice.setVisible(len(record.placements) > 1)
        self._show_placement(0)
        self._show_due(record)
        self.timeline_model.set_rows(record.timeline)
        self.timeline.resizeColumnsToContents()
        for column, most in ((0, 150), (1, 300), (3, 160)):
            width = min(self.timeline.columnWidth(column) + 12, most)
            self.timeline.setColumnWidth(column, width)
        # One site only (the usual case): its name on every line says nothing.
        self.timeline.setColumnHidden(3, len({entry.site_name for entry in record.timeline}) < 2)
        self.timeline.setVisible(bool(record.timeline))
        self.timeline_empty.setVisible(not record.timeline)
        self.message.hide()
        self.content.show()
        self.loaded.emit()
        pending, self._pending_draft = self._pending_draft, None
        if pending is not None and pending.key.record_id == resident.id:
            self.open_new_placement(pending)  # over the resident, now on show

    def _on_failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self._clear()
        self.name_label.setText("Resident not available")
        if isinstance(error, NotFound | PermissionDenied):
            self.message.setText(NOT_AVAILABLE)
        else:
            self.message.setText(describe_failure(error, "open this resident"))
        self.message.show()
        self.loaded.emit()

    # ---- showing -----------------------------------------------------------------------

    def _on_placement_chosen(self, number: int) -> None:
        if self.record is not None and number >= 0:
            self._show_placement(number)

    @property
    def placement(self) -> PlacementRow | None:
        """The placement shown (the newest unless another was chosen)."""
        number = self.placement_choice.currentIndex()
        if self.record is None or not 0 <= number < len(self.record.placements):
            return None
        return self.record.placements[number]

    def _write_buttons(self) -> tuple[QPushButton, ...]:
        return (
            self.edit_button,
            self.new_placement_button,
            self.placement_edit_button,
            self.departure_button,
            self.key_worker_button,
        )

    def _show_placement(self, number: int) -> None:
        assert self.record is not None
        placement = self.record.placements[number]
        may_change = self.actor.can(Permission.RESIDENT_WRITE, placement.site_id)
        for button in (self.placement_edit_button, self.key_worker_button):
            button.setEnabled(may_change)
        self.departure_button.setEnabled(may_change and placement.actual_departure is None)
        values = self.placement_values
        values["site"].setText(placement.site_name)
        values["kind"].setText("On the PIPE" if placement.is_pipe else "Lodger (not on the PIPE)")
        if placement.actual_arrival is not None:
            values["arrival"].setText(show_date(placement.actual_arrival))
        else:
            values["arrival"].setText(f"Not yet (expected {show_date(placement.expected_arrival)})")
        values["expected_departure"].setText(show_date(placement.expected_departure))
        if placement.actual_departure is not None:
            reason = placement.departure_reason
            text = f"{show_date(placement.actual_departure)}: "
            text += DEPARTURE_WORDS[reason] if reason else "reason not recorded"
            if placement.departure_notes:
                text += f". {placement.departure_notes}"
            values["departure"].setText(text)
        else:
            values["departure"].setText("Still placed")
        values["sentence"].setText(SENTENCE_WORDS[placement.sentence_type])
        values["release"].setText(RELEASE_WORDS[placement.release_type])
        values["rosh"].setText(ROSH_WORDS[placement.rosh_overall])
        parts = [
            (who, level)
            for who, level in (
                ("children", placement.rosh_children),
                ("public", placement.rosh_public),
                ("known adult", placement.rosh_known_adult),
                ("staff", placement.rosh_staff),
            )
            if level is not None
        ]
        values["rosh_detail"].setText(
            "; ".join(f"{who}: {ROSH_WORDS[level].lower()}" for who, level in parts)
            or "Not recorded separately"
        )
        values["key_worker"].setText(placement.key_worker_name or "None assigned")
        self.history_list.clear()
        history = self.record.history.get(placement.id, ())
        for assignment in reversed(history):
            until = (
                f"to {show_date(assignment.to_date)}"
                if assignment.to_date is not None
                else "(current)"
            )
            self.history_list.addItem(
                f"{assignment.staff_name} · from {show_date(assignment.from_date)} {until}"
            )
        if not history:
            self.history_list.addItem("No key worker has been assigned.")

    def _show_due(self, record: ResidentRecord) -> None:
        due = record.due
        current = next((p for p in record.placements if placed_on(p, local_today())), None)
        if due is None or current is None:
            self.due_icon.setPixmap(level_icon(Level.INFO).pixmap(22, 22))
            self.due_label.setText("Not placed today, so no key work is due.")
            return
        every = frequency_text(record.frequency_days.get(current.site_id, 7))
        last = (
            f"last on {show_date(due.last_session_on)}"
            if due.last_session_on is not None
            else "none since arrival"
        )
        if due.days_overdue > 0:
            level, text = Level.OVERDUE, f"{days_text(due.days_overdue)} overdue"
        elif due.next_due_on == local_today():
            level, text = Level.DUE, "Due today"
        else:
            left = (due.next_due_on - local_today()).days
            level = Level.INFO
            text = f"Next due {show_date(due.next_due_on)} (in {days_text(left)})"
        self.due_icon.setPixmap(level_icon(level).pixmap(22, 22))
        self.due_label.setText(f"{text}. Key work is {every} at {current.site_name}; {last}.")

    # ---- actions -----------------------------------------------------------------------

    def _on_edit_clicked(self) -> None:
        if self.record is not None:
            self.edit_requested.emit(self.record.resident.id)

    def _on_placement_edit_clicked(self) -> None:
        if self.placement is not None:
            self.placement_edit_requested.emit(self.placement.id, False)

    def _on_departure_clicked(self) -> None:
        if self.placement is not None:
            self.placement_edit_requested.emit(self.placement.id, True)

    @property
    def key_worker_dialog(self) -> KeyWorkerDialog | None:
        return self.dialog if isinstance(self.dialog, KeyWorkerDialog) else None

    @property
    def new_placement_dialog(self) -> RecordFormDialog | None:
        return self.dialog if isinstance(self.dialog, RecordFormDialog) else None

    def _open(self, dialog: QDialog) -> None:
        """Window-modal, not blocking; let go of once it is finished with."""
        dialog.finished.connect(self._on_dialog_finished)
        self.dialog = dialog
        dialog.open()
        dialog.activateWindow()

    def _on_dialog_finished(self) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
            self.dialog = None

    def _on_key_worker_clicked(self) -> None:
        if self.placement is None:
            return
        dialog = KeyWorkerDialog(self.db, self.actor, self.placement, self)
        dialog.accepted.connect(self._on_key_worker_saved)
        self._open(dialog)

    def _on_key_worker_saved(self) -> None:
        self.key_worker_changed.emit()
        self.reload()

    def _on_new_placement_clicked(self) -> None:
        self.open_new_placement()

    def open_new_placement(self, draft: Draft | None = None) -> None:
        """The placement form in a window of its own, for a new stay of this resident: with
        ``draft`` put back (from Today), else blank, offering any draft kept for them. Asked
        before the resident is loaded, it opens once they are."""
        if self.record is None or self.record.resident.id != self.resident_id:
            self._pending_draft = draft
            return
        form = NewPlacementForm(self.db, self.actor)
        dialog = RecordFormDialog(form, "newPlacementDialog", self)
        form.saved.connect(self._on_placement_added)
        self._open(dialog)
        form.start_for(self.record.resident, offer_draft=draft is None)  # over the window
        if draft is not None:
            form.restore(draft)
        dialog.fit()

    def _on_placement_added(self, placement_id: uuid.UUID) -> None:
        self.placement_added.emit(placement_id)
        self.reload()

    def _on_back_clicked(self) -> None:
        self._generation += 1  # a load still running is no longer wanted
        self.closed.emit()

    def _on_entry_activated(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        entry = self.timeline_model.row(index.row())
        page = OPENS.get(entry.kind)
        if page is not None and entry.record_id is not None:
            self.record_requested.emit(page, entry.record_id)
