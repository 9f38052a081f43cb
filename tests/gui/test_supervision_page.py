"""The Supervision page: writing, acknowledging, signing off from the queue, addenda, compliance."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from pipe_app.domain.enums import Role, SupervisionKind, SupervisionStatus
from pipe_app.gui import record_form, supervision_form
from pipe_app.gui.pages import spec_for
from pipe_app.gui.supervision_page import SupervisionPage
from pipe_app.services.errors import PermissionDenied
from pipe_app.services.supervision import SupervisionInput, SupervisionRow, SupervisionService
from pipe_app.timeutil import utc_now
from tests.factories import STAFF_ROLE_FOR
from tests.gui.helpers import click

CTRL = Qt.KeyboardModifier.ControlModifier
popups = pytest.mark.qt_log_ignore(
    "does not support propagateSizeHints",
    "does not support raise",
    "does not support grabbing the keyboard",
)


class Answers:
    """Stands in for an ``ask`` helper: records each question and gives the next answer."""

    def __init__(self, *answers: object) -> None:
        self.answers = list(answers)
        self.questions: list[str] = []

    def __call__(self, parent: QWidget | None, title: str, text: str, *args, **kw) -> object:
        self.questions.append(text)
        return self.answers.pop(0)


def _page(qtbot, world, role: Role, site: str = "crowley", *, wait: bool = True) -> SupervisionPage:
    """The page shown and activated; with ``wait``, once its review queue has been read."""
    page = SupervisionPage(spec_for("supervision"), world.db, world.actor(role, site))
    qtbot.addWidget(page)
    page.resize(1300, 760)
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    page.activate()
    if wait and page.queue is not None:
        _wait_for_queue(qtbot, page.queue)
    return page


def _wait_for_queue(qtbot, queue) -> None:
    """Until the review queue has been read (its notice no longer says it is loading)."""
    qtbot.waitUntil(lambda: queue.notice.text() != "Loading…")


def _queue_title(page: SupervisionPage) -> str:
    return page.tabs.tabText(page.tabs.indexOf(page.queue))


def _tick(qtbot, page: SupervisionPage, name: str) -> None:
    """Move to a person in the supervisees list and tick them with Space."""
    people = page.form.supervisees_list
    matches = people.findItems(name, Qt.MatchFlag.MatchExactly)
    assert matches, f"{name} is not offered as a supervisee"
    people.setFocus()
    people.setCurrentItem(matches[0])
    qtbot.keyClick(people, Qt.Key.Key_Space)
    assert matches[0].checkState() == Qt.CheckState.Checked


@popups
def test_write_acknowledge_sign_off_and_add_to_a_record(qtbot, world, monkeypatch, qtmodeltester):
    worker = world.staff[(Role.KEY_WORKER, "crowley")]
    page = _page(qtbot, world, Role.PSYCHOLOGIST)
    qtbot.keyClick(page, Qt.Key.Key_N, CTRL)
    form = page.form
    assert page.form_open and form.submit_button.isVisible()
    assert form.supervisor_combo.currentData() == str(
        world.actor(Role.PSYCHOLOGIST).staff_member_id
    )
    assert form.cases_edit.placeholderText().startswith("CRNs only, never names")

    click(qtbot, form.submit_button)  # nobody supervised yet: the field says so
    assert "choose at least one supervisee" in form.errors.message_for("supervisee_ids")
    assert SupervisionService(world.db, world.system).rows() == []

    _tick(qtbot, page, worker.full_name)
    qtbot.keyClicks(form.themes_edit, "boundaries, burnout")
    qtbot.keyClicks(form.cases_edit, "Jade Morris")
    qtbot.keyClicks(form.summary_edit, "Talked through a difficult week")
    qtbot.keyClicks(form.action_edit, "Book safeguarding refresher")
    qtbot.keyClick(form.action_edit, Qt.Key.Key_Return)
    assert form.actions_list.count() == 1
    click(qtbot, form.submit_button)
    assert "one letter followed by six digits" in form.errors.message_for("cases_discussed")

    form.cases_edit.clear()
    qtbot.keyClicks(form.cases_edit, "x123456")
    click(qtbot, form.submit_button)
    assert form.errors.general_message == ""
    [row] = SupervisionService(world.db, world.system).rows()
    assert row.status == SupervisionStatus.SUBMITTED
    assert row.cases_discussed == ("X123456",) and row.themes == ("boundaries", "burnout")
    assert not form.submit_button.isVisible() and form.summary_edit.isReadOnly()
    assert not form.save_button.isVisible()

    # The key worker acknowledges it, noting a disagreement.
    mine = _page(qtbot, world, Role.KEY_WORKER)
    assert mine.model.rowCount() == 1
    mine.open_record(row.id)
    assert mine.form.acknowledge_button.isVisible()
    assert not mine.form.sign_off_button.isVisible()
    noted = Answers("I felt the week was fine")
    monkeypatch.setattr(supervision_form.TextDialog, "ask", noted)
    click(qtbot, mine.form.acknowledge_button)
    detail = SupervisionService(world.db, world.system).get(row.id)
    assert detail.record.status == SupervisionStatus.ACKNOWLEDGED
    assert detail.supervisees[0].disagreement_note == "I felt the week was fine"
    assert not mine.form.acknowledge_button.isVisible()

    # The psychologist signs it off from the queue with the keyboard.
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    qtbot.keyClick(form, Qt.Key.Key_Escape)
    assert not page.form_open
    page.refresh()
    queue = page.queue
    assert queue is not None
    assert queue.notice.text() == "Loading…"  # read off the GUI thread
    _wait_for_queue(qtbot, queue)
    assert page.tabs.tabText(page.tabs.indexOf(queue)) == "Review queue (1)"
    qtmodeltester.check(queue.model)
    qtmodeltester.check(queue.proxy)
    qtmodeltester.check(page.model)
    page.tabs.setCurrentWidget(queue)
    assert page.tabs.tabText(page.tabs.currentIndex()) == "Review queue (1)"
    queue.table.setFocus()
    confirm = Answers(False, True)
    monkeypatch.setattr(record_form.Confirm, "ask", confirm)
    qtbot.keyClick(queue.table, Qt.Key.Key_Return, CTRL)  # "Not yet"
    assert SupervisionService(world.db, world.system).get(row.id).record.locked_at is None
    qtbot.keyClick(queue.table, Qt.Key.Key_Return, CTRL)
    assert "Sign off" in confirm.questions[-1]
    assert SupervisionService(world.db, world.system).get(row.id).record.is_locked
    qtbot.waitUntil(lambda: page.tabs.tabText(page.tabs.indexOf(queue)) == "Review queue (0)")
    assert queue.notice.text() == "Signed off and locked."

    # Locked: it opens read-only from the records list, and takes an addendum.
    page.tabs.setCurrentWidget(page.stack)
    page.table.setFocus()
    page.table.setCurrentIndex(page.model.index(0, 0))
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert page.form_open
    assert form.summary_edit.isReadOnly() and not form.supervisees_list.isEnabled()
    assert not form.save_button.isVisible() and not form.sign_off_button.isVisible()
    assert "locked" in form.status_detail.text()
    monkeypatch.setattr(supervision_form.TextDialog, "ask", Answers("Refresher booked for May"))
    click(qtbot, form.addendum_button)
    assert form.addenda_list.count() == 1
    assert "Refresher booked for May" in form.addenda_list.item(0).text()
    assert SupervisionService(world.db, world.system).get(row.id).addenda[0].text == (
        "Refresher booked for May"
    )


def test_a_key_worker_has_no_review_queue(qtbot, world):
    page = _page(qtbot, world, Role.KEY_WORKER)
    titles = [page.tabs.tabText(n) for n in range(page.tabs.count())]
    assert titles == ["Records", "Compliance"]
    assert page.queue is None


def _submitted_record(world) -> uuid.UUID:
    """A record the psychologist wrote and submitted: it waits in her review queue."""
    writer = SupervisionService(world.db, world.actor(Role.PSYCHOLOGIST))
    detail = writer.create(
        SupervisionInput(
            site_id=world.crowley.id,
            kind=SupervisionKind.INDIVIDUAL_CLINICAL,
            supervisor_id=world.staff[(Role.PSYCHOLOGIST, "crowley")].id,
            supervisee_ids=[world.staff[(Role.KEY_WORKER, "crowley")].id],
            started_at=utc_now() - timedelta(days=3),
            duration_minutes=60,
            summary="Caseload review",
        )
    )
    return writer.submit(detail.record.id, detail.record.version).record.id


def test_the_records_show_while_the_queue_is_read_in_the_background(qtbot, world, monkeypatch):
    record_id = _submitted_record(world)
    gate = threading.Event()
    readers: list[threading.Thread] = []
    real = SupervisionService.review_queue

    def held(self: SupervisionService) -> list[SupervisionRow]:
        readers.append(threading.current_thread())
        assert gate.wait(10), "the test never let the queue read finish"
        return real(self)

    monkeypatch.setattr(SupervisionService, "review_queue", held)
    page = _page(qtbot, world, Role.PSYCHOLOGIST, wait=False)
    queue = page.queue
    assert queue is not None
    # The records list is on show while the queue's read is still held up.
    assert [page.model.row(n).id for n in range(page.model.rowCount())] == [record_id]
    assert queue.notice.text() == "Loading…"
    assert _queue_title(page) == "Review queue"
    qtbot.waitUntil(lambda: bool(readers))
    assert readers[0] is not threading.main_thread()

    gate.set()
    qtbot.waitUntil(lambda: _queue_title(page) == "Review queue (1)")
    assert queue.notice.text() == ""
    assert [queue.model.row(n).id for n in range(queue.model.rowCount())] == [record_id]
    assert queue.model.row(0).supervisee_names == (
        world.staff[(Role.KEY_WORKER, "crowley")].full_name,
    )
    assert page.error_banner.isHidden()


def test_a_queue_that_cannot_be_read_says_so_on_the_page(qtbot, world, monkeypatch):
    _submitted_record(world)

    def refused(self: SupervisionService) -> list[SupervisionRow]:
        raise PermissionDenied("the queue is closed today")

    monkeypatch.setattr(SupervisionService, "review_queue", refused)
    page = _page(qtbot, world, Role.PSYCHOLOGIST, wait=False)
    qtbot.waitUntil(page.error_banner.isVisible)
    assert page.error_banner.text() == (
        "Could not read the review queue: the queue is closed today."
    )
    assert page.queue is not None and page.queue.model.rowCount() == 0
    assert page.queue.notice.text() == "Nothing is waiting for your review."
    assert _queue_title(page) == "Review queue"
    assert page.model.rowCount() == 1  # the records list was read all the same


def _locked_record(world, days_ago: int) -> None:
    psychologist = world.staff[(Role.PSYCHOLOGIST, "crowley")]
    worker = world.staff[(Role.KEY_WORKER, "crowley")]
    writer = SupervisionService(world.db, world.actor(Role.PSYCHOLOGIST))
    detail = writer.create(
        SupervisionInput(
            site_id=world.crowley.id,
            kind=SupervisionKind.INDIVIDUAL_CLINICAL,
            supervisor_id=psychologist.id,
            supervisee_ids=[worker.id],
            started_at=utc_now() - timedelta(days=days_ago),
            duration_minutes=60,
            summary="Caseload review",
        )
    )
    detail = writer.submit(detail.record.id, detail.record.version)
    worker_service = SupervisionService(world.db, world.actor(Role.KEY_WORKER))
    detail = worker_service.acknowledge(detail.record.id)
    writer.sign_off(detail.record.id, detail.record.version)


def test_compliance_shows_who_is_overdue(qtbot, world, qtmodeltester):
    SupervisionService(world.db, world.system).set_requirement(
        world.crowley.id, STAFF_ROLE_FOR[Role.KEY_WORKER], SupervisionKind.INDIVIDUAL_CLINICAL, 28
    )
    _locked_record(world, days_ago=60)
    page = _page(qtbot, world, Role.MANAGER)
    page.tabs.setCurrentWidget(page.compliance)
    assert page.compliance.notice.text() == "Loading…"
    qtbot.waitUntil(lambda: not page.compliance.is_loading)
    model = page.compliance.model
    qtmodeltester.check(model)
    qtmodeltester.check(page.compliance.proxy)
    worker = world.staff[(Role.KEY_WORKER, "crowley")].full_name
    [row] = [n for n in range(model.rowCount()) if model.index(n, 1).data() == worker]
    status = model.index(row, 0)
    assert status.data().startswith("Overdue (")
    assert status.data(Qt.ItemDataRole.ForegroundRole) is not None
    assert len(page.compliance.chart.points) == 12
    assert "% met" in page.compliance.chart.accessibleDescription()
