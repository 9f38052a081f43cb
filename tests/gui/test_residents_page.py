"""The Residents page: fetched a page at a time, searched in the database, admit and edit."""

from __future__ import annotations

import threading
from datetime import date, timedelta

from PySide6.QtCore import QModelIndex, Qt

from pipe_app.domain import Placement, Resident
from pipe_app.domain.enums import ReleaseType, Role, RoshLevel, SentenceType
from pipe_app.gui.drafts import DraftKey, drafts_for
from pipe_app.gui.page_registry import PAGE_CLASSES
from pipe_app.gui.pages import PAGES
from pipe_app.gui.residents_page import PAGE_SIZE, ResidentsPage
from pipe_app.gui.table_model import FIRST_ROWS
from pipe_app.services import audit
from pipe_app.services.residents import PlacementInput, ResidentService
from pipe_app.timeutil import local_today
from tests.gui.helpers import click, type_into


def _page(
    qtbot, world, role: Role = Role.MANAGER, site: str = "kirk", page_size: int = PAGE_SIZE
) -> ResidentsPage:
    spec = next(spec for spec in PAGES if spec.key == "residents")
    page = PAGE_CLASSES["residents"](spec, world.db, world.actor(role, site))
    assert isinstance(page, ResidentsPage)
    page.model.page_size = page_size
    qtbot.addWidget(page)
    page.resize(1300, 700)
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    page.activate()
    return page


def _names(page: ResidentsPage) -> list[str]:
    return [page.proxy.index(row, 0).data() for row in range(page.proxy.rowCount())]


def _many(world, count: int, site: str = "kirk") -> None:
    """``count`` residents at the site, written in one transaction (the service is slow
    for a thousand; the list only reads them)."""
    today = local_today()
    site_id = world.site(site).id
    with world.db.writing({audit.ACTOR_KEY: world.system}) as session:
        for number in range(count):
            resident = Resident(
                crn=f"M{number:06d}",
                given_name="Many",
                family_name=f"Family{number:04d}",
                date_of_birth=date(1980, 1, 1),
                gender="male",
            )
            session.add(resident)
            session.flush()
            session.add(
                Placement(
                    resident_id=resident.id,
                    site_id=site_id,
                    expected_arrival=today - timedelta(days=10),
                    actual_arrival=today - timedelta(days=10),
                    expected_departure=today + timedelta(days=80),
                    sentence_type=SentenceType.LIFE,
                    release_type=ReleaseType.LICENCE,
                    rosh_overall=RoshLevel.HIGH,
                )
            )


def test_a_thousand_residents_load_a_page_at_a_time(qtbot, world):
    _many(world, 1000)
    page = _page(qtbot, world, Role.KEY_WORKER)
    assert page.model.rowCount() == FIRST_ROWS  # the first read: more than a screen shows
    assert page.count_label.text() == "Counting…"  # the first rows come before the count
    qtbot.waitUntil(lambda: page.count_label.text() == "1,000 residents")
    page.table.scrollToBottom()  # the view asks for the next page
    qtbot.waitUntil(lambda: page.model.rowCount() > FIRST_ROWS)
    assert page.model.rowCount() == FIRST_ROWS + PAGE_SIZE  # then a page at a time
    while page.model.canFetchMore(QModelIndex()):
        page.model.fetchMore(QModelIndex())
    assert page.model.rowCount() == 1000
    assert len({page.model.row(n).id for n in range(1000)}) == 1000

    type_into(qtbot, page.search_edit, "family0999")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)  # the database answered
    assert _names(page) == ["Many Family0999"]
    qtbot.waitUntil(lambda: page.count_label.text() == "1 of 1,000 residents match")


def test_search_goes_to_the_service_after_a_pause(qtbot, world):
    world.admit("kirk", given_name="Tomasz", family_name="Nowak", crn="K433172")
    world.admit("kirk", given_name="Liam", family_name="O'Connor", crn="K329810")
    page = _page(qtbot, world, Role.KEY_WORKER, page_size=1)  # nothing found in what is held
    assert page.model.rowCount() == 1
    qtbot.keyClicks(page.search_edit, "k3298")
    assert page.count_label.text() == "Searching…"
    qtbot.waitUntil(lambda: page.count_label.text() == "1 of 2 residents match")
    assert _names(page) == ["Liam O'Connor"]
    qtbot.keyClick(page.search_edit, Qt.Key.Key_Backspace)
    type_into(qtbot, page.search_edit, "tomasz now")  # every word must match
    qtbot.waitUntil(lambda: _names(page) == ["Tomasz Nowak"])


def test_a_search_is_read_off_the_gui_thread_while_the_rows_held_are_narrowed(
    qtbot, world, monkeypatch
):
    world.admit("kirk", given_name="Tomasz", family_name="Nowak", crn="K433172")
    world.admit("kirk", given_name="Liam", family_name="O'Connor", crn="K329810")
    page = _page(qtbot, world, Role.KEY_WORKER)
    assert page.model.rowCount() == 2
    release, readers = threading.Event(), []
    rows = ResidentService.rows

    def slow(service, **arguments):
        if arguments.get("search"):
            readers.append(threading.current_thread())
            release.wait(10)
        return rows(service, **arguments)

    monkeypatch.setattr(ResidentService, "rows", slow)
    qtbot.keyClicks(page.search_edit, "liam")
    qtbot.waitUntil(lambda: readers != [])
    assert readers[0] is not threading.main_thread()
    assert _names(page) == ["Liam O'Connor"]  # what is held, narrowed at once
    assert page.model.rowCount() == 2  # the rows held stay until the answer
    assert page.is_loading
    assert page.count_label.text() == "1 of 2 residents match"  # all are held: exact at once
    qtbot.keyClick(page.search_edit, Qt.Key.Key_Home)  # the window still takes keys
    assert page.search_edit.cursorPosition() == 0
    release.set()
    qtbot.waitUntil(lambda: not page.is_loading)
    assert page.count_label.text() == "1 of 2 residents match"
    assert page.model.rowCount() == 1 and _names(page) == ["Liam O'Connor"]
    assert len(readers) == 1  # one burst of keys, one read


def test_typing_reads_no_more_of_the_list_without_words(qtbot, world, monkeypatch):
    """The first keys narrow the rows held to none here, which no longer fill the view: it
    must not read more pages of the list without the words on the GUI thread meanwhile
    (two pages, 20-30 ms, at busy scale), only the words, once."""
    _many(world, 1000)
    page = _page(qtbot, world, Role.KEY_WORKER)
    assert page.model.rowCount() == FIRST_ROWS and page.model.canFetchMore(QModelIndex())
    release, reads = threading.Event(), []
    rows = ResidentService.rows

    def watched(service, **arguments):
        reads.append(arguments.get("search", ""))
        if arguments.get("search"):
            release.wait(10)
        return rows(service, **arguments)

    monkeypatch.setattr(ResidentService, "rows", watched)
    qtbot.keyClicks(page.search_edit, "family0999")
    qtbot.waitUntil(lambda: reads != [])
    qtbot.wait(100)  # the view lays the narrowed rows out meanwhile
    assert reads == ["family0999"]
    assert page.model.rowCount() == FIRST_ROWS and _names(page) == []
    release.set()
    qtbot.waitUntil(lambda: _names(page) == ["Many Family0999"])
    type_into(qtbot, page.search_edit, "family0")  # all 1,000: the answer's first rows
    qtbot.waitUntil(lambda: not page.is_loading and len(_names(page)) == FIRST_ROWS)
    page.table.scrollToBottom()  # the answer's own next page comes as it scrolls
    qtbot.waitUntil(lambda: page.model.rowCount() > FIRST_ROWS)


def test_a_key_typed_while_a_search_is_read_is_read_after_its_answer(qtbot, world, monkeypatch):
    """The answer to "l" comes while the burst "i" began is still going: showing it must
    not drop the read of "li" that burst is due to make."""
    world.admit("kirk", given_name="Tomasz", family_name="Nowak", crn="K433172")
    world.admit("kirk", given_name="Liam", family_name="O'Connor", crn="K329810")
    page = _page(qtbot, world, Role.KEY_WORKER)
    page.search_timer.setInterval(400)  # room for the answer to come within the burst
    release, searched = threading.Event(), []
    rows = ResidentService.rows

    def slow(service, **arguments):
        if arguments.get("search"):
            searched.append(arguments["search"])
            release.wait(10)
        return rows(service, **arguments)

    monkeypatch.setattr(ResidentService, "rows", slow)
    qtbot.keyClicks(page.search_edit, "l")
    qtbot.waitUntil(lambda: searched == ["l"])
    qtbot.keyClicks(page.search_edit, "i")  # a new burst, not yet ended
    release.set()
    assert page.model.rowCount() == 2  # held until the answer
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)  # "l"'s answer: Liam alone
    assert page.search_timer.isActive()
    qtbot.waitUntil(lambda: searched == ["l", "li"])
    qtbot.waitUntil(lambda: not page.is_loading)
    assert page.model.rowCount() == 1 and _names(page) == ["Liam O'Connor"]
    assert page.count_label.text() == "1 of 2 residents match"


def test_current_residents_only_hides_those_who_left(qtbot, world):
    world.admit("kirk", given_name="Karl", family_name="Kirkby")
    gone = world.admit("kirk", given_name="Gary", family_name="Gone", arrival_days_ago=300)
    service = ResidentService(world.db, world.system)
    placement = service.placements(gone)[0]
    ended = local_today() - timedelta(days=5)
    service.update_placement(
        placement.id,
        placement.version,
        _placement_input(placement, actual_departure=ended, departure_reason="planned_move_on"),
    )
    page = _page(qtbot, world)
    assert _names(page) == ["Gary Gone", "Karl Kirkby"]
    click(qtbot, page.current_check)
    assert _names(page) == ["Karl Kirkby"]
    assert page.count_label.text() == "1 resident"


def _placement_input(row, **changes):
    values = {
        "site_id": row.site_id,
        "expected_arrival": row.expected_arrival,
        "expected_departure": row.expected_departure,
        "sentence_type": row.sentence_type,
        "release_type": row.release_type,
        "rosh_overall": row.rosh_overall,
        "actual_arrival": row.actual_arrival,
    }
    return PlacementInput(**{**values, **changes})


def test_a_manager_admits_a_resident_from_the_keyboard(qtbot, world):
    page = _page(qtbot, world)
    assert page.new_button.isVisible()
    qtbot.keyClick(page.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert page.form_open
    form = page.form
    assert form.title_label.text() == "Admit a resident"
    assert form.crn_edit.hasFocus()
    qtbot.keyClicks(form.crn_edit, "k123456")
    type_into(qtbot, form.given_edit, "Imran")
    type_into(qtbot, form.family_edit, "Aziz")
    form.birth_edit.setFocus()
    form.birth_edit.setDate(form.birth_edit.date().fromString("1985-03-02", "yyyy-MM-dd"))
    form.gender_combo.setCurrentText("Male")
    form.placement.sentence_combo.setCurrentIndex(form.placement.sentence_combo.findData("life"))
    form.placement.release_combo.setCurrentIndex(form.placement.release_combo.findData("licence"))
    form.placement.rosh_combos["rosh_overall"].setCurrentIndex(1 + 2)  # High
    click(qtbot, form.placement.arrived_check)
    worker = world.staff[(Role.KEY_WORKER, "kirk")]
    form.key_worker_combo.setCurrentIndex(form.key_worker_combo.findData(str(worker.id)))
    qtbot.keyClick(form.crn_edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)

    assert not page.form_open, form.errors.general_message
    assert "Imran Aziz" in _names(page)
    row = next(r for r in ResidentService(world.db, world.system).rows() if r.crn == "K123456")
    assert row.arrival == local_today()
    placement = ResidentService(world.db, world.system).placements(row.id)[0]
    assert placement.rosh_overall is RoshLevel.HIGH
    assert placement.key_worker_name == worker.full_name
    assert page.table.currentIndex().data() == "Imran Aziz"


def test_a_bad_crn_is_named_under_the_field_and_nothing_is_written(qtbot, world):
    page = _page(qtbot, world)
    click(qtbot, page.new_button)
    form = page.form
    qtbot.keyClicks(form.crn_edit, "12345")
    type_into(qtbot, form.given_edit, "Imran")
    click(qtbot, form.save_button)

    assert page.form_open
    assert form.errors.message_for("crn").startswith(
        "CRN must be one letter followed by six digits"
    )
    assert _message_under(form, "crn").isVisible()
    assert form.focusWidget() is form.crn_edit
    assert ResidentService(world.db, world.system).count() == 0


def _message_under(form, field: str):
    return form.errors._fields[field][2]


def test_editing_details_from_the_resident_page(qtbot, world):
    resident = world.admit("kirk", given_name="Karl", family_name="Kirkby")
    page = _page(qtbot, world)
    page.open_record(resident)
    qtbot.waitUntil(lambda: page.detail.edit_button.isEnabled())
    click(qtbot, page.detail.edit_button)
    assert page.form_open
    assert not page.form.placement_group.isVisible()
    type_into(qtbot, page.form.preferred_edit, "Kal")
    click(qtbot, page.form.save_button)
    assert page.showing_detail
    assert ResidentService(world.db, world.system).get(resident).display_name == "Kal Kirkby"
    assert "Kal Kirkby" in _names(page)
    qtbot.waitUntil(lambda: not page.detail.is_loading)


def test_a_key_worker_sees_the_list_read_only(qtbot, world):
    world.admit("kirk", given_name="Karl", family_name="Kirkby")
    page = _page(qtbot, world, Role.KEY_WORKER)
    assert not page.new_button.isVisible()
    qtbot.keyClick(page.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert not page.form_open
    page.open_record(page.model.row(0).id)
    qtbot.waitUntil(lambda: not page.detail.is_loading)
    assert not page.detail.edit_button.isVisible()


def test_kirk_lodge_never_sees_crowley_house(qtbot, qtmodeltester, world):
    world.admit("crowley", given_name="Carla", family_name="Crowleyside")
    world.admit("kirk", given_name="Karl", family_name="Kirkby")
    page = _page(qtbot, world)
    assert _names(page) == ["Karl Kirkby"]
    assert not page.site_combo.isVisible()  # one site: no site filter
    type_into(qtbot, page.search_edit, "carla")
    assert page.count_label.text() == "0 of 1 resident match"  # at once, from what is held
    qtbot.waitUntil(lambda: page.model.rowCount() == 0)  # then from the database
    assert page.count_label.text() == "0 of 1 resident match"
    qtmodeltester.check(page.model)


def test_the_model_passes_the_model_tester_while_fetching(qtbot, qtmodeltester, world):
    _many(world, 30)
    page = _page(qtbot, world, page_size=7)
    assert page.model.rowCount() == 7
    qtmodeltester.check(page.model)  # fetches more as it checks
    assert page.model.rowCount() > 7


def test_an_unsaved_admission_is_kept_as_a_draft_and_reopened(qtbot, world):
    page = _page(qtbot, world)
    click(qtbot, page.new_button)
    qtbot.keyClicks(page.form.crn_edit, "K765432")
    page.form._on_autosave_due()  # the autosave timer's work, without waiting for it
    assert [info.key for info in drafts_for(page.actor.username, "resident")] == [
        DraftKey("resident", None)
    ]
    page.form.autosaver.stop()

    again = _page(qtbot, world)
    again.open_record(DraftKey("resident", None))  # as Today's "unsaved work" does
    assert again.form_open
    assert again.form.crn_edit.text() == "K765432"
    again.form.autosaver.stop()
