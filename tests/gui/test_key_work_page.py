"""The Key work page: the lazily fetched list, and the session form driven by the keyboard."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication, QWidget
from sqlalchemy import insert

from pipe_app.domain import KeyWorkSession
from pipe_app.domain.enums import Role
from pipe_app.gui import key_work_page, record_form
from pipe_app.gui.drafts import Autosaver, DraftKey, drafts_for, load_draft
from pipe_app.gui.key_work_page import KeyWorkPage
from pipe_app.gui.main_window import MainWindow
from pipe_app.gui.pages import spec_for
from pipe_app.gui.table_model import FIRST_ROWS
from pipe_app.services.key_work import KeyWorkInput, KeyWorkService
from pipe_app.timeutil import utc_now
from tests.gui.helpers import crash, type_into

CTRL = Qt.KeyboardModifier.ControlModifier
# The offscreen platform says these about every window and popup (the resident completer);
# harmless. A test's own mark replaces the one tests/gui/conftest.py adds, so all are listed.
popups = pytest.mark.qt_log_ignore(
    "does not support propagateSizeHints",
    "does not support raise",
    "does not support grabbing the keyboard",
)


class Answers:
    """Stands in for Confirm.ask: records each question and gives the next answer."""

    def __init__(self, *answers: bool) -> None:
        self.answers = list(answers)
        self.questions: list[str] = []

    def __call__(self, parent: QWidget | None, title: str, text: str, *args, **kw) -> bool:
        self.questions.append(text)
        return self.answers.pop(0)


def _answer(monkeypatch: pytest.MonkeyPatch, *answers: bool) -> Answers:
    answers_ = Answers(*answers)
    monkeypatch.setattr(record_form.Confirm, "ask", answers_)
    return answers_


def _page(
    qtbot, world, role: Role = Role.KEY_WORKER, site: str = "crowley", *, crash: bool = False
) -> KeyWorkPage:
    """The page in a window of its own, active so its shortcuts work."""
    page = KeyWorkPage(spec_for("key_work"), world.db, world.actor(role, site))
    if not crash:  # a page the test destroys itself is not closed again by qtbot
        qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    page.activate()
    return page


def _session(world, site: str = "crowley", summary: str = "Talked about family", **kw):
    resident = world.admit(site, **kw)
    from pipe_app.services.residents import ResidentService

    placement = ResidentService(world.db, world.system).get(resident).placement_id
    return KeyWorkService(world.db, world.system).record(
        KeyWorkInput(
            placement_id=placement,
            key_worker_id=world.staff[(Role.KEY_WORKER, site)].id,
            started_at=utc_now() - timedelta(hours=2),
            summary=summary,
        )
    )


def _pick_resident(qtbot, page: KeyWorkPage, text: str) -> None:
    form = page.form
    qtbot.keyClicks(form.resident_edit, text)
    popup = form.completer.list_view
    qtbot.waitUntil(popup.isVisible)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert form.completer.chosen is not None


@popups
def test_record_a_session_with_the_keyboard_alone(qtbot, qtmodeltester, world, settings):
    world.admit("crowley", given_name="Jade", family_name="Morris")
    world.admit("crowley", given_name="Megan", family_name="Price")
    actor = world.actor(Role.KEY_WORKER, "crowley")
    window = MainWindow(world.db, actor, settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)

    qtbot.keyClick(window.navigation, Qt.Key.Key_3, CTRL)
    assert window.current_page_key == "key_work"
    page = window.pages["key_work"]
    assert isinstance(page, KeyWorkPage)
    qtbot.keyClick(window.navigation, Qt.Key.Key_N, CTRL)
    assert page.form_open
    form = page.form
    assert QApplication.focusWidget() is form.resident_edit
    assert form.key_worker_combo.currentData() == str(actor.staff_member_id)
    assert form.duration_spin.value() == 45

    _pick_resident(qtbot, page, "jad")
    assert form.resident_edit.text().startswith("Jade Morris (")
    assert form.completer.model().rowCount() == 1  # the matches it offered
    qtmodeltester.check(form.completer.model())
    qtmodeltester.check(form.completer.completionModel())
    for _ in range(12):
        if QApplication.focusWidget() is form.summary_edit:
            break
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is form.summary_edit
    qtbot.keyClicks(form.summary_edit, "Talked about her move-on plans")
    qtbot.keyClick(form.summary_edit, Qt.Key.Key_S, CTRL)

    assert not page.form_open
    rows = KeyWorkService(world.db, actor).rows()
    assert len(rows) == 1
    assert rows[0].resident_name == "Jade Morris"
    assert rows[0].summary == "Talked about her move-on plans"
    assert rows[0].key_worker_id == actor.staff_member_id
    assert rows[0].duration_minutes == 45 and rows[0].planned
    assert page.model.rowCount() == 1
    assert page.model.index(0, 1).data() == "Jade Morris"
    assert "Saved" in page.notice_label.text()
    assert drafts_for(actor.username) == []


@popups
def test_validation_errors_show_under_the_fields_and_nothing_is_written(qtbot, world):
    world.admit("crowley", given_name="Jade", family_name="Morris")
    page = _page(qtbot, world)
    page.new_session()
    form = page.form
    form.dna_check.setChecked(True)
    form.risk_check.setChecked(True)
    qtbot.keyClick(form.summary_edit, Qt.Key.Key_S, CTRL)

    assert page.form_open
    assert form.errors.message_for("placement_id").startswith("Resident is required")
    assert form.errors.message_for("dna_reason") == (
        "Reason for not attending is required when the resident did not attend."
    )
    assert "Escalation note is required" in form.errors.message_for("escalation_note")
    assert QApplication.focusWidget() is form.resident_edit
    assert KeyWorkService(world.db, world.system).count() == 0

    _pick_resident(qtbot, page, "morr")
    form.started_edit.setDateTime(form.started_edit.dateTime().addDays(2))
    form.dna_check.setChecked(False)
    form.risk_check.setChecked(False)
    form.save_button.click()
    assert form.errors.message_for("placement_id") == ""
    assert form.errors.message_for("started_at") == "Start cannot be in the future."
    assert KeyWorkService(world.db, world.system).count() == 0


def test_escape_asks_before_discarding_typing(qtbot, world, monkeypatch):
    page = _page(qtbot, world)
    page.new_session()
    form = page.form
    answers = _answer(monkeypatch, False, True)
    qtbot.keyClicks(form.summary_edit, "Half a note")

    qtbot.keyClick(form.summary_edit, Qt.Key.Key_Escape)
    assert answers.questions == ["Discard your changes?"]
    assert page.form_open and form.summary_edit.toPlainText() == "Half a note"

    qtbot.keyClick(form.summary_edit, Qt.Key.Key_Escape)
    assert not page.form_open
    assert answers.questions == ["Discard your changes?"] * 2

    page.new_session()  # nothing typed: Esc closes without a question
    qtbot.keyClick(page.form.summary_edit, Qt.Key.Key_Escape)
    assert not page.form_open and len(answers.questions) == 2


@popups
def test_a_draft_survives_a_crash_and_is_offered_back(qtbot, world, monkeypatch):
    monkeypatch.setattr(Autosaver, "INTERVAL_MS", 40)
    world.admit("crowley", given_name="Jade", family_name="Morris")
    actor = world.actor(Role.KEY_WORKER, "crowley")
    page = _page(qtbot, world, crash=True)
    page.new_session()
    _pick_resident(qtbot, page, "jade")
    qtbot.keyClicks(page.form.summary_edit, "She spoke about her daughter")
    qtbot.waitUntil(
        lambda: (
            (draft := load_draft(actor.username, DraftKey("key_work"))) is not None
            and draft.values["summary"] == "She spoke about her daughter"
        )
    )
    assert page.form.draft_label.text().startswith("Draft kept on this computer at")
    crash(page)  # a crash: no questions, no clean-up

    answers = _answer(monkeypatch, True)
    again = _page(qtbot, world)  # the app opens at the Key work page
    qtbot.waitUntil(lambda: again.form_open)
    assert len(answers.questions) == 1
    assert answers.questions[0].startswith("You have an unsaved key-work note from ")
    assert answers.questions[0].endswith(". Restore it?")
    form = again.form
    assert form.summary_edit.toPlainText() == "She spoke about her daughter"
    assert form.resident_edit.text().startswith("Jade Morris")
    form.save_button.click()
    assert not again.form_open
    assert KeyWorkService(world.db, actor).rows()[0].summary == "She spoke about her daughter"
    assert drafts_for(actor.username) == []


def test_opening_a_new_form_offers_the_draft_and_declining_deletes_it(qtbot, world, monkeypatch):
    monkeypatch.setattr(Autosaver, "INTERVAL_MS", 40)
    actor = world.actor(Role.KEY_WORKER, "crowley")
    page = _page(qtbot, world, crash=True)
    page.new_session()
    qtbot.keyClicks(page.form.voice_edit, "I want to see my son")
    qtbot.waitUntil(lambda: bool(drafts_for(actor.username)))
    crash(page)

    answers = _answer(monkeypatch, True)
    again = KeyWorkPage(spec_for("key_work"), world.db, actor)
    again.new_session()  # the same kind of form
    assert again.form.voice_edit.toPlainText() == "I want to see my son"
    assert len(answers.questions) == 1
    again.form.forget_draft()

    qtbot.keyClicks(again.form.voice_edit, "!")
    qtbot.waitUntil(lambda: bool(drafts_for(actor.username)))
    crash(again)
    answers = _answer(monkeypatch, False)
    third = KeyWorkPage(spec_for("key_work"), world.db, actor)
    qtbot.addWidget(third)
    third.new_session()
    assert third.form.voice_edit.toPlainText() == ""
    assert drafts_for(actor.username) == []


def _bulk_sessions(world, count: int, site: str = "crowley") -> None:
    """Many sessions at once (setting up the test, not the behaviour under test)."""
    from pipe_app.services.residents import ResidentService

    resident = world.admit(site, given_name="Bulk", family_name="Resident")
    placement = ResidentService(world.db, world.system).get(resident).placement_id
    site_id = world.site(site).id
    worker = world.staff[(Role.KEY_WORKER, site)].id
    now = utc_now()
    rows = [
        {
            "id": uuid.uuid4(),
            "placement_id": placement,
            "site_id": site_id,
            "key_worker_id": worker,
            "started_at": now - timedelta(hours=number + 1),
            "duration_minutes": 30,
            "summary": f"Session {number}",
            "topics": [],
            "created_at": now,
            "updated_at": now,
            "version": 1,
        }
        for number in range(count)
    ]
    with world.db.writing({}) as session:
        session.execute(insert(KeyWorkSession), rows)


def test_the_list_fetches_one_page_at_a_time(qtbot, qtmodeltester, world):
    _bulk_sessions(world, 1000)
    page = _page(qtbot, world)
    model = page.model
    assert model.rowCount() == FIRST_ROWS
    assert model.canFetchMore(QModelIndex())
    assert page.count_label.text() == "Counting…"  # the first rows come before the count
    qtbot.waitUntil(lambda: page.count_label.text() == "1,000 sessions")
    model.fetchMore(QModelIndex())
    assert model.rowCount() == FIRST_ROWS + model.page_size == 300
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == 1000
    summaries = [model.row(n).summary for n in range(1000)]
    assert summaries == [f"Session {n}" for n in range(1000)]  # newest first, none twice
    qtmodeltester.check(model)

    type_into(qtbot, page.search_edit, "session 99")
    qtbot.waitUntil(lambda: model.rowCount() == 11)  # 99 and 990-999, once typing pauses
    assert page.count_label.text() == "11 sessions"
    assert not model.canFetchMore(QModelIndex())


def test_a_search_is_counted_no_further_than_its_limit(qtbot, world, monkeypatch):
    """Common words match most sessions: a search's count stops past ``SEARCH_COUNTED_TO``
    and says "More than"; the list without words is counted whole."""
    monkeypatch.setattr(key_work_page, "SEARCH_COUNTED_TO", 500)
    _bulk_sessions(world, 1000)
    page = _page(qtbot, world)
    qtbot.waitUntil(lambda: page.count_label.text() == "1,000 sessions")
    type_into(qtbot, page.search_edit, "session")
    qtbot.waitUntil(lambda: page.count_label.text() == "More than 500 sessions")
    assert page.model.canFetchMore(QModelIndex())  # the rows still page on past it
    type_into(qtbot, page.search_edit, "session 99")
    qtbot.waitUntil(lambda: page.count_label.text() == "11 sessions")
    page.search_edit.clear()
    qtbot.waitUntil(lambda: page.count_label.text() == "1,000 sessions")


def test_each_keystroke_narrows_the_rows_held_before_the_database_answers(qtbot, world):
    """Typing hides at once the sessions on show that do not hold the words; the
    database's answer then comes, with those the rows held could not tell (a resident known
    by a preferred name, found by her given name)."""
    _session(world, given_name="Dora", family_name="Ashby", summary="Planned the allotment.")
    _session(world, given_name="Margaret", preferred_name="Peggy", family_name="Lowe")
    _session(world, given_name="Erin", family_name="Marsh")
    page = _page(qtbot, world)
    model, panel = page.model, page.list_panel
    names = lambda: sorted(model.row(n).resident_name for n in range(model.rowCount()))  # noqa: E731
    assert names() == ["Dora Ashby", "Erin Marsh", "Peggy Lowe"]

    qtbot.keyClicks(page.search_edit, "mar")  # one burst: the database is asked once it ends
    assert panel.search_timer.isActive() and not panel.is_loading
    assert names() == ["Erin Marsh"]
    assert page.count_label.text() == "Searching…"
    with qtbot.waitSignal(panel.loaded):
        pass  # the database answered
    assert names() == ["Erin Marsh", "Peggy Lowe"]  # Margaret, shown as Peggy
    qtbot.waitUntil(lambda: page.count_label.text() == "2 sessions")

    # Other words: the rows held (Erin's, Peggy's) hold none of them, so none is shown
    # until the database answers with the session whose note holds them.
    with qtbot.waitSignal(panel.loaded):
        type_into(qtbot, page.search_edit, "allot")
        assert names() == []
    assert names() == ["Dora Ashby"]


@popups
def test_a_kirk_key_worker_never_sees_crowley_sessions(qtbot, world):
    _session(world, "crowley", given_name="Carla", family_name="Crowleyside")
    _session(world, "kirk", given_name="Karl", family_name="Kirkby")
    page = _page(qtbot, world, Role.KEY_WORKER, "kirk")
    shown = [page.model.row(n) for n in range(page.model.rowCount())]
    assert [row.resident_name for row in shown] == ["Karl Kirkby"]
    assert {row.site_name for row in shown} == {"Kirk Lodge"}
    type_into(qtbot, page.search_edit, "carla")
    qtbot.waitUntil(lambda: page.count_label.text() == "0 sessions")
    assert page.model.rowCount() == 0

    page.new_session()
    qtbot.keyClicks(page.form.resident_edit, "carla")
    assert page.form.completer.completionModel().rowCount() == 0


def test_opening_editing_and_the_history_of_a_session(qtbot, world):
    row = _session(world, summary="First words")
    page = _page(qtbot, world)
    page.table.setFocus()
    page.table.selectRow(0)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert page.form_open
    form = page.form
    assert form.record_id == row.id
    assert form.summary_edit.toPlainText() == "First words"
    assert form.title_label.text() == "Key-work session with Alex Example"
    type_into(qtbot, form.summary_edit, "Better words")
    qtbot.keyClick(form.summary_edit, Qt.Key.Key_S, CTRL)
    assert not page.form_open
    assert KeyWorkService(world.db, world.system).get(row.id).summary == "Better words"

    page.open_record(row.id)
    history = form.history_rows()
    assert [entry[2] for entry in history] == ["Created", "Changed"]
    assert history[0][1] == "system"
    assert history[1][1] == "key_worker_crowley"
    assert "Summary: First words → Better words" in history[1][3]
    dialog = record_form.HistoryDialog("History", history, form)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 2
    assert dialog.table.item(1, 3).text() == history[1][3]


def test_a_conflict_offers_to_reload(qtbot, world, monkeypatch):
    row = _session(world, summary="Original")
    page = _page(qtbot, world)
    page.open_record(row.id)
    service = KeyWorkService(world.db, world.system)
    theirs = service.get(row.id)
    from dataclasses import fields

    data = {f.name: getattr(theirs, f.name) for f in fields(KeyWorkInput)}
    service.update(row.id, theirs.version, KeyWorkInput(**{**data, "summary": "Theirs"}))

    answers = _answer(monkeypatch, True)
    type_into(qtbot, page.form.summary_edit, "Mine")
    assert not page.form.save()
    assert "someone else saved this record" in answers.questions[0].lower()
    assert page.form.summary_edit.toPlainText() == "Theirs"  # reloaded
    assert service.get(row.id).summary == "Theirs"


def test_archive_asks_first_and_removes_the_session_from_the_list(qtbot, world, monkeypatch):
    row = _session(world)
    page = _page(qtbot, world)
    page.open_record(row.id)
    answers = _answer(monkeypatch, False, True)
    page.form.archive_button.click()
    assert page.form_open
    page.form.archive_button.click()
    assert answers.questions == ["Archive this key-work session?"] * 2
    assert not page.form_open
    assert page.model.rowCount() == 0
    assert KeyWorkService(world.db, world.system).count() == 0


def test_a_draft_of_an_existing_session_reopens_by_its_key(qtbot, world, monkeypatch):
    """What Today does: record_requested("key_work", info.key) lands in open_record."""
    row = _session(world, summary="Saved words")
    actor = world.actor(Role.KEY_WORKER, "crowley")
    page = _page(qtbot, world, crash=True)
    page.open_record(row.id)
    type_into(qtbot, page.form.summary_edit, "Unsaved words")
    page.form._on_autosave_due()
    crash(page)
    answers = _answer(monkeypatch)  # no question may be asked: Today already did
    (info,) = drafts_for(actor.username)
    assert info.title == "Key-work session with Alex Example"
    assert info.key == DraftKey("key_work", row.id)

    again = _page(qtbot, world)
    again.open_record(info.key)
    assert again.form_open
    assert again.form.summary_edit.toPlainText() == "Unsaved words"
    assert again.form.version == row.version
    qtbot.wait(10)  # the start-up offer runs, sees the open form and stays quiet
    assert answers.questions == []
