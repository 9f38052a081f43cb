"""Key work: the list of sessions (fetched a page at a time) and the session form.

The list asks KeyWorkService for 200 rows at a time, newest first or in the order of the
column heading clicked, so it opens as fast with 200,000 sessions as with 200; sorting,
filters and search run in the database. Enter or a double click opens a session; Ctrl+N
starts a new one.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QLineEdit,
    QPushButton,
    QWidget,
)

from pipe_app.domain.enums import SessionStatus
from pipe_app.gui.draft_offers import restore_draft
from pipe_app.gui.drafts import DraftKey, delete_draft, drafts_for, load_draft
from pipe_app.gui.key_work_form import STATUS_LABELS, KeyWorkForm
from pipe_app.gui.lazy_list_panel import LazyListPanel, ListPanelSpec, service_fetch
from pipe_app.gui.list_count import SEARCH_COUNTED_TO
from pipe_app.gui.list_filters import date_filter, filtered_day, plain_combo
from pipe_app.gui.list_form_stack import FormMaker, ListFormStack
from pipe_app.gui.pages import Page, PageSpec
from pipe_app.gui.problems import describe_failure
from pipe_app.gui.record_form import Confirm, when_text
from pipe_app.gui.table_model import Column, LazyRowTableModel
from pipe_app.services.key_work import (
    NEWEST_FIRST,
    KeyWorkOrder,
    KeyWorkRow,
    KeyWorkService,
    KeyWorkSort,
    held_row_matches,
)
from pipe_app.services.permissions import Actor, Permission
from pipe_app.services.sites import SiteService
from pipe_app.services.staff import StaffService
from pipe_app.storage.database import Database

PAGE_SIZE = 200
RISK_COLOUR = QColor("#a8201a")

_Index = QModelIndex | QPersistentModelIndex


def _kind(row: KeyWorkRow) -> str:
    if row.did_not_attend:
        return "Did not attend"
    return "Planned" if row.planned else "Unplanned"


KEY_WORK_COLUMNS: list[Column[KeyWorkRow]] = [
    Column("When", lambda r: r.started_at),
    Column("Resident", lambda r: r.resident_name),
    Column("CRN", lambda r: r.crn, tooltip="Probation case reference number"),
    Column("Key worker", lambda r: r.key_worker_name),
    Column("Site", lambda r: r.site_name),
    Column("Minutes", lambda r: r.duration_minutes, align_right=True),
    Column("Type", _kind),
    Column("Risk", lambda r: "⚠ Risk concern" if r.risk_concern else ""),
    Column("Status", lambda r: STATUS_LABELS[r.status]),
    Column("Topics", lambda r: ", ".join(r.topics)),
]
RISK_COLUMN = 7
SITE_COLUMN = 4
LIST_PANEL = ListPanelSpec(
    prefix="keyWork",
    name="keyWorkList",
    what="key-work sessions",
    search_hint="Search residents, CRN, key worker, notes (3+ letters)  (Ctrl+F)",
    noun="session",
    plural="sessions",
    table="keyWorkTable",
    table_name="Key-work sessions",
    widths=(150, 160, 84, 140, 120, 76, 128, 124, 96),
)


@dataclass(frozen=True)
class KeyWorkFilters:
    site_id: uuid.UUID | None = None
    key_worker_id: uuid.UUID | None = None
    date_from: date | None = None
    date_to: date | None = None
    status: SessionStatus | None = None
    search: str = ""

    def as_arguments(self) -> dict[str, Any]:
        return {
            "site_id": self.site_id,
            "key_worker_id": self.key_worker_id,
            "date_from": self.date_from,
            "date_to": self.date_to,
            "status": self.status,
            "search": self.search,
        }


# What a header click sorts by (Type and Topics are not sortable).
KEY_WORK_SORTS = {
    0: KeyWorkSort.STARTED,
    1: KeyWorkSort.RESIDENT,
    2: KeyWorkSort.CRN,
    3: KeyWorkSort.KEY_WORKER,
    SITE_COLUMN: KeyWorkSort.SITE,
    5: KeyWorkSort.MINUTES,
    RISK_COLUMN: KeyWorkSort.RISK,
    8: KeyWorkSort.STATUS,
}


class KeyWorkTableModel(LazyRowTableModel[KeyWorkRow, KeyWorkSort]):
    """Newest sessions first; the summary as a tooltip; risk concerns in red (with text)."""

    def __init__(self, parent: QWidget | None = None, page_size: int = PAGE_SIZE) -> None:
        super().__init__(
            KEY_WORK_COLUMNS,
            parent=parent,
            page_size=page_size,
            what="more key-work sessions",
            order=NEWEST_FIRST,
            sorts=KEY_WORK_SORTS,
        )

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        tip = role == Qt.ItemDataRole.ToolTipRole
        risk = role == Qt.ItemDataRole.ForegroundRole and index.column() == RISK_COLUMN
        if (tip or risk) and index.isValid() and 0 <= index.row() < len(self._rows):
            row = self._rows[index.row()]
            if tip:
                return row.summary[:400] or None
            return RISK_COLOUR if row.risk_concern else None
        return super().data(index, role)


class KeyWorkPage(Page):
    """A list and a form in one stack: the list is shown until a session is opened."""

    def __init__(
        self, spec: PageSpec, db: Database, actor: Actor, parent: QWidget | None = None
    ) -> None:
        super().__init__(spec, db, actor, parent)
        self._service = KeyWorkService(db, actor)
        self._offered_drafts = False
        self._filters_ready = False
        self.filters = KeyWorkFilters()
        self.model = KeyWorkTableModel(self)

        self.site_combo = plain_combo("keyWorkSiteFilter", "Show sessions at site")
        self.worker_combo = plain_combo("keyWorkWorkerFilter", "Show sessions by key worker")
        self.status_combo = plain_combo("keyWorkStatusFilter", "Show sessions with status")
        self.from_edit = date_filter("keyWorkFromFilter", "Sessions from date")
        self.to_edit = date_filter("keyWorkToFilter", "Sessions up to date")
        self.new_button = QPushButton("New session")
        self.new_button.setObjectName("newKeyWorkButton")
        self.new_button.setToolTip("Record a new key-work session (Ctrl+N)")
        self.new_button.setAccessibleName("New key-work session")
        self.list_panel = LazyListPanel(
            LIST_PANEL,
            self.model,
            filters=(
                ("Site", self.site_combo),
                ("From", self.from_edit),
                ("To", self.to_edit),
                ("Status", self.status_combo),
                ("Key worker", self.worker_combo),
            ),
            buttons=(self.new_button,),
            holds=held_row_matches,
        )
        self.search_edit = self.list_panel.search_edit
        self.table = self.list_panel.table
        self.count_label = self.list_panel.count_label
        self.notice_label = self.list_panel.notice_label
        self._filtered = False  # the last load had a filter or search: "match", not "yet"

        form = FormMaker(KeyWorkForm, db, actor)  # built when first opened
        self.stack = ListFormStack("keyWorkStack", self.list_panel, form, self.table, self)
        self.body.addWidget(self.stack, 1)
        self.new_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.New), self)
        # Window-wide, but live only while this page is the one shown.
        self.new_shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        self.new_button.setEnabled(actor.can(Permission.KEY_WORK_WRITE))
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.list_panel.count.counted.connect(self._on_counted)
        self.list_panel.failed.connect(self.show_error)
        self.list_panel.changed.connect(self._on_filters_changed)
        self.table.activated.connect(self._on_row_activated)
        self.new_button.clicked.connect(self.new_session)
        self.new_shortcut.activated.connect(self.new_session)
        self.stack.form_built.connect(self._connect_form)

    def _connect_form(self, form: KeyWorkForm) -> None:
        form.saved.connect(self._on_form_saved)
        form.archived.connect(self._on_form_archived)
        form.closed.connect(self._on_form_closed)

    @property
    def form(self) -> KeyWorkForm:
        return self.stack.form_of(KeyWorkForm)

    # ---- the list ----------------------------------------------------------------------

    def search_field(self) -> QLineEdit:
        return self.search_edit

    def _fill_filters(self) -> None:
        """Choices for the filter boxes, once: sites and staff the user may see."""
        self._filters_ready = False
        for combo in (self.site_combo, self.worker_combo, self.status_combo):
            combo.blockSignals(True)
            combo.clear()
        self.site_combo.addItem("All my sites", None)
        try:
            for site in SiteService(self.db, self.actor).rows():
                if self.actor.is_system or site.id in self.actor.site_ids:
                    self.site_combo.addItem(site.name, site.id)
        except Exception as exc:
            self.show_error(describe_failure(exc, "read your sites"))
        self.worker_combo.addItem("Anyone", None)
        if self.actor.staff_member_id is not None:
            self.worker_combo.addItem("Me", self.actor.staff_member_id)
        if self.actor.can(Permission.STAFF_READ):
            try:
                for member in StaffService(self.db, self.actor).rows(include_left=True):
                    if member.id != self.actor.staff_member_id:
                        self.worker_combo.addItem(member.full_name, member.id)
            except Exception as exc:
                self.show_error(describe_failure(exc, "read the staff list"))
        self.status_combo.addItem("Any", None)
        for status, label in STATUS_LABELS.items():
            self.status_combo.addItem(label, status)
        several = self.site_combo.count() > 2
        for action in self.list_panel.filter_bar.actions()[:2]:  # the site label and box
            action.setVisible(several)
        self.table.setColumnHidden(SITE_COLUMN, not several)
        for combo in (self.site_combo, self.worker_combo, self.status_combo):
            combo.blockSignals(False)
        self._filters_ready = True

    def _read_filters(self) -> KeyWorkFilters:
        return KeyWorkFilters(
            site_id=self.site_combo.currentData(),
            key_worker_id=self.worker_combo.currentData(),
            date_from=filtered_day(self.from_edit),
            date_to=filtered_day(self.to_edit),
            status=self.status_combo.currentData(),
            search=self.search_edit.text().strip(),
        )

    def prepare(self) -> None:
        if not self._filters_ready:
            self._fill_filters()

    def refresh(self) -> None:
        self.prepare()
        self._load()

    @property
    def is_loading(self) -> bool:
        """A search or a count is still being read."""
        return self.list_panel.is_loading

    def _fetch(
        self, filters: KeyWorkFilters
    ) -> Callable[[int, int, KeyWorkOrder], list[KeyWorkRow]]:
        return service_fetch(self._service.rows, filters.as_arguments())

    def warm_up(self) -> Callable[[], object]:
        return self.list_panel.warm_up(lambda: self._fetch(self._read_filters()), self.db.changes)

    def warmed(self, outcome: object) -> None:
        self.list_panel.warmed(outcome)

    def _load(self) -> None:
        self.filters = filters = self._read_filters()
        arguments = filters.as_arguments()
        service = self._service
        self.show_error("")
        self._filtered = any(arguments.values())
        at_most = SEARCH_COUNTED_TO if filters.search else None
        self.list_panel.load_rows(
            self._fetch(filters), lambda: service.count(**arguments, at_most=at_most), at_most
        )

    def _on_counted(self, total: int) -> None:
        if total == 0:
            self.notice_label.setText(
                "No key-work sessions match. Press Ctrl+N to record one."
                if self._filtered
                else "No key-work sessions recorded yet. Press Ctrl+N to record the first."
            )
        elif self.notice_label.text().startswith("No "):
            self.notice_label.clear()

    def _on_filters_changed(self) -> None:
        if self._filters_ready and self._loaded:
            self._load()

    def _on_row_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_record(self.model.row(index.row()).id)

    # ---- the form ----------------------------------------------------------------------

    @property
    def form_open(self) -> bool:
        return self.stack.form_open

    def _show_form(self) -> None:
        self.stack.setCurrentWidget(self.form)
        self.form.focus_first()

    def new_session(self) -> None:
        if not self.actor.can(Permission.KEY_WORK_WRITE):
            return
        if self.form_open and not self.form.can_close():
            return
        self.stack.setCurrentWidget(self.form)
        self.form.start_new()

    def open_record(self, record_id: uuid.UUID | DraftKey | None) -> None:
        """Show one session. A DraftKey (from Today) reopens that unsaved draft; ``None``
        starts a new session (offering any unsaved draft back)."""
        if isinstance(record_id, DraftKey):
            if not (self.form_open and not self.form.can_close()):
                self.reopen_draft(record_id)
            return
        if record_id is None:
            self.new_session()
            return
        if self.form_open and not self.form.can_close():
            return
        if self.form.open_record(record_id):
            self._show_form()
        else:
            self.show_error(self.form.errors.general_message)

    def activate(self) -> None:
        super().activate()
        if not self._offered_drafts:
            self._offered_drafts = True
            QTimer.singleShot(0, self, self._on_offer_drafts_due)  # dies with the page

    def _on_offer_drafts_due(self) -> None:
        self.offer_drafts()

    def offer_drafts(self) -> bool:
        """At start: bring back the newest unsaved key-work form left by a crash."""
        if self.form_open:
            return False
        drafts = drafts_for(self.actor.username, KeyWorkForm.KIND)
        if not drafts:
            return False
        info = drafts[0]
        if not Confirm.ask(
            self,
            "Unsaved changes",
            f"You have an unsaved {KeyWorkForm.DRAFT_NOUN} from {when_text(info.saved_at)}. "
            "Restore it?",
            "Restore",
            "Discard it",
        ):
            delete_draft(self.actor.username, info.key)
            return False
        return self.reopen_draft(info.key)

    def reopen_draft(self, key: DraftKey) -> bool:
        """Open the form a draft belongs to, with the draft's content (used by Today too)."""
        draft = load_draft(self.actor.username, key)
        if draft is None:
            return False
        if restore_draft(self.form, key, draft, self._show_form):
            return True
        self.show_error(self.form.errors.general_message)
        return False

    def can_leave(self) -> bool:
        return self.stack.leave()

    def _on_form_saved(self, _record_id: object) -> None:
        self.notice_label.setText(f"Saved: {self.form.title_text()}.")

    def _on_form_archived(self, _record_id: object) -> None:
        self.notice_label.setText("The key-work session was archived.")

    def _on_form_closed(self) -> None:
        self.stack.back_to_list()
        if self._loaded:
            self._load()
