"""The Evidence tab's list: fetched a page at a time, filtered and searched in the database.

The site comes from the Accreditation page's choice; the bar here narrows by status, kind and
the effective date, and the search (title or author) runs once typing pauses. Header clicks
sort the whole list in the database.
"""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import QPushButton, QWidget

from pipe_app.gui.evidence_form import STATUS_LABELS
from pipe_app.gui.lazy_list_panel import LazyListPanel, ListPanelSpec
from pipe_app.gui.list_filters import date_filter, filtered_day, plain_combo
from pipe_app.gui.table_model import Column, LazyRowTableModel
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

LIST_PANEL = ListPanelSpec(
    prefix="evidence",
    name="evidenceList",
    what="evidence items",
    search_hint="Search titles and authors",
    search_name="Search evidence",
    noun="item",
    plural="items",
    table="evidenceTable",
    table_name="Evidence items",
    widths=(360, 100, 180, 110, 110, 80),
)

EvidenceModel = LazyRowTableModel[EvidenceRow, EvidenceSort]


class EvidenceList(LazyListPanel):
    """``load(site_id)`` shows that site's evidence; ``opened`` gives the id Enter opens."""

    opened = Signal(uuid.UUID)

    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        self._service = EvidenceService(db, actor)
        self.site_id: uuid.UUID | None = None
        self._filtered = False  # the last load had a filter or search: "matches", not "yet"
        model: EvidenceModel = LazyRowTableModel(
            EVIDENCE_COLUMNS,
            page_size=PAGE_SIZE,
            what="more evidence",
            order=NEWEST_FIRST,
            sorts=EVIDENCE_SORTS,
        )
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
        self.new_button = QPushButton("New evidence")
        self.new_button.setObjectName("newEvidenceButton")
        self.new_button.setToolTip("Add an evidence item (Ctrl+N)")
        filters = (
            ("Status", self.status_combo),
            ("Kind", self.kind_combo),
            ("Effective from", self.from_edit),
            ("To", self.to_edit),
        )
        super().__init__(LIST_PANEL, model, filters, (self.new_button,), parent)
        model.setParent(self)
        self.model: EvidenceModel = model
        self.notice = self.notice_label
        self.changed.connect(self._on_filters_changed)
        self.count.counted.connect(self._on_counted)
        self.table.activated.connect(self._on_row_activated)

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
        self.site_id = site_id
        chosen = self.filters()
        arguments = {"site_id": site_id, **chosen}
        service = self._service

        def fetch(limit: int, offset: int, order: EvidenceOrder) -> list[EvidenceRow]:
            if site_id is None:
                return []
            return service.rows(**arguments, order=order, limit=limit, offset=offset)

        self.model.reset(fetch)
        self._filtered = any(chosen.values())
        self.count.update(self.model, lambda: service.count(**arguments))

    def _on_counted(self, total: int) -> None:
        if total == 0 and self.site_id is not None:
            self.notice.setText(
                "No evidence matches these filters."
                if self._filtered
                else "No evidence recorded yet."
            )
        elif self.notice.text().startswith("No "):
            self.notice.clear()

    def _on_filters_changed(self) -> None:
        if self.site_id is not None:
            self.load(self.site_id)

    def _on_row_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.opened.emit(self.model.row(index.row()).id)
