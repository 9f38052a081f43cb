"""Accreditation: coverage of the standards, the evidence behind them, and the evidence pack.

The Coverage tab shows each criterion's computed status (words and a colour swatch), the
self-assessment, a bar per standard and the gaps; picking a criterion shows its evidence and
lets a manager rate it. The Evidence tab lists evidence items and opens them in the form.
"Print evidence pack…" produces the assessor's PDF off the GUI thread through the same core as
the Reports page and the command line, then offers to open or print it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, QModelIndex, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from pipe_app.domain.enums import SelfAssessmentRating
from pipe_app.gui.change_mark import change_mark, unchanged_since
from pipe_app.gui.coverage_view import (
    CRITERION_ROLE,
    RATING_LABELS,
    STATUS_COLOURS,
    CoverageChart,
    CoverageData,
    CoverageTreeModel,
    counts_text,
    read_coverage,
)
from pipe_app.gui.cycle_form import CycleForm
from pipe_app.gui.cycles_view import CyclesView
from pipe_app.gui.draft_offers import DRAFT_GONE, reopen_draft
from pipe_app.gui.drafts import DraftKey
from pipe_app.gui.evidence_form import STATUS_LABELS, EvidenceForm, day_of
from pipe_app.gui.evidence_list import EvidenceList
from pipe_app.gui.field_errors import sentence
from pipe_app.gui.latest_load import LatestLoad
from pipe_app.gui.layouts import nest
from pipe_app.gui.list_form_stack import FormMaker, ListFormStack
from pipe_app.gui.pages import Page, PageSpec
from pipe_app.gui.problems import describe_failure
from pipe_app.gui.report_result import ResultCard, documents_folder, producing
from pipe_app.gui.tab_loads import TabLoads
from pipe_app.gui.tasks import Task, run_task
from pipe_app.reports.produce import Produced, ReportKind, ReportRequest, check, default_file_name
from pipe_app.services.accreditation import AccreditationService, CycleInput, SelfAssessmentRow
from pipe_app.services.coverage import LABELS, CoverageReport, CriterionCoverage
from pipe_app.services.errors import ValidationError
from pipe_app.services.evidence import EvidenceService
from pipe_app.services.frameworks import FrameworkService, FrameworkTree
from pipe_app.services.permissions import Actor, Permission
from pipe_app.services.sites import SiteService
from pipe_app.storage.database import Database
from pipe_app.timeutil import add_months, local_today

PACK_FIELDS = {"date_from": "From", "date_to": "To", "output": "File", "framework_id": "Framework"}


class PackPeriodDialog(QDialog):
    """The period the pack covers; ``ask`` returns (start, end) or None."""

    def __init__(self, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setObjectName("packPeriodDialog")
        self.setWindowTitle("Print evidence pack")
        today = local_today()
        self.start_edit = QDateEdit(QDate(*add_months(today, -12).timetuple()[:3]))
        self.end_edit = QDateEdit(QDate(today.year, today.month, today.day))
        for edit, name, label in (
            (self.start_edit, "packStart", "Evidence from"),
            (self.end_edit, "packEnd", "Evidence up to"),
        ):
            edit.setObjectName(name)
            edit.setAccessibleName(label)
            edit.setDisplayFormat("dd/MM/yyyy")
            edit.setCalendarPopup(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QFormLayout(self)
        layout.addRow("&From", self.start_edit)
        layout.addRow("&To", self.end_edit)
        layout.addRow(buttons)

    @classmethod
    def ask(cls, parent: QWidget | None) -> tuple[date, date] | None:
        dialog = cls(parent)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            return day_of(dialog.start_edit.date()), day_of(dialog.end_edit.date())
        finally:
            dialog.deleteLater()


class AskPackFile:
    """Where to save the pack; tests patch ``ask``."""

    @classmethod
    def ask(cls, parent: QWidget | None, suggested: str) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(
            parent, "Save evidence pack", suggested, "PDF (*.pdf)"
        )
        if not name:
            return None
        path = Path(name)
        return path if path.suffix.lower() == ".pdf" else path.with_suffix(".pdf")


def _group(title: str, name: str) -> tuple[QGroupBox, QVBoxLayout]:
    box = QGroupBox(title)
    box.setObjectName(name)
    return box, QVBoxLayout(box)


@dataclass(frozen=True)
class _Warmed:
    """The warm-up's coverage, with the site and framework it was read for and the change
    mark taken before it was read (``change_mark``)."""

    scope: tuple[uuid.UUID, uuid.UUID]
    data: CoverageData
    mark: object = None


class AccreditationPage(Page):
    def __init__(
        self, spec: PageSpec, db: Database, actor: Actor, parent: QWidget | None = None
    ) -> None:
        super().__init__(spec, db, actor, parent)
        self.report: CoverageReport | None = None
        self.coverage: CoverageData | None = None  # what the Coverage tab shows
        self.coverage_loads = LatestLoad(self, "Working out the coverage")
        self._warm: _Warmed | None = None  # the idle read on show, until the first load
        self.tree: FrameworkTree | None = None
        self.assessments: dict[uuid.UUID, SelfAssessmentRow] = {}
        self.pack_task: Task | None = None
        self._creating = False

        self.site_combo = QComboBox()
        self.site_combo.setObjectName("accreditationSite")
        self.site_combo.setAccessibleName("Site")
        self.framework_combo = QComboBox()
        self.framework_combo.setObjectName("accreditationFramework")
        self.framework_combo.setAccessibleName("Framework")
        self.cycle_label = QLabel()
        self.cycle_label.setObjectName("cycleLabel")
        self.cycle_label.setProperty("role", "hint")
        self.print_button = QPushButton("Print evidence pack…")
        self.print_button.setObjectName("printPackButton")
        self.print_button.setToolTip("Build the evidence pack PDF for the assessor (Ctrl+P)")
        top = QHBoxLayout()
        self.site_caption = QLabel("&Site")
        self.site_caption.setBuddy(self.site_combo)
        framework_caption = QLabel("F&ramework")
        framework_caption.setBuddy(self.framework_combo)
        for widget in (self.site_caption, self.site_combo, framework_caption):
            top.addWidget(widget)
        top.addWidget(self.framework_combo, 1)
        top.addWidget(self.cycle_label)
        top.addWidget(self.print_button)
        nest(self.body, top)
        self.pack_card = self._pack_card()
        self.body.addWidget(self.pack_card)

        self.tabs = QTabWidget(self)  # in the page first: each tab is styled once, in place
        self.tabs.setObjectName("accreditationTabs")
        self.body.addWidget(self.tabs, 1)
        self.coverage_tab = self._coverage_tab()
        self.tabs.addTab(self.coverage_tab, "&Coverage")
        # Built in idle turns of their own when the window builds the page while idle.
        self.build_later(self._add_evidence_tab)
        self.build_later(self._add_cycles_tab)
        self.build_later(self._connect_signals)

    # ---- building ----------------------------------------------------------------------

    def _coverage_tab(self) -> QWidget:
        self.overall_label = QLabel()
        self.overall_label.setObjectName("coverageOverall")
        self.overall_label.setAccessibleName("Overall coverage")
        self.overall_label.setWordWrap(True)
        self.chart = CoverageChart()
        self.coverage_model = CoverageTreeModel(self)
        self.coverage_tree = QTreeView()
        self.coverage_tree.setObjectName("coverageTree")
        self.coverage_tree.setAccessibleName("Standards and criteria with their coverage")
        self.coverage_tree.setModel(self.coverage_model)
        self.coverage_tree.setAlternatingRowColors(True)
        self.coverage_tree.setUniformRowHeights(True)
        self.coverage_tree.header().resizeSection(0, 360)
        self.coverage_tree.header().resizeSection(1, 170)
        self.coverage_tree.header().resizeSection(2, 110)
        charts = QSplitter(Qt.Orientation.Vertical)
        charts.setObjectName("coverageChartSplitter")
        charts.setChildrenCollapsible(False)
        charts.addWidget(self.chart)
        charts.addWidget(self.coverage_tree)
        charts.setStretchFactor(1, 1)
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.overall_label)
        column.addWidget(charts, 1)

        detail, detail_layout = _group("Criterion", "criterionGroup")
        self.criterion_label = QLabel("Pick a criterion to see its evidence.")
        self.criterion_label.setObjectName("criterionText")
        self.criterion_label.setWordWrap(True)
        self.criterion_status = QLabel()
        self.criterion_status.setObjectName("criterionStatus")
        self.criterion_evidence = QListWidget()
        self.criterion_evidence.setObjectName("criterionEvidence")
        self.criterion_evidence.setAccessibleName("Evidence linked to this criterion")
        self.criterion_evidence.setMaximumHeight(110)
        detail_layout.addWidget(self.criterion_label)
        detail_layout.addWidget(self.criterion_status)
        detail_layout.addWidget(self.criterion_evidence, 1)

        rating, rating_layout = _group("Self-assessment", "selfAssessmentGroup")
        self.rating_combo = QComboBox()
        self.rating_combo.setObjectName("ratingCombo")
        self.rating_combo.setAccessibleName("Self-assessment rating")
        for value, label in RATING_LABELS.items():
            self.rating_combo.addItem(label, value.value)
        self.justification_edit = QPlainTextEdit()
        self.justification_edit.setObjectName("justificationEdit")
        self.justification_edit.setAccessibleName("Justification")
        self.justification_edit.setPlaceholderText("Why (needed for not met or not applicable)")
        self.justification_edit.setTabChangesFocus(True)
        self.justification_edit.setMaximumHeight(64)
        self.assessment_message = QLabel()
        self.assessment_message.setObjectName("assessmentMessage")
        self.assessment_message.setProperty("role", "error")
        self.assessment_message.setWordWrap(True)
        self.assessment_message.hide()
        self.save_assessment_button = QPushButton("Save rating")
        self.save_assessment_button.setObjectName("saveAssessmentButton")
        self.start_cycle_button = QPushButton("Start an accreditation cycle")
        self.start_cycle_button.setObjectName("startCycleButton")
        self.start_cycle_button.setToolTip("Self-assessment belongs to a cycle; membership today")
        rating_layout.addWidget(self.rating_combo)
        rating_layout.addWidget(self.justification_edit)
        rating_layout.addWidget(self.assessment_message)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_cycle_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_assessment_button)
        nest(rating_layout, buttons)
        self.rating_group = rating

        gaps, gaps_layout = _group("Gaps", "gapsGroup")
        self.gaps_list = QListWidget()
        self.gaps_list.setObjectName("gapsList")
        self.gaps_list.setAccessibleName("Criteria that are not yet covered")
        gaps_layout.addWidget(self.gaps_list)

        right = QWidget()
        side = QVBoxLayout(right)
        side.setContentsMargins(0, 0, 0, 0)
        side.addWidget(detail)
        side.addWidget(rating)
        side.addWidget(gaps, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName("coverageSplitter")
        scroll = QScrollArea()  # the side panel scrolls rather than make the window taller
        scroll.setObjectName("criterionScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(right)
        splitter.addWidget(left)
        splitter.addWidget(scroll)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        return splitter

    def _add_evidence_tab(self) -> None:
        self.evidence_list = EvidenceList(self.db, self.actor)
        self.evidence_model = self.evidence_list.model
        self.evidence_table = self.evidence_list.table
        self.evidence_notice = self.evidence_list.notice
        self.new_button = self.evidence_list.new_button
        form = FormMaker(EvidenceForm, self.db, self.actor)  # built when first opened
        self.evidence_stack = ListFormStack(
            "evidenceStack", self.evidence_list, form, self.evidence_table
        )
        self.tabs.addTab(self.evidence_stack, "&Evidence")

    def _add_cycles_tab(self) -> None:
        self.cycles_view = CyclesView(self.db, self.actor)
        self.cycles_view.changed.connect(self._load_coverage)
        self.tabs.addTab(self.cycles_view, "Award c&ycles")

    def _connect_signals(self) -> None:
        self.new_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.New), self)
        self.new_shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        self.site_combo.currentIndexChanged.connect(self._on_scope_changed)
        self.framework_combo.currentIndexChanged.connect(self._on_scope_changed)
        self.print_button.clicked.connect(self._on_print_clicked)
        self.coverage_tree.selectionModel().currentChanged.connect(self._on_criterion_changed)
        self.gaps_list.itemActivated.connect(self._on_gap_activated)
        self.save_assessment_button.clicked.connect(self._on_save_assessment_clicked)
        self.start_cycle_button.clicked.connect(self._on_start_cycle_clicked)
        self.new_button.clicked.connect(self.new_evidence)
        self.new_shortcut.activated.connect(self.new_evidence)
        self.evidence_list.opened.connect(self.open_record)
        self.evidence_list.failed.connect(self.show_error)
        self.evidence_stack.form_built.connect(self._connect_form)
        self.tab_loads = TabLoads(
            self.tabs,
            {
                self.coverage_tab: self._load_coverage,
                self.evidence_stack: self._load_evidence,
                self.cycles_view: self._load_cycles,
            },
        )

    def _connect_form(self, form: EvidenceForm) -> None:
        form.set_framework(self._framework_tree())
        form.saved.connect(self._on_form_saved)
        form.closed.connect(self._on_form_closed)
        form.archived.connect(self._on_form_saved)

    @property
    def form(self) -> EvidenceForm:
        return self.evidence_stack.form_of(EvidenceForm)

    # ---- scope: site and framework -----------------------------------------------------

    @property
    def site_id(self) -> uuid.UUID | None:
        value = self.site_combo.currentData()
        return value if isinstance(value, uuid.UUID) else None

    @property
    def framework_id(self) -> uuid.UUID | None:
        value = self.framework_combo.currentData()
        return value if isinstance(value, uuid.UUID) else None

    def _fill_scope(self) -> None:
        for combo in (self.site_combo, self.framework_combo):
            combo.blockSignals(True)
            combo.clear()
        try:
            for site in SiteService(self.db, self.actor).rows():
                if self.actor.can(Permission.EVIDENCE_READ, site.id):
                    self.site_combo.addItem(site.name, site.id)
            for framework in FrameworkService(self.db, self.actor).rows():
                self.framework_combo.addItem(framework.title, framework.id)
        except Exception as exc:
            self.show_error(describe_failure(exc, "read the sites and frameworks"))
        several = self.site_combo.count() > 1
        self.site_caption.setVisible(several)
        self.site_combo.setVisible(several)
        for combo in (self.site_combo, self.framework_combo):
            combo.blockSignals(False)

    @property
    def is_loading(self) -> bool:
        return self.coverage_loads.is_loading

    def prepare(self) -> None:
        if self.site_combo.count() == 0 or self.framework_combo.count() == 0:
            self._fill_scope()

    def warm_up(self) -> Callable[[], object] | None:
        """The coverage read (of evidence, not of residents) for the scope prepared."""
        site, framework = self.site_id, self.framework_id
        if site is None or framework is None:
            return None
        mark = change_mark(self.db.changes)  # before the day the read is for is taken
        db, actor, today = self.db, self.actor, local_today()
        return lambda: _Warmed(
            (site, framework), read_coverage(db, actor, site, framework, today), mark
        )

    def warmed(self, outcome: object) -> None:
        """The warm-up's coverage goes on show while the page is still hidden, so its first
        showing paints the standards at once. That showing reads them again unless nothing
        has been committed since (SQLite's change mark): the last coverage stays on show
        until the new one comes, and stays as it is if nothing changed."""
        if self._loaded or not isinstance(outcome, _Warmed):
            return  # shown already: its own read is newer
        if outcome.scope == (self.site_id, self.framework_id):
            self._show_coverage(outcome.data)
            self._warm = outcome

    def refresh(self) -> None:
        """Load the tab on show; the others when they are next shown."""
        self.prepare()
        self.show_error("")
        site = self.site_id
        self.new_button.setVisible(
            site is not None and self.actor.can(Permission.EVIDENCE_WRITE, site)
        )
        self.tab_loads.refresh()

    def _on_scope_changed(self, _index: int) -> None:
        if self._loaded:
            if self.tabs.currentWidget() is not self.coverage_tab:
                self.cycle_label.clear()  # another site's: the coverage says when it is shown
            self.refresh()

    def _framework_tree(self) -> FrameworkTree | None:
        """The chosen framework's criteria, for the evidence form, even before any coverage."""
        framework = self.framework_id
        if framework is None:
            return None
        if self.tree is None or self.tree.id != framework:
            try:
                self.tree = FrameworkService(self.db, self.actor).tree(framework)
            except Exception as exc:
                self.show_error(describe_failure(exc, "read the framework"))
                return None
        return self.tree

    # ---- coverage ----------------------------------------------------------------------

    def _load_coverage(self) -> None:
        """Read off the GUI thread; the last coverage stays on show until the new one comes."""
        site, framework = self.site_id, self.framework_id
        if site is None or framework is None:
            self.report, self.tree, self.assessments, self.coverage = None, None, {}, None
            self.coverage_model.set_report(None)
            self.chart.set_report(None)
            self.overall_label.setText(
                "No framework is installed yet."
                if framework is None
                else "You have no site whose evidence you may read."
            )
            self._show_cycle()
            return
        warm, self._warm = self._warm, None  # the first load's only: F5 always reads
        if (
            warm is not None
            and warm.scope == (site, framework)
            and warm.data is self.coverage
            and unchanged_since(self.db.changes, warm.mark)
        ):
            return  # what the idle read found is what a read now would find
        self.overall_label.setText("Loading…")
        db, actor, today = self.db, self.actor, local_today()
        self.coverage_loads.start(
            lambda: read_coverage(db, actor, site, framework, today),
            self._show_coverage,
            self._on_coverage_failed,
        )

    def _on_coverage_failed(self, error: BaseException) -> None:
        self.overall_label.setText("")
        self.show_error(describe_failure(error, "work out the coverage"))

    def _show_coverage(self, data: CoverageData) -> None:
        if data == self.coverage:  # nothing changed: the tree keeps its place and selection
            self._say_overall(data.report)
            self._say_cycle(data)  # cleared if another scope was chosen meanwhile
            return
        self.coverage = data
        self.tree, self.report, self.assessments = data.tree, data.report, data.assessments
        current = self._current_criterion()
        self.coverage_model.set_report(self.report)
        self.coverage_tree.expandToDepth(0)
        self.chart.set_report(self.report)
        form = self.evidence_stack.built_form(EvidenceForm)
        if form is not None:
            form.set_framework(self.tree)
        self._say_overall(self.report)
        self.gaps_list.clear()
        for gap in self.report.gaps:
            entry = QListWidgetItem(f"{gap.code}  {LABELS[gap.status]}: {gap.text}")
            entry.setData(Qt.ItemDataRole.UserRole, gap.criterion_id)
            entry.setData(Qt.ItemDataRole.DecorationRole, STATUS_COLOURS[gap.status])
            entry.setToolTip(gap.text)
            self.gaps_list.addItem(entry)
        if not self.report.gaps:
            self.gaps_list.addItem("No gaps: every applicable criterion is covered.")
        if current is not None:
            self.select_criterion(current.criterion_id)
        self._say_cycle(data)

    def _say_overall(self, report: CoverageReport) -> None:
        parts = [f"{LABELS[s]}: {n}" for s, n in report.counts.by_status if n]
        self.overall_label.setText(
            f"Overall {counts_text(report)} on {report.on:%d %b %Y}. " + ", ".join(parts)
        )

    def _say_cycle(self, data: CoverageData) -> None:
        if data.cycle_from is not None:
            self.cycle_label.setText(f"Cycle from {data.cycle_from:%d %b %Y}")
        self._show_cycle()

    def _show_cycle(self) -> None:
        site = self.site_id
        may_manage = site is not None and self.actor.can(Permission.ACCREDITATION_MANAGE, site)
        has_cycle = self.report is not None and self.report.cycle_id is not None
        if not has_cycle:
            self.cycle_label.setText("No accreditation cycle yet")
        self.rating_group.setVisible(may_manage or has_cycle)
        self.start_cycle_button.setVisible(may_manage and not has_cycle and self.report is not None)
        editable = may_manage and has_cycle and self._current_criterion() is not None
        for widget in (self.rating_combo, self.justification_edit, self.save_assessment_button):
            widget.setEnabled(editable)

    def coverage_text(self, code: str) -> str:
        """The Coverage column's words for one criterion (what a user reads)."""
        if self.report is None:
            return ""
        for standard in self.report.standards:
            for criterion in standard.criteria:
                if criterion.code == code:
                    index = self.coverage_model.criterion_index(criterion.criterion_id)
                    return str(index.siblingAtColumn(1).data())
        return ""

    def select_criterion(self, criterion_id: uuid.UUID) -> None:
        index = self.coverage_model.criterion_index(criterion_id)
        if index.isValid():
            self.coverage_tree.setCurrentIndex(index)
            self.coverage_tree.scrollTo(index)

    def _current_criterion(self) -> CriterionCoverage | None:
        value = self.coverage_tree.currentIndex().data(CRITERION_ROLE)
        return value if isinstance(value, CriterionCoverage) else None

    def _on_criterion_changed(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        criterion = self._current_criterion()
        self.criterion_evidence.clear()
        self._say("")
        self._show_cycle()
        if criterion is None or self.site_id is None:
            self.criterion_label.setText("Pick a criterion to see its evidence.")
            self.criterion_status.clear()
            return
        self.criterion_label.setText(f"{criterion.code}  {criterion.text}")
        self.criterion_status.setText(f"Coverage: {LABELS[criterion.status]}")
        try:
            rows = EvidenceService(self.db, self.actor).rows(
                site_id=self.site_id, criterion_id=criterion.criterion_id
            )
        except Exception as exc:
            self.show_error(describe_failure(exc, "read the evidence"))
            rows = []
        for row in rows:
            entry = QListWidgetItem(
                f"{row.title}  ({STATUS_LABELS[row.status]}, {row.effective_on:%d %b %Y})"
            )
            entry.setData(Qt.ItemDataRole.UserRole, row.id)
            self.criterion_evidence.addItem(entry)
        if not rows:
            self.criterion_evidence.addItem("No evidence is linked to this criterion yet.")
        assessment = criterion.assessment
        rating = assessment.rating if assessment else SelfAssessmentRating.MET
        self.rating_combo.setCurrentIndex(max(self.rating_combo.findData(rating.value), 0))
        self.justification_edit.setPlainText(assessment.justification if assessment else "")

    def _on_gap_activated(self, entry: QListWidgetItem) -> None:
        criterion_id = entry.data(Qt.ItemDataRole.UserRole)
        if isinstance(criterion_id, uuid.UUID):
            self.select_criterion(criterion_id)

    def _on_save_assessment_clicked(self) -> None:
        self.save_assessment()

    def save_assessment(self) -> bool:
        criterion = self._current_criterion()
        if criterion is None or self.report is None or self.report.cycle_id is None:
            return False
        existing = self.assessments.get(criterion.criterion_id)
        try:
            AccreditationService(self.db, self.actor).set_self_assessment(
                self.report.cycle_id,
                criterion.criterion_id,
                self.rating_combo.currentData(),
                self.justification_edit.toPlainText(),
                version=existing.version if existing else None,
            )
        except ValidationError as exc:
            self._say(" ".join(sentence(p.field.capitalize(), p.message) for p in exc.problems))
            return False
        except Exception as exc:
            self._say(describe_failure(exc, "save the rating"))
            return False
        self._load_coverage()
        return True

    def _say(self, text: str) -> None:
        self.assessment_message.setText(text)
        self.assessment_message.setVisible(bool(text))

    def _on_start_cycle_clicked(self) -> None:
        if self.site_id is None or self.framework_id is None:
            return
        try:
            AccreditationService(self.db, self.actor).create(
                CycleInput(self.site_id, self.framework_id, local_today())
            )
        except Exception as exc:
            self.show_error(describe_failure(exc, "start the accreditation cycle"))
            return
        self._load_coverage()
        self.tab_loads.mark_stale(self.cycles_view)

    # ---- evidence ----------------------------------------------------------------------

    def _load_evidence(self) -> None:
        form = self.evidence_stack.built_form(EvidenceForm)
        if form is not None and (self.tree is None or self.tree.id != self.framework_id):
            form.set_framework(self._framework_tree())  # the framework changed meanwhile
        self.evidence_list.load(self.site_id)

    def _load_cycles(self) -> None:
        self.cycles_view.set_scope(self.site_id, self.framework_id)

    def search_field(self) -> QLineEdit | None:
        """Ctrl+F searches the evidence, the page's one searchable list (on whichever tab)."""
        return None if self.evidence_stack.form_open else self.evidence_list.search_edit

    @property
    def form_open(self) -> bool:
        return self.evidence_stack.form_open

    def new_evidence(self) -> None:
        if self.tabs.currentWidget() is self.cycles_view:  # Ctrl+N on the cycles tab
            self.cycles_view.new_cycle()
            return
        site = self.site_id
        if site is None or not self.actor.can(Permission.EVIDENCE_WRITE, site):
            return
        if self.form_open and not self.form.can_close():
            return
        self.tabs.setCurrentIndex(1)
        self._creating = True
        self.form.site_id = site
        self.evidence_stack.setCurrentWidget(self.form)
        self.form.start_new()

    def open_record(self, record_id: uuid.UUID | DraftKey) -> None:
        """Show an evidence item or a cycle (from Today: a deadline); a DraftKey reopens that
        unsaved form, new or not."""
        if isinstance(record_id, DraftKey) and record_id.kind == CycleForm.KIND:
            self.tabs.setCurrentWidget(self.cycles_view)
            self.cycles_view.reopen(record_id)
            return
        if isinstance(record_id, uuid.UUID) and self.cycles_view.owns(record_id):
            self.tabs.setCurrentWidget(self.cycles_view)
            self.cycles_view.open_cycle(record_id)
            return
        if self.form_open and not self.form.can_close():
            return
        self.tabs.setCurrentIndex(1)
        if isinstance(record_id, DraftKey):
            self._reopen_evidence(record_id)
            return
        self._creating = False
        if self.form.open_record(record_id):
            self.evidence_stack.setCurrentWidget(self.form)
            self.form.focus_first()
        else:
            self.show_error(self.form.errors.general_message)

    def _reopen_evidence(self, key: DraftKey) -> None:
        site = self.site_id
        if key.record_id is None:  # a new item, for the site in scope, as "New evidence"
            if site is None or not self.actor.can(Permission.EVIDENCE_WRITE, site):
                return
            self.form.site_id = site
        self._creating = key.record_id is None
        if not reopen_draft(self.evidence_stack, key):
            self._creating = False
            self.show_error(self.form.errors.general_message or DRAFT_GONE)

    def _on_form_saved(self, _record_id: object) -> None:
        self.evidence_notice.setText(f"Saved: {self.form.title_edit.text()}.")
        self.tab_loads.mark_stale(self.coverage_tab)  # worked out again when it is shown
        self._load_evidence()

    def _on_form_closed(self) -> None:
        created = self.form.record_id if self._creating else None
        self._creating = False
        if created is not None:  # stay on it: now it can be linked and given files
            self.open_record(created)
            return
        self.form.autosaver.stop()
        self.evidence_stack.setCurrentWidget(self.evidence_list)
        self._load_evidence()

    def can_leave(self) -> bool:
        if not self.cycles_view.leave():
            return False
        if not self.form_open:
            return True
        if not self.form.can_close():
            return False
        self.form.autosaver.stop()
        self.evidence_stack.setCurrentWidget(self.evidence_list)
        return True

    # ---- the evidence pack -------------------------------------------------------------

    def _pack_card(self) -> ResultCard:
        card = ResultCard()
        card.hide()  # until a pack has been produced
        card.problem.connect(self.show_error)
        return card

    def _on_print_clicked(self) -> None:
        self.print_pack()

    def print_pack(self) -> bool:
        site, framework = self.site_id, self.framework_id
        if site is None or framework is None or self.pack_task is not None:
            return False
        period = PackPeriodDialog.ask(self)
        if period is None:
            return False
        name = default_file_name(
            ReportKind.EVIDENCE_PACK, self.site_combo.currentText(), local_today()
        )
        output = AskPackFile.ask(self, str(documents_folder() / name))
        if output is None:
            return False
        request = ReportRequest(
            ReportKind.EVIDENCE_PACK,
            site,
            output,
            *period,
            framework_id=framework,
            prepared_by=self.actor.display_name,
        )
        try:
            check(request, local_today())
        except ValidationError as exc:
            self._on_pack_failed(exc)
            return False
        self.show_error("")
        self.print_button.setEnabled(False)
        self.pack_task = run_task(
            self,
            "Producing the evidence pack",
            producing(self.db, self.actor, request),
            self._on_pack_done,
            self._on_pack_failed,
        )
        self.pack_task.ended.connect(self._on_pack_ended)
        return True

    def _on_pack_ended(self) -> None:
        self.pack_task = None
        self.print_button.setEnabled(True)

    def _on_pack_done(self, produced: Produced) -> None:
        self.pack_card.show_produced(produced)
        self.pack_card.show()
        self.pack_card.open_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_pack_failed(self, error: BaseException) -> None:
        if isinstance(error, ValidationError):
            self.show_error(
                " ".join(
                    sentence(PACK_FIELDS.get(p.field, p.field.capitalize()), p.message)
                    for p in error.problems
                )
            )
        else:
            self.show_error(describe_failure(error, "produce the evidence pack"))
