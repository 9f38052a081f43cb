"""The Evidence tab's list: fetched page by page, filtered and searched in the database."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QDate, QModelIndex, QPoint, Qt

from pipe_app.domain.enums import EvidenceKind, EvidenceStatus, Role
from pipe_app.gui import evidence_list
from pipe_app.gui.accreditation_page import AccreditationPage
from pipe_app.gui.pages import spec_for
from pipe_app.services.evidence import EvidenceInput, EvidenceService
from pipe_app.services.frameworks import FrameworkService
from pipe_app.timeutil import local_today
from tests.gui.helpers import type_date, type_into


def _items(world, count: int) -> list[str]:
    """``count`` Crowley items a day apart, newest first; every third a photo by the manager,
    the first approved; one Kirk item. Returns the Crowley titles newest first."""
    service = EvidenceService(world.db, world.system)
    manager = world.staff[(Role.MANAGER, "crowley")].id
    titles = []
    for number in range(count):
        photo = number % 3 == 0
        row = service.create(
            EvidenceInput(
                world.crowley.id,
                f"Item {number:02d}",
                EvidenceKind.PHOTO if photo else EvidenceKind.MINUTES,
                local_today() - timedelta(days=number + 1),
                author_id=manager if photo else None,
            )
        )
        if number == 0:
            service.approve(row.id, row.version)
        titles.append(row.title)
    service.create(EvidenceInput(world.kirk.id, "Kirk item", EvidenceKind.PHOTO, local_today()))
    return titles


def _page(qtbot, world) -> AccreditationPage:
    FrameworkService(world.db, world.system).install_builtin()
    page = AccreditationPage(spec_for("accreditation"), world.db, world.actor(Role.MANAGER))
    qtbot.addWidget(page)
    page.resize(1300, 760)
    page.show()
    qtbot.waitExposed(page)
    page.activate()
    qtbot.waitUntil(lambda: not page.coverage_loads.is_loading)
    return page


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _titles(page: AccreditationPage) -> list[str]:
    model = page.evidence_model
    return [model.row(n).title for n in range(model.rowCount())]


def test_the_list_fetches_page_by_page(qtbot, qtmodeltester, world, monkeypatch) -> None:
    monkeypatch.setattr(evidence_list, "PAGE_SIZE", 5)
    asked: list[tuple[int, int]] = []
    rows = EvidenceService.rows

    def recording(self, **arguments):
        if arguments.get("limit") is not None:  # the list's pages, not the criterion panel's
            asked.append((arguments["limit"], arguments["offset"]))
        return rows(self, **arguments)

    monkeypatch.setattr(EvidenceService, "rows", recording)
    titles = _items(world, 60)
    page = _page(qtbot, world)
    model = page.evidence_model
    assert model.rowCount() == 0 and asked == []  # not read while the Coverage tab is on show
    page.tabs.setCurrentIndex(1)
    first = model.rowCount()
    assert 0 < first < 60 and first % 5 == 0  # whole pages, as many as the table can show
    assert _titles(page) == titles[:first]  # newest first
    assert model.canFetchMore(QModelIndex())
    count = page.evidence_list.count_label
    assert count.text() == "Counting…"  # off the GUI thread, once the first rows are on show
    qtbot.waitUntil(lambda: count.text() == "60 items")
    qtmodeltester.check(model)

    table = page.evidence_table
    table.setFocus()
    for _ in range(20):  # the user goes to the end; the table asks for the next page
        if not model.canFetchMore(QModelIndex()):
            break
        qtbot.keyClick(table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    assert _titles(page) == titles  # each once, in order
    assert asked == [(5, offset) for offset in range(0, 65, 5)]  # the last page comes back empty
    qtmodeltester.check(model)

    header = page.evidence_table.horizontalHeader()
    centre = header.sectionViewportPosition(0) + header.sectionSize(0) // 2
    qtbot.mouseClick(
        header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(centre, header.height() // 2)
    )
    assert model.sort_column() == 0
    shown = [model.row(n).title for n in range(model.rowCount())]
    assert shown == sorted(titles, reverse=model.order.descending)[: len(shown)]
    qtmodeltester.check(model)


def test_filter_bar_and_search_run_in_the_database(qtbot, world, monkeypatch) -> None:
    monkeypatch.setattr(evidence_list, "PAGE_SIZE", 3)
    titles = _items(world, 8)
    page = _page(qtbot, world)
    panel = page.evidence_list
    page.tabs.setCurrentIndex(1)

    panel.status_combo.setFocus()
    qtbot.keyClick(panel.status_combo, Qt.Key.Key_Down)
    qtbot.keyClick(panel.status_combo, Qt.Key.Key_Down)
    assert panel.status_combo.currentData() == EvidenceStatus.APPROVED
    assert _titles(page) == ["Item 00"]
    assert panel.count_label.text() == "1 item"
    qtbot.keyClick(panel.status_combo, Qt.Key.Key_Home)  # back to any status

    panel.kind_combo.setFocus()
    qtbot.keyClick(panel.kind_combo, Qt.Key.Key_Down)
    qtbot.keyClick(panel.kind_combo, Qt.Key.Key_Down)
    assert panel.kind_combo.currentData() == EvidenceKind.PHOTO
    photos = [title for number, title in enumerate(titles) if number % 3 == 0]
    qtbot.waitUntil(lambda: page.evidence_model.rowCount() == len(photos))
    assert _titles(page) == photos  # not Kirk's

    panel.from_edit.setDate(
        _qdate(local_today() - timedelta(days=6))
    )  # as the calendar pop-up does
    assert _titles(page) == ["Item 00", "Item 03"]
    panel.to_edit.setDate(_qdate(local_today() - timedelta(days=2)))
    assert _titles(page) == ["Item 03"]
    type_date(qtbot, panel.to_edit, local_today() - timedelta(days=1))  # typed over a set date
    assert _titles(page) == ["Item 00", "Item 03"]
    panel.to_edit.setDate(panel.to_edit.minimumDate())  # "Any": no upper limit again
    assert panel.to_edit.text() == "Any"
    assert _titles(page) == ["Item 00", "Item 03"]

    manager = world.staff[(Role.MANAGER, "crowley")]
    qtbot.keyClick(panel.kind_combo, Qt.Key.Key_Home)
    type_into(qtbot, panel.search_edit, "03")
    assert panel.search_timer.isActive()  # one burst of keys: read once it ends
    assert "Item 01" in _titles(page)
    qtbot.waitUntil(lambda: _titles(page) == ["Item 03"])
    type_into(qtbot, panel.search_edit, manager.family_name.upper())
    qtbot.waitUntil(lambda: _titles(page) == ["Item 00", "Item 03"])  # by the author
    type_into(qtbot, panel.search_edit, "nothing like this")
    qtbot.waitUntil(lambda: panel.count_label.text() == "0 items")
    assert panel.notice.text() == "No evidence matches these filters."
