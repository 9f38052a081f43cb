"""Residents: everyone placed at the user's sites, fetched 200 rows at a time; search and
filters run in the database. Enter or double-click opens the resident's own page in place of
the list (Back or Esc returns); managers admit a resident with Ctrl+N, edit their details and
placement, record a departure and change the key worker.

The list, the resident's page and the two forms share one ListFormStack: leaving a form with
unsaved typing asks first, Esc goes back one step, and the list keeps its search, filters and
place (a save reloads it where it was).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pipe_app.gui.draft_offers import restore_draft
from pipe_app.gui.drafts import DraftKey, load_draft
from pipe_app.gui.latest_load import LatestLoad
from pipe_app.gui.layouts import nest
from pipe_app.gui.lazy_list_panel import WarmRows, show_warm_rows, warm_read
from pipe_app.gui.list_form_stack import FormMaker, ListFormStack
from pipe_app.gui.list_sort import DatabaseSortHeader
from pipe_app.gui.pages import Page, PageSpec
from pipe_app.gui.placement_form import NEW_KIND, PlacementForm
from pipe_app.gui.problems import describe_failure
from pipe_app.gui.record_form import RecordForm
from pipe_app.gui.resident_detail import ResidentDetail
from pipe_app.gui.resident_form import ResidentForm
from pipe_app.gui.search_pace import SearchPace
from pipe_app.gui.table_model import FIRST_ROWS, Column, LazyRowTableModel
from pipe_app.gui.tables import fit_columns, plain_view, search_proxy
from pipe_app.services.permissions import Actor, Permission
from pipe_app.services.residents import (
    BY_NAME,
    ResidentOrder,
    ResidentRow,
    ResidentService,
    ResidentSort,
)
from pipe_app.services.sites import SiteService
from pipe_app.storage.database import Database
from pipe_app.timeutil import local_today

PAGE_SIZE = 200
SITE_COLUMN = 2

_Index = QModelIndex | QPersistentModelIndex


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


# What a header click sorts by (Status depends on today, so it is not sortable).
RESIDENT_SORTS = {
    0: ResidentSort.NAME,
    1: ResidentSort.CRN,
    SITE_COLUMN: ResidentSort.SITE,
    4: ResidentSort.PLACEMENT,
    5: ResidentSort.ARRIVED,
    6: ResidentSort.EXPECTED_DEPARTURE,
    7: ResidentSort.LEFT,
}


class ResidentTableModel(LazyRowTableModel[ResidentRow, ResidentSort]):
    def __init__(self, parent: QWidget | None = None, page_size: int = PAGE_SIZE) -> None:
        super().__init__(
            RESIDENT_COLUMNS,
            resident_search_text,
            parent,
            page_size=page_size,
            what="the residents",
            order=BY_NAME,
            sorts=RESIDENT_SORTS,
        )


@dataclass(frozen=True)
class ListPlace:
    """Where the list was: the chosen resident, how many rows were held, the scroll."""

    current: uuid.UUID | None
    held: int
    scrolled: int


class ResidentsPage(Page):
    """Loads through ResidentService (scoped to the user's sites)."""

    def __init__(
        self, spec: PageSpec, db: Database, actor: Actor, parent: QWidget | None = None
    ) -> None:
        super().__init__(spec, db, actor, parent)
        self._service = ResidentService(db, actor)
        self._filters_ready = False
        self._loaded_search = ""
        self._total = 0
        self._matches = 0
        self._counting = False
        self._total_scope: tuple[object, object] | None = None  # what ``_total`` counted
        self.counts = LatestLoad(self, "Counting the residents", quiet=True)
        # Search words are read off the GUI thread, at SearchPace's pace; the rows held
        # are narrowed at each key meanwhile (the proxy).
        self._searches = LatestLoad(self, "Searching the residents", quiet=True)
        self._warm: WarmRows | None = None  # the idle read's rows on show (``refresh``)
        self._pace = SearchPace(self, self._searches)
        self.search_timer = self._pace.timer  # running while a burst of keys goes on
        self._saved_id: uuid.UUID | None = None
        self.model = ResidentTableModel(self)
        # The proxy narrows what is held while a search is typed; the database sorts.
        self.proxy = search_proxy(self.model, self)
        self.table = plain_view("residentsTable", "Residents", self.proxy, self)
        self.sorting = DatabaseSortHeader(self.table, self.model)
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
        self.site_label = QLabel("S&ite")
        self.site_combo = QComboBox()
        self.site_combo.setObjectName("residentsSiteFilter")
        self.site_combo.setAccessibleName("Show residents at site")
        self.site_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.site_label.setBuddy(self.site_combo)
        self.current_check = QCheckBox("C&urrent residents only")
        self.current_check.setObjectName("residentsCurrentOnly")
        self.current_check.setAccessibleName("Show only residents placed today")
        self.current_check.setToolTip("Unticked: everyone, including expected and moved on")
        self.new_button = QPushButton("New resident")
        self.new_button.setObjectName("newResidentButton")
        self.new_button.setToolTip("Admit a resident (Ctrl+N)")
        self.new_button.setAccessibleName("Admit a new resident")
        self.count_label = QLabel()
        self.count_label.setObjectName("residentsCount")
        self.count_label.setProperty("role", "hint")
        self.count_label.setAccessibleName("Number of residents shown")
        bar.addWidget(self.search_edit, 1)
        bar.addWidget(self.site_label)
        bar.addWidget(self.site_combo)
        bar.addWidget(self.current_check)
        bar.addStretch(1)
        bar.addWidget(self.count_label)
        bar.addWidget(self.new_button)
        nest(panel, bar)

        panel.addWidget(self.table, 1)

        self.empty_label = QLabel("No residents are placed at your sites yet.")
        self.empty_label.setProperty("role", "hint")
        self.empty_label.hide()
        panel.addWidget(self.empty_label)

        self.can_write = actor.can(Permission.RESIDENT_WRITE)
        self.new_button.setVisible(self.can_write)
        self.new_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.New), self)
        # Window-wide, but live only while this page is the one shown.
        self.new_shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        self.new_shortcut.setEnabled(self.can_write)

        # In the page from the start (styled once); the forms are built when first opened.
        form = FormMaker(ResidentForm, db, actor)
        self.stack = ListFormStack("residentsStack", self.list_panel, form, self.table, self)
        self.body.addWidget(self.stack, 1)
        self._detail: ResidentDetail | None = None  # a resident's page: built when first shown
        self.stack.add_form(FormMaker(PlacementForm, db, actor))
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.search_edit.textChanged.connect(self._on_search_changed)
        self._pace.due.connect(self._on_search_due)
        self.site_combo.currentIndexChanged.connect(self._on_filters_changed)
        self.current_check.toggled.connect(self._on_filters_changed)
        self.table.activated.connect(self._on_row_activated)
        self.new_button.clicked.connect(self.new_resident)
        self.new_shortcut.activated.connect(self.new_resident)
        self.stack.form_built.connect(self._connect_form)

    def _connect_form(self, form: RecordForm) -> None:
        form.saved.connect(self._on_form_saved)
        form.closed.connect(self._on_form_closed)

    @property
    def form(self) -> ResidentForm:
        return self.stack.form_of(ResidentForm)

    @property
    def placement_form(self) -> PlacementForm:
        return self.stack.form_of(PlacementForm)

    @property
    def detail(self) -> ResidentDetail:
        if self._detail is None:
            detail = self._detail = ResidentDetail(self.db, self.actor, self.stack)
            self.stack.add_view(detail, detail.back_button)
            detail.closed.connect(self.stack.back)
            detail.record_requested.connect(self.record_requested)
            detail.edit_requested.connect(self._on_edit_requested)
            detail.placement_edit_requested.connect(self._on_placement_edit_requested)
            detail.key_worker_changed.connect(self._on_key_worker_changed)
            detail.placement_added.connect(self._on_key_worker_changed)
        return self._detail

    @property
    def showing_detail(self) -> bool:
        return self._detail is not None and self.stack.currentWidget() is self._detail

    @property
    def form_open(self) -> bool:
        return self.stack.form_open

    def open_record(self, record_id: uuid.UUID | DraftKey) -> None:
        """Show one resident's page (from Today, a search, or the list itself); a DraftKey
        (from Today) reopens that unsaved admission or edit."""
        if not self.stack.leave():
            return
        if isinstance(record_id, DraftKey):
            self.reopen_draft(record_id)
            return
        self.stack.show_panel(self.detail)
        self.detail.show_resident(record_id)
        self.detail.back_button.setFocus()

    def _on_row_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_record(self._resident_at(index))

    def _resident_at(self, index: _Index) -> uuid.UUID:
        return self.model.row(self.proxy.mapToSource(index).row()).id

    def search_field(self) -> QLineEdit:
        return self.search_edit

    def can_leave(self) -> bool:
        return self.stack.leave()

    # ---- admitting and editing ---------------------------------------------------------

    def new_resident(self) -> None:
        if not self.can_write or not self.stack.leave():
            return
        self.stack.back_to_list()  # a new resident is not the one on show
        self.stack.show_form(self.form)
        self.form.start_new()

    def _edit(self, form: RecordForm, record_id: uuid.UUID) -> bool:
        if not form.open_record(record_id):
            self.detail.message.setText(form.errors.general_message)
            self.detail.message.show()
            return False
        self.stack.show_form(form)
        return True

    def _on_edit_requested(self, resident_id: uuid.UUID) -> None:
        self._edit(self.form, resident_id)

    def _on_placement_edit_requested(self, placement_id: uuid.UUID, departure: bool) -> None:
        if self._edit(self.placement_form, placement_id) and departure:
            self.placement_form.start_departure()

    def reopen_draft(self, key: DraftKey) -> bool:
        draft = load_draft(self.actor.username, key)
        if draft is None or not self.can_write:
            return False
        if key.kind == NEW_KIND and key.record_id is not None:  # a new stay for a resident
            self.stack.show_panel(self.detail)
            self.detail.show_resident(key.record_id)
            self.detail.open_new_placement(draft)  # once the resident is loaded
            return True
        form: RecordForm = self.placement_form if key.kind == PlacementForm.KIND else self.form
        if restore_draft(form, key, draft, lambda: self.stack.show_form(form)):
            return True
        self.show_error(form.errors.general_message)
        return False

    def _on_form_saved(self, record_id: uuid.UUID) -> None:
        self._saved_id = record_id

    def _on_form_closed(self) -> None:
        """Back where the form was opened from; after a save, showing what was saved."""
        saved, self._saved_id = self._saved_id, None
        shown = self.stack.back()
        if saved is None:
            return
        self._load(keep_place=True)
        if shown is self._detail:
            self.detail.reload()
        else:
            self._select(saved)

    def _on_key_worker_changed(self, _placement_id: object = None) -> None:
        """A new key worker or placement changes the list's columns: load it in place."""
        self._load(keep_place=True)

    def _select(self, resident_id: uuid.UUID, *, scroll: bool = True) -> None:
        for number in range(self.model.rowCount()):
            if self.model.row(number).id == resident_id:
                index = self.proxy.mapFromSource(self.model.index(number, 0))
                self.table.setCurrentIndex(index)
                if scroll:
                    self.table.scrollTo(index)
                return

    def _place(self) -> ListPlace:
        index = self.table.currentIndex()
        current = self._resident_at(index) if index.isValid() else None
        return ListPlace(current, self.model.rowCount(), self.table.verticalScrollBar().value())

    def _restore(self, place: ListPlace) -> None:
        """Fetch as far as the list had been read, then choose and scroll as it was."""
        while self.model.rowCount() < place.held and self.model.canFetchMore(QModelIndex()):
            self.model.fetchMore(QModelIndex())
        if place.current is not None:
            self._select(place.current, scroll=False)
        self.table.doItemsLayout()  # the scroll range must know the rows before scrolling
        self.table.verticalScrollBar().setValue(place.scrolled)

    # ---- the list ----------------------------------------------------------------------

    def _fill_filters(self) -> None:
        """The site box, shown only to people who work at several sites."""
        self.site_combo.blockSignals(True)
        self.site_combo.clear()
        self.site_combo.addItem("All my sites", None)
        try:
            for site in SiteService(self.db, self.actor).rows():
                if self.actor.is_system or site.id in self.actor.site_ids:
                    self.site_combo.addItem(site.name, site.id)
        except Exception as exc:
            self.show_error(describe_failure(exc, "read your sites"))
        self.site_combo.blockSignals(False)
        several = self.site_combo.count() > 2
        self.site_label.setVisible(several)
        self.site_combo.setVisible(several)
        self.table.setColumnHidden(SITE_COLUMN, not several)
        self._filters_ready = True

    def prepare(self) -> None:
        if not self._filters_ready:
            self._fill_filters()

    def refresh(self) -> None:
        self.prepare()
        warm, self._warm = self._warm, None
        if warm is not None and warm.current:  # the first opening, nothing changed since
            self._load(answer=("", self.model.rows))
            return
        if warm is not None:  # the first opening: the idle read's rows stay while read again
            self._counting = True  # the total is not known until that read is counted
            self._update_count()
            self._read_words(stale=True)
            return
        self._load(keep_place=True)
        fit_columns(self.table)
        if self.showing_detail:
            self.detail.reload()

    def _fetch(
        self, site_id: uuid.UUID | None, current_on: date | None, search: str
    ) -> Callable[[int, int, ResidentOrder], list[ResidentRow]]:
        service = self._service

        def fetch(limit: int, offset: int, order: ResidentOrder) -> list[ResidentRow]:
            return service.rows(
                site_id=site_id,
                search=search,
                current_on=current_on,
                order=order,
                limit=limit,
                offset=offset,
            )

        return fetch

    def _scope(self) -> tuple[uuid.UUID | None, date | None]:
        """The site chosen (None: all the user's) and the day residents are placed on (None:
        everyone, "Current residents only" unticked): what the filters ask for."""
        return self.site_combo.currentData(), (
            local_today() if self.current_check.isChecked() else None
        )

    def warm_up(self) -> Callable[[], object]:
        """The list's first rows, read while the window is idle (``WarmRows``)."""
        return warm_read(lambda: self._fetch(*self._scope(), ""), self.model.order, self.db.changes)

    def warmed(self, outcome: object) -> None:
        """The idle read's rows go on show while the list is still hidden, laid out; its
        first opening paints them at once, and reads them again off the GUI thread unless
        nothing has been committed since (SQLite's change mark, ``WarmRows.current``)."""
        if not self._loaded and show_warm_rows(self.model, outcome):
            assert isinstance(outcome, WarmRows)
            fit_columns(self.table)
            self._warm = outcome

    def _load(
        self, *, keep_place: bool = False, answer: tuple[str, list[ResidentRow]] | None = None
    ) -> None:
        """Read the list again at once, or show a search's ``answer`` (its words, and the
        first rows read off the GUI thread) read with the filters as they are."""
        if answer is None:  # the words as they are now: nothing more is due for them
            self._pace.started()
            self._searches.forget()  # a search still being read must not come back over this
        place = self._place() if keep_place else None
        if keep_place:  # reloaded in place (F5, a save): the records may have changed
            self._total_scope = None
        service = self._service
        site_id, current_on = self._scope()
        search = self.search_edit.text().strip() if answer is None else answer[0]
        fetch = self._fetch(site_id, current_on, search)
        if answer is None:
            self.model.reset(fetch)
        else:
            self.model.reset(fetch, answer[1], asked=FIRST_ROWS)
        if place is not None:
            self._restore(place)
        self._loaded_search = search
        if self.search_edit.text().strip() != search:
            self.model.hold()  # keys came while these words were read: theirs are next
        if self.model.error:
            self.show_error(self.model.error)
            return
        self.show_error("")
        held, complete = self.model.rowCount(), self.model.complete
        scope = (site_id, current_on)  # the total does not change with the search
        known = self._total if scope == self._total_scope else None
        if complete and (not search or known is not None):
            self._matches, self._total_scope = held, scope
            self._total = known if search and known is not None else held
            self._counting = False
            self._update_count()
            return

        def counts() -> tuple[int, int]:  # off the GUI thread: the first rows paint first
            matches = (
                held
                if complete
                else service.count(site_id=site_id, current_on=current_on, search=search)
            )
            if not search:
                return matches, matches
            if known is not None:
                return matches, known
            return matches, service.count(site_id=site_id, current_on=current_on)

        self._counting = True
        self._update_count()
        self.counts.start(
            counts, lambda found: self._show_counts(found, scope), self._on_count_failed
        )

    def _show_counts(self, counts: tuple[int, int], scope: tuple[object, object]) -> None:
        self._counting = False
        self._matches, self._total = counts
        self._total_scope = scope
        self._update_count()

    def _on_count_failed(self, error: BaseException) -> None:
        self._counting = False
        self.count_label.setText("")
        self.show_error(describe_failure(error, "count the residents"))

    @property
    def is_loading(self) -> bool:
        return self.counts.is_loading or self._searches.is_loading

    @property
    def reading_rows(self) -> bool:
        """The list's first rows are being read off the GUI thread (not its count)."""
        return self._searches.is_loading

    def _on_search_changed(self, text: str) -> None:
        # At once: narrow what is already held; when SearchPace says: ask the database.
        if text.strip() != self._loaded_search:
            self.model.hold()  # the rows held are of other words: no more of them
        self.proxy.setFilterFixedString(text.strip().casefold())
        self._pace.typed()
        self._update_count()

    def _on_search_due(self) -> None:
        self._read_words()

    def _read_words(self, *, stale: bool = False) -> None:
        """Read the words off the GUI thread; the rows held, narrowed, stay until then
        (``stale``: the idle read's, which go if the read fails)."""
        if not self._loaded:
            return
        self._pace.started()
        search = self.search_edit.text().strip()
        fetch = self._fetch(*self._scope(), search)
        order = self.model.order

        def found(rows: list[ResidentRow]) -> None:
            current = self._place().current
            if self.model.order == order:
                self._load(answer=(search, rows))
            else:  # sorted meanwhile: read in the new order
                self._load()
            if current is not None:
                self._select(current)

        def failed(error: BaseException) -> None:
            if stale:
                self._counting = False
                self.model.reset(fetch, [], asked=FIRST_ROWS)
            self.show_error(describe_failure(error, "search the residents"))

        self._searches.start(lambda: fetch(FIRST_ROWS, 0, order), found, failed)

    def _on_filters_changed(self, *_args: object) -> None:
        """A new query; the resident chosen stays chosen when it still matches."""
        if self._loaded:
            current = self._place().current
            self._load()
            if current is not None:
                self._select(current)

    def _update_count(self) -> None:
        search = self.search_edit.text().strip()
        if search == self._loaded_search:
            if self._counting:
                self.count_label.setText("Counting…")
                return
            shown = self._matches
        elif self.model.complete and not self._loaded_search and not self._counting:
            shown = self.proxy.rowCount()  # everything is held: filtering it is exact
        else:
            self.count_label.setText("Searching…")
            return
        total = self._total
        noun = "resident" if total == 1 else "residents"
        self.count_label.setText(
            f"{total:,} {noun}" if not search else f"{shown:,} of {total:,} {noun} match"
        )
        self.empty_label.setVisible(total == 0)
