"""The training records on the Staff & training page, fetched a page at a time.

TrainingService reads 200 records at a time in the order of the column heading clicked
(staff name first), so the list opens as fast with thousands of records as with a few;
the filters (site, completion dates, course, status) and the search run in the database.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtWidgets import QWidget

from pipe_app.gui.lazy_list_panel import LazyListPanel, ListPanelSpec
from pipe_app.gui.list_filters import date_filter, filter_combo, filtered_day
from pipe_app.gui.table_model import Column, LazyRowTableModel
from pipe_app.gui.tables import fit_columns
from pipe_app.reports.training_matrix import LABELS
from pipe_app.services.permissions import Actor
from pipe_app.services.sites import SiteRow
from pipe_app.services.training import (
    BY_STAFF,
    CourseRow,
    RecordStatus,
    TrainingOrder,
    TrainingRecordRow,
    TrainingService,
    TrainingSort,
)
from pipe_app.timeutil import local_today

PAGE_SIZE = 200
SITE_FILTER_ACTIONS = 2  # the site label and box lead the filter bar
STATUSES: tuple[RecordStatus, ...] = ("current", "expiring", "expired")
LIST_PANEL = ListPanelSpec(
    prefix="trainingRecords",
    name="trainingRecordsList",
    what="training records",
    search_hint="Search staff or course  (Ctrl+F)",
    noun="record",
    plural="records",
    table="trainingRecordsTable",
    table_name="Training records",
)  # no widths: the first load fits the columns to their contents


def _record_columns() -> list[Column[TrainingRecordRow]]:
    today = local_today()
    return [
        Column("Staff member", lambda r: r.staff_name),
        Column("Course", lambda r: r.course_name),
        Column("Completed", lambda r: r.completed_on),
        Column("Expires", lambda r: r.expires_on),
        Column("Status", lambda r: LABELS[r.status_on(today)]),
        Column("Hours", lambda r: f"{r.hours:g}", align_right=True),
        Column("Notes", lambda r: " ".join(r.notes.split())[:120]),
    ]


# What a header click sorts by (Status follows Expires; Notes is not sortable).
RECORD_SORTS = {
    0: TrainingSort.STAFF,
    1: TrainingSort.COURSE,
    2: TrainingSort.COMPLETED,
    3: TrainingSort.EXPIRES,
    5: TrainingSort.HOURS,
}


class TrainingRecordsModel(LazyRowTableModel[TrainingRecordRow, TrainingSort]):
    def __init__(self, parent: QWidget | None = None, page_size: int = PAGE_SIZE) -> None:
        super().__init__(
            _record_columns(),
            parent=parent,
            page_size=page_size,
            what="more training records",
            order=BY_STAFF,
            sorts=RECORD_SORTS,
        )


@dataclass(frozen=True)
class RecordFilters:
    site_id: uuid.UUID | None = None
    course_id: uuid.UUID | None = None
    completed_from: date | None = None
    completed_to: date | None = None
    status: RecordStatus | None = None
    search: str = ""

    def as_arguments(self) -> dict[str, Any]:
        return {
            "site_id": self.site_id,
            "course_id": self.course_id,
            "completed_from": self.completed_from,
            "completed_to": self.completed_to,
            "status": self.status,
            "search": self.search,
        }


class TrainingRecordsList(LazyListPanel):
    """Search, filter bar, count and table; ``load()`` reads the first page again."""

    def __init__(self, service: TrainingService, actor: Actor, parent: QWidget | None = None):
        self._service = service
        self._actor = actor
        self._filters_ready = False
        self._fitted = False
        self.filters = RecordFilters()
        model = TrainingRecordsModel()
        self.site_combo = filter_combo("trainingSiteFilter", "Show training at site")
        self.course_combo = filter_combo("trainingCourseFilter", "Show training in course")
        self.status_combo = filter_combo("trainingStatusFilter", "Show training with status")
        self.from_edit = date_filter("trainingFromFilter", "Completed from date")
        self.to_edit = date_filter("trainingToFilter", "Completed up to date")
        filters = (
            ("Site", self.site_combo),
            ("Completed from", self.from_edit),
            ("To", self.to_edit),
            ("Course", self.course_combo),
            ("Status", self.status_combo),
        )
        super().__init__(LIST_PANEL, model, filters, parent=parent)
        model.setParent(self)
        self.model: TrainingRecordsModel = model
        self.changed.connect(self._on_filters_changed)

    @property
    def filters_ready(self) -> bool:
        return self._filters_ready

    def fill_filters(self, sites: list[SiteRow], courses: list[CourseRow]) -> None:
        """Choices for the filter boxes, once: the user's sites and the courses."""
        combos = (self.site_combo, self.course_combo, self.status_combo)
        for combo in combos:
            combo.blockSignals(True)
            combo.clear()
        self.site_combo.addItem("All my sites", None)
        for site in sites:
            if self._actor.is_system or site.id in self._actor.site_ids:
                self.site_combo.addItem(site.name, site.id)
        self.course_combo.addItem("Any course", None)
        for course in courses:
            self.course_combo.addItem(course.name, course.id)
        self.status_combo.addItem("Any", None)
        for status in STATUSES:
            self.status_combo.addItem(LABELS[status], status)
        several = self.site_combo.count() > 2
        for action in self.filter_bar.actions()[:SITE_FILTER_ACTIONS]:
            action.setVisible(several)
        for combo in combos:
            combo.blockSignals(False)
        self._filters_ready = True

    def _read_filters(self) -> RecordFilters:
        return RecordFilters(
            site_id=self.site_combo.currentData(),
            course_id=self.course_combo.currentData(),
            completed_from=filtered_day(self.from_edit),
            completed_to=filtered_day(self.to_edit),
            status=self.status_combo.currentData(),
            search=self.search_edit.text().strip(),
        )

    def load(self) -> None:
        """Fetch the first page with the current filters, and count when there are more."""
        self.filters = filters = self._read_filters()
        arguments = filters.as_arguments()
        service = self._service

        def fetch(limit: int, offset: int, order: TrainingOrder) -> list[TrainingRecordRow]:
            return service.rows(**arguments, order=order, limit=limit, offset=offset)

        self.model.reset(fetch)
        if not self._fitted:  # once: later loads keep the widths
            self._fitted = True
            fit_columns(self.table)
        self.count.update(self.model, lambda: service.count(**arguments))

    def _on_filters_changed(self) -> None:
        if self._filters_ready:
            self.load()
