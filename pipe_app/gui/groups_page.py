"""Groups & activities: the list of sessions, and one session's form beside its register."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from PySide6.QtCore import QDate, QModelIndex, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from pipe_app.gui.group_form import KIND_LABELS, STATUS_LABELS, GroupForm
from pipe_app.gui.pages import Page, PageSpec
from pipe_app.gui.problems import describe_failure
from pipe_app.gui.register_widget import RegisterWidget
from pipe_app.gui.table_model import ROW_ROLE, Column, RowTableModel
from pipe_app.gui.tables import fit_columns, sorted_view
from pipe_app.services.groups import GroupRow, GroupService
from pipe_app.services.permissions import Actor, Permission
from pipe_app.services.sites import SiteRow, SiteService
from pipe_app.storage.database import Database
from pipe_app.timeutil import local_today

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
        lambda r: (r.recorded > 0, r.attended),
        tooltip="Residents who attended, of those with a code on the register",
    ),
    Column("Facilitators", lambda r: ", ".join(r.facilitator_names)),
]


SITE_COLUMN = 4


def group_search_text(row: GroupRow) -> str:
    return f"{row.title} {row.activity}".casefold()


class GroupTableModel(RowTableModel[GroupRow]):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(GROUP_COLUMNS, group_search_text, parent)


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


class GroupsPage(Page):
    """List (filters + search as you type) and editor (form + register) in one stack."""

    def __init__(
        self, spec: PageSpec, db: Database, actor: Actor, parent: QWidget | None = None
    ) -> None:
        super().__init__(spec, db, actor, parent)
        self._service = GroupService(db, actor)
        self._sites: list[SiteRow] = []
        self.stack = QStackedWidget()
        self.stack.setObjectName("groupsStack")
        self.list_panel = self._build_list()
        self.editor_panel = self._build_editor()
        self.stack.addWidget(self.list_panel)
        self.stack.addWidget(self.editor_panel)
        # Small windows scroll rather than forcing the whole main window wider.
        frame = QScrollArea()
        frame.setObjectName("groupsScroll")
        frame.setWidgetResizable(True)
        frame.setFrameShape(QFrame.Shape.NoFrame)
        frame.viewport().setAutoFillBackground(False)
        frame.setWidget(self.stack)
        self.stack.setAutoFillBackground(False)  # setWidget turned it on; keep the page colour
        self.body.addWidget(frame, 1)
        self._connect_signals()

    # ---- building ----------------------------------------------------------------------

    def _build_list(self) -> QWidget:
        panel = QWidget()
        panel.setObjectName("groupsListPanel")
        bar = QHBoxLayout()
        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("groupSearch")
        self.search_edit.setPlaceholderText("Search by title or activity  (Ctrl+F)")
        self.search_edit.setAccessibleName("Search group sessions by title or activity")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumWidth(280)
        self.site_filter = QComboBox()
        self.site_filter.setObjectName("groupSiteFilter")
        self.site_filter.setAccessibleName("Show sessions at site")
        self.from_edit = QDateEdit()
        self.from_edit.setObjectName("groupFromDate")
        self.from_edit.setAccessibleName("Show sessions from date")
        self.to_edit = QDateEdit()
        self.to_edit.setObjectName("groupToDate")
        self.to_edit.setAccessibleName("Show sessions up to date")
        today = local_today()
        # Four weeks back and two ahead: the sessions people look for.
        for edit, day in (
            (self.from_edit, today - timedelta(days=28)),
            (self.to_edit, today + timedelta(days=14)),
        ):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd MMM yyyy")
            edit.setDate(_qdate(day))
        self.kind_filter = QComboBox()
        self.kind_filter.setObjectName("groupKindFilter")
        self.kind_filter.setAccessibleName("Show sessions of kind")
        self.kind_filter.addItem("All kinds", None)
        for kind, label in KIND_LABELS.items():
            self.kind_filter.addItem(label, kind)
        self.new_button = QPushButton("New session")
        self.new_button.setObjectName("newGroupButton")
        self.new_button.setAccessibleName("New group session")
        self.new_button.setToolTip("Record a new group session (Ctrl+N)")
        self.repeat_button = QPushButton("Repeat a week later")
        self.repeat_button.setObjectName("repeatGroupButton")
        self.repeat_button.setAccessibleName("Repeat the selected session a week later")
        self.repeat_button.setToolTip("Copy the selected session to the same time a week later")
        writable = self.actor.can(Permission.GROUP_WRITE)
        self.new_button.setEnabled(writable)
        self.repeat_button.setEnabled(False)
        bar.addWidget(self.search_edit, 2)
        for text, widget in (
            ("Si&te", self.site_filter),
            ("&From", self.from_edit),
            ("T&o", self.to_edit),
            ("&Kind", self.kind_filter),
        ):
            caption = QLabel(text)
            caption.setBuddy(widget)
            bar.addWidget(caption)
            bar.addWidget(widget)
        bar.addStretch(1)

        self.model = GroupTableModel(self)
        self.table, self.proxy = sorted_view("groupsTable", "Group sessions", self.model, self)
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        foot = QHBoxLayout()
        self.count_label = QLabel()
        self.count_label.setProperty("role", "hint")
        self.count_label.setAccessibleName("Number of sessions shown")
        hint = QLabel("Enter or double-click opens a session and its register.")
        hint.setProperty("role", "hint")
        foot.addWidget(hint)
        foot.addStretch(1)
        foot.addWidget(self.count_label)
        foot.addWidget(self.repeat_button)
        foot.addWidget(self.new_button)
        self.empty_label = QLabel("No group sessions in these dates. Ctrl+N records one.")
        self.empty_label.setProperty("role", "hint")
        self.empty_label.hide()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty_label)
        layout.addLayout(foot)
        return panel

    def _build_editor(self) -> QWidget:
        panel = QWidget()
        panel.setObjectName("groupEditorPanel")
        self.form = GroupForm(self.db, self.actor, self._service)
        scroll = QScrollArea()
        scroll.setObjectName("groupFormScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.form)
        scroll.setMinimumWidth(400)
        scroll.setMaximumWidth(440)
        scroll.viewport().setAutoFillBackground(False)
        self.form.setAutoFillBackground(False)  # setWidget turned it on; keep the page colour
        self.register = RegisterWidget(self._service)
        self.register_hint = QLabel(
            "Save the session first; then its register lists everyone placed at the site that day."
        )
        self.register_hint.setObjectName("registerHint")
        self.register_hint.setProperty("role", "hint")
        self.register_hint.setWordWrap(True)
        self.register_hint.setAlignment(Qt.AlignmentFlag.AlignTop)
        right = QVBoxLayout()
        right.addWidget(self.register, 1)
        right.addWidget(self.register_hint, 1)
        layout = QHBoxLayout(panel)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(20)
        layout.addWidget(scroll)
        layout.addLayout(right, 1)
        return panel

    def _connect_signals(self) -> None:
        self.search_edit.textChanged.connect(self._on_search_changed)
        for combo in (self.site_filter, self.kind_filter):
            combo.currentIndexChanged.connect(self._on_filters_changed)
        for edit in (self.from_edit, self.to_edit):
            edit.dateChanged.connect(self._on_filters_changed)
        self.table.activated.connect(self._on_row_activated)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_changed)
        self.new_button.clicked.connect(self.new_session)
        self.repeat_button.clicked.connect(self._on_repeat_clicked)
        self.form.saved.connect(self._on_form_saved)
        self.form.back_requested.connect(self.show_list)
        self.register.saved.connect(self._on_register_saved)
        self.register.reloaded.connect(self._on_register_reloaded)
        # Window-wide, but a hidden page or panel never answers: only the one on screen does.
        context = Qt.ShortcutContext.WindowShortcut
        for keys, slot, parent in (
            (QKeySequence.StandardKey.New, self.new_session, self),
            (QKeySequence.StandardKey.Save, self.save, self.editor_panel),
            (QKeySequence(Qt.Key.Key_Escape), self.show_list, self.editor_panel),
        ):
            shortcut = QShortcut(QKeySequence(keys), parent)
            shortcut.setContext(context)
            shortcut.activated.connect(slot)

    # ---- Page --------------------------------------------------------------------------

    def search_field(self) -> QLineEdit:
        return self.search_edit

    @property
    def editing(self) -> bool:
        return self.stack.currentIndex() == 1

    def refresh(self) -> None:
        """F5: the list, and the open session too unless it holds unsaved changes."""
        row = self.form.row
        unsaved = self.form.has_typing or self.register.is_dirty
        if self.editing and row is not None and not unsaved:
            self.open_record(row.id)
        try:
            self._load_sites()
            rows = self._service.rows(
                site_id=self.site_filter.currentData(),
                date_from=self.from_edit.date().toPython(),  # type: ignore[arg-type]
                date_to=self.to_edit.date().toPython(),  # type: ignore[arg-type]
                kind=self.kind_filter.currentData(),
            )
        except Exception as exc:
            self.show_error(describe_failure(exc, "load the group sessions"))
            return
        self.show_error("")
        self.model.set_rows(rows)
        fit_columns(self.table)
        self._update_count()
        self._on_current_changed(self.table.currentIndex(), QModelIndex())

    def _load_sites(self) -> None:
        sites = SiteService(self.db, self.actor).rows()
        if [s.id for s in sites] == [s.id for s in self._sites]:
            return
        self._sites = sites
        self.site_filter.blockSignals(True)
        self.site_filter.clear()
        if len(sites) != 1:
            self.site_filter.addItem("All my sites", None)
        for site in sites:
            self.site_filter.addItem(site.name, site.id)
        self.site_filter.setEnabled(len(sites) > 1)
        self.table.setColumnHidden(SITE_COLUMN, len(sites) == 1)
        self.site_filter.blockSignals(False)
        self.form.set_sites(sites)

    def open_record(self, record_id: uuid.UUID) -> None:
        if not self._loaded:
            self.activate()
        if not self.can_leave():
            return
        try:
            row = self._service.get(record_id)
        except Exception as exc:
            self.show_error(describe_failure(exc, "open that group session"))
            return
        self.show_error("")
        self._show_editor(row)

    def can_leave(self) -> bool:
        if not self.editing or not (self.form.has_typing or self.register.is_dirty):
            return True
        answer = QMessageBox.question(
            self,
            "Unsaved changes",
            "This session or its register has changes that are not saved. Leave without "
            "saving them?",
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Discard

    # ---- list --------------------------------------------------------------------------

    def _on_search_changed(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip().casefold())
        self._update_count()

    def _on_filters_changed(self, *_args: object) -> None:
        if self._loaded:
            self.refresh()

    def _update_count(self) -> None:
        total, shown = self.model.rowCount(), self.proxy.rowCount()
        noun = "session" if total == 1 else "sessions"
        self.count_label.setText(
            f"{total} {noun}" if shown == total else f"{shown} of {total} {noun} match"
        )
        self.empty_label.setVisible(total == 0)

    def selected_row(self) -> GroupRow | None:
        index = self.table.currentIndex()
        row = index.data(ROW_ROLE) if index.isValid() else None
        return row if isinstance(row, GroupRow) else None

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = current.data(ROW_ROLE) if current.isValid() else None
        self.repeat_button.setEnabled(
            isinstance(row, GroupRow) and self.actor.can(Permission.GROUP_WRITE, row.site_id)
        )

    def _on_row_activated(self, index: QModelIndex) -> None:
        row = index.data(ROW_ROLE)
        if isinstance(row, GroupRow):
            self._show_editor(row)

    def _on_repeat_clicked(self) -> None:
        source = self.selected_row()
        if source is None:
            return
        self._show_new()
        if self.form.repeat(source) is None:
            self.stack.setCurrentIndex(0)
            self.show_error(self.form.errors.general_message)

    # ---- editor ------------------------------------------------------------------------

    def new_session(self) -> None:
        if not self.actor.can(Permission.GROUP_WRITE) or not self.can_leave():
            return
        self._show_new()

    def _show_new(self) -> None:
        if not self._loaded:
            self.activate()
        self.show_error("")
        self.form.start_new(self.site_filter.currentData())
        self.register.hide()
        self.register_hint.show()
        self.stack.setCurrentIndex(1)

    def _show_editor(self, row: GroupRow) -> None:
        self.form.load(row)
        self.register_hint.hide()
        self.register.show()
        self.register.load(row)
        self.stack.setCurrentIndex(1)
        self.register.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_list(self) -> None:
        if self.editing and not self.can_leave():
            return
        self.stack.setCurrentIndex(0)
        self.refresh()
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def save(self) -> bool:
        """Ctrl+S: the session's details if changed, then the whole register in one call."""
        if not self.editing:
            return False
        creating = self.form.row is None
        if self.form.is_dirty and self.form.save() is None:
            return False
        if creating:
            return True
        return not self.register.is_dirty or self.register.save()

    def _on_form_saved(self, row: GroupRow) -> None:
        if self.register.isHidden():
            self._show_editor(row)
        else:
            self.register.set_version(row)

    def _on_register_saved(self, row: GroupRow) -> None:
        self.form.take_version(row)

    def _on_register_reloaded(self, row: GroupRow) -> None:
        if not self.form.has_typing:
            self.form.load(row)
