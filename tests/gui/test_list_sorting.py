"""A click on a column heading sorts the whole lazily fetched list in the database.

Each of the four long lists is driven as a user would: click a heading, scroll to fetch the
next pages, click again, click a heading the database cannot sort by, search. The rows held
are always the service's full list in the order shown, and the model tester watches the
model throughout (a view asking for more while rows are announced used to break it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtWidgets import QApplication, QTableView

from pipe_app.gui.groups_page import GroupsPage
from pipe_app.gui.key_work_page import KeyWorkPage
from pipe_app.gui.list_sort import sort_setting
from pipe_app.gui.pages import Page, spec_for
from pipe_app.gui.residents_page import ResidentsPage
from pipe_app.gui.settings import make_settings
from pipe_app.gui.supervision_page import SupervisionPage
from pipe_app.services.auth import sign_in
from pipe_app.services.groups import GroupService, GroupSort
from pipe_app.services.key_work import KeyWorkService, KeyWorkSort
from pipe_app.services.ordering import Order
from pipe_app.services.residents import ResidentService, ResidentSort
from pipe_app.services.supervision import SupervisionService, SupervisionSort
from pipe_app.storage.database import Database
from tests.gui.helpers import type_into
from tests.list_data import MANAGER, scaled

__all__ = ["scaled"]  # the fixture

PAGE = 5  # rows per fetch: the lists span several pages


def _all_dates(page: Any) -> None:
    page.from_edit.setDate(page.from_edit.minimumDate())


@dataclass(frozen=True)
class ListCase:
    key: str
    page: type[Page]
    service: type[Any]
    column: int  # a heading the database sorts by
    sort: StrEnum
    fixed: int  # a heading it cannot sort by
    prepare: Callable[[Any], None] = lambda page: None


CASES = {
    "key work": ListCase("key_work", KeyWorkPage, KeyWorkService, 3, KeyWorkSort.KEY_WORKER, 9),
    "residents": ListCase("residents", ResidentsPage, ResidentService, 5, ResidentSort.ARRIVED, 3),
    "supervision": ListCase(
        "supervision", SupervisionPage, SupervisionService, 2, SupervisionSort.SUPERVISOR, 3
    ),
    "groups": ListCase("groups", GroupsPage, GroupService, 1, GroupSort.TITLE, 7, _all_dates),
}


class Spy:
    """Records what the page last asked the service's ``rows`` for."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, service: type[Any]) -> None:
        self.rows = service.rows
        self.last: dict[str, Any] = {}
        self.searched: list[str] = []  # every call's words (searches are read side by side)
        self.service: Any = None

        def rows(service_self: Any, **arguments: Any) -> Any:
            self.service, self.last = service_self, arguments
            self.searched.append(arguments.get("search", ""))
            return self.rows(service_self, **arguments)

        monkeypatch.setattr(service, "rows", rows)

    def full_list(self, **changes: Any) -> list[Any]:
        """Every row for the page's last query (with ``changes``), in order, read at once."""
        arguments = {k: v for k, v in self.last.items() if k not in ("limit", "offset")}
        arguments |= changes
        return [row.id for row in self.rows(self.service, **arguments)]


def _page(qtbot, db: Database, case: ListCase) -> Any:
    page = case.page(spec_for(case.key), db, sign_in(db, *MANAGER))
    page.model.page_size = PAGE
    qtbot.addWidget(page)
    page.resize(1300, 500)
    page.show()
    qtbot.waitExposed(page)
    page.activate()
    case.prepare(page)
    return page


def _click_heading(qtbot, table: QTableView, column: int) -> None:
    header = table.horizontalHeader()
    middle = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    at = QPoint(middle, header.height() // 2)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=at)


def _scroll_to_end(qtbot, page: Any) -> list[Any]:
    """Scroll down until every page is fetched; the ids held, in order."""
    model = page.model
    while model.canFetchMore(QModelIndex()):
        held = model.rowCount()
        page.table.scrollToTop()
        page.table.scrollToBottom()  # the view asks for the next page
        qtbot.waitUntil(lambda held=held: model.rowCount() > held)
    return [model.row(number).id for number in range(model.rowCount())]


def _indicator(table: QTableView) -> tuple[int, bool]:
    header = table.horizontalHeader()
    return (
        header.sortIndicatorSection(),
        header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder,
    )


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_heading_click_sorts_the_whole_list(
    qtbot, qtmodeltester, scaled: Database, monkeypatch, name: str
) -> None:
    case = CASES[name]
    spy = Spy(monkeypatch, case.service)
    page = _page(qtbot, scaled, case)
    model = page.model
    qtmodeltester.check(model)  # and it keeps watching every change below
    first_order = model.order

    _click_heading(qtbot, page.table, case.column)
    column, descending = _indicator(page.table)
    assert column == case.column
    assert model.order == spy.last["order"] == Order(case.sort, descending=descending)
    held = _scroll_to_end(qtbot, page)
    assert len(held) > 3 * PAGE
    assert held == spy.full_list()

    _click_heading(qtbot, page.table, case.column)  # the other way round
    assert _indicator(page.table) == (case.column, not descending)
    assert model.order == Order(case.sort, descending=not descending) != first_order
    assert _scroll_to_end(qtbot, page) == spy.full_list()

    _click_heading(qtbot, page.table, case.fixed)  # not sortable: nothing changes
    QApplication.processEvents()
    assert _indicator(page.table) == (case.column, not descending)
    assert model.order == Order(case.sort, descending=not descending)

    type_into(qtbot, page.search_edit, "ar")  # a new query keeps the order
    # A search may read its first rows off the GUI thread, one read per key, side by side:
    # wait for the last to be shown.
    qtbot.waitUntil(lambda: "ar" in spy.searched and not getattr(page, "is_loading", False))
    assert spy.last["order"] == model.order == Order(case.sort, descending=not descending)
    assert _indicator(page.table) == (case.column, not descending)
    searched = _scroll_to_end(qtbot, page)
    assert searched == spy.full_list(search="ar")
    assert 0 < len(searched) < len(held)


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_order_is_remembered_per_list(qtbot, scaled: Database, monkeypatch, name: str) -> None:
    case = CASES[name]
    spy = Spy(monkeypatch, case.service)
    page = _page(qtbot, scaled, case)
    _click_heading(qtbot, page.table, case.column)
    chosen = page.model.order
    assert make_settings().value(sort_setting(page.table.objectName()))
    page.close()

    again = _page(qtbot, scaled, case)
    assert again.model.order == chosen
    assert spy.last["order"] == chosen  # the first page was read in it
    assert _indicator(again.table) == (case.column, chosen.descending)
    others = [c for c in CASES.values() if c.key != case.key]
    other = _page(qtbot, scaled, others[0])
    assert other.model.order != chosen  # another list keeps its own
