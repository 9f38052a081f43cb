"""The Accreditation page: coverage tree, evidence form (links, files, approval), the pack."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from pypdf import PdfReader
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog

from pipe_app.domain.enums import EvidenceKind, EvidenceStatus, Role
from pipe_app.gui import accreditation_page, evidence_form, report_result
from pipe_app.gui.accreditation_page import AccreditationPage
from pipe_app.gui.pages import spec_for
from pipe_app.services import evidence as evidence_service
from pipe_app.services.evidence import EvidenceInput, EvidenceRow, EvidenceService
from pipe_app.services.frameworks import FrameworkService
from pipe_app.timeutil import local_today
from tests.gui.helpers import click, type_into
from tests.gui.test_reports_page import _evidence

CTRL = Qt.KeyboardModifier.ControlModifier


def _page(qtbot, world, role: Role = Role.MANAGER) -> AccreditationPage:
    FrameworkService(world.db, world.system).install_builtin()
    page = AccreditationPage(spec_for("accreditation"), world.db, world.actor(role, "crowley"))
    qtbot.addWidget(page)
    page.resize(1300, 760)
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    page.activate()
    _settled(qtbot, page)
    return page


def _settled(qtbot, page: AccreditationPage) -> None:
    """The coverage is worked out off the GUI thread: wait for it."""
    qtbot.waitUntil(lambda: not page.coverage_loads.is_loading)


def _item(world, title: str = "Community meeting minutes") -> EvidenceRow:
    return EvidenceService(world.db, world.system).create(
        EvidenceInput(
            world.crowley.id, title, EvidenceKind.MINUTES, local_today() - timedelta(days=3)
        )
    )


def _drop(form, path: Path) -> None:
    """Drag a file over the form and drop it. Without a real drag in progress Qt does not
    deliver posted drop events, so the form's own handlers are called with real events."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    point, action = QPointF(20, 20), Qt.DropAction.CopyAction
    buttons, keys = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(point.toPoint(), action, mime, buttons, keys)
    form.dragEnterEvent(enter)
    assert enter.isAccepted()
    form.dropEvent(QDropEvent(point, action, mime, buttons, keys))


def test_tree_shows_no_evidence_then_covered(qtbot, qtmodeltester, world) -> None:
    page = _page(qtbot, world)
    criterion = page.report.standards[0].criteria[0]
    assert page.coverage_text(criterion.code) == "No evidence"
    assert page.gaps_list.count() == len(page.report.gaps) > 0
    qtmodeltester.check(page.coverage_model)
    hint = page.minimumSizeHint()  # fits a 1366x768 screen beside the navigation
    assert hint.width() <= 1000 and hint.height() <= 640, hint

    item = _item(world)
    service = EvidenceService(world.db, world.system)
    service.link(item.id, criterion.criterion_id, "Residents chaired it")
    page.refresh()
    assert page.overall_label.text() == "Loading…"
    _settled(qtbot, page)
    assert page.coverage_text(criterion.code) == "Draft only"
    service.approve(item.id, item.version)
    page.refresh()
    _settled(qtbot, page)
    assert page.coverage_text(criterion.code) == "Covered"
    assert "1 of" in page.overall_label.text()
    qtmodeltester.check(page.coverage_model)
    assert page.evidence_model.rowCount() == 0  # the Evidence tab is read when it is shown
    qtbot.keyClick(page.tabs, Qt.Key.Key_E, Qt.KeyboardModifier.AltModifier)
    qtmodeltester.check(page.evidence_model)
    assert page.evidence_model.rowCount() == 1

    qtbot.keyClick(page.tabs, Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier)
    page.select_criterion(criterion.criterion_id)
    assert "Community meeting minutes" in page.criterion_evidence.item(0).text()


def test_manager_sets_self_assessment_inline(qtbot, world) -> None:
    page = _page(qtbot, world)
    click(qtbot, page.start_cycle_button)
    _settled(qtbot, page)
    assert page.report.cycle_id is not None
    criterion = page.report.standards[0].criteria[1]
    page.select_criterion(criterion.criterion_id)
    page.rating_combo.setCurrentIndex(page.rating_combo.findData("not_applicable"))
    click(qtbot, page.save_assessment_button)
    assert "required" in page.assessment_message.text()
    type_into(qtbot, page.justification_edit, "We have no garden")
    click(qtbot, page.save_assessment_button)
    _settled(qtbot, page)
    assert page.coverage_text(criterion.code) == "Not applicable"


def test_manager_adds_links_attaches_and_approves(qtbot, world, tmp_path, monkeypatch) -> None:
    page = _page(qtbot, world)
    form = page.form
    qtbot.keyClick(page, Qt.Key.Key_N, CTRL)
    assert page.form_open and form.record_id is None
    assert not form.links_group.isEnabled()
    type_into(qtbot, form.title_edit, "Residents' garden project")
    qtbot.keyClick(form.title_edit, Qt.Key.Key_S, CTRL)
    assert form.record_id is not None and page.form_open  # stays open to link and attach
    assert form.links_group.isEnabled()

    form.criterion_combo.setCurrentIndex(0)
    type_into(qtbot, form.rationale_edit, "Built together")
    click(qtbot, form.link_button)
    assert form.links_list.count() == 1

    pdf = tmp_path / "minutes.pdf"
    pdf.write_bytes(b"%PDF-1.4 garden minutes")
    _drop(form, pdf)
    assert form.attachments_list.count() == 1
    text = form.attachments_list.item(0).text()
    assert "minutes.pdf" in text and "23 bytes" in text and "SHA-256" in text
    _drop(form, pdf)
    assert "already attached" in form.file_message.text()
    monkeypatch.setattr(evidence_service, "MAX_ATTACHMENT_BYTES", 10)
    other = tmp_path / "photo.png"
    other.write_bytes(b"not really a picture")
    monkeypatch.setattr(evidence_form.AskFiles, "ask", classmethod(lambda cls, parent: [other]))
    click(qtbot, form.add_file_button)
    assert "largest allowed" in form.file_message.text()
    assert form.add_files([tmp_path / "notes.exe"])  # refused: not an evidence file type

    assert not form.approve_button.isHidden()
    click(qtbot, form.approve_button)
    detail = EvidenceService(world.db, world.system).get(form.record_id)
    assert detail.item.status == EvidenceStatus.APPROVED
    assert len(detail.links) == 1 and len(detail.attachments) == 1
    assert form.status_label.text() == "Approved"
    code = detail.links[0].criterion_code
    assert page.coverage_text(code) != "Covered"  # worked out again once it is shown
    qtbot.keyClick(page.tabs, Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier)
    _settled(qtbot, page)
    assert page.coverage_text(code) == "Covered"


def test_key_worker_cannot_approve(qtbot, world) -> None:
    item = _item(world)
    page = _page(qtbot, world, Role.KEY_WORKER)
    assert page.new_button.isHidden()
    page.open_record(item.id)
    assert page.form_open
    assert page.form.approve_button.isHidden()
    assert not page.form.add_file_button.isEnabled()  # files open, but none is added
    assert page.start_cycle_button.isHidden()


def _ask_pack(monkeypatch, start: date, end: date, output: Path) -> None:
    """The period and file dialogs answer as a user would."""
    monkeypatch.setattr(
        accreditation_page.PackPeriodDialog, "ask", classmethod(lambda cls, p: (start, end))
    )
    monkeypatch.setattr(
        accreditation_page.AskPackFile, "ask", classmethod(lambda cls, p, s: output)
    )


def test_print_pack_produces_then_opens_and_prints(qtbot, world, tmp_path, monkeypatch) -> None:
    family_name, crn = _evidence(world)  # approved, linked, and naming a resident
    page = _page(qtbot, world)
    out = tmp_path / "out"
    out.mkdir()
    output = out / "pack.pdf"
    today = local_today()
    _ask_pack(monkeypatch, today - timedelta(days=365), today, output)
    assert page.pack_card.isHidden()
    click(qtbot, page.print_button)
    qtbot.waitUntil(lambda: page.pack_task is None, timeout=60_000)
    assert page.error_banner.isHidden(), page.error_banner.text()
    assert not page.pack_card.isHidden()
    assert list(out.iterdir()) == [output]  # written whole: no temporary file left over
    pages = len(PdfReader(output).pages)
    text = "".join(p.extract_text() for p in PdfReader(output).pages)
    assert "OFFICIAL-SENSITIVE" in text and "Garden day" in text
    assert family_name not in text and "Philippa" not in text and crn not in text
    assert f"{pages} pages" in page.pack_card.label.text()
    assert str(output) in page.pack_card.label.text()

    opened: list[Path] = []
    monkeypatch.setattr(report_result, "open_in_viewer", lambda path: opened.append(path) or True)
    click(qtbot, page.pack_card.open_button)
    assert opened == [output]

    printout = tmp_path / "printout.pdf"

    def accept(dialog: QPrintDialog) -> int:
        dialog.printer().setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        dialog.printer().setOutputFileName(str(printout))
        return QDialog.DialogCode.Accepted.value

    monkeypatch.setattr(QPrintDialog, "exec", accept)
    click(qtbot, page.pack_card.print_button)
    qtbot.waitUntil(lambda: page.pack_card.note.text().startswith("Sent"), timeout=60_000)
    assert page.pack_card.note.text() == f"Sent {pages} pages to print."
    assert len(PdfReader(printout).pages) == pages


def test_pack_checks_the_request_like_the_reports_page(qtbot, world, tmp_path, monkeypatch) -> None:
    page = _page(qtbot, world)
    today = local_today()
    _ask_pack(monkeypatch, today, today - timedelta(days=1), tmp_path / "missing" / "pack.pdf")
    assert not page.print_pack()
    assert page.error_banner.text() == (
        "To is before the start of the period: the period is empty. "
        f"File cannot be written: the folder {tmp_path / 'missing'} does not exist."
    )
    assert page.pack_task is None and page.pack_card.isHidden()
    assert not (tmp_path / "missing").exists()


def test_cancelled_pack_reports_nothing(qtbot, world, tmp_path, monkeypatch) -> None:
    page = _page(qtbot, world)
    today = local_today()
    out = tmp_path / "out"
    out.mkdir()
    _ask_pack(monkeypatch, today, today, out / "x.pdf")
    assert page.print_pack()
    assert not page.print_button.isEnabled()  # one pack at a time
    page.pack_task.cancel()
    qtbot.waitUntil(lambda: page.pack_task is None, timeout=60_000)
    assert page.error_banner.isHidden() and page.pack_card.isHidden()
    assert list(out.iterdir()) == []  # a cancelled pack leaves no file behind
    assert page.print_button.isEnabled()


def test_drop_is_refused_until_the_item_is_saved(qtbot, world, tmp_path) -> None:
    page = _page(qtbot, world)
    page.new_evidence()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / "a.pdf"))])
    enter = QDragEnterEvent(
        QPointF(5, 5).toPoint(),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    page.form.dragEnterEvent(enter)
    assert not enter.isAccepted()
    assert not page.form.save_first_hint.isHidden()
