"""Printing: PDF reports page by page (the range picked, each page's orientation kept), and
Ctrl+P on a list or an open record through the print dialog, read back from the printed PDF."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pypdfium2
import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QMainWindow
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen.canvas import Canvas

from pipe_app.domain.enums import Role
from pipe_app.gui.key_work_page import KeyWorkPage
from pipe_app.gui.main_window import MainWindow
from pipe_app.gui.pages import Page, spec_for
from pipe_app.gui.print_documents import table_document
from pipe_app.gui.printing import print_document_to, print_page, print_pdf_to
from pipe_app.services.permissions import Actor
from tests.gui.helpers import ready_window, type_into
from tests.gui.test_key_work_page import _session

CTRL = Qt.KeyboardModifier.ControlModifier
SQUARE = 80  # points


def _square_x(page: int) -> int:
    return 100 * page


def three_pages(path: Path) -> Path:
    """Page n has a black square at x = 100 n; page 3 is landscape."""
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    for page in (1, 2, 3):
        if page == 3:
            canvas.setPageSize(landscape(A4))
        canvas.rect(_square_x(page), 300, SQUARE, SQUARE, fill=1)
        canvas.showPage()
    canvas.save()
    path.write_bytes(out.getvalue())
    return path


def pdf_printer(path: Path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    return printer


def dark_at(path: Path, page: int, x: float, y_from_bottom: float) -> bool:
    pdf = pypdfium2.PdfDocument(str(path))
    try:
        image = pdf[page].render(scale=1).to_pil().convert("L")
        height = pdf[page].get_height()
        return bool(image.getpixel((int(x), int(height - y_from_bottom))) < 100)
    finally:
        pdf.close()


def test_a_pdf_prints_the_pages_picked_each_the_right_way_round(tmp_path: Path) -> None:
    source = three_pages(tmp_path / "report.pdf")
    printed = tmp_path / "printed.pdf"
    printer = pdf_printer(printed)
    printer.setPrintRange(QPrinter.PrintRange.PageRange)
    printer.setFromTo(2, 3)
    steps: list[str] = []

    assert print_pdf_to(printer, source, lambda done, total, text: steps.append(text)) == 2

    reader = PdfReader(printed)
    sizes = [
        (round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader.pages
    ]
    assert sizes == [(595, 842), (842, 595)]
    middle = 340
    assert dark_at(printed, 0, _square_x(2) + SQUARE / 2, middle)  # source page 2
    assert not dark_at(printed, 0, _square_x(1) + SQUARE / 2, middle)  # not page 1
    assert dark_at(printed, 1, _square_x(3) + SQUARE / 2, middle)  # page 3, landscape
    assert steps[:2] == ["Printing page 2 of 3", "Printing page 3 of 3"]


def test_all_pages_print_when_no_range_is_picked(tmp_path: Path) -> None:
    printed = tmp_path / "printed.pdf"
    assert print_pdf_to(pdf_printer(printed), three_pages(tmp_path / "report.pdf")) == 3
    assert len(PdfReader(printed).pages) == 3


@pytest.fixture
def print_to(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The print dialog 'accepts' with the printer set to write this PDF file."""
    target = tmp_path / "printout.pdf"

    def accept(dialog: QPrintDialog) -> int:
        printer = dialog.printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(target))
        return QDialog.DialogCode.Accepted.value

    monkeypatch.setattr(QPrintDialog, "exec", accept)
    return target


def _window(qtbot, world, settings, role: Role = Role.KEY_WORKER) -> MainWindow:
    return ready_window(qtbot, world, settings, role)


def _text(path: Path) -> str:
    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(path).pages)


def test_ctrl_p_prints_the_list_with_its_filter(qtbot, world, settings, print_to: Path) -> None:
    _session(world, summary="Talked about work", given_name="Jade", family_name="Morris")
    _session(world, summary="Talked about family", given_name="Megan", family_name="Price")
    window = _window(qtbot, world, settings)
    qtbot.keyClick(window.navigation, Qt.Key.Key_3, CTRL)
    page = window.pages["key_work"]
    assert isinstance(page, KeyWorkPage)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    type_into(qtbot, page.search_edit, "Megan")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)

    qtbot.keyClick(page.table, Qt.Key.Key_P, CTRL)

    qtbot.waitUntil(print_to.exists)
    text = _text(print_to)
    assert text.startswith("OFFICIAL-SENSITIVE Key work")
    assert text.endswith("OFFICIAL-SENSITIVE Key work: Key-work sessions Page 1 of 1")
    assert "Printed by Sam Key_Worker CH on" in text
    assert "Megan Price" in text and "Jade Morris" not in text
    assert "Megan" in text.split("Shown:")[1].split("1 row.")[0]  # the search is described
    assert "Resident" in text  # a column header
    assert "Sent Key work to print." in window.statusBar().currentMessage()


def test_ctrl_p_prints_the_open_record(qtbot, world, settings, print_to: Path) -> None:
    _session(world, summary="Talked about family", given_name="Megan", family_name="Price")
    window = _window(qtbot, world, settings)
    qtbot.keyClick(window.navigation, Qt.Key.Key_3, CTRL)
    page = window.pages["key_work"]
    assert isinstance(page, KeyWorkPage)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    page.table.setFocus()
    page.table.selectRow(0)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.form_open)

    qtbot.keyClick(page.form.summary_edit, Qt.Key.Key_P, CTRL)

    qtbot.waitUntil(print_to.exists)
    text = _text(print_to)
    assert text.startswith("OFFICIAL-SENSITIVE Key work: Key-work session")
    assert "Summary Talked about family" in text
    assert "Resident Megan Price" in text
    assert "Printed by" in text


def test_every_printed_page_is_marked_and_numbered_and_no_row_is_lost(
    qtbot, tmp_path: Path
) -> None:
    rows = [[f"Resident {n}", "Attended", "A longer note " * (1 + n % 6)] for n in range(150)]
    document = table_document("Key work", ["Resident", "Code", "Notes"], rows, Actor.system())
    target = tmp_path / "list.pdf"

    pages = print_document_to(pdf_printer(target), document)

    texts = [" ".join((page.extract_text() or "").split()) for page in PdfReader(target).pages]
    assert pages == len(texts) >= 3
    for number, text in enumerate(texts, start=1):
        assert text.startswith("OFFICIAL-SENSITIVE ")
        assert text.endswith(f"OFFICIAL-SENSITIVE Key work Page {number} of {pages}")
        assert text.count("OFFICIAL-SENSITIVE") == 2
    printed = re.findall(r"Resident (\d+) Attended", " ".join(texts))
    assert printed == [str(n) for n in range(150)]  # each row once, in order, none cut off
    assert all("Resident Code Notes" in text for text in texts)  # headers on every page


def test_refusing_the_dialog_prints_nothing(qtbot, world, settings, monkeypatch, tmp_path):
    monkeypatch.setattr(QPrintDialog, "exec", lambda dialog: QDialog.DialogCode.Rejected.value)
    window = _window(qtbot, world, settings)
    qtbot.keyClick(window.navigation, Qt.Key.Key_3, CTRL)
    qtbot.keyClick(window.navigation, Qt.Key.Key_P, CTRL)
    assert window.statusBar().currentMessage() == ""
    assert not list(tmp_path.glob("*.pdf"))


def test_a_page_showing_no_record_or_list_has_nothing_to_print(qtbot, world, monkeypatch):
    monkeypatch.setattr(QPrintDialog, "exec", lambda dialog: pytest.fail("no dialog expected"))
    window = QMainWindow()
    qtbot.addWidget(window)
    page = Page(spec_for("today"), world.db, world.actor(Role.KEY_WORKER))
    window.setCentralWidget(page)
    window.show()
    assert page.print_document() is None and page.print_file() is None
    print_page(window, page)
    assert window.statusBar().currentMessage() == "There is nothing on this page to print."
