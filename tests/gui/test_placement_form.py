"""A manager changes a placement, records a departure and hands the resident to another key
worker from the resident's page, by keys and clicks; Esc steps back, asking before unsaved
typing is lost; the list is where it was; key workers and the other site see none of it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt

from pipe_app.domain.enums import Role, RoshLevel
from pipe_app.gui import record_form
from pipe_app.gui.drafts import DraftKey, save_draft
from pipe_app.gui.residents_page import ResidentsPage
from pipe_app.services.errors import PermissionDenied
from pipe_app.services.residents import PlacementInput, ResidentService
from pipe_app.timeutil import local_today
from tests.gui.helpers import click, type_date, type_into
from tests.gui.test_key_work_page import Answers
from tests.gui.test_resident_detail import _open_from_list, _page
from tests.gui.test_residents_page import _many

CTRL = Qt.KeyboardModifier.ControlModifier


def _answer(monkeypatch: pytest.MonkeyPatch, *answers: bool) -> Answers:
    answers_ = Answers(*answers)
    monkeypatch.setattr(record_form.Confirm, "ask", answers_)
    return answers_


def _manager_page(qtbot, world, name: str = "Karl Kirkby") -> ResidentsPage:
    page = _page(qtbot, world, Role.MANAGER, "kirk")
    _open_from_list(qtbot, page, name)
    return page


def _save(qtbot, page: ResidentsPage) -> None:
    """Ctrl+S in the form; the resident's page reloads with what was saved."""
    with qtbot.waitSignal(page.detail.loaded, timeout=20_000):
        qtbot.keyClick(page.placement_form.focusWidget(), Qt.Key.Key_S, CTRL)


def _placement(world, resident_id):
    return ResidentService(world.db, world.system).placements(resident_id)[0]


def test_a_manager_edits_the_placement_from_the_resident_page(qtbot, world):
    rid = world.admit("kirk", given_name="Karl", family_name="Kirkby")
    page = _manager_page(qtbot, world)
    detail = page.detail
    assert detail.placement_values["rosh"].text() == "High"

    click(qtbot, detail.placement_edit_button)
    form = page.placement_form
    assert page.form_open
    assert form.title_label.text() == "Placement of Karl Kirkby at Kirk Lodge"
    assert form.site_value.text() == "Kirk Lodge"
    assert form.placement.expected_arrival_edit.hasFocus()
    rosh = form.placement.rosh_combos["rosh_overall"]
    rosh.setFocus()
    qtbot.keyClicks(rosh, "Very")  # choosing by typing, as in any list
    assert rosh.currentData() == "very_high"
    later = local_today() + timedelta(days=200)
    type_date(qtbot, form.placement.expected_departure_edit, later)
    _save(qtbot, page)

    assert page.showing_detail
    assert detail.back_button.hasFocus()
    assert detail.placement_values["rosh"].text() == "Very high"
    assert detail.placement_values["expected_departure"].text() == f"{later:%d %b %Y}"
    saved = _placement(world, rid)
    assert (saved.rosh_overall, saved.expected_departure) == (RoshLevel.VERY_HIGH, later)
    assert saved.actual_departure is None


def test_recording_a_departure_takes_the_resident_off_later_registers(qtbot, world):
    rid = world.admit("kirk", given_name="Karl", family_name="Kirkby", arrival_days_ago=30)
    page = _manager_page(qtbot, world)
    detail = page.detail
    assert detail.departure_button.isEnabled()

    click(qtbot, detail.departure_button)
    form = page.placement_form
    assert form.departed_check.isChecked()
    assert form.departure_edit.hasFocus()
    assert form.values()["actual_departure"] == local_today().isoformat()
    left = local_today() - timedelta(days=2)
    type_date(qtbot, form.departure_edit, left)
    form.reason_combo.setFocus()
    qtbot.keyClicks(form.reason_combo, "Planned")
    qtbot.keyClicks(form.notes_edit, "Moved to his sister's")
    _save(qtbot, page)

    assert detail.placement_values["departure"].text() == (
        f"{left:%d %b %Y}: Planned move-on. Moved to his sister's"
    )
    assert not detail.departure_button.isEnabled()  # recorded; Edit placement corrects it
    assert detail.history_list.item(0).text().endswith(f"to {left:%d %b %Y}")
    assert detail.due_label.text() == "Not placed today, so no key work is due."
    manager = ResidentService(world.db, world.actor(Role.MANAGER, "kirk"))
    assert rid in {row.id for row in manager.placed_on(world.kirk.id, left)}
    for later in (left + timedelta(days=1), local_today()):
        assert rid not in {row.id for row in manager.placed_on(world.kirk.id, later)}

    qtbot.keyClick(detail.back_button, Qt.Key.Key_Escape)
    assert not page.showing_detail
    assert page.proxy.index(0, 3).data() == "Moved on"  # the list was reloaded


def test_a_departure_before_arrival_is_named_under_the_field(qtbot, world):
    rid = world.admit("kirk", given_name="Karl", family_name="Kirkby", arrival_days_ago=30)
    page = _manager_page(qtbot, world)
    click(qtbot, page.detail.departure_button)
    form = page.placement_form
    type_date(qtbot, form.departure_edit, local_today() - timedelta(days=31))
    qtbot.keyClick(form.departure_edit, Qt.Key.Key_S, CTRL)

    assert page.form_open
    assert form.errors.message_for("actual_departure") == (
        "Departure date cannot be before actual arrival."
    )
    assert form.errors.message_for("departure_reason") == (
        "Reason for leaving is required once the resident has departed."
    )
    assert form.focusWidget() is form.departure_edit
    assert _placement(world, rid).actual_departure is None  # nothing written


def test_escape_asks_before_discarding_then_steps_back_to_the_list(qtbot, world, monkeypatch):
    rid = world.admit("kirk", given_name="Karl", family_name="Kirkby")
    page = _manager_page(qtbot, world)
    click(qtbot, page.detail.placement_edit_button)
    form = page.placement_form
    answers = _answer(monkeypatch, False, True)
    qtbot.keyClicks(form.notes_edit, "Half a thought")

    qtbot.keyClick(form.notes_edit, Qt.Key.Key_Escape)
    assert answers.questions == ["Discard your changes?"]
    assert page.form_open and form.notes_edit.toPlainText() == "Half a thought"

    qtbot.keyClick(form.notes_edit, Qt.Key.Key_Escape)
    assert answers.questions == ["Discard your changes?"] * 2
    assert page.showing_detail  # back one step: the resident's page
    assert page.detail.back_button.hasFocus()
    assert _placement(world, rid).departure_notes == ""

    click(qtbot, page.detail.placement_edit_button)  # nothing typed: Esc asks nothing
    qtbot.keyClick(page.placement_form.notes_edit, Qt.Key.Key_Escape)
    assert page.showing_detail and len(answers.questions) == 2
    qtbot.keyClick(page.detail.back_button, Qt.Key.Key_Escape)
    assert not page.showing_detail and page.table.hasFocus()


def test_a_manager_changes_the_key_worker_from_the_resident_page(qtbot, world, monkeypatch):
    rid = world.admit("kirk", given_name="Karl", family_name="Kirkby")
    page = _manager_page(qtbot, world)
    detail = page.detail
    assert detail.placement_values["key_worker"].text() == "Sam Key_Worker KL"

    click(qtbot, detail.key_worker_button)
    dialog = detail.key_worker_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(dialog.isActiveWindow)  # keys go to it, as on a desktop
    combo = dialog.worker_combo
    offered = [combo.itemText(n) for n in range(combo.count())]
    assert offered and all(name.endswith(" KL") for name in offered)  # Kirk Lodge staff only
    assert "Sam Key_Worker KL" not in offered  # already the key worker

    answers = _answer(monkeypatch, False, True)
    combo.setFocus()
    assert offered == ["Sam Administrator KL", "Sam Manager KL", "Sam Psychologist KL"]
    for _ in range(2):
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentText() == "Sam Psychologist KL"
    qtbot.keyClick(combo, Qt.Key.Key_Escape)  # a choice was made: asks
    assert answers.questions == ["Discard the change of key worker?"]
    assert dialog.isVisible()
    qtbot.keyClick(combo, Qt.Key.Key_Up)
    assert combo.currentText() == "Sam Manager KL"
    with qtbot.waitSignal(detail.loaded, timeout=20_000):
        qtbot.keyClick(combo, Qt.Key.Key_Return)

    assert detail.key_worker_dialog is None  # closed
    assert detail.placement_values["key_worker"].text() == "Sam Manager KL"
    history = [detail.history_list.item(r).text() for r in range(detail.history_list.count())]
    assert history[0] == f"Sam Manager KL · from {local_today():%d %b %Y} (current)"
    assert history[1].startswith("Sam Key_Worker KL") and history[1].endswith(
        f"{local_today():%d %b %Y}"
    )
    assert _placement(world, rid).key_worker_name == "Sam Manager KL"


def test_the_list_keeps_its_search_and_place_after_an_edit(qtbot, world):
    _many(world, 60)
    world.admit("kirk", given_name="Other", family_name="Person")
    page = _page(qtbot, world, Role.MANAGER, "kirk")
    type_into(qtbot, page.search_edit, "many")
    qtbot.waitUntil(lambda: page.count_label.text() == "60 of 61 residents match")
    qtbot.waitUntil(lambda: not page.search_timer.isActive())  # the database answered too
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_End, CTRL)  # the last row
    for _ in range(10):
        qtbot.keyClick(page.table, Qt.Key.Key_Up)
    row = page.table.currentIndex().row()
    assert page.proxy.index(row, 0).data() == "Many Family0049"
    scrolled = page.table.verticalScrollBar().value()
    assert scrolled > 0

    with qtbot.waitSignal(page.detail.loaded, timeout=20_000):
        qtbot.keyClick(page.table, Qt.Key.Key_Return)
    click(qtbot, page.detail.placement_edit_button)
    rosh = page.placement_form.placement.rosh_combos["rosh_public"]
    rosh.setFocus()
    qtbot.keyClicks(rosh, "Low")
    _save(qtbot, page)  # the list reloads behind the resident's page
    qtbot.keyClick(page.detail.back_button, Qt.Key.Key_Escape)

    assert not page.showing_detail
    assert page.search_edit.text() == "many"
    assert page.count_label.text() == "60 of 61 residents match"
    assert page.table.currentIndex().row() == row
    assert page.proxy.index(row, 0).data() == "Many Family0049"
    assert page.table.verticalScrollBar().value() == scrolled
    assert page.table.hasFocus()

    qtbot.keyClicks(page.search_edit, " family004")  # narrower, still matching the resident
    qtbot.waitUntil(lambda: page.count_label.text() == "10 of 61 residents match")
    qtbot.waitUntil(lambda: not page.search_timer.isActive())
    assert page.table.currentIndex().data() == "Many Family0049"


def test_a_key_worker_cannot_change_a_placement(qtbot, world):
    rid = world.admit("kirk", given_name="Karl", family_name="Kirkby")
    page = _page(qtbot, world, Role.KEY_WORKER, "kirk")
    _open_from_list(qtbot, page, "Karl Kirkby")
    detail = page.detail
    for button in (
        detail.edit_button,
        detail.placement_edit_button,
        detail.departure_button,
        detail.key_worker_button,
    ):
        assert not button.isVisible()
    qtbot.keyClick(detail.back_button, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    assert page.showing_detail and not page.form_open  # the hidden button's key does nothing
    placement = _placement(world, rid)
    save_draft("key_worker_kirk", DraftKey("placement", placement.id), "Placement", {}, 1)
    page.open_record(DraftKey("placement", placement.id))
    assert not page.form_open
    worker = ResidentService(world.db, world.actor(Role.KEY_WORKER, "kirk"))
    change = PlacementInput(
        placement.site_id,
        placement.expected_arrival,
        placement.expected_departure,
        placement.sentence_type,
        placement.release_type,
        placement.rosh_overall,
        actual_arrival=placement.actual_arrival,
        actual_departure=local_today(),
        departure_reason="hospital",
    )
    with pytest.raises(PermissionDenied):
        worker.update_placement(placement.id, placement.version, change)
    assert _placement(world, rid).actual_departure is None


def test_a_kirk_lodge_manager_never_sees_a_crowley_house_placement(qtbot, world):
    crowley = world.admit("crowley", given_name="Carla", family_name="Crowleyside")
    world.admit("kirk", given_name="Karl", family_name="Kirkby")
    placement = _placement(world, crowley)
    page = _page(qtbot, world, Role.MANAGER, "kirk")
    # A draft naming that placement (a shared computer, say) opens nothing of it.
    save_draft("manager_kirk", DraftKey("placement", placement.id), "Placement", {}, 1)
    page.open_record(DraftKey("placement", placement.id))
    assert not page.form_open
    assert page.error_banner.text() == (
        "Could not open the placement: that placement does not exist or is not at your sites."
    )
    assert "Crowley" not in page.placement_form.title_label.text()
    assert page.placement_form.site_value.text() == ""

    with qtbot.waitSignal(page.detail.loaded, timeout=20_000):
        page.open_record(crowley)
    detail = page.detail
    assert detail.name_label.text() == "Resident not available"
    for button in (detail.placement_edit_button, detail.departure_button):
        assert not button.isEnabled()
    assert detail.key_worker_dialog is None
