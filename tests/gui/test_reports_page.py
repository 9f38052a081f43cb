"""The Reports page driven by keys and clicks: each report written into a temporary folder and
read back (no resident named in the pack), only the reports a role may produce, messages that
name the field, nothing half-written, cancel, open and print."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QDate, Qt
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog

from pipe_app.domain.enums import EvidenceKind, Role
from pipe_app.gui import record_form, report_result, training_matrix_view
from pipe_app.gui.pages import spec_for
from pipe_app.gui.reports_page import ReportsPage
from pipe_app.services.evidence import EvidenceInput, EvidenceService
from pipe_app.services.frameworks import FrameworkService
from pipe_app.services.residents import ResidentService
from pipe_app.timeutil import local_today
from tests.gui.helpers import click, type_into

MGR, KW, PSY, ADMIN = Role.MANAGER, Role.KEY_WORKER, Role.PSYCHOLOGIST, Role.ADMINISTRATOR
ALL = ["Evidence pack", "Training matrix", "Supervision compliance summary"]


def _page(qtbot, world, role: Role = MGR, site: str = "crowley") -> ReportsPage:
    page = ReportsPage(spec_for("reports"), world.db, world.actor(role, site))
    qtbot.addWidget(page)
    page.resize(1000, 760)
    page.show()
    qtbot.waitExposed(page)
    page.activate()
    return page


def _evidence(world) -> tuple[str, str]:
    """A framework, a resident, and approved evidence that names her; returns (name, CRN)."""
    framework = FrameworkService(world.db, world.system).install_builtin()
    criterion = FrameworkService(world.db, world.system).tree(framework.id).criteria()[0]
    resident = ResidentService(world.db, world.system).get(
        world.admit("crowley", given_name="Philippa", family_name="Ravensworth")
    )
    evidence = EvidenceService(world.db, world.system)
    row = evidence.create(
        EvidenceInput(
            world.crowley.id,
            "Garden day",
            EvidenceKind.NARRATIVE,
            local_today() - timedelta(days=10),
            world.staff[(MGR, "crowley")].id,
            f"Philippa Ravensworth ({resident.crn}) planted herbs.",
        )
    )
    evidence.link(row.id, criterion.id, "Philippa led it")
    evidence.approve(row.id, evidence.get(row.id).item.version)
    return "Ravensworth", resident.crn


def _choose(qtbot, combo, text: str) -> None:
    """Pick an entry with the arrow keys, as a keyboard user would."""
    combo.setFocus()
    key = Qt.Key.Key_Down if combo.findText(text) > combo.currentIndex() else Qt.Key.Key_Up
    while combo.currentText() != text:
        before = combo.currentIndex()
        qtbot.keyClick(combo, key)
        assert combo.currentIndex() != before, f"{text!r} is not offered"


def type_date(qtbot, edit, text: str) -> None:
    """Type dd/mm/yyyy into a date field section by section (year first, so a day of 31 is not
    clamped to the old month), selecting each section with Shift+arrows as a user would."""
    day, month, year = text.split("/")
    for start, part in ((6, year), (3, month), (0, day)):
        qtbot.keyClick(edit, Qt.Key.Key_Home)
        for _ in range(start):
            qtbot.keyClick(edit, Qt.Key.Key_Right)
        for _ in part:
            qtbot.keyClick(edit, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
        qtbot.keyClicks(edit, part)
    assert edit.date().toString("dd/MM/yyyy") == text


def _produce(qtbot, page: ReportsPage, output: Path) -> None:
    type_into(qtbot, page.output_edit, str(output))
    click(qtbot, page.produce_button)
    qtbot.waitUntil(lambda: not page.busy, timeout=60_000)


def _pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def _offered(page: ReportsPage) -> list[str]:
    combo = page.report_combo
    return [combo.itemText(i) for i in range(combo.count())]


def test_a_manager_produces_each_report(qtbot, qtmodeltester, world, tmp_path: Path) -> None:
    name, crn = _evidence(world)
    page = _page(qtbot, world)
    assert _offered(page) == ALL
    assert [page.site_combo.itemText(i) for i in range(page.site_combo.count())] == [
        "Crowley House"
    ]
    assert page.to_edit.date() == QDate.currentDate()
    assert page.from_edit.date() == QDate.currentDate().addMonths(-12)
    assert page.output_edit.text().endswith(
        f"Evidence pack - Crowley House - {local_today():%Y-%m-%d}.pdf"
    )
    assert page.framework_combo.isVisibleTo(page) and page.framework_combo.currentText()

    pack = tmp_path / "pack.pdf"
    _produce(qtbot, page, pack)
    text = _pdf_text(pack)
    assert "OFFICIAL-SENSITIVE" in text and "Crowley House" in text
    assert name not in text and "Philippa" not in text and crn not in text
    assert page.current is not None and page.current.pages == len(PdfReader(pack).pages)
    assert page.result_card.heading.text() == "Evidence pack ready"
    assert str(pack) in page.result_card.label.text()
    assert not list(tmp_path.glob(".*partial"))

    _choose(qtbot, page.report_combo, "Training matrix")
    assert not page.from_edit.isVisibleTo(page) and not page.framework_combo.isVisibleTo(page)
    _choose(qtbot, page.format_combo, "CSV (for a spreadsheet)")
    matrix_csv = tmp_path / "matrix.csv"
    _produce(qtbot, page, matrix_csv)
    rows = list(csv.reader(io.StringIO(matrix_csv.read_text(encoding="utf-8-sig"))))
    assert rows[0][:2] == ["Staff", "Job role"]
    assert any(row[1] == "Residential worker" for row in rows[1:])
    assert not page.result_card.print_button.isEnabled()  # a CSV is printed from a spreadsheet

    _choose(qtbot, page.format_combo, "PDF (to print or send)")
    assert page.output_edit.text() == str(tmp_path / "matrix.pdf")  # the suffix follows
    _produce(qtbot, page, tmp_path / "matrix.pdf")
    assert "Training matrix" in _pdf_text(tmp_path / "matrix.pdf")

    _choose(qtbot, page.report_combo, "Supervision compliance summary")
    summary = tmp_path / "summary.pdf"
    _produce(qtbot, page, summary)
    assert "Supervision summary: Crowley House" in _pdf_text(summary)

    recent = page.recent_model.rows
    assert [r.produced.path for r in recent] == [summary, tmp_path / "matrix.pdf", matrix_csv, pack]
    qtmodeltester.check(page.recent_model)
    page.recent_table.setFocus()
    qtbot.keyClick(page.recent_table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    assert page.current is not None and page.current.path == pack  # the list picks the result


@pytest.mark.parametrize(
    ("role", "site", "offered", "sites"),
    [
        (KW, "crowley", ["Evidence pack", "Training matrix"], ["Crowley House"]),
        (ADMIN, "crowley", ["Training matrix"], ["Crowley House", "Kirk Lodge"]),  # all sites
        (PSY, "kirk", ALL, ["Kirk Lodge"]),
    ],
)
def test_a_role_sees_only_the_reports_it_may_produce(
    qtbot, world, role, site, offered, sites
) -> None:
    page = _page(qtbot, world, role, site)
    assert _offered(page) == offered
    assert [page.site_combo.itemText(i) for i in range(page.site_combo.count())] == sites


def test_bad_input_is_named_and_nothing_is_written(qtbot, world, tmp_path: Path, monkeypatch):
    page = _page(qtbot, world)
    out = tmp_path / "out"
    out.mkdir()
    _choose(qtbot, page.report_combo, "Supervision compliance summary")
    target = out / "summary.pdf"
    type_date(qtbot, page.from_edit, "10/03/2026")
    type_date(qtbot, page.to_edit, "09/03/2026")
    _produce(qtbot, page, target)
    assert page.errors.message_for("date_to") == (
        "To is before the start of the period: the period is empty."
    )
    assert not target.exists() and page.current is None

    type_date(qtbot, page.to_edit, "31/03/2026")
    _produce(qtbot, page, out / "no such folder" / "summary.pdf")
    assert page.errors.message_for("date_to") == ""
    assert "the folder" in page.errors.message_for("output")
    assert page.errors.message_for("output").startswith("File cannot be written")

    _produce(qtbot, page, out / "summary.txt")
    assert page.errors.message_for("output") == "File must end in .pdf."
    _produce(qtbot, page, out)
    assert "is a folder" in page.errors.message_for("output")
    tomorrow = QDate.currentDate().addDays(1)
    type_date(qtbot, page.from_edit, tomorrow.toString("dd/MM/yyyy"))
    type_date(qtbot, page.to_edit, tomorrow.addDays(5).toString("dd/MM/yyyy"))
    _produce(qtbot, page, target)
    assert page.errors.message_for("date_from") == (
        "From is after today: nothing has been recorded yet."
    )
    assert list(out.iterdir()) == []

    type_date(qtbot, page.from_edit, "01/03/2026")
    type_date(qtbot, page.to_edit, "31/03/2026")
    target.write_bytes(b"keep me")
    asked: list[str] = []
    monkeypatch.setattr(record_form.Confirm, "ask", lambda *args, **kw: asked.append(args[2]))
    _produce(qtbot, page, target)
    assert asked == [f"summary.pdf already exists in {out}."]
    assert target.read_bytes() == b"keep me"


def test_cancelling_leaves_no_file(qtbot, world, tmp_path: Path) -> None:
    _evidence(world)
    page = _page(qtbot, world)
    out = tmp_path / "out"
    out.mkdir()
    target = out / "pack.pdf"
    type_into(qtbot, page.output_edit, str(target))
    click(qtbot, page.produce_button)
    assert page.task is not None
    page.task.cancel()  # as the progress dialog's Cancel button does
    qtbot.waitUntil(lambda: not page.busy, timeout=60_000)
    assert page.busy_label.text() == "Cancelled: no file was written."
    assert list(out.iterdir()) == []
    assert page.current is None and page.produce_button.isEnabled()
    assert (
        not page.result_card.open_button.isEnabled()
        and not page.result_card.print_button.isEnabled()
    )


def test_choose_open_and_print_the_result(qtbot, world, tmp_path: Path, monkeypatch) -> None:
    page = _page(qtbot, world, PSY)
    _choose(qtbot, page.report_combo, "Supervision compliance summary")
    chosen = tmp_path / "my summary"
    monkeypatch.setattr(training_matrix_view, "ask_save_path", lambda *args: chosen)
    click(qtbot, page.choose_button)
    assert page.output_edit.text() == str(tmp_path / "my summary.pdf")
    click(qtbot, page.produce_button)
    qtbot.waitUntil(lambda: not page.busy, timeout=60_000)
    produced = tmp_path / "my summary.pdf"
    assert produced.is_file()

    opened: list[Path] = []
    monkeypatch.setattr(report_result, "open_in_viewer", lambda path: opened.append(path) or True)
    click(qtbot, page.result_card.open_button)
    assert opened == [produced]

    printout = tmp_path / "printout.pdf"

    def accept(dialog: QPrintDialog) -> int:
        dialog.printer().setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        dialog.printer().setOutputFileName(str(printout))
        return QDialog.DialogCode.Accepted.value

    monkeypatch.setattr(QPrintDialog, "exec", accept)
    click(qtbot, page.result_card.print_button)
    qtbot.waitUntil(lambda: page.result_card.note.text().startswith("Sent"), timeout=60_000)
    pages = len(PdfReader(produced).pages)
    assert page.result_card.note.text() == f"Sent {pages} pages to print."
    assert len(PdfReader(printout).pages) == pages
    assert page.print_file() == produced  # what Ctrl+P prints on this page
