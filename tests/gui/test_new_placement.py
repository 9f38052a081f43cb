"""A returning resident: from the resident's page a manager places them again, by keys and
clicks, in the placement form's own window; an overlap is named under the field; the new stay
shows beside the old one, on registers from the arrival day. Others never see the button."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt

from pipe_app.domain.enums import Role
from pipe_app.gui.drafts import DraftKey, load_draft, save_draft
from pipe_app.gui.placement_form import NEW_KIND, NewPlacementForm
from pipe_app.gui.resident_detail import STILL_PLACED_TIP
from pipe_app.gui.residents_page import ResidentsPage
from pipe_app.services.residents import ResidentService
from tests.gui.helpers import click, type_date
from tests.gui.test_placement_form import _answer
from tests.gui.test_resident_detail import _open_from_list, _page
from tests.services.test_returning_resident import _left_resident, left, today

CTRL = Qt.KeyboardModifier.ControlModifier
NAME = "Dana Fictional"  # tests.services.test_residents._resident


def _open_new_placement(qtbot, world) -> tuple[ResidentsPage, NewPlacementForm]:
    page = _page(qtbot, world, Role.MANAGER, "kirk")
    _open_from_list(qtbot, page, NAME)
    button = page.detail.new_placement_button
    assert button.isVisible() and button.isEnabled()
    click(qtbot, button)
    dialog = page.detail.new_placement_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(dialog.isActiveWindow)  # keys go to it, as on a desktop
    return page, dialog.form


def _choose(qtbot, combo, typed: str) -> None:
    combo.setFocus()
    qtbot.keyClicks(combo, typed)  # choosing by typing, as in any list


def _fill_required(qtbot, form: NewPlacementForm) -> None:
    _choose(qtbot, form.placement.sentence_combo, "Standard")
    _choose(qtbot, form.placement.release_combo, "Licence")
    _choose(qtbot, form.placement.rosh_combos["rosh_overall"], "Medium")


def _register(world, day) -> set:
    manager = ResidentService(world.db, world.actor(Role.MANAGER, "kirk"))
    return {row.id for row in manager.placed_on(world.kirk.id, day)}


def test_a_manager_places_a_returning_resident_again(qtbot, world):
    rid = _left_resident(world, "kirk").id
    page, form = _open_new_placement(qtbot, world)
    detail = page.detail
    assert form.title_label.text() == f"New placement for {NAME}"
    assert form.new_hint.text().startswith(f"{NAME} left Kirk Lodge on {left():%d %b %Y}.")
    assert form.site_combo.currentText() == "Kirk Lodge"
    assert not form.site_combo.isEnabled()  # the manager's only site
    assert not form.departure_group.isVisibleTo(form)
    assert form.key_worker_combo.currentText() == "Not yet assigned"
    assert form.placement.expected_arrival_edit.hasFocus()

    back = today() - timedelta(days=10)
    type_date(qtbot, form.placement.expected_arrival_edit, back)
    click(qtbot, form.placement.arrived_check)
    type_date(qtbot, form.placement.actual_arrival_edit, back)
    _fill_required(qtbot, form)
    workers = form.key_worker_combo
    workers.setFocus()
    assert [workers.itemText(n) for n in range(3)] == [
        "Not yet assigned",
        "Sam Administrator KL",
        "Sam Key_Worker KL",
    ]  # Kirk Lodge staff only
    for _ in range(2):
        qtbot.keyClick(workers, Qt.Key.Key_Down)
    assert workers.currentText() == "Sam Key_Worker KL"
    with (
        qtbot.waitSignal(detail.placement_added, timeout=20_000) as added,
        qtbot.waitSignal(detail.loaded, timeout=20_000),
    ):
        qtbot.keyClick(form.key_worker_combo, Qt.Key.Key_S, CTRL)

    assert detail.new_placement_dialog is None  # closed
    [newest, first] = ResidentService(world.db, world.system).placements(rid)
    assert added.args == [newest.id]
    assert (newest.actual_arrival, newest.key_worker_name) == (back, "Sam Key_Worker KL")
    assert (newest.rosh_overall.value, first.actual_departure) == ("medium", left())
    # The page shows both stays: the new one first, the old one a choice away.
    assert detail.placement_choice.isVisibleTo(detail)
    choices = [detail.placement_choice.itemText(n) for n in range(2)]
    assert choices == [
        f"Kirk Lodge from {back:%d %b %Y}",
        f"Kirk Lodge from {first.actual_arrival:%d %b %Y}",
    ]
    assert detail.placement_values["arrival"].text() == f"{back:%d %b %Y}"
    assert detail.placement_values["key_worker"].text() == "Sam Key_Worker KL"
    assert (
        detail.history_list.item(0).text() == f"Sam Key_Worker KL · from {back:%d %b %Y} (current)"
    )
    model = detail.timeline_model
    whats = [model.index(r, 1).data() for r in range(model.rowCount())]
    assert whats == [  # newest first: the new stay above the old one
        "Key worker: Sam Key_Worker KL",
        "Arrived at Kirk Lodge",
        "Left Kirk Lodge",
        "Key worker: Sam Key_Worker KL",
        "Arrived at Kirk Lodge",
    ]
    assert model.row(1).day == back and model.row(2).day == left()
    assert not detail.new_placement_button.isEnabled()  # placed now
    assert detail.new_placement_button.toolTip() == STILL_PLACED_TIP
    # On registers from the arrival day, not the day before.
    assert rid in _register(world, back) and rid in _register(world, today())
    assert rid not in _register(world, back - timedelta(days=1))
    assert load_draft("manager_kirk", DraftKey(NEW_KIND, rid)) is None


def test_an_overlap_is_named_under_the_field_and_nothing_is_written(qtbot, world, monkeypatch):
    rid = _left_resident(world, "kirk").id
    page, form = _open_new_placement(qtbot, world)
    arrival = form.placement.expected_arrival_edit
    type_date(qtbot, arrival, left())  # the day they left: they would be placed twice that day
    _fill_required(qtbot, form)
    qtbot.keyClick(form.placement.rosh_combos["rosh_overall"], Qt.Key.Key_S, CTRL)

    assert form.errors.message_for("expected_arrival").startswith(
        "Expected arrival: overlaps the placement at Kirk Lodge from "
    )
    assert form.errors.message_for("expected_arrival").endswith(f"to {left():%d %b %Y}.")
    assert arrival.hasFocus()
    assert page.detail.new_placement_dialog is not None  # still open, nothing lost
    assert len(ResidentService(world.db, world.system).placements(rid)) == 1

    answers = _answer(monkeypatch, False, True)
    qtbot.keyClick(arrival, Qt.Key.Key_Escape)
    assert answers.questions == ["Discard your changes?"]
    assert page.detail.new_placement_dialog is not None
    qtbot.keyClick(arrival, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: page.detail.new_placement_dialog is None)
    assert page.showing_detail and not page.form_open
    assert len(ResidentService(world.db, world.system).placements(rid)) == 1


def test_an_unsaved_new_placement_is_offered_back(qtbot, world, monkeypatch):
    rid = _left_resident(world, "kirk").id
    later = today() + timedelta(days=3)
    draft = {"expected_arrival": later.isoformat(), "rosh_overall": "low"}
    save_draft("manager_kirk", DraftKey(NEW_KIND, rid), "New placement", draft)
    answers = _answer(monkeypatch, True)
    page, form = _open_new_placement(qtbot, world)
    assert answers.questions[0].startswith("You have an unsaved new placement")
    assert form.values()["expected_arrival"] == later.isoformat()
    assert form.placement.rosh_combos["rosh_overall"].currentText() == "Low"
    assert form.draft_key == DraftKey(NEW_KIND, rid)
    assert page.detail.new_placement_dialog is not None


@pytest.mark.parametrize(("role", "left"), [(Role.MANAGER, False), (Role.KEY_WORKER, True)])
def test_no_new_placement_while_placed_nor_for_key_workers(qtbot, world, role, left):
    if left:
        _left_resident(world, "kirk")
    else:
        world.admit("kirk", given_name="Dana", family_name="Fictional")
    page = _page(qtbot, world, role, "kirk")
    _open_from_list(qtbot, page, NAME)
    button = page.detail.new_placement_button
    if role is Role.KEY_WORKER:
        assert not button.isVisible()
        qtbot.keyClick(page.detail.back_button, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    else:
        assert button.isVisible() and not button.isEnabled()
        assert button.toolTip() == STILL_PLACED_TIP
        click(qtbot, button)
    assert page.detail.new_placement_dialog is None
