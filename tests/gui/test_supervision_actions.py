"""Following supervision actions up in the form: ticking them done with Space or a click."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QListWidget, QListWidgetItem

from pipe_app.domain import SupervisionAction
from pipe_app.domain.enums import AuditAction, Role, SupervisionKind
from pipe_app.gui.pages import spec_for
from pipe_app.gui.supervision_actions import OVERDUE_COLOUR
from pipe_app.gui.supervision_page import SupervisionPage
from pipe_app.services.history import AuditTrailService
from pipe_app.services.supervision import (
    ActionInput,
    SupervisionDetail,
    SupervisionInput,
    SupervisionService,
)
from pipe_app.timeutil import local_today, utc_now

KW, PSY = Role.KEY_WORKER, Role.PSYCHOLOGIST


def _record(world, *, lock: bool) -> SupervisionDetail:
    """Three weeks ago: an overdue action for the key worker, and one for the psychologist."""
    worker = world.staff[(KW, "crowley")].id
    psychologist = world.staff[(PSY, "crowley")].id
    today = local_today()
    writer = SupervisionService(world.db, world.actor(PSY))
    detail = writer.create(
        SupervisionInput(
            site_id=world.crowley.id,
            kind=SupervisionKind.INDIVIDUAL_CLINICAL,
            supervisor_id=psychologist,
            supervisee_ids=[worker],
            started_at=utc_now() - timedelta(days=21),
            duration_minutes=60,
            summary="Caseload review",
            actions=[
                ActionInput("Read the KUF notes", worker, today - timedelta(days=7)),
                ActionInput("Book the refresher", psychologist, today + timedelta(days=7)),
            ],
        )
    )
    if lock:
        record = writer.submit(detail.record.id, detail.record.version).record
        SupervisionService(world.db, world.actor(KW)).acknowledge(record.id)
        detail = writer.sign_off(record.id, record.version + 1)
    return detail


def _open(qtbot, world, role: Role, detail: SupervisionDetail) -> SupervisionPage:
    page = SupervisionPage(spec_for("supervision"), world.db, world.actor(role))
    qtbot.addWidget(page)
    page.resize(1300, 900)
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    page.activate()
    if page.queue is not None:  # read off the GUI thread: wait until it shows
        qtbot.waitUntil(lambda: page.queue.notice.text() != "Loading…")
    page.open_record(detail.record.id)
    assert page.form_open
    return page


def _entry(actions: QListWidget, starts: str) -> QListWidgetItem:
    [item] = [
        actions.item(n) for n in range(actions.count()) if actions.item(n).text().startswith(starts)
    ]
    return item


def _done(world, detail: SupervisionDetail, description: str) -> bool:
    fresh = SupervisionService(world.db, world.system).get(detail.record.id)
    return next(a for a in fresh.actions if a.description == description).done_at is not None


def test_space_marks_an_action_done_and_keeps_unsaved_typing(qtbot, world):
    detail = _record(world, lock=False)
    page = _open(qtbot, world, PSY, detail)
    form = page.form
    qtbot.keyClick(form.summary_edit, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(form.summary_edit, " and boundaries")  # not saved
    actions = form.actions_list
    overdue = _entry(actions, "Read the KUF notes")
    assert overdue.text().endswith(" — overdue")
    assert overdue.foreground().color() == OVERDUE_COLOUR
    assert overdue.checkState() == Qt.CheckState.Unchecked

    actions.setFocus()
    actions.setCurrentItem(overdue)
    qtbot.keyClick(actions, Qt.Key.Key_Space)
    assert _done(world, detail, "Read the KUF notes")
    assert overdue.checkState() == Qt.CheckState.Checked
    assert "— done " in overdue.text() and "overdue" not in overdue.text()
    assert overdue.foreground().color() != OVERDUE_COLOUR
    assert form.summary_edit.toPlainText() == "Caseload review and boundaries"
    assert form.is_dirty()  # the typing is still there to save
    assert form.errors.general_message == ""

    qtbot.keyClick(actions, Qt.Key.Key_Space)  # and back again
    assert not _done(world, detail, "Read the KUF notes")
    assert overdue.text().endswith(" — overdue")

    action = next(a for a in detail.actions if a.description == "Read the KUF notes")
    events = AuditTrailService(world.db, world.system).history("supervision_actions", action.id)
    marks = [e for e in events if e.action == AuditAction.UPDATE and "done_at" in e.changes]
    assert len(marks) == 2
    assert {e.username for e in marks} == {world.actor(PSY).username}

    form.save()  # the typing saves over the untouched record version
    assert SupervisionService(world.db, world.system).get(detail.record.id).record.summary == (
        "Caseload review and boundaries"
    )


def _click_tick(qtbot, actions: QListWidget, item: QListWidgetItem) -> None:
    """Click the tick box at the start of the entry."""
    rect = actions.visualItemRect(item)
    box = QPoint(rect.left() + 10, rect.center().y())
    qtbot.mouseClick(actions.viewport(), Qt.MouseButton.LeftButton, pos=box)


def test_the_owner_ticks_an_action_on_a_locked_record_with_the_mouse(qtbot, world):
    detail = _record(world, lock=True)
    page = _open(qtbot, world, KW, detail)
    form = page.form
    assert form.summary_edit.isReadOnly()
    actions = form.actions_list
    mine = _entry(actions, "Read the KUF notes")
    _click_tick(qtbot, actions, mine)
    assert _done(world, detail, "Read the KUF notes")
    assert mine.checkState() == Qt.CheckState.Checked
    assert "— done " in mine.text()

    # The psychologist's own action is not the key worker's to tick.
    theirs = _entry(actions, "Book the refresher")
    assert not theirs.flags() & Qt.ItemFlag.ItemIsUserCheckable
    assert "overdue" not in theirs.text()
    _click_tick(qtbot, actions, theirs)
    actions.setCurrentItem(theirs)
    qtbot.keyClick(actions, Qt.Key.Key_Space)
    assert not _done(world, detail, "Book the refresher")
    assert theirs.checkState() == Qt.CheckState.Unchecked


def test_a_refused_tick_is_put_back_and_says_why(qtbot, world):
    detail = _record(world, lock=False)
    page = _open(qtbot, world, PSY, detail)
    form = page.form
    SupervisionService(world.db, world.actor(PSY)).discard(detail.record.id, detail.record.version)
    actions = form.actions_list
    entry = _entry(actions, "Book the refresher")
    actions.setFocus()
    actions.setCurrentItem(entry)
    qtbot.keyClick(actions, Qt.Key.Key_Space)
    assert entry.checkState() == Qt.CheckState.Unchecked
    assert "does not exist" in form.errors.message_for("actions")
    action = next(a for a in detail.actions if a.description == "Book the refresher")
    with world.db.reading() as session:
        assert session.get_one(SupervisionAction, action.id).done_at is None


def test_unsaved_actions_have_no_tick_box(qtbot, world):
    detail = _record(world, lock=False)
    page = _open(qtbot, world, PSY, detail)
    form = page.form
    qtbot.keyClicks(form.action_edit, "Ring the probation officer")
    qtbot.keyClick(form.action_edit, Qt.Key.Key_Return)
    fresh = _entry(form.actions_list, "Ring the probation officer")
    assert not fresh.flags() & Qt.ItemFlag.ItemIsUserCheckable
    assert "Save the record" in fresh.toolTip()
