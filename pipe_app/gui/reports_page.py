"""The Reports page: pick a report, site, period and file; produce it off the GUI thread; then
open or print it. Only the reports the user's role may produce are offered, and the report
code checks again through the services (the same entry points as the command line).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from pipe_app.gui import training_matrix_view
from pipe_app.gui.field_errors import FieldErrors
from pipe_app.gui.key_work_form import day_of
from pipe_app.gui.layouts import nest
from pipe_app.gui.pages import Page, PageSpec
from pipe_app.gui.problems import describe_failure
from pipe_app.gui.record_form import Confirm
from pipe_app.gui.report_result import ResultCard, documents_folder, producing
from pipe_app.gui.table_model import Column, RowTableModel
from pipe_app.gui.tables import fit_columns, plain_view
from pipe_app.gui.tasks import Task, run_task
from pipe_app.reports.pack_data import choose_framework
from pipe_app.reports.produce import (
    Produced,
    ReportInfo,
    ReportKind,
    ReportRequest,
    check,
    default_file_name,
    info,
    reports_for,
)
from pipe_app.services.errors import FieldProblem, ValidationError
from pipe_app.services.frameworks import FrameworkService
from pipe_app.services.permissions import Actor
from pipe_app.services.sites import SiteService
from pipe_app.storage.database import Database
from pipe_app.timeutil import add_months, local_today, to_local, utc_now

FORMATS = {".pdf": "PDF (to print or send)", ".csv": "CSV (for a spreadsheet)"}
PATTERNS = {".pdf": "PDF files (*.pdf)", ".csv": "CSV files (*.csv)"}


@dataclass(frozen=True)
class Recent:
    at: datetime
    site: str
    produced: Produced


RECENT_COLUMNS: list[Column[Recent]] = [
    Column("Time", lambda r: f"{to_local(r.at):%H:%M}", sort_key=lambda r: r.at),
    Column("Report", lambda r: f"{info(r.produced.kind).title}, {r.site}"),
    Column("Pages", lambda r: r.produced.pages if r.produced.pages is not None else "CSV"),
    Column("File", lambda r: r.produced.path.name, tooltip="Select a row to see where it is"),
]


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


class ReportsPage(Page):
    def __init__(
        self, spec: PageSpec, db: Database, actor: Actor, parent: QWidget | None = None
    ) -> None:
        super().__init__(spec, db, actor, parent)
        self.task: Task | None = None
        self._suggested = ""
        self.report_combo = self._combo("reportCombo", "Report")
        self.report_hint = QLabel()
        self.report_hint.setObjectName("reportDescription")
        self.report_hint.setProperty("role", "hint")
        self.report_hint.setWordWrap(True)
        self.site_combo = self._combo("reportSiteCombo", "Site")
        today = local_today()
        self.from_edit = self._date("reportFromDate", "Period from", add_months(today, -12))
        self.to_edit = self._date("reportToDate", "Period to", today)
        self.framework_combo = self._combo("reportFrameworkCombo", "Framework")
        self.format_combo = self._combo("reportFormatCombo", "File format")
        self.output_edit = QLineEdit()
        self.output_edit.setObjectName("reportOutputEdit")
        self.output_edit.setAccessibleName("Save the report as")
        self.output_edit.setClearButtonEnabled(True)
        self.choose_button = self._button("chooseFileButton", "C&hoose file…")
        self.produce_button = self._button("produceButton", "&Produce report")
        self.produce_button.setDefault(True)
        self.busy_label = QLabel()
        self.busy_label.setObjectName("reportBusy")
        self.busy_label.setProperty("role", "hint")

        card = QFrame()
        card.setObjectName("reportRequestCard")
        card.setProperty("role", "card")
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        for text, widget in (
            ("&Report", self.report_combo),
            ("", self.report_hint),
            ("&Site", self.site_combo),
            ("&From", self.from_edit),
            ("&To", self.to_edit),
            ("Frame&work", self.framework_combo),
            ("F&ormat", self.format_combo),
            ("F&ile", self.output_edit),
            ("", self.choose_button),
        ):
            self.form.addRow(text, widget)
        general = QLabel()
        general.setObjectName("reportMessage")
        general.setProperty("role", "error")
        buttons = QHBoxLayout()
        buttons.addWidget(self.produce_button)
        buttons.addWidget(self.busy_label, 1)
        inner = QVBoxLayout(card)
        inner.setContentsMargins(16, 12, 16, 12)
        nest(inner, self.form)
        inner.addWidget(general)
        nest(inner, buttons)
        self.errors = FieldErrors(general)
        for key, widget, label in (
            ("site_id", self.site_combo, "Site"),
            ("date_from", self.from_edit, "From"),
            ("date_to", self.to_edit, "To"),
            ("framework_id", self.framework_combo, "Framework"),
            ("output", self.output_edit, "File"),
        ):
            self.errors.add(key, widget, label)

        self.result_card = ResultCard()
        self.result_card.label.setText(
            "Pick a report and press Produce report. A report is written whole or not at all: "
            "a cancelled or failed run leaves no file behind."
        )
        self.recent_model = RowTableModel(RECENT_COLUMNS, parent=self)
        self.recent_table = plain_view(
            "recentReports", "Reports produced this session", self.recent_model, self
        )
        self.recent_table.setMinimumHeight(110)
        recent_heading = QLabel("Produced this session")
        recent_heading.setProperty("role", "cardHeading")
        results = QVBoxLayout()
        results.addWidget(self.result_card)
        results.addWidget(recent_heading)
        results.addWidget(self.recent_table, 1)
        columns = QHBoxLayout()
        columns.setSpacing(16)
        columns.addWidget(card, 1, Qt.AlignmentFlag.AlignTop)
        nest(columns, results, 1)
        nest(self.body, columns, 1)
        self._connect_signals()

    # ---- building ----------------------------------------------------------------------

    @staticmethod
    def _combo(name: str, accessible: str) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(name)
        combo.setAccessibleName(accessible)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(16)
        combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        return combo

    @staticmethod
    def _date(name: str, accessible: str, day: date) -> QDateEdit:
        edit = QDateEdit(_qdate(day))
        edit.setObjectName(name)
        edit.setAccessibleName(accessible)
        edit.setDisplayFormat("dd/MM/yyyy")
        edit.setCalendarPopup(True)
        return edit

    @staticmethod
    def _button(name: str, text: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setAccessibleName(text.replace("&", "").replace("…", ""))
        return button

    def _connect_signals(self) -> None:
        self.report_combo.currentIndexChanged.connect(self._on_report_changed)
        self.site_combo.currentIndexChanged.connect(self._on_site_changed)
        self.format_combo.currentIndexChanged.connect(self._suggest_file)
        self.from_edit.dateChanged.connect(self._suggest_file)
        self.to_edit.dateChanged.connect(self._suggest_file)
        self.choose_button.clicked.connect(self._on_choose_clicked)
        self.output_edit.returnPressed.connect(self.produce_report)
        self.produce_button.clicked.connect(self.produce_report)
        self.result_card.problem.connect(self.show_error)
        self.recent_table.selectionModel().currentRowChanged.connect(self._on_recent_selected)
        self.recent_table.activated.connect(self.result_card.open_current)

    # ---- choices -----------------------------------------------------------------------

    def refresh(self) -> None:
        self.show_error("")
        kind = self.report_combo.currentData()
        site_id = self.site_combo.currentData()
        try:
            sites = [
                s
                for s in SiteService(self.db, self.actor).rows()
                if self.actor.is_system or s.id in self.actor.site_ids
            ]
        except Exception as exc:
            self.show_error(describe_failure(exc, "read your sites"))
            return
        for combo in (self.report_combo, self.site_combo):
            combo.blockSignals(True)
            combo.clear()
        for site in sites:
            self.site_combo.addItem(site.name, site.id)
        for report in reports_for(self.actor):
            self.report_combo.addItem(report.title, report.kind.value)
        for combo, wanted in ((self.report_combo, kind), (self.site_combo, site_id)):
            data = [combo.itemData(number) for number in range(combo.count())]
            combo.setCurrentIndex(data.index(wanted) if wanted in data else 0)
            combo.blockSignals(False)
        if not self.report_combo.count() or not sites:
            self.show_error("Your role and sites give you no report to produce here.")
        self.produce_button.setEnabled(bool(self.report_combo.count() and sites))
        self._on_report_changed()

    @property
    def report(self) -> ReportInfo | None:
        kind = self.report_combo.currentData()
        return info(ReportKind(kind)) if kind else None

    def _on_report_changed(self, _index: int = 0) -> None:
        self.errors.clear()
        report = self.report
        self.report_hint.setText(report.description if report else "")
        for widget, shown in (
            (self.from_edit, bool(report and report.has_period)),
            (self.to_edit, bool(report and report.has_period)),
            (self.framework_combo, bool(report and report.has_framework)),
            (self.format_combo, bool(report and len(report.suffixes) > 1)),
        ):
            self.form.setRowVisible(widget, shown)
        self.format_combo.blockSignals(True)
        self.format_combo.clear()
        for suffix in report.suffixes if report else ():
            self.format_combo.addItem(FORMATS[suffix], suffix)
        self.format_combo.blockSignals(False)
        self._on_site_changed()

    def _on_site_changed(self, _index: int = 0) -> None:
        report, site_id = self.report, self.site_combo.currentData()
        self.framework_combo.clear()
        if report is not None and report.has_framework and site_id is not None:
            try:
                chosen = choose_framework(self.db, self.actor, site_id, None)
                for number, framework in enumerate(FrameworkService(self.db, self.actor).rows()):
                    self.framework_combo.addItem(framework.title, framework.id)
                    if framework.id == chosen.id:
                        self.framework_combo.setCurrentIndex(number)
            except Exception as exc:
                self.show_error(describe_failure(exc, "read the frameworks"))
        self._suggest_file()

    def _suffix(self) -> str:
        return str(self.format_combo.currentData() or ".pdf")

    def _suggest_file(self) -> None:
        """A name in Documents, unless the user has typed or chosen their own."""
        report = self.report
        if report is None or self.site_combo.currentIndex() < 0:
            return
        name = default_file_name(
            report.kind, self.site_combo.currentText(), local_today(), self._suffix()
        )
        current = self.output_edit.text().strip()
        if not current or current == self._suggested:
            self._suggested = str(documents_folder() / name)
            self.output_edit.setText(self._suggested)
        elif Path(current).suffix.lower() in FORMATS and Path(current).suffix != self._suffix():
            self.output_edit.setText(str(Path(current).with_suffix(self._suffix())))

    def _on_choose_clicked(self) -> None:
        report = self.report
        if report is None:
            return
        current = self.output_edit.text().strip() or self._suggested
        chosen = training_matrix_view.ask_save_path(
            self, f"Save the {report.title.lower()} as", current, PATTERNS[self._suffix()]
        )
        if chosen is None:
            return
        if chosen.suffix.lower() != self._suffix():
            chosen = chosen.with_name(f"{chosen.name}{self._suffix()}")
        self.output_edit.setText(str(chosen))
        self.output_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    # ---- producing ---------------------------------------------------------------------

    def request(self) -> ReportRequest | None:
        report, site_id = self.report, self.site_combo.currentData()
        if report is None or site_id is None:
            return None
        text = self.output_edit.text().strip()
        framework: uuid.UUID | None = self.framework_combo.currentData()
        return ReportRequest(
            report.kind,
            site_id,
            Path(text).expanduser() if text else Path(""),
            day_of(self.from_edit.date()) if report.has_period else None,
            day_of(self.to_edit.date()) if report.has_period else None,
            framework_id=framework if report.has_framework else None,
            prepared_by=self.actor.display_name,
        )

    @property
    def busy(self) -> bool:
        return self.task is not None and not self.task.done

    def produce_report(self) -> None:
        if self.busy:
            return
        self.errors.clear()
        self.show_error("")
        request = self.request()
        if request is None:
            self.errors.show_general("Pick a report and a site first.")
            return
        try:
            check(request, local_today())
        except ValidationError as exc:
            self._show_problems(exc)
            return
        if request.output.exists() and not Confirm.ask(
            self,
            "Replace the file?",
            f"{request.output.name} already exists in {request.output.parent}.",
            "Replace it",
            "Keep it",
        ):
            return
        title = info(request.kind).title.lower()
        work = producing(self.db, self.actor, request)
        self.produce_button.setEnabled(False)
        self.busy_label.setText(f"Producing the {title}…")
        self.task = run_task(self, f"Producing the {title}", work, self._on_produced, self._failed)
        self.task.ended.connect(self._on_task_ended)

    def _show_problems(self, exc: ValidationError) -> None:
        first = self.errors.show(exc.problems)
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_task_ended(self) -> None:
        self.produce_button.setEnabled(True)
        cancelled = self.task is not None and self.task.progress.cancelled
        self.busy_label.setText("Cancelled: no file was written." if cancelled else "")

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError):
            self._show_problems(exc)
        elif isinstance(exc, OSError):
            self.errors.show([FieldProblem("output", f"cannot be written: {exc.strerror}")])
        else:
            self.errors.show_general(describe_failure(exc, "produce the report"))

    def _on_produced(self, produced: Produced) -> None:
        recent = Recent(utc_now(), self.site_combo.currentText(), produced)
        self.recent_model.set_rows([recent, *self.recent_model.rows])
        fit_columns(self.recent_table, most=420)
        self.recent_table.selectRow(0)
        self.result_card.show_produced(produced)

    def _on_recent_selected(self) -> None:
        row = self.recent_table.currentIndex().row()
        if 0 <= row < self.recent_model.rowCount():
            self.result_card.show_produced(self.recent_model.row(row).produced)

    @property
    def current(self) -> Produced | None:
        return self.result_card.current

    def print_file(self) -> Path | None:
        """Ctrl+P prints the report on show, as it is."""
        return self.result_card.print_file()
