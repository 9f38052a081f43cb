"""A page a test shows is taken apart by Qt, whole, never by Python's collector while Qt still
shows it. pytest-qt holds the widgets given to ``qtbot.addWidget`` weakly and processes
events after the test has returned; a collection there once took a page apart in any order
(CI: "'RowTableModel' object has no attribute '_columns'" as its view asked for headers).
The GUI fixtures hold them until pytest-qt's ``deleteLater``, from which PySide holds them
until Qt deletes them."""

from __future__ import annotations

import gc
import weakref

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from pipe_app.gui.table_model import Column, RowTableModel
from pipe_app.gui.tables import plain_view

COLUMNS: list[Column[str]] = [Column("Name", str), Column("Length", len)]


class _Page(QWidget):
    """A page as the app builds them: a model, its view, and a reference cycle."""

    def __init__(self) -> None:
        super().__init__()
        self.model: RowTableModel[str] = RowTableModel(COLUMNS, parent=self)
        self.view = plain_view("names", "Names", self.model, self)
        QVBoxLayout(self).addWidget(self.view)
        self.model.set_rows(["Ada", "Grace"])
        self.me = self  # only the collector frees this


def _shown_and_dropped(qtbot, *, through_qtbot: bool) -> weakref.ref[_Page]:
    page = _Page()
    if through_qtbot:
        qtbot.addWidget(page)
    page.show()
    QCoreApplication.processEvents()
    return weakref.ref(page)


def test_a_page_shown_through_qtbot_outlives_a_collection_after_the_test_drops_it(qtbot):
    held = _shown_and_dropped(qtbot, through_qtbot=True)
    gc.collect()
    page = held()
    assert page is not None, "the collector freed a page Qt still shows"
    assert page.model.headerData(0, Qt.Orientation.Horizontal) == "Name"


def test_pyside_holds_a_widget_from_delete_later_until_qt_deletes_it(qtbot):
    """What the fixture relies on once pytest-qt has let the page go."""
    held = _shown_and_dropped(qtbot, through_qtbot=False)
    page = held()
    assert page is not None
    page.deleteLater()
    del page
    gc.collect()
    assert held() is not None and shiboken6.isValid(held())
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert held() is None or not shiboken6.isValid(held())
