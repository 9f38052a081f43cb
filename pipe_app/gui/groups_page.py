"""Groups & activities: the list of sessions (fetched a page at a time) and one session's form
beside its register.

The list asks GroupService for 200 rows at a time, newest first or in the order of the column
heading clicked; sorting, the filters (site, dates, kind, facilitator) and the search run in
the database. Enter or a double click opens a session; Ctrl+N starts a new one from an
activity template.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QLineEdit,
    QPushButton,
    QWidget,
)

from pipe_app.gui.draft_offers import offer_newest_draft, reopen_draft
from pipe_app.gui.drafts import DraftKey
from pipe_app.gui.group_form import KIND_LABELS, STATUS_LABELS, GroupForm
from pipe_app.gui.lazy_list_panel import LazyListPanel, ListPanelSpec, service_fetch
from pipe_app.gui.list_filters import date_filter, filter_combo, filtered_day
from pipe_app.gui.list_form_stack import FormMaker, ListFormStack
from pipe_app.gui.pages import Page, PageSpec
from pipe_app.gui.problems import describe_failure
from pipe_app.gui.table_model import Column, LazyRowTableModel
from pipe_app.services.groups import (
    NEWEST_FIRST,
    GroupOrder,
    GroupRow,
    GroupService,
    GroupSort,
)
from pipe_app.services.permissions import Actor, Permission
from pipe_app.services.sites import SiteService
from pipe_app.services.staff import StaffService
from pipe_app.storage.database import Database
from pipe_app.timeutil import local_today

PAGE_SIZE = 200
LIST_DAYS_BACK = 28

GROUP_COLUMNS: list[Column[GroupRow]] = [
    Column("Starts", lambda r: r.started_at),
    Column("Title", lambda r: r.title),
    Column("Activity", lambda r: r.activity),
    Column("Kind", lambda r: KIND_LABELS[r.kind]),
    Column("Site", lambda r: r.site_name),
    Column("Status", lambda r: STATUS_LABELS[r.status]),
    Column(
        "Attended",
        lambda r: f"{r.attended} of {r.recorded}" if r.recorded else "No register",
        tooltip="Residents who attended, of those with a code on the register",
    ),
    Column("Facilitators", lambda r: ", ".join(r.facilitator_names)),
]
SITE_COLUMN = 4
LIST_PANEL = ListPanelSpec(
    prefix="group",
    name="groupsListPanel",
    what="group sessions",
    search_hint="Search titles, activities, observations  (Ctrl+F)",
    noun="session",
    plural="sessions",
    table="groupsTable",
    table_name="Group sessions",
    widths=(150, 170, 130, 140, 120, 84, 100),
)


@dataclass(frozen=True)
class GroupFilters:
    site_id: uuid.UUID | None = None
    date_from: date | None = None
    date_to: date | None = None
    kind: str | None = None
    facilitator_id: uuid.UUID | None = None
    search: str = ""

    def as_arguments(self) -> dict[str, Any]:
        return {
            "site_id": self.site_id,
            "date_from": self.date_from,
            "date_to": self.date_to,
            "kind": self.kind,
            "facilitator_id": self.facilitator_id,
            "search": self.search,
        }


# What a header click sorts by (Attended and Facilitators are not sortable).
GROUP_SORTS = {
    0: GroupSort.STARTS,
    1: GroupSort.TITLE,
    2: GroupSort.ACTIVITY,
    3: GroupSort.KIND,
    SITE_COLUMN: GroupSort.SITE,
    5: GroupSort.STATUS,
}


class GroupTableModel(LazyRowTableModel[GroupRow, GroupSort]):
    def __init__(self, parent: QWidget | None = None, page_size: int = PAGE_SIZE) -> None:
        super().__init__(
            GROUP_COLUMNS,
            parent=parent,
            page_size=page_size,
            what="more group sessions",
            order=NEWEST_FIRST,
            sorts=GROUP_SORTS,
        )


class GroupsPage(Page):
    """A list and a form in one stack: the list is shown until a session is opened."""

    def __init__(
        self, spec: PageSpec, db: Database, actor: Actor, parent: QWidget | None = None
    ) -> None:
        super().__init__(spec, db, actor, parent)
        self._service = GroupService(db, actor)
        self._filters_ready = False
        self._offered_drafts = False
        self._created: uuid.UUID | None = None
        self.filters = GroupFilters()
        self.model = GroupTableModel(self)

        self.site_filter = filter_combo("groupSiteFilter", "Show sessions at site")
        self.kind_filter = filter_combo("groupKindFilter", "Show sessions of kind")
        self.facilitator_filter = filter_combo(
            "groupFacilitatorFilter", "Show sessions run by facilitator"
        )
        today = local_today()
        self.from_edit = date_filter(
            "groupFromDate", "Sessions from date", today - timedelta(days=LIST_DAYS_BACK)
        )
        self.to_edit = date_filter("groupToDate", "Sessions up to date", None)
        self.new_button = QPushButton("New session")
        self.new_button.setObjectName("newGroupButton")
        self.new_button.setAccessibleName("New group session")
        self.new_button.setToolTip("Record a new group session from an activity (Ctrl+N)")
        self.new_button.setEnabled(actor.can(Permission.GROUP_WRITE))
        self.repeat_button = QPushButton("Repeat a week later")
        self.repeat_button.setObjectName("repeatGroupButton")
        self.repeat_button.setAccessibleName("Repeat the selected session a week later")
        self.repeat_button.setToolTip("Copy the selected session to the same time a week later")
        self.repeat_button.setEnabled(False)
        self.list_panel = LazyListPanel(
            LIST_PANEL,
            self.model,
            filters=(
                ("Site", self.site_filter),
                ("From", self.from_edit),
                ("To", self.to_edit),
                ("Kind", self.kind_filter),
                ("Facilitator", self.facilitator_filter),
            ),
            buttons=(self.repeat_button, self.new_button),
        )
        self.search_edit = self.list_panel.search_edit
        self.table = self.list_panel.table
        self.count_label = self.list_panel.count_label
        self.notice_label = self.list_panel.notice_label

        form = FormMaker(GroupForm, db, actor)  # built when first opened
        self.stack = ListFormStack("groupsStack", self.list_panel, form, self.table, self)
        self.body.addWidget(self.stack, 1)
        self.new_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.New), self)
        # Window-wide, but live only while this page is the one shown.
        self.new_shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.list_panel.count.counted.connect(self._on_counted)
        self.list_panel.failed.connect(self.show_error)
        self.list_panel.loaded.connect(self._on_rows_loaded)
        self.list_panel.changed.connect(self._on_filters_changed)
        self.table.activated.connect(self._on_row_activated)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_changed)
        self.new_button.clicked.connect(self.new_session)
        self.new_shortcut.activated.connect(self.new_session)
        self.repeat_button.clicked.connect(self._on_repeat_clicked)
        self.stack.form_built.connect(self._connect_form)

    def _connect_form(self, form: GroupForm) -> None:
        form.created.connect(self._on_form_created)
        form.saved.connect(self._on_form_saved)
        form.archived.connect(self._on_form_archived)
        form.closed.connect(self._on_form_closed)

    @property
    def form(self) -> GroupForm:
        return self.stack.form_of(GroupForm)

    # ---- the list ----------------------------------------------------------------------

    def search_field(self) -> QLineEdit:
        return self.search_edit

    def _fill_filters(self) -> None:
        """Choices for the filter boxes, once: the user's sites, kinds and staff."""
        self._filters_ready = False
        combos: tuple[QComboBox, ...] = (
            self.site_filter,
            self.kind_filter,
            self.facilitator_filter,
        )
        for combo in combos:
            combo.blockSignals(True)
            combo.clear()
        self.site_filter.addItem("All my sites", None)
        try:
            for site in SiteService(self.db, self.actor).rows():
                self.site_filter.addItem(site.name, site.id)
        except Exception as exc:
            self.show_error(describe_failure(exc, "read your sites"))
        self.kind_filter.addItem("Any kind", None)
        for kind, label in KIND_LABELS.items():
            self.kind_filter.addItem(label, kind.value)
        self.facilitator_filter.addItem("Anyone", None)
        mine = self.actor.staff_member_id
        if mine is not None:
            self.facilitator_filter.addItem("Me", mine)
        if self.actor.can(Permission.STAFF_READ):
            try:
                for member in StaffService(self.db, self.actor).rows(include_left=True):
                    if member.id != mine:
                        self.facilitator_filter.addItem(member.full_name, member.id)
            except Exception as exc:
                self.show_error(describe_failure(exc, "read the staff list"))
        several = self.site_filter.count() > 2
        for action in self.list_panel.filter_bar.actions()[:2]:  # the site label and box
            action.setVisible(several)
        self.table.setColumnHidden(SITE_COLUMN, not several)
        for combo in combos:
            combo.blockSignals(False)
        self._filters_ready = True

    def _read_filters(self) -> GroupFilters:
        return GroupFilters(
            site_id=self.site_filter.currentData(),
            date_from=filtered_day(self.from_edit),
            date_to=filtered_day(self.to_edit),
            kind=self.kind_filter.currentData(),
            facilitator_id=self.facilitator_filter.currentData(),
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

    def _fetch(self, filters: GroupFilters) -> Callable[[int, int, GroupOrder], list[GroupRow]]:
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
        self.list_panel.load_rows(self._fetch(filters), lambda: service.count(**arguments))

    def _on_rows_loaded(self) -> None:
        self._on_current_changed(QModelIndex(), QModelIndex())

    def _on_counted(self, total: int) -> None:
        if total == 0:
            self.notice_label.setText("No group sessions match. Press Ctrl+N to record one.")
        elif self.notice_label.text().startswith("No "):
            self.notice_label.clear()

    def _on_filters_changed(self) -> None:
        if self._filters_ready and self._loaded:
            self._load()

    def selected_row(self) -> GroupRow | None:
        index = self.table.currentIndex()
        return self.model.row(index.row()) if index.isValid() else None

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = self.model.row(current.row()) if current.isValid() else None
        self.repeat_button.setEnabled(
            row is not None and self.actor.can(Permission.GROUP_WRITE, row.site_id)
        )

    def _on_row_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_record(self.model.row(index.row()).id)

    def _on_repeat_clicked(self) -> None:
        source = self.selected_row()
        if source is None or not self.stack.leave():
            return
        self.stack.show_form()
        self.form.start_new(offer_draft=False)
        if not self.form.repeat(source):
            self.stack.back_to_list()
            self.show_error(self.form.errors.general_message)

    # ---- the form ----------------------------------------------------------------------

    @property
    def form_open(self) -> bool:
        return self.stack.form_open

    def new_session(self) -> None:
        if not self.actor.can(Permission.GROUP_WRITE):
            return
        if self.form_open and not self.form.can_close():
            return
        self.stack.show_form()
        self.form.start_new()

    def open_record(self, record_id: uuid.UUID | DraftKey | None) -> None:
        """Show one session. A DraftKey (from Today) reopens that unsaved draft; ``None``
        starts a new session (offering any unsaved draft back)."""
        if record_id is None:
            self.new_session()
            return
        if self.form_open and not self.form.can_close():
            return
        if isinstance(record_id, DraftKey):
            reopen_draft(self.stack, record_id)
            return
        if self.form.open_record(record_id):
            self.stack.show_form()
            self.form.focus_first()
        else:
            self.show_error(self.form.errors.general_message)

    def activate(self) -> None:
        super().activate()
        if not self._offered_drafts:
            self._offered_drafts = True
            QTimer.singleShot(0, self, self._on_offer_drafts_due)  # dies with the page

    def _on_offer_drafts_due(self) -> None:
        offer_newest_draft(self.stack)

    def can_leave(self) -> bool:
        return self.stack.leave()

    def _on_form_created(self, record_id: uuid.UUID) -> None:
        self._created = record_id  # reopened once the form closes, to take the register

    def _on_form_saved(self, _record_id: object) -> None:
        self.notice_label.setText(f"Saved: {self.form.title_text()}.")

    def _on_form_archived(self, _record_id: object) -> None:
        self.notice_label.setText("The group session was archived.")

    def _on_form_closed(self) -> None:
        created, self._created = self._created, None
        self.stack.back_to_list()
        if self._loaded:
            self._load()
        if created is not None and self.form.open_record(created, offer_draft=False):
            self.stack.show_form()
            self.form.focus_first()
