"""The Accreditation page's cycles tab: a site's accreditation cycles and the cycle form.

The list shows each cycle's milestones, expiry and status; Enter or a double-click opens one.
The page reads it (``set_scope``) when the tab comes on show after a refresh or a new cycle.
Managers add and change cycles; everyone else who may read the site's evidence reads them.
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from pipe_app.gui.cycle_form import CYCLE_STATUS_LABELS, CycleForm
from pipe_app.gui.draft_offers import DRAFT_GONE, reopen_draft
from pipe_app.gui.drafts import DraftKey
from pipe_app.gui.layouts import nest
from pipe_app.gui.list_form_stack import FormMaker, ListFormStack
from pipe_app.gui.problems import describe_failure
from pipe_app.gui.table_model import Column, RowTableModel
from pipe_app.gui.tables import fit_columns, sorted_view
from pipe_app.services.accreditation import AccreditationService, CycleRow
from pipe_app.services.errors import NotFound
from pipe_app.services.permissions import Actor, Permission
from pipe_app.storage.database import Database

CYCLE_COLUMNS: list[Column[CycleRow]] = [
    Column("Membership", lambda r: r.membership_on),
    Column("Portfolio due", lambda r: r.portfolio_due_on),
    Column("Interim", lambda r: r.interim_assessment_on, tooltip="Interim assessment"),
    Column("Award visit", lambda r: r.award_visit_on),
    Column("Awarded", lambda r: r.award_on),
    Column("Expires", lambda r: r.expires_on, tooltip="Three years after the award"),
    Column("Status", lambda r: CYCLE_STATUS_LABELS[r.status]),
    Column("Framework", lambda r: r.framework_name),
]


class CyclesView(QWidget):
    changed = Signal()  # a cycle was saved or archived: coverage may follow another cycle

    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cyclesView")
        self.db, self.actor = db, actor
        self.site_id: uuid.UUID | None = None
        self.default_framework: uuid.UUID | None = None  # the one a new cycle follows
        self.model: RowTableModel[CycleRow] = RowTableModel(CYCLE_COLUMNS, parent=self)
        self.table, self.proxy = sorted_view(
            "cyclesTable", "Accreditation cycles of this site", self.model, self
        )
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.notice = QLabel()
        self.notice.setObjectName("cyclesNotice")
        self.notice.setProperty("role", "hint")
        self.notice.setWordWrap(True)
        self.new_button = QPushButton("New cycle")
        self.new_button.setObjectName("newCycleButton")
        self.new_button.setToolTip("Record a new accreditation cycle for this site")
        list_panel = QWidget()
        panel = QVBoxLayout(list_panel)
        panel.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        bar.addWidget(self.notice, 1)
        bar.addWidget(self.new_button)
        nest(panel, bar)
        panel.addWidget(self.table, 1)
        form = FormMaker(CycleForm, db, actor)  # built when first opened
        self.stack = ListFormStack("cyclesStack", list_panel, form, self.table)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

        self.new_button.clicked.connect(self.new_cycle)
        self.table.activated.connect(self._on_activated)
        self.stack.form_built.connect(self._connect_form)

    def _connect_form(self, form: CycleForm) -> None:
        form.default_framework = self.default_framework
        form.saved.connect(self._on_changed)
        form.archived.connect(self._on_changed)
        form.closed.connect(self._on_form_closed)

    @property
    def form(self) -> CycleForm:
        return self.stack.form_of(CycleForm)

    def set_scope(self, site_id: uuid.UUID | None, framework_id: uuid.UUID | None) -> None:
        """The page's site, whose cycles are listed, and the framework a new cycle follows."""
        self.site_id = site_id
        self.default_framework = framework_id
        form = self.stack.built_form(CycleForm)
        if form is not None:
            form.default_framework = framework_id
        self.reload()

    def reload(self) -> None:
        site = self.site_id
        self.new_button.setVisible(
            site is not None and self.actor.can(Permission.ACCREDITATION_MANAGE, site)
        )
        if site is None:
            self.model.set_rows([])
            self.notice.setText("You have no site whose accreditation you may read.")
            return
        try:
            rows = AccreditationService(self.db, self.actor).rows(site_id=site)
        except Exception as exc:
            self.notice.setText(describe_failure(exc, "read the accreditation cycles"))
            return
        self.model.set_rows(rows)
        fit_columns(self.table)
        self.notice.setText(
            "No accreditation cycle recorded yet." if not rows else "Enter or double-click opens."
        )

    # ---- opening ----------------------------------------------------------------------

    def owns(self, record_id: uuid.UUID) -> bool:
        """Whether a Today line's id is a cycle's."""
        try:
            AccreditationService(self.db, self.actor).get(record_id)
        except NotFound:
            return False
        return True

    def _site_to_manage(self) -> uuid.UUID | None:
        """The site shown, if this login may record its cycles."""
        site = self.site_id
        if site is None or not self.actor.can(Permission.ACCREDITATION_MANAGE, site):
            return None
        return site

    def new_cycle(self) -> None:
        site = self._site_to_manage()
        if site is None:
            return
        if not self.stack.leave():
            return
        self.form.site_id = site
        self.stack.show_form()
        self.form.start_new()

    def reopen(self, key: DraftKey) -> bool:
        """A cycle's unsaved form (from Today), new or not, with its typing put back."""
        if not self.stack.leave():
            return False
        if key.record_id is None:
            site = self._site_to_manage()
            if site is None:
                return False
            self.form.site_id = site
        if reopen_draft(self.stack, key):
            return True
        self.notice.setText(self.form.errors.general_message or DRAFT_GONE)
        return False

    def open_cycle(self, record_id: uuid.UUID | None) -> bool:
        if record_id is None:
            self.new_cycle()
            return self.stack.form_open
        if not self.stack.leave():
            return False
        if not self.form.open_record(record_id):
            self.notice.setText(self.form.errors.general_message)
            return False
        self.stack.show_form()
        self.form.focus_first()
        return True

    def _on_activated(self, index: QModelIndex) -> None:
        source = self.proxy.mapToSource(index)
        if source.isValid():
            self.open_cycle(self.model.row(source.row()).id)

    def _on_changed(self, _record_id: object) -> None:
        self.changed.emit()

    def _on_form_closed(self) -> None:
        self.stack.back_to_list()
        self.reload()

    def leave(self) -> bool:
        return self.stack.leave()
