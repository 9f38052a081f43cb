"""Administration, Sites tab: each site's details and the settings kept for it.

Settings are checked in full before anything is saved, so a refused setting never leaves the
details saved without it.
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from pipe_app.domain.enums import APType, AttendanceCode, GroupKind
from pipe_app.gui.assets import child
from pipe_app.gui.form_dialog import FormDialog, accepted, grow_to_fit, index_of
from pipe_app.gui.labels import AP_TYPE_LABELS, frequency_text
from pipe_app.gui.layouts import nest
from pipe_app.gui.problems import as_sentence
from pipe_app.gui.table_model import ROW_ROLE, Column, RowTableModel
from pipe_app.gui.tables import fit_columns, sorted_view
from pipe_app.services.errors import FieldProblem
from pipe_app.services.permissions import Actor, Permission
from pipe_app.services.sites import (
    ActivityTemplate,
    SiteInput,
    SiteRow,
    SiteService,
    SiteSettingsInput,
    checked_settings,
    site_settings,
)
from pipe_app.storage.database import Database

ATTENDANCE_LABELS = {
    AttendanceCode.ATTENDED: "Attended",
    AttendanceCode.REFUSED: "Refused",
    AttendanceCode.ACCEPTABLE_ABSENCE: "Acceptable absence",
    AttendanceCode.UNACCEPTABLE_ABSENCE: "Unacceptable absence",
    AttendanceCode.SESSION_CANCELLED: "Session cancelled",
    AttendanceCode.NOT_REQUIRED: "Not required",
    AttendanceCode.SUSPENDED: "Suspended",
}
GROUP_KIND_LABELS = {
    GroupKind.SOCIALLY_CREATIVE: "Socially creative",
    GroupKind.STRUCTURED_GROUP: "Structured group",
    GroupKind.COMMUNITY_MEETING: "Community meeting",
    GroupKind.ENRICHMENT: "Enrichment",
}
_FIELDS = {
    "name": ("nameEdit", "Site name"),
    "code": ("codeEdit", "Short code"),
    "ap_type": ("typeCombo", "AP type"),
    "beds": ("bedsSpin", "Beds"),
    "address": ("addressEdit", "Address"),
    "key_work_frequency_days": ("frequencySpin", "Key-work frequency"),
    "evidence_review_months": ("reviewSpin", "Evidence review window"),
    "training_warning_days": ("trainingSpin", "Training warning"),
    "supervision_sign_days": ("signSpin", "Supervision signing window"),
    "attendance_codes": ("attendanceTable", "Codes in use"),
    "note_codes": ("attendanceTable", "Codes needing a note"),
    "activity_templates": ("templatesTable", "Activities"),
}
_TAB_OF = {"attendanceTable": 1, "templatesTable": 2}

SITE_COLUMNS: list[Column[SiteRow]] = [
    Column("Name", lambda s: s.name),
    Column("Code", lambda s: s.code),
    Column("Type", lambda s: AP_TYPE_LABELS.get(s.ap_type, str(s.ap_type))),
    Column("Beds", lambda s: s.beds, align_right=True),
    Column(
        "Key work",
        lambda s: frequency_text(s.key_work_frequency_days).capitalize(),
        lambda s: s.key_work_frequency_days,
    ),
    Column("Evidence review", lambda s: f"{s.evidence_review_months} months"),
    Column("Address", lambda s: s.address.replace("\n", ", ")),
]


def _item(table: QTableWidget, row: int, column: int) -> QTableWidgetItem:
    item = table.item(row, column)
    assert item is not None, "every cell of the settings tables holds an item"
    return item


class SiteDialog(FormDialog):
    """One site's details and settings; a new site when ``site`` is None."""

    failure_action = "save the site"

    def __init__(
        self, db: Database, actor: Actor, site: SiteRow | None = None, parent: QWidget | None = None
    ) -> None:
        title = "New site" if site is None else f"Site settings: {site.name}"
        super().__init__("siteDialog", title, parent)
        self._db, self._actor, self._site = db, actor, site
        self.saved: SiteRow | None = None
        self.use_designer_form(
            "site_form", _FIELDS, "Save site" if site is not None else "Create site"
        )
        self.tabs: QTabWidget = child(self.form, QTabWidget, "siteTabs")
        self.name_edit: QLineEdit = child(self.form, QLineEdit, "nameEdit")
        self.code_edit: QLineEdit = child(self.form, QLineEdit, "codeEdit")
        self.type_combo: QComboBox = child(self.form, QComboBox, "typeCombo")
        self.beds_spin: QSpinBox = child(self.form, QSpinBox, "bedsSpin")
        self.address_edit: QPlainTextEdit = child(self.form, QPlainTextEdit, "addressEdit")
        self.frequency_spin: QSpinBox = child(self.form, QSpinBox, "frequencySpin")
        self.review_spin: QSpinBox = child(self.form, QSpinBox, "reviewSpin")
        self.training_spin: QSpinBox = child(self.form, QSpinBox, "trainingSpin")
        self.sign_spin: QSpinBox = child(self.form, QSpinBox, "signSpin")
        self.attendance_table: QTableWidget = child(self.form, QTableWidget, "attendanceTable")
        self.templates_table: QTableWidget = child(self.form, QTableWidget, "templatesTable")
        self.add_template_button: QPushButton = child(self.form, QPushButton, "addTemplateButton")
        self.remove_template_button: QPushButton = child(
            self.form, QPushButton, "removeTemplateButton"
        )
        for ap_type, text in AP_TYPE_LABELS.items():
            self.type_combo.addItem(text, ap_type)
        self._set_up_tables()
        self._fill(site)
        self.add_template_button.clicked.connect(self._on_add_template_clicked)
        self.remove_template_button.clicked.connect(self._on_remove_template_clicked)
        self.setMinimumSize(680, 560)

    def _set_up_tables(self) -> None:
        table = self.attendance_table
        table.setColumnCount(3)
        table.setHorizontalHeaderLabels(["Code", "Offered", "Needs a note"])
        table.setRowCount(len(AttendanceCode))
        table.verticalHeader().hide()
        table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        for row, code in enumerate(AttendanceCode):
            name = QTableWidgetItem(ATTENDANCE_LABELS[code])
            name.setFlags(Qt.ItemFlag.ItemIsEnabled)
            name.setData(Qt.ItemDataRole.UserRole, code)
            table.setItem(row, 0, name)
            for column in (1, 2):
                box = QTableWidgetItem("Offered" if column == 1 else "Needs a note")
                box.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
                box.setCheckState(Qt.CheckState.Unchecked)
                table.setItem(row, column, box)
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        templates = self.templates_table
        templates.setColumnCount(3)
        templates.setHorizontalHeaderLabels(["Activity", "Kind", "Minutes"])
        templates.verticalHeader().hide()
        templates.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        templates.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        templates.verticalHeader().setDefaultSectionSize(42)
        templates.setColumnWidth(1, 220)
        templates.setColumnWidth(2, 110)

    def _fill(self, site: SiteRow | None) -> None:
        settings = site_settings(site) if site is not None else SiteSettingsInput()
        if site is not None:
            self.name_edit.setText(site.name)
            self.code_edit.setText(site.code)
            self.type_combo.setCurrentIndex(max(index_of(self.type_combo, site.ap_type), 0))
            self.beds_spin.setValue(site.beds)
            self.address_edit.setPlainText(site.address)
            self.frequency_spin.setValue(site.key_work_frequency_days)
            self.review_spin.setValue(site.evidence_review_months)
        else:
            self.beds_spin.setValue(20)
            self.frequency_spin.setValue(7)
            self.review_spin.setValue(12)
        self.training_spin.setValue(settings.training_warning_days)
        self.sign_spin.setValue(settings.supervision_sign_days)
        for code in AttendanceCode:
            self.set_code(code, code in settings.attendance_codes, code in settings.note_codes)
        for template in settings.activity_templates:
            self.add_template(template)

    # ---- the tables --------------------------------------------------------------------

    def set_code(self, code: AttendanceCode, offered: bool, needs_note: bool) -> None:
        row = list(AttendanceCode).index(code)
        for column, on in ((1, offered), (2, needs_note)):
            item = _item(self.attendance_table, row, column)
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def add_template(self, template: ActivityTemplate | None = None) -> int:
        table = self.templates_table
        row = table.rowCount()
        table.insertRow(row)
        name = QLineEdit(template.name if template else "")
        name.setAccessibleName(f"Name of activity {row + 1}")
        name.setMaxLength(80)
        name.setPlaceholderText("for example Cooking")
        kind = QComboBox()
        kind.setAccessibleName(f"Kind of activity {row + 1}")
        for value, text in GROUP_KIND_LABELS.items():
            kind.addItem(text, value)
        minutes = QSpinBox()
        minutes.setAccessibleName(f"Minutes of activity {row + 1}")
        minutes.setRange(5, 480)
        minutes.setSingleStep(15)
        minutes.setValue(60)
        if template is not None:
            kind.setCurrentIndex(max(index_of(kind, template.kind), 0))
            minutes.setValue(template.minutes)
        table.setCellWidget(row, 0, name)
        table.setCellWidget(row, 1, kind)
        table.setCellWidget(row, 2, minutes)
        return row

    def _on_add_template_clicked(self) -> None:
        row = self.add_template()
        self.tabs.setCurrentIndex(2)
        self.templates_table.setCurrentCell(row, 0)
        self.template_name(row).setFocus(Qt.FocusReason.OtherFocusReason)

    def template_name(self, row: int) -> QLineEdit:
        edit = self.templates_table.cellWidget(row, 0)
        assert isinstance(edit, QLineEdit)
        return edit

    def _on_remove_template_clicked(self) -> None:
        row = self.templates_table.currentRow()
        if row >= 0:
            self.templates_table.removeRow(row)

    # ---- reading the form --------------------------------------------------------------

    def details(self) -> SiteInput:
        return SiteInput(
            name=self.name_edit.text(),
            code=self.code_edit.text(),
            ap_type=self.type_combo.currentData(),
            beds=self.beds_spin.value(),
            address=self.address_edit.toPlainText(),
            key_work_frequency_days=self.frequency_spin.value(),
            evidence_review_months=self.review_spin.value(),
        )

    def settings(self) -> SiteSettingsInput:
        def ticked(column: int) -> frozenset[AttendanceCode | str]:
            table = self.attendance_table
            return frozenset(
                _item(table, row, 0).data(Qt.ItemDataRole.UserRole)
                for row in range(table.rowCount())
                if _item(table, row, column).checkState() == Qt.CheckState.Checked
            )

        templates = []
        table = self.templates_table
        for row in range(table.rowCount()):
            kind, minutes = table.cellWidget(row, 1), table.cellWidget(row, 2)
            assert isinstance(kind, QComboBox) and isinstance(minutes, QSpinBox)
            templates.append(
                ActivityTemplate(
                    self.template_name(row).text(), kind.currentData(), minutes.value()
                )
            )
        return SiteSettingsInput(
            attendance_codes=ticked(1),
            note_codes=ticked(2),
            activity_templates=tuple(templates),
            training_warning_days=self.training_spin.value(),
            supervision_sign_days=self.sign_spin.value(),
        )

    # ---- the one action ----------------------------------------------------------------

    def show_problems(self, problems: list[FieldProblem]) -> None:
        first = self.errors.show(problems)
        grow_to_fit(self)
        if first is not None:
            self.tabs.setCurrentIndex(_TAB_OF.get(first.objectName(), 0))
            first.setFocus(Qt.FocusReason.OtherFocusReason)

    def write(self) -> None:
        settings = self.settings()
        checked_settings(settings)  # before anything is written
        self.saved = self._save(settings)

    def _save(self, settings: SiteSettingsInput) -> SiteRow:
        service = SiteService(self._db, self._actor)
        site = self._site
        details = self.details()
        if site is None:
            return service.create(details, settings)
        if details != _details_of(site):
            site = service.update(site.id, site.version, details)
        if settings != site_settings(site):
            site = service.update_settings(site.id, site.version, settings)
        return site

    @classmethod
    def ask(
        cls, db: Database, actor: Actor, site: SiteRow | None = None, parent: QWidget | None = None
    ) -> SiteRow | None:
        """Run the dialog; the saved site, or None if cancelled."""
        dialog = cls(db, actor, site, parent)
        return dialog.saved if accepted(dialog) else None


def _details_of(site: SiteRow) -> SiteInput:
    return SiteInput(
        site.name,
        site.code,
        APType(site.ap_type),
        site.beds,
        site.address,
        site.key_work_frequency_days,
        site.evidence_review_months,
    )


class SitesTab(QWidget):
    """The sites this user works at; managers and administrators change their settings."""

    changed = Signal()

    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sitesTab")
        self.db, self.actor = db, actor
        self.model = RowTableModel(SITE_COLUMNS, parent=self)
        self.table, self.proxy = sorted_view("sitesTable", "Sites", self.model, self)
        self.edit_button = QPushButton("&Edit settings…")
        self.edit_button.setObjectName("editSiteButton")
        self.edit_button.setAccessibleName("Edit the selected site's settings")
        self.new_button = QPushButton("New &site…")
        self.new_button.setObjectName("newSiteButton")
        self.new_button.setAccessibleName("Add a site")
        self.new_button.setVisible(actor.can(Permission.SITE_CREATE))
        self.notice = QLabel()
        self.notice.setObjectName("sitesNotice")
        self.notice.setProperty("role", "hint")
        row = QHBoxLayout()
        row.addWidget(self.new_button)
        row.addWidget(self.edit_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        nest(layout, row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.notice)
        self.new_button.clicked.connect(self._on_new_clicked)
        self.edit_button.clicked.connect(self._on_edit_clicked)
        self.table.doubleClicked.connect(self._on_edit_clicked)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.model.modelReset.connect(self._on_selection_changed)
        self._on_selection_changed()

    def set_rows(self, sites: list[SiteRow]) -> None:
        chosen = self.selected()
        self.model.set_rows(sites)
        fit_columns(self.table, most=420)
        if chosen is not None:
            self.select(chosen.id)

    def select(self, site_id: uuid.UUID) -> None:
        for row in range(self.proxy.rowCount()):
            if self.proxy.index(row, 0).data(ROW_ROLE).id == site_id:
                self.table.selectRow(row)
                return

    def selected(self) -> SiteRow | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].data(ROW_ROLE) if rows else None

    def _on_selection_changed(self, *_args: object) -> None:
        site = self.selected()
        self.edit_button.setEnabled(
            site is not None and self.actor.can(Permission.SITE_MANAGE, site.id)
        )

    def _on_new_clicked(self) -> None:
        saved = SiteDialog.ask(self.db, self.actor, None, self)
        if saved is not None:
            self.notice.setText(
                f"Site {saved.name} added. Sign out and in again to work with it: what you "
                "may see was set when you signed in."
            )
            self.changed.emit()

    def _on_edit_clicked(self, *_args: object) -> None:
        site = self.selected()
        if site is None or not self.actor.can(Permission.SITE_MANAGE, site.id):
            return
        saved = SiteDialog.ask(self.db, self.actor, site, self)
        if saved is not None:
            self.notice.setText(as_sentence(f"Settings of {saved.name} saved"))
            self.changed.emit()
