"""The resident's own page: opened from the list, shows placement, key workers and one timeline,
opens key work from it, returns with Esc, and shows nothing from another site."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt

from pipe_app.domain.enums import Role
from pipe_app.gui.pages import spec_for
from pipe_app.gui.residents_page import ResidentsPage
from pipe_app.services.residents import ResidentService
from pipe_app.timeutil import local_today
from tests.services.test_timeline import story


def _page(qtbot, world, role: Role = Role.KEY_WORKER, site: str = "crowley") -> ResidentsPage:
    page = ResidentsPage(spec_for("residents"), world.db, world.actor(role, site))
    qtbot.addWidget(page)
    page.resize(1200, 720)
    page.show()
    # Shortcuts such as Esc reach only the active window; a busy machine activates late.
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    page.activate()
    return page


def _open_from_list(qtbot, page: ResidentsPage, name: str) -> None:
    rows = [page.proxy.index(r, 0).data() for r in range(page.proxy.rowCount())]
    index = page.proxy.index(rows.index(name), 0)
    page.table.setFocus()
    page.table.setCurrentIndex(index)
    with qtbot.waitSignal(page.detail.loaded, timeout=20_000):
        qtbot.keyClick(page.table, Qt.Key.Key_Return)


def test_enter_opens_the_resident_with_placement_history_and_timeline(qtbot, world, qtmodeltester):
    told = story(world, given_name="Jade", family_name="Morris")
    world.admit("crowley", given_name="Other", family_name="Person")
    page = _page(qtbot, world)
    _open_from_list(qtbot, page, "Jade Morris")

    detail = page.detail
    assert page.showing_detail
    assert detail.name_label.text() == "Jade Morris"
    crn = ResidentService(world.db, world.system).get(told.resident_id).crn
    assert detail.summary_label.text().startswith(f"CRN {crn}")
    values = {key: label.text() for key, label in detail.placement_values.items()}
    arrived = local_today() - timedelta(days=40)
    assert values["site"] == "Crowley House"
    assert values["kind"] == "On the PIPE"
    assert values["arrival"] == f"{arrived:%d %b %Y}"
    assert values["departure"] == "Still placed"
    assert values["sentence"] == "Standard determinate custody"
    assert values["release"] == "Licence"
    assert values["rosh"] == "High"
    assert values["key_worker"] == "Sam Manager CH"
    assert not detail.placement_choice.isVisibleTo(detail)  # only one placement

    history = [detail.history_list.item(r).text() for r in range(detail.history_list.count())]
    changed = local_today() - timedelta(days=20)
    assert history == [
        f"Sam Manager CH · from {changed:%d %b %Y} (current)",
        f"Sam Key_Worker CH · from {arrived:%d %b %Y} to {changed:%d %b %Y}",
    ]
    # Weekly at Crowley House; last attended key work 30 days ago: due 23 days ago.
    assert detail.due_label.text().startswith("23 days overdue. Key work is weekly")

    model = detail.timeline_model
    qtmodeltester.check(model)
    whats = [model.index(r, 1).data() for r in range(model.rowCount())]
    assert whats == [
        "Key work with Sam Manager CH (draft)",
        "Group: Cooking together",
        "Key worker: Sam Manager CH",
        "Key work with Sam Key_Worker CH",
        "Key worker: Sam Key_Worker CH",
        "Arrived at Crowley House",
    ]
    assert model.index(1, 2).data() == "Attended"

    # Enter on a key-work entry asks for the key-work page with that session.
    detail.timeline.setFocus()
    detail.timeline.setCurrentIndex(model.index(3, 0))
    with qtbot.waitSignal(page.record_requested) as opened:
        qtbot.keyClick(detail.timeline, Qt.Key.Key_Return)
    assert opened.args == ["key_work", told.first_session]

    # Esc returns to the list.
    qtbot.keyClick(detail.timeline, Qt.Key.Key_Escape)
    assert not page.showing_detail


def test_double_click_opens_and_back_button_returns(qtbot, world):
    world.admit("crowley", given_name="Megan", family_name="Price")
    page = _page(qtbot, world)
    rect = page.table.visualRect(page.proxy.index(0, 0))
    with qtbot.waitSignal(page.detail.loaded, timeout=20_000):
        qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert page.detail.name_label.text() == "Megan Price"
    qtbot.mouseClick(page.detail.back_button, Qt.MouseButton.LeftButton)
    assert not page.showing_detail


def test_kirk_user_cannot_open_a_crowley_resident(qtbot, world):
    told = story(world, given_name="Jade", family_name="Morris")
    page = _page(qtbot, world, Role.MANAGER, "kirk")
    with qtbot.waitSignal(page.detail.loaded, timeout=20_000):
        page.open_record(told.resident_id)
    detail = page.detail
    assert page.showing_detail
    qtbot.waitUntil(detail.message.isVisible)
    assert detail.message.text() == ("That resident does not exist or is not placed at your sites.")
    assert detail.name_label.text() == "Resident not available"
    assert "Jade" not in detail.summary_label.text() + detail.name_label.text()
    assert detail.record is None
    assert detail.timeline_model.rowCount() == 0
    assert detail.history_list.count() == 0
    assert not detail.content.isVisible()
