"""Printing through the print dialog: a page's record or list (Ctrl+P), and finished PDF reports.

Each printing step takes the QPrinter, so tests hand in one that writes a PDF file; the thin
wrappers (``print_document``, ``print_pdf``, ``print_page``) show the dialog first. PDF reports
are rendered page by page with pdfium (PySide6-Essentials has no QtPdf), off the GUI thread,
at the printer's resolution up to ``MAX_DPI`` (finer adds memory, not legibility), each page
turned to match its own orientation and only the pages the user picked.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, QSizeF, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QImage, QPageLayout, QPainter, QTextDocument
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter
from PySide6.QtWidgets import QApplication, QDialog, QMainWindow, QWidget

from pipe_app.gui.problems import describe_failure
from pipe_app.gui.tasks import Progress, Task, run_task
from pipe_app.reports.marking import MARKING

if TYPE_CHECKING:
    from pipe_app.gui.pages import Page

MAX_DPI = 300
Report = Callable[[int, int, str], None]


def new_printer() -> QPrinter:
    return QPrinter(QPrinter.PrinterMode.HighResolution)


def ask_printer(parent: QWidget | None, printer: QPrinter, pages: int = 0) -> bool:
    """The print dialog (printer, copies, page range); True when the user pressed Print."""
    dialog = QPrintDialog(printer, parent)
    dialog.setObjectName("printDialog")
    dialog.setWindowTitle("Print")
    if pages:
        dialog.setMinMax(1, pages)
        dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintPageRange, True)
    try:
        return dialog.exec() == QDialog.DialogCode.Accepted
    finally:
        dialog.deleteLater()


def print_document_to(printer: QPrinter, document: QTextDocument) -> int:
    """Lay ``document`` out on the printer's pages, each marked OFFICIAL-SENSITIVE at the top
    and the bottom, with the document's title and "Page X of Y" at the foot, so any page
    that goes astray says what it is; returns the number of pages."""
    page = printer.pageRect(QPrinter.Unit.DevicePixel)
    font = QFont(QApplication.font())
    font.setPointSizeF(8)
    band = 2 * QFontMetricsF(font, printer).height()
    body = QSizeF(page.width(), page.height() - 2 * band)
    laid_out = document.clone()  # the caller's document keeps its screen layout
    laid_out.documentLayout().setPaintDevice(printer)
    laid_out.setPageSize(body)
    title = document.metaInformation(QTextDocument.MetaInformation.DocumentTitle)
    printer.setDocName(title or "PIPE Desk")
    total = laid_out.pageCount()
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError("the printer could not be started")
    try:
        for number in range(1, total + 1):
            if number > 1:
                printer.newPage()
            painter.setFont(font)  # top to bottom, the order the page is read in
            centre = Qt.AlignmentFlag.AlignCenter
            painter.drawText(QRectF(0, 0, body.width(), band), centre, MARKING)
            painter.save()
            painter.translate(0, band - (number - 1) * body.height())
            laid_out.drawContents(
                painter, QRectF(0, (number - 1) * body.height(), body.width(), body.height())
            )
            painter.restore()
            foot = QRectF(0, band + body.height(), body.width(), band)
            painter.drawText(foot, centre, MARKING)
            painter.drawText(foot, Qt.AlignmentFlag.AlignVCenter, title)
            painter.drawText(
                foot,
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                f"Page {number} of {total}",
            )
    finally:
        painter.end()
    return total


def print_document(parent: QWidget | None, document: QTextDocument) -> bool:
    printer = new_printer()
    if not ask_printer(parent, printer):
        return False
    print_document_to(printer, document)
    return True


def chosen_pages(printer: QPrinter, count: int) -> list[int]:
    """The page numbers (from 1) the user asked for, in order."""
    if printer.printRange() == QPrinter.PrintRange.PageRange:
        ranges = printer.pageRanges()
        if not ranges.isEmpty():
            return [number for number in range(1, count + 1) if ranges.contains(number)]
        first, last = printer.fromPage(), printer.toPage()
        if first:
            return list(range(first, min(last or count, count) + 1))
    return list(range(1, count + 1))


def _orient(printer: QPrinter, width: float, height: float) -> None:
    printer.setPageOrientation(
        QPageLayout.Orientation.Landscape if width > height else QPageLayout.Orientation.Portrait
    )


def print_pdf_to(printer: QPrinter, path: Path, report: Report | None = None) -> int:
    """Paint the chosen pages of the PDF at ``path``; returns how many were printed."""
    import pypdfium2

    step: Report = report or (lambda done, total, text: None)
    pdf = pypdfium2.PdfDocument(str(path))
    try:
        numbers = chosen_pages(printer, len(pdf))
        if not numbers:
            return 0
        printer.setFullPage(True)  # the PDF has its own margins
        printer.setDocName(path.name)
        _orient(printer, *pdf[numbers[0] - 1].get_size())
        painter = QPainter()
        if not painter.begin(printer):
            raise OSError("the printer could not be started")
        try:
            for done, number in enumerate(numbers):
                step(done, len(numbers), f"Printing page {number} of {len(pdf)}")
                page = pdf[number - 1]
                width, height = page.get_size()
                if done:
                    _orient(printer, width, height)
                    printer.newPage()
                _paint_page(painter, printer, page, width, height)
        finally:
            painter.end()
        step(len(numbers), len(numbers), "Printed")
        return len(numbers)
    finally:
        pdf.close()


def _paint_page(
    painter: QPainter, printer: QPrinter, page: object, width: float, height: float
) -> None:
    """Fit the page (sizes in points) to the paper, rendered at the printer's resolution."""
    fit = min(printer.width() / width, printer.height() / height)  # device pixels per point
    scale = fit * min(1.0, MAX_DPI / max(printer.resolution(), 1))
    bitmap = page.render(scale=scale, prefer_bgrx=True, rev_byteorder=True)  # type: ignore[attr-defined]
    image = QImage(
        bitmap.buffer,
        bitmap.width,
        bitmap.height,
        bitmap.stride,
        QImage.Format.Format_RGBX8888,
    )
    target = QRectF(
        (printer.width() - width * fit) / 2,
        (printer.height() - height * fit) / 2,
        width * fit,
        height * fit,
    )
    painter.drawImage(target, image)


def _page_count(path: Path) -> int:
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(path))
    try:
        return len(pdf)
    finally:
        pdf.close()


def print_pdf(
    parent: QWidget,
    path: Path,
    on_done: Callable[[int], None] | None = None,
    on_failed: Callable[[BaseException], None] | None = None,
) -> Task | None:
    """Ask for a printer, then print the PDF off the GUI thread (None when the user cancelled)."""
    printer = new_printer()
    if not ask_printer(parent, printer, _page_count(path)):
        return None

    def work(progress: Progress) -> int:
        return print_pdf_to(printer, path, progress.report)

    return run_task(
        parent, f"Printing {path.name}", work, on_done or (lambda _pages: None), on_failed
    )


def print_page(window: QMainWindow, page: Page) -> None:
    """Ctrl+P: the page's finished report if it has one, else its record or list."""
    status = window.statusBar()
    path = page.print_file()
    if path is not None:
        print_pdf(
            window,
            path,
            lambda pages: status.showMessage(f"Sent {pages} pages of {path.name} to print.", 5000),
            lambda exc: page.show_error(describe_failure(exc, f"print {path.name}")),
        )
        return
    document = page.print_document()
    if document is None:
        status.showMessage("There is nothing on this page to print.", 5000)
    elif print_document(window, document):
        status.showMessage(f"Sent {page.spec.title} to print.", 5000)
