"""Staff & training: the staff list, the training matrix, and the training records with
their form (Ctrl+N records a completion) and the CSV import."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from pipe_app.gui.drafts import DraftKey, load_draft
from pipe_app.gui.latest_load import LatestLoad
from pipe_app.gui.layouts import nest
from pipe_app.gui.list_form_stack import FormMaker, ListFormStack
from pipe_app.gui.pages import Page, PageSpec
from pipe_app.gui.problems import describe_failure
from pipe_app.gui.tab_loads import TabLoads
from pipe_app.gui.table_model import Column, RowTableModel
from pipe_app.gui.tables import fit_columns, sorted_view
from pipe_app.gui.training_import_dialog import TrainingImportDialog, ask_import_file
from pipe_app.gui.training_matrix_view import TrainingMatrixView
from pipe_app.gui.training_record_form import TrainingRecordForm
from pipe_app.gui.training_records_list import TrainingRecordsList
from pipe_app.reports.training_matrix import build_matrix, role_label
from pipe_app.services.permissions import Actor, Permission
from pipe_app.services.sites import SiteRow, SiteService
from pipe_app.services.staff import StaffRow, StaffService
from pipe_app.services.training import CourseRow, TrainingService
from pipe_app.services.training_import import TrainingImportService
from pipe_app.storage.database import Database

STAFF_TAB, MATRIX_TAB, RECORDS_TAB = range(3)
_Lists = tuple[list[SiteRow], list[StaffRow] | None, list[CourseRow]]


class StaffPage(Page):
    def __init__(
        self, spec: PageSpec, db: Database, actor: Actor, parent: QWidget | None = None
    ) -> None:
        super().__init__(spec, db, actor, parent)
        self._training = TrainingService(db, actor)
        self.loads = LatestLoad(self, "Loading the staff and training records")
        self._site_names: dict[uuid.UUID, str] = {}
        self.can_write = actor.can(Permission.TRAINING_WRITE)
        self.import_dialog: TrainingImportDialog | None = None
        self._lists_for: set[int] = set()  # the tabs waiting for the staff lists read

        # Staff
        self.staff_model: RowTableModel[StaffRow] = RowTableModel(
            [
                Column("Name", lambda r: r.full_name, sort_key=lambda r: r.family_name.lower()),
                Column("Job role", lambda r: role_label(r.job_role)),
                Column("Sites", self._sites_text),
                Column("Started", lambda r: r.start_date),
                Column("Email", lambda r: r.email or ""),
            ],
            parent=self,
        )
        self.staff_table, self.staff_proxy = sorted_view(
            "staffTable", "Staff at your sites", self.staff_model, self
        )
        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("staffSearch")
        self.search_edit.setPlaceholderText("Search staff by name  (Ctrl+F)")
        self.search_edit.setAccessibleName("Search staff")
        self.search_edit.setClearButtonEnabled(True)
        staff_panel = QWidget()
        staff_layout = QVBoxLayout(staff_panel)
        staff_layout.setContentsMargins(0, 8, 0, 0)
        staff_layout.addWidget(self.search_edit)
        staff_layout.addWidget(self.staff_table, 1)

        self.tabs = QTabWidget(self)  # in the page first: each tab is styled once, in place
        self.tabs.setObjectName("staffTabs")
        self.body.addWidget(self.tabs, 1)
        self.tabs.addTab(staff_panel, "Staff")
        self.staff_panel = staff_panel
        # Built in idle turns of their own when the window builds the page while idle.
        self.build_later(self._add_matrix_tab)
        self.build_later(self._add_records_tab)
        self.build_later(self._connect_signals)

    def _add_matrix_tab(self) -> None:
        self.matrix_view = TrainingMatrixView(self.db, self.actor)
        self.tabs.addTab(self.matrix_view, "Training matrix")

    def _add_records_tab(self) -> None:
        self.records = TrainingRecordsList(self._training, self.actor)
        self.records_model, self.records_table = self.records.model, self.records.table
        self.new_button = QPushButton("Record training")
        self.new_button.setObjectName("newTrainingRecordButton")
        self.new_button.setToolTip("Record a training completion (Ctrl+N)")
        self.import_button = QPushButton("Import…")
        self.import_button.setObjectName("importTrainingButton")
        self.import_button.setToolTip("Import completions from a learning system's CSV file")
        for button in (self.new_button, self.import_button):
            button.setEnabled(self.can_write)
        self.notice_label = QLabel()
        self.notice_label.setObjectName("trainingNotice")
        self.notice_label.setProperty("role", "hint")
        self.notice_label.setWordWrap(True)
        records_list = QWidget()
        list_layout = QVBoxLayout(records_list)
        list_layout.setContentsMargins(0, 8, 0, 0)
        bar = QHBoxLayout()
        bar.addWidget(self.notice_label, 1)
        bar.addWidget(self.import_button)
        bar.addWidget(self.new_button)
        nest(list_layout, bar)
        list_layout.addWidget(self.records, 1)
        form = FormMaker(TrainingRecordForm, self.db, self.actor)  # built when first opened
        self.records_stack = ListFormStack(
            "trainingRecordsStack", records_list, form, self.records_table
        )
        self.tabs.addTab(self.records_stack, "Records")

    def _connect_signals(self) -> None:
        self.new_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.New), self)
        self.new_shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        self.search_edit.textChanged.connect(self.staff_proxy.setFilterFixedString)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.matrix_view.failed.connect(self.show_error)
        self.records.failed.connect(self.show_error)
        self.new_button.clicked.connect(self.new_record)
        self.new_shortcut.activated.connect(self.new_record)
        self.import_button.clicked.connect(self._on_import_clicked)
        self.records_table.activated.connect(self._on_record_activated)
        self.records_stack.form_built.connect(self._prepare_form)
        self.tab_loads = TabLoads(  # after _on_tab_changed: a load's error stays on show
            self.tabs,
            {
                self.staff_panel: self._load_staff,
                self.matrix_view: self.matrix_view.refresh,
                self.records_stack: self._load_records,
            },
        )

    def _prepare_form(self, form: TrainingRecordForm) -> None:
        form.setMinimumWidth(320)  # its button row must not hold the window wide
        form.closed.connect(self._on_form_closed)
        form.saved.connect(self._on_form_saved)

    @property
    def form(self) -> TrainingRecordForm:
        return self.records_stack.form_of(TrainingRecordForm)

    def _sites_text(self, row: StaffRow) -> str:
        names = [self._site_names.get(site, "another site") for site in row.site_ids]
        return ", ".join(sorted(names))

    # ---- loading -----------------------------------------------------------------------

    def search_field(self) -> QLineEdit | None:
        index = self.tabs.currentIndex()
        if index == RECORDS_TAB and not self.form_open:
            return self.records.search_edit
        return self.search_edit if index == STAFF_TAB else None

    @property
    def is_loading(self) -> bool:
        return self.loads.is_loading or self.matrix_view.is_loading

    def prepare(self) -> None:
        self.matrix_view.prepare()

    def warm_up(self) -> Callable[[], object]:
        """The staff lists' read and the matrix's for the first site (staff, not residents)."""
        db, actor, site = self.db, self.actor, self.matrix_view.site_id
        lists = self._lists_reader(with_staff=True)

        def read() -> None:
            lists()
            if site is not None:
                build_matrix(db, actor, site)

        return read

    def refresh(self) -> None:
        """Load the tab on show; the others when they are next shown (F5, a save, an import)."""
        self.show_error("")
        self.tab_loads.refresh()

    def _load_staff(self) -> None:
        self._read_lists(STAFF_TAB)

    def _load_records(self) -> None:
        """The first page of training records; the filter choices come with the staff lists."""
        if self.records.filters_ready:
            self.records.load()
        else:
            self._read_lists(RECORDS_TAB)

    def _read_lists(self, tab: int) -> None:
        """Read the sites, courses (and, for the Staff tab, the staff) off the GUI thread.

        A newer read replaces an older one still running, so it answers for both tabs."""
        self._lists_for.add(tab)
        read = self._lists_reader(with_staff=STAFF_TAB in self._lists_for)
        self.loads.start(read, self._show_lists, self._on_lists_failed)

    def _lists_reader(self, *, with_staff: bool) -> Callable[[], _Lists]:
        """The read of the sites, the courses and (``with_staff``) the staff, to run off the
        GUI thread."""
        db, actor, training = self.db, self.actor, self._training

        def read() -> _Lists:
            sites = SiteService(db, actor).rows()
            staff = StaffService(db, actor).rows() if with_staff else None
            return sites, staff, training.courses()

        return read

    def _show_lists(self, lists: _Lists) -> None:
        sites, staff, courses = lists
        waiting, self._lists_for = self._lists_for, set()
        self._site_names = {site.id: site.name for site in sites}
        if staff is not None:
            self.staff_model.set_rows(staff)
            fit_columns(self.staff_table)
        if not self.records.filters_ready:
            self.records.fill_filters(sites, courses)
        if RECORDS_TAB in waiting:
            self.records.load()

    def _on_lists_failed(self, error: BaseException) -> None:
        self._lists_for.clear()
        self.show_error(describe_failure(error, "read the staff and training records"))

    def _on_tab_changed(self, _index: int) -> None:
        self.show_error("")

    # ---- records -----------------------------------------------------------------------

    @property
    def form_open(self) -> bool:
        return self.records_stack.form_open

    def new_record(self) -> None:
        if not self.can_write or (self.form_open and not self.form.can_close()):
            return
        self.tabs.setCurrentIndex(RECORDS_TAB)
        self.form.reload_choices()
        self.records_stack.setCurrentWidget(self.form)
        self.form.start_new()

    def open_record(self, record_id: uuid.UUID | DraftKey | None) -> None:
        """Show one training record; a DraftKey reopens that unsaved draft."""
        if record_id is None:
            self.new_record()
            return
        if self.form_open and not self.form.can_close():
            return
        self.tabs.setCurrentIndex(RECORDS_TAB)
        if isinstance(record_id, DraftKey):
            draft = load_draft(self.actor.username, record_id)
            if draft is None:
                return
            if record_id.record_id is None:
                self.records_stack.setCurrentWidget(self.form)
                self.form.start_new(offer_draft=False)
            elif not self._open_in_form(record_id.record_id, offer_draft=False):
                return
            self.form.restore(draft)
            return
        self._open_in_form(record_id)

    def _open_in_form(self, record_id: uuid.UUID, *, offer_draft: bool = True) -> bool:
        if not self.form.open_record(record_id, offer_draft=offer_draft):
            self.show_error(self.form.errors.general_message)
            return False
        self.records_stack.setCurrentWidget(self.form)
        self.form.focus_first()
        return True

    def _on_record_activated(self, index: QModelIndex) -> None:
        if self.can_write and index.isValid():
            self.open_record(self.records_model.row(index.row()).id)

    def can_leave(self) -> bool:
        return self.records_stack.leave()

    def _on_form_saved(self, _record_id: object) -> None:
        self.notice_label.setText(f"Saved: {self.form.title_text()}.")

    def _on_form_closed(self) -> None:
        self.records_stack.back_to_list()
        if self._loaded:
            self.refresh()

    # ---- import ------------------------------------------------------------------------

    def _on_import_clicked(self) -> None:
        if not self.can_write:
            return
        path = ask_import_file(self)
        if path is None:
            return
        try:
            preview = TrainingImportService(self.db, self.actor).preview(path)
        except Exception as exc:
            self.show_error(describe_failure(exc, "read the file"))
            return
        dialog = TrainingImportDialog(preview, self.db, self.actor, self)
        dialog.imported.connect(self._on_imported)
        dialog.finished.connect(dialog.deleteLater)
        self.import_dialog = dialog
        dialog.open()

    def _on_imported(self, text: str) -> None:
        self.notice_label.setText(text)
        self.refresh()
