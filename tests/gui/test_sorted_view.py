"""A sorted table (staff, compliance, the review queue, the admin lists): a heading click
sorts its rows by the column's sort key, in the model, one key a row; the row selected
stays selected, the search filter still narrows, and rows set later come in that order."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtWidgets import QTableView, QVBoxLayout, QWidget

from pipe_app.gui.table_model import Column, RowTableModel, sorted_positions
from pipe_app.gui.tables import sorted_view

Row = tuple[str, int | None, date]
COLUMNS = [
    Column[Row]("Name", lambda row: row[0]),
    Column[Row]("Sessions", lambda row: row[1], align_right=True),
    Column[Row]("Since", lambda row: row[2]),
]
ROWS: list[Row] = [
    ("Dora Ashby", 7, date(2026, 3, 1)),
    ("erin Marsh", None, date(2025, 11, 9)),
    ("Bea Baker", 12, date(2026, 1, 20)),
    ("Carla Cole", 7, date(2024, 6, 30)),
]


def _table(qtbot) -> tuple[QTableView, RowTableModel[Row], QWidget]:
    holder = QWidget()
    qtbot.addWidget(holder)
    model = RowTableModel(COLUMNS, parent=holder)
    view, _proxy = sorted_view("sortedTable", "Sorted", model, holder)
    QVBoxLayout(holder).addWidget(view)
    holder.resize(600, 300)
    holder.show()
    qtbot.waitExposed(holder)
    model.set_rows(ROWS)
    return view, model, holder  # the holder kept: the table lives in it


def _shown(view: QTableView, column: int) -> list[str]:
    model = view.model()
    return [model.index(row, column).data() for row in range(model.rowCount())]


def _click_heading(qtbot, view: QTableView, column: int) -> None:
    header = view.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))


def test_heading_clicks_sort_by_the_column_both_ways(qtbot, qtmodeltester):
    view, model, _holder = _table(qtbot)
    assert _shown(view, 0) == ["Bea Baker", "Carla Cole", "Dora Ashby", "erin Marsh"]  # no case
    _click_heading(qtbot, view, 2)
    assert _shown(view, 0) == ["Carla Cole", "erin Marsh", "Bea Baker", "Dora Ashby"]  # by date
    _click_heading(qtbot, view, 2)
    assert _shown(view, 0) == ["Dora Ashby", "Bea Baker", "erin Marsh", "Carla Cole"]
    _click_heading(qtbot, view, 1)  # numbers as numbers; the missing one after them
    assert _shown(view, 1) == ["7", "7", "12", ""]
    assert _shown(view, 0)[:2] == ["Dora Ashby", "Carla Cole"]  # equal keys keep their order
    qtmodeltester.check(view.model())
    qtmodeltester.check(model)


def test_the_selected_row_follows_the_sort_and_new_rows_keep_it(qtbot):
    view, model, _holder = _table(qtbot)
    view.selectRow(2)  # Dora Ashby
    assert view.currentIndex().data() == "Dora Ashby"
    _click_heading(qtbot, view, 2)
    assert view.currentIndex().data() == "Dora Ashby"
    assert view.currentIndex().row() == 3  # the newest, last
    model.set_rows([*ROWS, ("Ann Archer", 1, date(2020, 1, 1))])
    assert _shown(view, 0)[0] == "Ann Archer"  # the oldest, first: the order kept


def test_the_search_filter_narrows_sorted_rows(qtbot):
    view, _model, _holder = _table(qtbot)
    _click_heading(qtbot, view, 1)  # from the names' order: Carla before Dora, both 7
    view.model().setFilterFixedString("a")  # what a search box sends
    assert _shown(view, 0) == ["Carla Cole", "Dora Ashby", "Bea Baker", "erin Marsh"]
    view.model().setFilterFixedString("ma")
    assert _shown(view, 0) == ["erin Marsh"]
    assert view.model().index(0, 0, QModelIndex()).isValid()


def test_keys_of_different_kinds_sort_numbers_then_texts():
    assert sorted_positions([3, "", 1, "b", "a"], descending=False) == [2, 0, 1, 4, 3]
    assert sorted_positions([2, 1, 2], descending=True) == [0, 2, 1]  # equal keys in order
