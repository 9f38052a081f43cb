"""The review queue: records awaiting acknowledgement or sign-off, oldest first, for reviewers.

Up/Down move, Enter opens the record, Ctrl+Enter signs off the selected one (after the same
confirmation as the form's button). The record columns are shared with the records list.
The queue is read off the GUI thread; it says "Loading…" meanwhile.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from PySide6.QtCore import QEvent, QModelIndex, QObject, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from pipe_app.domain.enums import SupervisionKind, SupervisionStatus
from pipe_app.gui.latest_load import LatestLoad
from pipe_app.gui.list_filters import filter_bar, filter_combo, keep_unshown
from pipe_app.gui.problems import describe_failure
from pipe_app.gui.record_form import Confirm
from pipe_app.gui.supervision_form import KIND_LABELS, STATUS_LABELS
from pipe_app.gui.table_model import Column, RowTableModel
from pipe_app.gui.tables import fit_columns, sorted_view
from pipe_app.services.supervision import SupervisionRow, SupervisionService
from pipe_app.timeutil import format_local, local_today, to_local, utc_now

AGES = (("Any age", 0), ("Over 7 days", 7), ("Over 14 days", 14), ("Over 28 days", 28))


def waiting_since(row: SupervisionRow) -> datetime:
    return row.submitted_at or row.started_at


def days_waiting(row: SupervisionRow) -> int:
    return (local_today() - to_local(waiting_since(row)).date()).days


RECORD_COLUMNS: list[Column[SupervisionRow]] = [
    Column("Date", lambda r: r.started_at),
    Column("Kind", lambda r: KIND_LABELS[r.kind]),
    Column("Supervisor", lambda r: r.supervisor_name),
    Column("Supervisees", lambda r: ", ".join(r.supervisee_names)),
    Column("Status", lambda r: STATUS_LABELS[r.status]),
]
QUEUE_COLUMNS: list[Column[SupervisionRow]] = [
    Column("Waiting since", waiting_since),
    Column("Days", days_waiting, align_right=True, tooltip="Days since it was submitted"),
    *RECORD_COLUMNS,
]


def fill_kind_and_status(
    kind: QComboBox, status: QComboBox, statuses: list[SupervisionStatus]
) -> None:
    kind.addItem("Any kind", None)
    for value, label in KIND_LABELS.items():
        kind.addItem(label, value)
    status.addItem("Any status", None)
    for state in statuses:
        status.addItem(STATUS_LABELS[state], state)


class SupervisionQueue(QWidget):
    """The reviewer's queue across their sites."""

    open_requested = Signal(object)  # a record id
    counted = Signal(int)  # how many records wait (before filters)
    signed_off = Signal(object)
    failed = Signal(str)  # a sentence saying the queue could not be read

    def __init__(self, service: SupervisionService, sites: list[tuple[str, uuid.UUID]]) -> None:
        super().__init__()
        self.setObjectName("supervisionQueue")
        self._service = service
        self._all: list[SupervisionRow] = []
        self._reading = False  # a read is on its way: say "Loading…" rather than "Nothing"
        # Quiet: the queue is read on every refresh of the page, whichever tab is on show.
        self.loads = LatestLoad(self, "Loading the review queue", quiet=True)
        self.model: RowTableModel[SupervisionRow] = RowTableModel(QUEUE_COLUMNS, parent=self)
        self.site_combo = filter_combo("queueSiteFilter", "Show records at site")
        self.status_combo = filter_combo("queueStatusFilter", "Show records with status")
        self.kind_combo = filter_combo("queueKindFilter", "Show records of kind")
        self.age_combo = filter_combo("queueAgeFilter", "Show records waiting at least")
        self.site_combo.addItem("All my sites", None)
        for name, site_id in sites:
            self.site_combo.addItem(name, site_id)
        fill_kind_and_status(
            self.kind_combo,
            self.status_combo,
            [SupervisionStatus.SUBMITTED, SupervisionStatus.ACKNOWLEDGED],
        )
        for label, days in AGES:
            self.age_combo.addItem(label, days)
        self.table, self.proxy = sorted_view(
            "supervisionQueueTable",
            "Supervision records awaiting review, oldest first. Enter opens, Ctrl+Enter signs off",
            self.model,
            self,
        )
        self.table.installEventFilter(self)
        self.hint = QLabel("Enter opens the record; Ctrl+Enter signs it off (once acknowledged).")
        self.hint.setProperty("role", "hint")
        self.notice = QLabel()
        self.notice.setObjectName("queueNotice")
        self.notice.setProperty("role", "hint")
        layout = QVBoxLayout(self)
        pairs: list[tuple[str, QWidget]] = [
            ("Status", self.status_combo),
            ("Kind", self.kind_combo),
            ("Age", self.age_combo),
        ]
        if len(sites) > 1:
            pairs.insert(0, ("Site", self.site_combo))
        else:
            keep_unshown(self.site_combo, self)
        layout.addWidget(filter_bar("queueFilters", *pairs))
        layout.addWidget(self.notice)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.hint)
        self._connect_signals()

    def _connect_signals(self) -> None:
        for combo in (self.site_combo, self.status_combo, self.kind_combo, self.age_combo):
            combo.currentIndexChanged.connect(self._on_filters_changed)
        self.table.activated.connect(self._on_row_activated)

    @property
    def is_loading(self) -> bool:
        return self.loads.is_loading

    def load(self, done_text: str = "") -> None:
        """Re-read the queue off the GUI thread; then show it, send ``counted`` and, when
        given, say ``done_text``. A failure empties the queue and is sent as ``failed``."""
        self._reading = True
        self.notice.setText(done_text or "Loading…")
        self.loads.start(
            self._service.review_queue,
            lambda rows: self._on_loaded(rows, done_text),
            self._on_load_failed,
        )

    def _on_loaded(self, rows: list[SupervisionRow], done_text: str) -> None:
        self._all, self._reading = rows, False
        self._show()
        if done_text:
            self.notice.setText(done_text)
        self.counted.emit(len(rows))

    def _on_load_failed(self, error: BaseException) -> None:
        self._all, self._reading = [], False
        self._show()
        self.failed.emit(describe_failure(error, "read the review queue"))

    def _show(self) -> None:
        site, status = self.site_combo.currentData(), self.status_combo.currentData()
        kind: SupervisionKind | None = self.kind_combo.currentData()
        age = int(self.age_combo.currentData() or 0)
        cutoff = utc_now() - timedelta(days=age)
        rows = [
            r
            for r in self._all
            if (site is None or r.site_id == site)
            and (status is None or r.status == status)
            and (kind is None or r.kind == kind)
            and (age == 0 or waiting_since(r) <= cutoff)
        ]
        self.model.set_rows(rows)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        fit_columns(self.table)
        if rows:
            self.table.selectRow(0)
        self.notice.setText(
            ""
            if rows
            else "Loading…"
            if self._reading
            else "Nothing is waiting for your review."
            if not self._all
            else "No waiting records match these filters."
        )

    def selected(self) -> SupervisionRow | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        return proxy_row(self.proxy, self.model, index)

    def sign_off_selected(self) -> bool:
        """Confirm, then sign off and lock the selected record."""
        row = self.selected()
        if row is None:
            return False
        if row.status != SupervisionStatus.ACKNOWLEDGED:
            self.notice.setText(
                "That record cannot be signed off yet: every supervisee must acknowledge it first."
            )
            return False
        if not Confirm.ask(
            self,
            "Sign off and lock?",
            f"Sign off the {KIND_LABELS[row.kind].lower()} supervision of "
            f"{format_local(row.started_at)}?",
            "Sign off and lock",
            "Not yet",
            informative="Once signed off the record is locked: it can never be changed, "
            "only added to with an addendum.",
        ):
            return False
        try:
            self._service.sign_off(row.id, row.version)
        except Exception as exc:
            self.notice.setText(describe_failure(exc, "sign off the record"))
            return False
        self.load("Signed off and locked.")
        self.signed_off.emit(row.id)
        return True

    def _on_filters_changed(self, _index: int) -> None:
        self._show()

    def _on_row_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_requested.emit(proxy_row(self.proxy, self.model, index).id)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            ctrl = event.modifiers() & Qt.KeyboardModifier.ControlModifier
            if ctrl and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.sign_off_selected()
                return True
        return super().eventFilter(watched, event)


def proxy_row(
    proxy: QSortFilterProxyModel, model: RowTableModel[SupervisionRow], index: QModelIndex
) -> SupervisionRow:
    return model.row(proxy.mapToSource(index).row())
