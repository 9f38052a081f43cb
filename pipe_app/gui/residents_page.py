"""Residents: a read-only, sortable table of everyone placed at the user's sites; Enter or
double-click opens the resident's own page in place of the list (Back or Esc returns)."""

from __future__ import annotations

import uuid

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QStackedWidget, QVBoxLayout, QWidget

from pipe_app.gui.pages import Page, PageSpec
from pipe_app.gui.problems import describe_failure
from pipe_app.gui.resident_detail import ResidentDetail
from pipe_app.gui.table_model import Column, RowTableModel
from pipe_app.gui.tables import fit_columns, sorted_view
from pipe_app.services.permissions import Actor
from pipe_app.services.residents import ResidentRow, ResidentService
from pipe_app.storage.database import Database
from pipe_app.timeutil import local_today


def _status(row: ResidentRow) -> str:
    today = local_today()
    if row.departure is not None and row.departure < today:
        return "Moved on"
    if row.arrival is None or row.arrival > today:
        return "Expected"
    return "Resident"


RESIDENT_COLUMNS: list[Column[ResidentRow]] = [
    Column(
        "Name", lambda r: r.display_name, lambda r: f"{r.family_name}\t{r.given_name}".casefold()
    ),
    Column("CRN", lambda r: r.crn, tooltip="Probation case reference number"),
    Column("Site", lambda r: r.site_name),
    Column("Status", _status),
    Column(
        "Placement",
        lambda r: "PIPE" if r.is_pipe else "Lodger",
        tooltip="On the PIPE, or a lodger at the AP",
    ),
    Column("Arrived", lambda r: r.arrival),
    Column("Expected to leave", lambda r: r.expected_departure),
    Column("Left", lambda r: r.departure),
]


def resident_search_text(row: ResidentRow) -> str:
    names = (row.given_name, row.preferred_name or "", row.family_name, row.display_name)
    return " ".join((*names, row.crn)).casefold()


class ResidentTableModel(RowTableModel[ResidentRow]):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(RESIDENT_COLUMNS, resident_search_text, parent)


class ResidentsPage(Page):
    """Loads through ResidentService (scoped to the user's sites); filters as you type."""

    def __init__(
        self, spec: PageSpec, db: Database, actor: Actor, parent: QWidget | None = None
    ) -> None:
        super().__init__(spec, db, actor, parent)
        self._service = ResidentService(db, actor)
        self.model = ResidentTableModel(self)
        self.table, self.proxy = sorted_view("residentsTable", "Residents", self.model, self)
        self.table.setToolTip("Press Enter or double-click to open the resident's page")

        self.list_panel = QWidget()
        self.list_panel.setObjectName("residentsList")
        panel = QVBoxLayout(self.list_panel)
        panel.setContentsMargins(0, 0, 0, 0)
        panel.setSpacing(8)
        bar = QHBoxLayout()
        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("residentSearch")
        self.search_edit.setPlaceholderText("Search by name or CRN  (Ctrl+F)")
        self.search_edit.setAccessibleName("Search residents by name or CRN")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMaximumWidth(420)
        self.count_label = QLabel()
        self.count_label.setProperty("role", "hint")
        self.count_label.setAccessibleName("Number of residents shown")
        bar.addWidget(self.search_edit, 1)
        bar.addStretch(1)
        bar.addWidget(self.count_label)
        panel.addLayout(bar)

        panel.addWidget(self.table, 1)

        self.empty_label = QLabel("No residents are placed at your sites yet.")
        self.empty_label.setProperty("role", "hint")
        self.empty_label.hide()
        panel.addWidget(self.empty_label)

        self.detail = ResidentDetail(db, actor, self)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.list_panel)
        self.stack.addWidget(self.detail)
        self.body.addWidget(self.stack, 1)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.search_edit.textChanged.connect(self._on_search_changed)
        self.table.activated.connect(self._on_row_activated)
        self.detail.closed.connect(self._on_detail_closed)
        self.detail.record_requested.connect(self.record_requested)

    @property
    def showing_detail(self) -> bool:
        return self.stack.currentWidget() is self.detail

    def open_record(self, record_id: uuid.UUID) -> None:
        """Show one resident's page (from Today, a search, or the list itself)."""
        self.stack.setCurrentWidget(self.detail)
        self.detail.show_resident(record_id)
        self.detail.back_button.setFocus()

    def _on_row_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_record(self.model.row(self.proxy.mapToSource(index).row()).id)

    def _on_detail_closed(self) -> None:
        self.stack.setCurrentWidget(self.list_panel)
        self.table.setFocus()

    def search_field(self) -> QLineEdit:
        return self.search_edit

    def refresh(self) -> None:
        try:
            rows = self._service.rows()
        except Exception as exc:
            self.show_error(describe_failure(exc, "load the residents"))
            return
        self.show_error("")
        self.model.set_rows(rows)
        fit_columns(self.table)
        self._update_count()
        if self.showing_detail:
            self.detail.reload()

    def _on_search_changed(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip().casefold())
        self._update_count()

    def _update_count(self) -> None:
        total = self.model.rowCount()
        shown = self.proxy.rowCount()
        noun = "resident" if total == 1 else "residents"
        self.count_label.setText(
            f"{total} {noun}" if shown == total else f"{shown} of {total} {noun} match"
        )
        self.empty_label.setVisible(total == 0)
