"""Groups & activities: sessions from templates, the register by keyboard, repeats, scoping."""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from pipe_app.domain.enums import AttendanceCode, GroupKind, GroupStatus, Role
from pipe_app.gui.groups_page import GroupsPage, GroupTableModel
from pipe_app.gui.main_window import MainWindow
from pipe_app.gui.register_widget import STATUS_COLUMN, NoteDialog, RegisterModel
from pipe_app.services.groups import AttendanceInput, GroupInput, GroupRow, GroupService
from pipe_app.timeutil import local_day, local_today, to_utc
from tests.gui.helpers import click, type_into

CTRL = Qt.KeyboardModifier.ControlModifier


def at(days_ago: int, hour: int = 10) -> datetime:
    return to_utc(datetime.combine(local_today() - timedelta(days=days_ago), time(hour)))


def _page(qtbot, world, settings, role=Role.KEY_WORKER, site="crowley") -> GroupsPage:
    window = MainWindow(world.db, world.actor(role, site), settings)
    # Unsaved typing makes closing ask first; at teardown nobody is there to answer.
    qtbot.addWidget(window, before_close_func=lambda _w: page.stack.setCurrentIndex(0))
    window.show()
    qtbot.waitExposed(window)
    assert window.show_page("groups")
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    page = window.pages["groups"]
    assert isinstance(page, GroupsPage)
    return page


def _session(world, site="crowley", days_ago=3, **changes) -> GroupRow:
    values = {
        "site_id": world.site(site).id,
        "kind": GroupKind.SOCIALLY_CREATIVE,
        "activity": "cooking",
        "title": "Curry night",
        "started_at": at(days_ago, 18),
        "duration_minutes": 90,
        "facilitator_ids": frozenset({world.staff[(Role.KEY_WORKER, site)].id}),
    } | changes
    return GroupService(world.db, world.system).create(GroupInput(**values))


def _click_row(qtbot, page: GroupsPage, row: int) -> None:
    rect = page.table.visualRect(page.proxy.index(row, 1))
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def _residents(world) -> dict[str, uuid.UUID]:
    return {
        name: world.admit("crowley", given_name=name, family_name=family)
        for name, family in (("Amy", "Adams"), ("Beth", "Brown"), ("Cara", "Cole"))
    }


def _codes(world, group_id) -> dict[uuid.UUID, tuple[AttendanceCode | None, str]]:
    entries = GroupService(world.db, world.system).register(group_id)
    return {entry.resident_id: (entry.code, entry.note) for entry in entries}


def _answer_note(qtbot, page: GroupsPage, note: str) -> NoteDialog:
    dialog = page.register.note_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.isModal() or dialog.windowModality() != Qt.WindowModality.NonModal
    if note:
        qtbot.keyClicks(dialog.note_edit, note)
        qtbot.keyClick(dialog.note_edit, Qt.Key.Key_Return)
    else:
        qtbot.keyClick(dialog.note_edit, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: page.register.note_dialog is None)
    return dialog


def test_cooking_session_from_the_template_then_its_register_by_keys(qtbot, world, settings):
    people = _residents(world)
    page = _page(qtbot, world, settings)
    qtbot.keyClick(page.table, Qt.Key.Key_N, CTRL)
    assert page.editing and page.form.row is None
    form = page.form
    assert form.data().kind is GroupKind.SOCIALLY_CREATIVE
    assert [form.activity_combo.itemText(i) for i in range(3)] == ["cooking", "art", "music"]
    me = world.staff[(Role.KEY_WORKER, "crowley")].id
    assert form.facilitator_ids() == frozenset({me})  # default: me
    qtbot.keyClicks(form.activity_combo, "cooking")
    assert form.title_edit.text() == "Cooking"
    assert form.duration_spin.value() == 90
    type_into(qtbot, form.title_edit, "Curry night")
    qtbot.keyClick(form.planned_check, Qt.Key.Key_Space)
    qtbot.keyClicks(form.planning_note_edit, "Residents chose the menu.")
    click(qtbot, form.save_button)

    assert form.row is not None, form.errors.general_message
    saved = GroupService(world.db, world.system).get(form.row.id)
    assert (saved.title, saved.activity, saved.duration_minutes) == ("Curry night", "cooking", 90)
    assert saved.planned_by_residents and saved.facilitator_ids == (me,)
    register = page.register
    assert register.isVisible() and not page.register_hint.isVisible()
    names = [register.model.mark(row).entry.resident_name for row in range(3)]
    assert names == ["Amy Adams", "Beth Brown", "Cara Cole"]
    assert "A attended" in register.legend.text().replace("<b>", "").replace("</b>", "")
    assert register.counts_label.text() == "Attended 0 · recorded 0 of 3"

    table = register.table
    assert table.hasFocus()
    qtbot.keyClick(table, Qt.Key.Key_A)
    assert register.counts_label.text() == "Attended 1 · recorded 1 of 3 · not saved yet"
    qtbot.keyClick(table, Qt.Key.Key_Down)
    qtbot.keyClick(table, Qt.Key.Key_R)
    dialog = _answer_note(qtbot, page, "Said she felt unwell")
    assert dialog.windowTitle() == "Note for Beth Brown"
    assert register.model.mark(1).status == "Not saved yet"
    qtbot.keyClick(table, Qt.Key.Key_Down)
    qtbot.keyClick(table, Qt.Key.Key_E)
    assert register.note_dialog is None  # acceptable absence needs no note
    assert register.model.index(2, 2).data() == "Acceptable absence (E)"
    qtbot.keyClick(table, Qt.Key.Key_S, CTRL)

    assert _codes(world, saved.id) == {
        people["Amy"]: (AttendanceCode.ATTENDED, ""),
        people["Beth"]: (AttendanceCode.REFUSED, "Said she felt unwell"),
        people["Cara"]: (AttendanceCode.ACCEPTABLE_ABSENCE, ""),
    }
    assert register.counts_label.text() == "Attended 1 · recorded 3 of 3"
    assert register.model.index(0, STATUS_COLUMN).data() == "Saved"
    assert not register.is_dirty and not register.message_label.isVisibleTo(register)

    qtbot.keyClick(table, Qt.Key.Key_Escape)  # back to the list, which shows the figures
    assert not page.editing
    assert page.model.rowCount() == 1
    assert page.proxy.index(0, 6).data() == "1 of 3"


def test_a_code_that_needs_a_note_is_not_saved_without_one(qtbot, world, settings):
    people = _residents(world)
    group = _session(world)
    page = _page(qtbot, world, settings)
    page.open_record(group.id)
    register, table = page.register, page.register.table
    qtbot.keyClick(table, Qt.Key.Key_A)
    qtbot.keyClick(table, Qt.Key.Key_Down)
    qtbot.keyClick(table, Qt.Key.Key_U)
    _answer_note(qtbot, page, "")  # cancelled: the code stays, but without its note
    assert register.model.index(1, STATUS_COLUMN).data() == "Needs a note"
    assert "1 need a note" in register.counts_label.text()
    qtbot.keyClick(table, Qt.Key.Key_S, CTRL)

    assert register.message_label.text() == (
        "Not saved: add a note for Beth Brown (select the row, press Enter)."
    )
    assert set(_codes(world, group.id).values()) == {(None, "")}
    assert register.current_row() == 1
    qtbot.keyClick(table, Qt.Key.Key_Return)  # Enter asks for the note again
    _answer_note(qtbot, page, "Out without telling staff")
    qtbot.keyClick(table, Qt.Key.Key_S, CTRL)
    assert _codes(world, group.id)[people["Beth"]] == (
        AttendanceCode.UNACCEPTABLE_ABSENCE,
        "Out without telling staff",
    )


def test_the_form_names_what_is_missing_and_writes_nothing(qtbot, world, settings):
    page = _page(qtbot, world, settings)
    qtbot.keyClick(page.table, Qt.Key.Key_N, CTRL)
    form = page.form
    facilitators = form.facilitator_list
    facilitators.setFocus()
    qtbot.keyClick(facilitators, Qt.Key.Key_Home)
    me = next(
        row
        for row in range(facilitators.count())
        if facilitators.item(row).checkState() == Qt.CheckState.Checked
    )
    for _ in range(me):
        qtbot.keyClick(facilitators, Qt.Key.Key_Down)
    qtbot.keyClick(facilitators, Qt.Key.Key_Space)  # untick me
    assert form.facilitator_ids() == frozenset()
    form.start_edit.setDate(form.start_edit.date().addDays(1))
    assert form.status_combo.currentText() == "Planned"  # a future session is planned
    qtbot.keyClick(form.title_edit, Qt.Key.Key_S, CTRL)

    assert form.row is None and page.editing
    assert form.errors.message_for("activity") == "Activity is required."
    assert form.errors.message_for("facilitator_ids") == (
        "Facilitators: choose at least one facilitator."
    )
    assert GroupService(world.db, world.system).count() == 0


def test_a_register_saved_by_someone_else_is_reloaded_not_overwritten(qtbot, world, settings):
    people = _residents(world)
    group = _session(world)
    page = _page(qtbot, world, settings)
    page.open_record(group.id)
    GroupService(world.db, world.system).set_attendance(
        group.id, group.version, [AttendanceInput(people["Cara"], AttendanceCode.ATTENDED)]
    )
    qtbot.keyClick(page.register.table, Qt.Key.Key_N)
    qtbot.keyClick(page.register.table, Qt.Key.Key_S, CTRL)

    assert "someone else changed this session" in page.register.message_label.text()
    assert _codes(world, group.id)[people["Amy"]] == (None, "")
    assert page.register.model.mark(2).code is AttendanceCode.ATTENDED  # their change shows
    qtbot.keyClick(page.register.table, Qt.Key.Key_N)  # and saving again now works
    qtbot.keyClick(page.register.table, Qt.Key.Key_S, CTRL)
    assert _codes(world, group.id)[people["Amy"]] == (AttendanceCode.NOT_REQUIRED, "")


def test_repeat_last_weeks_session(qtbot, world, settings):
    _residents(world)
    last_week = _session(world, days_ago=7, title="Sunday roast", started_at=at(7, 0))
    _session(world, days_ago=7, activity="quiz", title="Quiz", started_at=at(7, 1))
    page = _page(qtbot, world, settings)
    qtbot.keyClick(page.table, Qt.Key.Key_N, CTRL)
    qtbot.keyClicks(page.form.activity_combo, "cooking")
    click(qtbot, page.form.repeat_button)

    copy = page.form.row
    assert copy is not None, page.form.errors.general_message
    assert copy.id != last_week.id
    assert (copy.title, copy.activity, copy.duration_minutes) == ("Sunday roast", "cooking", 90)
    assert local_day(copy.started_at) == local_today()
    assert copy.started_at - last_week.started_at == timedelta(days=7)
    assert copy.facilitator_ids == last_week.facilitator_ids
    assert page.register.isVisible() and page.register.model.rowCount() == 3

    qtbot.keyClick(page.register.table, Qt.Key.Key_Escape)
    qtbot.keyClick(page.table, Qt.Key.Key_N, CTRL)
    page.form.start_edit.setDate(page.form.start_edit.date().addDays(-3))
    click(qtbot, page.form.repeat_button)  # nothing was held 10 days ago
    assert page.form.row is None
    assert "There was no session on" in page.form.errors.general_message

    def discard() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox), box
        box.button(QMessageBox.StandardButton.Discard).click()

    QTimer.singleShot(0, discard)  # the changed date is unsaved typing: leaving asks first
    qtbot.keyClick(page.form.title_edit, Qt.Key.Key_Escape)
    assert not page.editing


def test_repeat_the_chosen_session_a_week_later_from_the_list(qtbot, world, settings):
    chosen = _session(world, days_ago=10, title="Pottery", activity="art")
    page = _page(qtbot, world, settings)
    assert not page.repeat_button.isEnabled()
    _click_row(qtbot, page, 0)
    assert page.selected_row() == chosen and page.repeat_button.isEnabled()
    click(qtbot, page.repeat_button)
    copy = page.form.row
    assert copy is not None and copy.title == "Pottery"
    assert local_day(copy.started_at) == local_today() - timedelta(days=3)
    assert copy.status is GroupStatus.HELD


def test_list_filters_search_and_opens_with_enter(qtbot, world, settings):
    _session(world, days_ago=2, title="Curry night")
    _session(world, days_ago=5, title="Art club", activity="art")
    _session(
        world,
        days_ago=6,
        title="House meeting",
        activity="community meeting",
        kind=GroupKind.COMMUNITY_MEETING,
    )
    _session(world, days_ago=40, title="Old quiz", activity="quiz")
    page = _page(qtbot, world, settings)
    titles = lambda: [page.proxy.index(r, 1).data() for r in range(page.proxy.rowCount())]  # noqa: E731
    assert titles() == ["Curry night", "Art club", "House meeting"]  # newest first, 4 weeks
    assert page.count_label.text() == "3 sessions"

    qtbot.keyClicks(page.search_edit, "ART")
    assert titles() == ["Art club"]
    assert page.count_label.text() == "1 of 3 sessions match"
    page.search_edit.clear()
    page.kind_filter.setCurrentIndex(page.kind_filter.findData(GroupKind.COMMUNITY_MEETING))
    assert titles() == ["House meeting"]
    page.kind_filter.setCurrentIndex(0)
    page.from_edit.setDate(page.from_edit.date().addDays(-30))
    assert titles()[-1] == "Old quiz"

    _click_row(qtbot, page, 0)
    qtbot.keyClick(page.table, Qt.Key.Key_Down)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert page.editing and page.form.title_edit.text() == "Art club"
    assert page.form.heading.text().startswith("Art club, ")


def test_a_kirk_lodge_worker_never_sees_crowley_house_sessions(qtbot, world, settings):
    crowley = _session(world, site="crowley", title="Crowley cooking")
    _session(world, site="kirk", title="Kirk quiz", activity="quiz")
    page = _page(qtbot, world, settings, site="kirk")
    shown = {page.model.row(r).title for r in range(page.model.rowCount())}
    assert shown == {"Kirk quiz"}
    assert [page.site_filter.itemText(i) for i in range(page.site_filter.count())] == ["Kirk Lodge"]
    page.open_record(crowley.id)
    assert not page.editing
    assert "not at your sites" in page.error_banner.text()
    qtbot.keyClick(page.table, Qt.Key.Key_N, CTRL)
    assert [page.form.site_combo.itemText(i) for i in range(page.form.site_combo.count())] == [
        "Kirk Lodge"
    ]
    facilitators = page.form.facilitator_list
    staff = {facilitators.item(i).text() for i in range(facilitators.count())}
    assert staff and all(name.endswith(" KL") for name in staff)


def test_the_table_models_pass_the_model_tester(qtbot, qtmodeltester, world):
    people = _residents(world)
    group = _session(world)
    GroupService(world.db, world.system).set_attendance(
        group.id,
        group.version,
        [AttendanceInput(people["Amy"], AttendanceCode.REFUSED, "tired")],
    )
    sessions = GroupTableModel()
    sessions.set_rows(GroupService(world.db, world.system).rows())
    qtmodeltester.check(sessions)
    register = RegisterModel()
    register.set_entries(GroupService(world.db, world.system).register(group.id))
    register.set_mark(1, AttendanceCode.SUSPENDED, "")
    qtmodeltester.check(register)
    assert register.index(1, STATUS_COLUMN).data() == "Needs a note"
    assert register.index(0, 2).data() == "Refused (R)"


def test_a_summer_session_shows_and_saves_uk_time(qtbot, world, settings):
    summer = to_utc(datetime(local_today().year - 1, 7, 1, 18, 0))  # 17:00 UTC
    group = _session(world, started_at=summer, title="Barbecue")
    page = _page(qtbot, world, settings)
    page.open_record(group.id)
    assert page.form.start_edit.text().endswith("18:00")
    assert page.form.data().started_at == summer
    type_into(qtbot, page.form.title_edit, "Summer barbecue")
    qtbot.keyClick(page.form.title_edit, Qt.Key.Key_S, CTRL)
    saved = GroupService(world.db, world.system).get(group.id)
    assert (saved.title, saved.started_at) == ("Summer barbecue", summer)
