"""The Evidence tab's list: fetched a page at a time, filtered and searched in the database.

The site comes from the Accreditation page's choice; the bar here narrows by status, kind and
the effective date, and the search (title or author) runs once typing pauses. Header clicks
sort the whole list in the database.
"""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtCore import QModelIndex, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from pipe_app.gui.evidence_form import STATUS_LABELS
from pipe_app.gui.list_filters import SEARCH_DELAY_MS, date_filter, filtered_day, plain_combo
from pipe_app.gui.list_sort import DatabaseSortHeader
from pipe_app.gui.problems import describe_failure
from pipe_app.gui.table_model import Column, LazyRowTableModel
from pipe_app.gui.tables import plain_view
from pipe_app.reports.pack_data import KIND_LABELS
from pipe_app.services.evidence import (
    NEWEST_FIRST,
    EvidenceOrder,
    EvidenceRow,
    EvidenceService,
    EvidenceSort,
)
from pipe_app.services.permissions import Actor
from pipe_app.storage.database import Database

PAGE_SIZE = 200

EVIDENCE_COLUMNS: list[Column[EvidenceRow]] = [
    Column("Title", lambda r: r.title),
    Column("Status", lambda r: STATUS_LABELS[r.status]),
    Column("Kind", lambda r: KIND_LABELS[r.kind]),
    Column("Effective", lambda r: r.effective_on),
    Column("Review by", lambda r: r.review_by),
    Column("Criteria", lambda r: len(r.criterion_ids), align_right=True),
    Column("Files", lambda r: r.attachment_count, align_right=True),
]
# What a header click sorts by (the counts of criteria and files are not sortable).
EVIDENCE_SORTS = {
    0: EvidenceSort.TITLE,
    1: EvidenceSort.STATUS,
    2: EvidenceSort.KIND,
    3: EvidenceSort.EFFECTIVE,
    4: EvidenceSort.REVIEW_BY,
}

EvidenceModel = LazyRowTableModel[EvidenceRow, EvidenceSort]


class EvidenceList(QWidget):
    """``load(site_id)`` shows that site's evidence; ``opened`` gives the id Enter opens."""

    opened = Signal(uuid.UUID)
    failed = Signal(str)

    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("evidenceList")
        self._service = EvidenceService(db, actor)
        self.site_id: uuid.UUID | None = None
        self.model: EvidenceModel = LazyRowTableModel(
            EVIDENCE_COLUMNS,
            parent=self,
            page_size=PAGE_SIZE,
            what="more evidence",
            order=NEWEST_FIRST,
            sorts=EVIDENCE_SORTS,
        )
        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("evidenceSearch")
        self.search_edit.setPlaceholderText("Search titles and authors")
        self.search_edit.setAccessibleName("Search evidence")
        self.search_edit.setClearButtonEnabled(True)
        self.status_combo = plain_combo("evidenceStatusFilter", "Show evidence with status")
        self.status_combo.addItem("Any", None)
        for status, label in STATUS_LABELS.items():
            self.status_combo.addItem(label, status)
        self.kind_combo = plain_combo("evidenceKindFilter", "Show evidence of kind")
        self.kind_combo.addItem("Any", None)
        for kind, label in KIND_LABELS.items():
            self.kind_combo.addItem(label, kind)
        self.from_edit = date_filter("evidenceFromFilter", "Evidence effective from date")
        self.to_edit = date_filter("evidenceToFilter", "Evidence effective up to date")
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(SEARCH_DELAY_MS)

        self.table = plain_view("evidenceTable", "Evidence items", self.model, self)
        for number, width in enumerate((360, 100, 180, 110, 110, 80)):
            self.table.horizontalHeader().resizeSection(number, width)
        self.sorting = DatabaseSortHeader(self.table, self.model)
        self.new_button = QPushButton("New evidence")
        self.new_button.setObjectName("newEvidenceButton")
        self.new_button.setToolTip("Add an evidence item (Ctrl+N)")
        self.notice = QLabel()
        self.notice.setObjectName("evidenceNotice")
        self.notice.setProperty("role", "hint")
        self.count_label = QLabel()
        self.count_label.setObjectName("evidenceCount")
        self.count_label.setProperty("role", "hint")
        self.count_label.setAccessibleName("Number of evidence items found")
        self._lay_out()
        self._connect_signals()

    def _lay_out(self) -> None:
        panel = QVBoxLayout(self)
        panel.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        bar.addWidget(self.search_edit, 1)
        bar.addWidget(self.new_button)
        panel.addLayout(bar)
        # A tool bar folds what does not fit behind a » button, so narrow windows still work.
        self.filter_bar = QToolBar("Filters")
        self.filter_bar.setObjectName("evidenceFilters")
        self.filter_bar.setProperty("role", "filters")
        for caption, widget in (
            ("Status", self.status_combo),
            ("Kind", self.kind_combo),
            ("Effective from", self.from_edit),
            ("To", self.to_edit),
        ):
            label = QLabel(caption)
            label.setBuddy(widget)
            self.filter_bar.addWidget(label)
            self.filter_bar.addWidget(widget)
        panel.addWidget(self.filter_bar)
        counts = QHBoxLayout()
        counts.addWidget(self.notice, 1)
        counts.addWidget(self.count_label)
        panel.addLayout(counts)
        panel.addWidget(self.table, 1)

    def _connect_signals(self) -> None:
        self.search_edit.textChanged.connect(self._on_search_edited)
        self.search_timer.timeout.connect(self._on_filters_changed)
        for combo in (self.status_combo, self.kind_combo):
            combo.currentIndexChanged.connect(self._on_filters_changed)
        for edit in (self.from_edit, self.to_edit):
            edit.dateChanged.connect(self._on_filters_changed)
        self.table.activated.connect(self._on_row_activated)
        self.model.failed.connect(self.failed)

    # ---- loading -----------------------------------------------------------------------

    def filters(self) -> dict[str, Any]:
        """The bar's choices as ``EvidenceService.rows``/``count`` arguments (besides site)."""

        return {
            "status": self.status_combo.currentData(),
            "kind": self.kind_combo.currentData(),
            "effective_from": filtered_day(self.from_edit),
            "effective_to": filtered_day(self.to_edit),
            "search": self.search_edit.text().strip(),
        }

    def load(self, site_id: uuid.UUID | None) -> None:
        """Start the list again from its first page (none when there is no site)."""
        self.search_timer.stop()
        self.site_id = site_id
        chosen = self.filters()
        arguments = {"site_id": site_id, **chosen}
        service = self._service

        def fetch(limit: int, offset: int, order: EvidenceOrder) -> list[EvidenceRow]:
            if site_id is None:
                return []
            return service.rows(**arguments, order=order, limit=limit, offset=offset)

        self.model.reset(fetch)
        total = self.model.rowCount()
        if self.model.canFetchMore(QModelIndex()):  # only a full first page needs counting
            try:
                total = service.count(**arguments)
            except Exception as exc:
                self.failed.emit(describe_failure(exc, "count the evidence"))
                return
        self.count_label.setText(f"{total:,} item" + ("" if total == 1 else "s"))
        if total == 0 and site_id is not None:
            self.notice.setText(
                "No evidence matches these filters."
                if any(chosen.values())
                else "No evidence recorded yet."
            )
        elif self.notice.text().startswith("No "):
            self.notice.clear()

    def _on_search_edited(self, _text: str) -> None:
        self.search_timer.start()  # restarts: the query runs once typing pauses

    def _on_filters_changed(self, *_args: object) -> None:
        if self.site_id is not None:
            self.load(self.site_id)

    def _on_row_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.opened.emit(self.model.row(index.row()).id)
