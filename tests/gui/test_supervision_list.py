"""The supervision records list: fetched a page at a time as the user scrolls, searched in SQL."""

from __future__ import annotations

import uuid
from datetime import timedelta

from PySide6.QtCore import QModelIndex, Qt
from sqlalchemy import insert

from pipe_app.domain import SupervisionSession
from pipe_app.domain.enums import Role, SupervisionKind, SupervisionStatus
from pipe_app.gui import supervision_page
from pipe_app.gui.pages import spec_for
from pipe_app.gui.supervision_page import SupervisionPage
from pipe_app.timeutil import utc_now
from tests.gui.helpers import type_into

CTRL = Qt.KeyboardModifier.ControlModifier


def _bulk_records(world, count: int) -> None:
    """Many drafts at once (setting up the test, not the behaviour under test)."""
    now = utc_now()
    rows = [
        {
            "id": uuid.uuid4(),
            "site_id": world.crowley.id,
            "kind": SupervisionKind.GROUP,
            "supervisor_id": world.staff[(Role.PSYCHOLOGIST, "crowley")].id,
            "started_at": now - timedelta(hours=number + 1),
            "duration_minutes": 60,
            "themes": ["caseload"] if number % 10 == 7 else [],
            "cases_discussed": [],
            "summary": f"Record {number}",
            "risk_ethical_issues": "",
            "development_needs": "",
            "status": SupervisionStatus.DRAFT,
            "created_at": now,
            "updated_at": now,
            "version": 1,
        }
        for number in range(count)
    ]
    with world.db.writing({}) as session:
        session.execute(insert(SupervisionSession), rows)


def _page(qtbot, world, role: Role = Role.MANAGER) -> SupervisionPage:
    page = SupervisionPage(spec_for("supervision"), world.db, world.actor(role, "crowley"))
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    page.activate()
    if page.queue is not None:  # read off the GUI thread: wait until it shows
        qtbot.waitUntil(lambda: page.queue.notice.text() != "Loading…")
    return page


def test_scrolling_fetches_the_next_page(qtbot, qtmodeltester, world, monkeypatch):
    monkeypatch.setattr(supervision_page, "PAGE_SIZE", 20)
    _bulk_records(world, 50)
    page = _page(qtbot, world)
    model = page.model
    assert model.rowCount() == 20
    assert model.canFetchMore(QModelIndex())
    # A full first page is counted off the GUI thread, after its rows are on show.
    qtbot.waitUntil(lambda: page.count_label.text() == "50 records")
    assert not page.is_loading
    qtmodeltester.check(model)

    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_End, CTRL)  # to the bottom: the view asks for more
    qtbot.waitUntil(lambda: model.rowCount() > 20)
    while model.canFetchMore(QModelIndex()):
        qtbot.keyClick(page.table, Qt.Key.Key_End, CTRL)
    assert model.rowCount() == 50
    summaries = [model.row(n).summary for n in range(50)]
    assert summaries == [f"Record {n}" for n in range(50)]  # newest first, none twice
    assert page.table.currentIndex().row() >= 20
    qtmodeltester.check(model)

    type_into(qtbot, page.search_edit, "CASELOAD")
    qtbot.waitUntil(lambda: model.rowCount() == 5)  # 7, 17, 27, 37 and 47, once typing pauses
    assert page.count_label.text() == "5 records"
    assert not model.canFetchMore(QModelIndex())
    assert [model.row(n).summary for n in range(5)] == [f"Record {n}" for n in (7, 17, 27, 37, 47)]

    qtbot.keyClick(page.search_edit, Qt.Key.Key_A, CTRL)
    qtbot.keyClicks(page.search_edit, "no such record")
    qtbot.waitUntil(lambda: model.rowCount() == 0)
    assert page.count_label.text() == "0 records"
    assert page.notice_label.text().startswith("No supervision records match")


def test_enter_on_a_fetched_row_opens_it(qtbot, world, monkeypatch):
    monkeypatch.setattr(supervision_page, "PAGE_SIZE", 5)
    _bulk_records(world, 12)
    page = _page(qtbot, world)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_End, CTRL)
    qtbot.waitUntil(lambda: page.model.rowCount() > 5)
    target = page.model.row(page.table.currentIndex().row())
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert page.form_open
    assert page.form.record_id == target.id
    assert page.form.summary_edit.toPlainText() == target.summary


def test_a_key_worker_lists_only_their_own_records(qtbot, world):
    _bulk_records(world, 3)  # the psychologist's group sessions with nobody named yet
    page = _page(qtbot, world, Role.KEY_WORKER)
    assert page.model.rowCount() == 0
    assert page.count_label.text() == "0 records"
