"""The supervision page: records (list and form), the review queue, and compliance, as tabs.

The records list asks SupervisionService for a page of rows at a time, newest first or in the
order of the column heading clicked, and more as the user scrolls; sorting, filters and
search run in the database. It starts on the last year.
The review queue tab is only there for people who can sign off; it is read off the GUI thread
on every refresh (its count is on its tab's title).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QDate, QModelIndex, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from pipe_app.domain.enums import SupervisionStatus
from pipe_app.gui.draft_offers import DRAFT_GONE, reopen_draft
from pipe_app.gui.drafts import DraftKey
from pipe_app.gui.layouts import nest
from pipe_app.gui.list_count import ListCount
from pipe_app.gui.list_filters import filter_bar, filter_combo, keep_unshown
from pipe_app.gui.list_form_stack import FormMaker, ListFormStack
from pipe_app.gui.list_sort import DatabaseSortHeader
from pipe_app.gui.pages import Page, PageSpec
from pipe_app.gui.supervision_compliance_view import ComplianceView
from pipe_app.gui.supervision_form import SupervisionForm
from pipe_app.gui.supervision_queue import RECORD_COLUMNS, SupervisionQueue, fill_kind_and_status
from pipe_app.gui.tab_loads import TabLoads
from pipe_app.gui.table_model import LazyRowTableModel
from pipe_app.gui.tables import plain_view
from pipe_app.services.permissions import Actor, Permission
from pipe_app.services.sites import SiteService
from pipe_app.services.supervision import (
    NEWEST_FIRST,
    SupervisionOrder,
    SupervisionRow,
    SupervisionService,
    SupervisionSort,
)
from pipe_app.services.supervision_compliance import SupervisionComplianceService
from pipe_app.storage.database import Database
from pipe_app.timeutil import local_today

LIST_DAYS = 365
PAGE_SIZE = 200
# Longer than the other lists' pause: this list still searches on the GUI thread, so it
# asks once typing stops rather than between keys.
SEARCH_DELAY_MS = 200
COLUMN_WIDTHS = (150, 170, 180, 260)
# What a header click on RECORD_COLUMNS sorts by (Supervisees is not sortable).
RECORD_SORTS = {
    0: SupervisionSort.DATE,
    1: SupervisionSort.KIND,
    2: SupervisionSort.SUPERVISOR,
    4: SupervisionSort.STATUS,
}


def _date_edit(name: str, accessible: str, day: date) -> QDateEdit:
    edit = QDateEdit(QDate(day.year, day.month, day.day))
    edit.setObjectName(name)
    edit.setAccessibleName(accessible)
    edit.setDisplayFormat("dd/MM/yyyy")
    edit.setCalendarPopup(True)
    return edit


def _day(edit: QDateEdit) -> date:
    value = edit.date()
    return date(value.year(), value.month(), value.day())


class SupervisionPage(Page):
    def __init__(
        self, spec: PageSpec, db: Database, actor: Actor, parent: QWidget | None = None
    ) -> None:
        super().__init__(spec, db, actor, parent)
        self._service = SupervisionService(db, actor)
        self._sites = self._my_sites()
        self.model: LazyRowTableModel[SupervisionRow, SupervisionSort] = LazyRowTableModel(
            RECORD_COLUMNS,
            parent=self,
            page_size=PAGE_SIZE,
            what="more supervision records",
            order=NEWEST_FIRST,
            sorts=RECORD_SORTS,
        )
        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("supervisionSearch")
        self.search_edit.setPlaceholderText("Search names, themes, cases, summary  (Ctrl+F)")
        self.search_edit.setAccessibleName("Search supervision records")
        self.search_edit.setClearButtonEnabled(True)
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(SEARCH_DELAY_MS)

        self.site_combo = filter_combo("supervisionSiteFilter", "Show records at site")
        self.site_combo.addItem("All my sites", None)
        for name, site_id in self._sites:
            self.site_combo.addItem(name, site_id)
        self.status_combo = filter_combo("supervisionStatusFilter", "Show records with status")
        self.kind_combo = filter_combo("supervisionKindFilter", "Show records of kind")
        fill_kind_and_status(
            self.kind_combo,
            self.status_combo,
            [s for s in SupervisionStatus if s != SupervisionStatus.SIGNED_OFF],
        )
        today = local_today()
        self.from_edit = _date_edit(
            "supervisionFromFilter", "Records from date", today - timedelta(days=LIST_DAYS)
        )
        self.to_edit = _date_edit("supervisionToFilter", "Records up to date", today)
        self.new_button = QPushButton("New record")
        self.new_button.setObjectName("newSupervisionButton")
        self.new_button.setToolTip("Write a new supervision record (Ctrl+N)")
        self.new_button.setAccessibleName("New supervision record")
        self.new_button.setEnabled(actor.can(Permission.SUPERVISION_WRITE))
        self.table = plain_view("supervisionTable", "Supervision records", self.model, self)
        for column, width in enumerate(COLUMN_WIDTHS):
            self.table.setColumnWidth(column, width)
        self.sorting = DatabaseSortHeader(self.table, self.model)
        self.count_label = QLabel()
        self.count_label.setObjectName("supervisionCount")
        self.count_label.setProperty("role", "hint")
        self.count_label.setAccessibleName("Number of supervision records found")
        self.count = ListCount(self, self.count_label, "record", "records")
        self.notice_label = QLabel()
        self.notice_label.setObjectName("supervisionNotice")
        self.notice_label.setProperty("role", "hint")

        self.list_panel = QWidget()
        self.list_panel.setObjectName("supervisionList")
        panel = QVBoxLayout(self.list_panel)
        panel.setContentsMargins(0, 0, 0, 0)
        panel.addWidget(self.search_edit)
        pairs: list[tuple[str, QWidget]] = [
            ("Status", self.status_combo),
            ("Kind", self.kind_combo),
            ("From", self.from_edit),
            ("To", self.to_edit),
        ]
        if len(self._sites) > 1:
            pairs.insert(0, ("Site", self.site_combo))
        else:
            keep_unshown(self.site_combo, self)
        panel.addWidget(filter_bar("supervisionFilters", *pairs))
        counts = QHBoxLayout()
        counts.addWidget(self.notice_label, 1)
        counts.addWidget(self.count_label)
        counts.addWidget(self.new_button)
        nest(panel, counts)
        panel.addWidget(self.table, 1)

        form = FormMaker(SupervisionForm, db, actor)  # built when first opened
        self.stack = ListFormStack("supervisionStack", self.list_panel, form, self.table)

        self.tabs = QTabWidget(self)  # in the page first: each tab is styled once, in place
        self.tabs.setObjectName("supervisionTabs")
        self.body.addWidget(self.tabs, 1)
        self.tabs.addTab(self.stack, "Records")
        self.queue: SupervisionQueue | None = None
        # Built in idle turns of their own when the window builds the page while idle.
        if actor.can(Permission.SUPERVISION_SIGN_OFF):
            self.build_later(self._add_queue_tab)
        self.build_later(self._add_compliance_tab)
        self.build_later(self._connect_signals)

    def _add_queue_tab(self) -> None:
        self.queue = SupervisionQueue(self._service, self._sites)
        self.tabs.addTab(self.queue, "Review queue")

    def _add_compliance_tab(self) -> None:
        service = SupervisionComplianceService(self.db, self.actor)
        self.compliance = ComplianceView(service, self._sites)
        self.tabs.addTab(self.compliance, "Compliance")

    def _my_sites(self) -> list[tuple[str, uuid.UUID]]:
        try:
            sites = SiteService(self.db, self.actor).rows()
        except Exception:
            return []
        return [
            (site.name, site.id)
            for site in sites
            if self.actor.is_system or site.id in self.actor.site_ids
        ]

    def _connect_signals(self) -> None:
        self.new_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.New), self)
        self.new_shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        self.search_edit.textChanged.connect(self._on_search_edited)
        self.search_timer.timeout.connect(self._on_filters_changed)
        self.model.failed.connect(self.show_error)
        self.count.counted.connect(self._on_counted)
        self.count.failed.connect(self.show_error)
        for combo in (self.site_combo, self.status_combo, self.kind_combo):
            combo.currentIndexChanged.connect(self._on_filters_changed)
        for edit in (self.from_edit, self.to_edit):
            edit.dateChanged.connect(self._on_filters_changed)
        self.table.activated.connect(self._on_row_activated)
        self.new_button.clicked.connect(self.new_record)
        self.new_shortcut.activated.connect(self.new_record)
        self.stack.form_built.connect(self._connect_form)
        self.compliance.failed.connect(self.show_error)
        if self.queue is not None:
            self.queue.open_requested.connect(self.open_record)
            self.queue.counted.connect(self._on_queue_counted)
            self.queue.signed_off.connect(self._on_queue_signed_off)
            self.queue.failed.connect(self.show_error)
        # The review queue is not among them: it is read on every refresh, as its count is on
        # its tab's title.
        self.tab_loads = TabLoads(
            self.tabs,
            {self.stack: self._load, self.compliance: self.compliance.load},
        )

    # ---- loading -----------------------------------------------------------------------

    @property
    def is_loading(self) -> bool:
        queue_loading = self.queue is not None and self.queue.is_loading
        return queue_loading or self.compliance.is_loading or self.count.is_loading

    def warm_up(self) -> Callable[[], object]:
        """The list's read with no rows, its count, and the compliance figures' read: of
        supervision, not of residents."""
        filters, service, order = self._filters(), self._service, self.model.order
        figures = self.compliance.read()

        def reads() -> object:
            service.rows(**filters, order=order, limit=0, offset=0)
            service.count(**filters)
            return figures()

        return reads

    def refresh(self) -> None:
        """Load the tab on show, the others when they are next shown; and the review queue,
        whose count is on its tab's title."""
        self.show_error("")
        self._load_queue()
        self.tab_loads.refresh()

    def _load_queue(self) -> None:
        if self.queue is not None:
            self.queue.load()  # off the GUI thread; a failure comes back as ``failed``

    def search_field(self) -> QLineEdit:
        return self.search_edit

    def _filters(self) -> dict[str, Any]:
        return {
            "site_id": self.site_combo.currentData(),
            "status": self.status_combo.currentData(),
            "kind": self.kind_combo.currentData(),
            "from_day": _day(self.from_edit),
            "to_day": _day(self.to_edit),
            "search": self.search_edit.text().strip(),
        }

    def _load(self) -> None:
        filters, service = self._filters(), self._service

        def fetch(limit: int, offset: int, order: SupervisionOrder) -> list[SupervisionRow]:
            return service.rows(**filters, order=order, limit=limit, offset=offset)

        self.model.reset(fetch)
        if self.model.error:
            self.count.clear()
            return
        self.count.update(self.model, lambda: service.count(**filters))

    def _on_counted(self, total: int) -> None:
        if not total:
            self.notice_label.setText("No supervision records match. Press Ctrl+N to write one.")
        elif self.notice_label.text().startswith("No "):
            self.notice_label.clear()

    def _on_search_edited(self, _text: str) -> None:
        self.search_timer.start()  # restarts: the query runs once typing pauses

    def _on_filters_changed(self, *_args: object) -> None:
        self.search_timer.stop()
        if self._loaded:
            self.show_error("")
            self._load()

    def _on_queue_counted(self, count: int) -> None:
        if self.queue is not None:
            self.tabs.setTabText(self.tabs.indexOf(self.queue), f"Review queue ({count})")

    def _on_queue_signed_off(self, _record_id: object) -> None:
        self.tab_loads.mark_stale(self.stack, self.compliance)  # read when next shown

    # ---- the form ----------------------------------------------------------------------

    def _connect_form(self, form: SupervisionForm) -> None:
        form.saved.connect(self._on_form_saved)
        form.advanced.connect(self._on_form_advanced)
        form.archived.connect(self._on_form_archived)
        form.closed.connect(self._on_form_closed)

    @property
    def form(self) -> SupervisionForm:
        return self.stack.form_of(SupervisionForm)

    @property
    def form_open(self) -> bool:
        return self.stack.form_open

    def new_record(self) -> None:
        if not self.actor.can(Permission.SUPERVISION_WRITE):
            return
        if self.form_open and not self.form.can_close():
            return
        self.tabs.setCurrentWidget(self.stack)
        self.stack.setCurrentWidget(self.form)
        self.form.start_new()

    def open_record(self, record_id: uuid.UUID | DraftKey) -> None:
        """Show one record; a DraftKey (from Today) reopens that unsaved form, new or not."""
        if self.form_open and not self.form.can_close():
            return
        self.tabs.setCurrentWidget(self.stack)
        if isinstance(record_id, DraftKey):
            if not reopen_draft(self.stack, record_id):
                self.show_error(self.form.errors.general_message or DRAFT_GONE)
            return
        if self.form.open_record(record_id):
            self.stack.setCurrentWidget(self.form)
            self.form.focus_first()
        else:
            self.show_error(self.form.errors.general_message)

    def _on_row_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_record(self.model.row(index.row()).id)

    def can_leave(self) -> bool:
        return self.stack.leave()

    def _reload_lists(self) -> None:
        if self._loaded:
            self.tab_loads.mark_stale(self.stack, self.compliance)
            self._load_queue()

    def _on_form_saved(self, _record_id: object) -> None:
        self.notice_label.setText(f"Saved: {self.form.title_text()}.")

    def _on_form_advanced(self, text: str) -> None:
        self.notice_label.setText(text)
        self._reload_lists()

    def _on_form_archived(self, _record_id: object) -> None:
        self.notice_label.setText("The draft was discarded.")

    def _on_form_closed(self) -> None:
        self.stack.back_to_list()
        self._reload_lists()
