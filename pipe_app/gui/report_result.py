"""A produced report on screen: the work that produces it off the GUI thread, and the card that
says what was written with Open and Print… (the Reports page and the Accreditation page's
evidence pack both use them, so both produce through the same core as the command line).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from pipe_app.gui.layouts import nest
from pipe_app.gui.printing import print_pdf
from pipe_app.gui.problems import describe_failure
from pipe_app.gui.tasks import Cancelled, Progress
from pipe_app.reports import pdf_base
from pipe_app.reports.produce import Produced, ReportRequest, info, produce
from pipe_app.services.permissions import Actor
from pipe_app.storage.database import Database


def documents_folder() -> Path:
    folder = Path(
        QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    )
    return folder if folder.is_dir() else Path.home()


def open_in_viewer(path: Path) -> bool:
    """Open with the system's viewer (tests patch this)."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def producing(db: Database, actor: Actor, request: ReportRequest) -> Callable[[Progress], Produced]:
    """The task's work: produce the report as ``actor``; a cancel leaves no file behind."""

    def work(progress: Progress) -> Produced:
        try:
            return produce(
                db, actor, request, progress=progress.report, cancelled=lambda: progress.cancelled
            )
        except pdf_base.Cancelled:
            raise Cancelled from None

    return work


def _button(name: str, text: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setAccessibleName(text.replace("&", "").replace("…", ""))
    return button


class ResultCard(QFrame):
    """What was written and where, with Open and Print… (Print only for a PDF)."""

    problem = Signal(str)  # the file has gone, nothing opens it, or printing failed

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reportResultCard")
        self.setProperty("role", "card")
        self.current: Produced | None = None
        self.heading = QLabel("Nothing produced yet")
        self.heading.setObjectName("reportResultHeading")
        self.heading.setProperty("role", "cardHeading")
        self.label = QLabel()
        self.label.setObjectName("reportResult")
        self.label.setAccessibleName("Report produced")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_button = _button("openReportButton", "&Open")
        self.print_button = _button("printReportButton", "Print…")
        self.note = QLabel()
        self.note.setObjectName("reportResultNote")
        self.note.setProperty("role", "hint")
        row = QHBoxLayout()
        row.addWidget(self.open_button)
        row.addWidget(self.print_button)
        row.addWidget(self.note, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(self.heading)
        layout.addWidget(self.label)
        nest(layout, row)
        self.open_button.setEnabled(False)
        self.print_button.setEnabled(False)
        self.open_button.clicked.connect(self.open_current)
        self.print_button.clicked.connect(self.print_current)

    def show_produced(self, produced: Produced) -> None:
        self.current = produced
        self.heading.setText(f"{info(produced.kind).title} ready")
        self.label.setText(
            f"{produced.what[:1].upper()}{produced.what[1:]}: {produced.details}.\n"
            f"Saved as {produced.path}"
        )
        is_pdf = produced.pages is not None
        self.note.clear()
        self.open_button.setEnabled(True)
        self.print_button.setEnabled(is_pdf)
        self.print_button.setToolTip("" if is_pdf else "Open the CSV in a spreadsheet to print it")

    def print_file(self) -> Path | None:
        """The PDF on show, if it is still there (what Ctrl+P prints)."""
        current = self.current
        if current is None or current.pages is None or not current.path.is_file():
            return None
        return current.path

    def open_current(self) -> None:
        if self.current is None:
            return
        if not self.current.path.is_file():
            self.problem.emit(f"{self.current.path} is no longer there.")
        elif not open_in_viewer(self.current.path):
            self.problem.emit(f"No program on this computer opens {self.current.path.name}.")

    def print_current(self) -> None:
        path = self.print_file()
        if path is None:
            return
        print_pdf(
            self,
            path,
            lambda pages: self.note.setText(f"Sent {pages} pages to print."),
            lambda exc: self.problem.emit(describe_failure(exc, f"print {path.name}")),
        )
