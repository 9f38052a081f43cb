"""Columns fit their text: read from the rows themselves, also behind a sorting proxy."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QWidget

from pipe_app.gui.table_model import Column, RowTableModel
from pipe_app.gui.tables import fit_columns, plain_view, sorted_view

LONG = "Resettlement planning meeting"
COLUMNS = [
    Column[tuple[str, str, str]]("Id", lambda row: row[0]),
    Column[tuple[str, str, str]]("Title", lambda row: row[1]),
    Column[tuple[str, str, str]]("Notes", lambda row: row[2]),
]


@pytest.mark.parametrize("through_proxy", [False, True])
def test_a_column_is_as_wide_as_its_longest_text(qtbot, through_proxy):
    holder = QWidget()
    qtbot.addWidget(holder)
    model = RowTableModel(COLUMNS, parent=holder)
    model.set_rows([(str(n), LONG if n == 3 else "Group", "") for n in range(10)])
    if through_proxy:
        view, _proxy = sorted_view("t", "t", model, holder)
    else:
        view = plain_view("t", "t", model, holder)
    fit_columns(view)
    metrics = view.fontMetrics()
    assert view.columnWidth(1) >= metrics.horizontalAdvance(LONG)
    assert view.columnWidth(0) < metrics.horizontalAdvance(LONG) / 2
