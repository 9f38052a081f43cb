"""Today: each role sees its own work, scoped to its sites, and every line opens its record."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView

from pipe_app.domain.enums import Role, SessionStatus
from pipe_app.gui.drafts import DraftKey, save_draft
from pipe_app.gui.pages import spec_for
from pipe_app.gui.today_lines import Level
from pipe_app.gui.today_page import TodayPage
from pipe_app.services.groups import GroupInput, GroupService
from pipe_app.services.key_work import KeyWorkInput, KeyWorkService
from pipe_app.services.residents import ResidentService
from pipe_app.services.supervision import SupervisionInput, SupervisionService
from pipe_app.services.training import CourseInput, TrainingRecordInput, TrainingService
from pipe_app.timeutil import add_months, local_today, to_utc, utc_now


def _page(qtbot, world, role: Role, site: str = "crowley") -> TodayPage:
    page = TodayPage(spec_for("today"), world.db, world.actor(role, site))
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    with qtbot.waitSignal(page.loaded, timeout=20_000):
        page.activate()
    assert not page.is_loading
    return page


def _texts(page: TodayPage, key: str) -> list[str]:
    return [line.text for line in page.cards[key].model.rows]


def _submitted_supervision(world, site: str = "crowley"):
    service = SupervisionService(world.db, world.system)
    detail = service.create(
        SupervisionInput(
            site_id=world.site(site).id,
            kind="individual_clinical",
            supervisor_id=world.staff[(Role.MANAGER, site)].id,
            supervisee_ids=(world.staff[(Role.KEY_WORKER, site)].id,),
            started_at=utc_now() - timedelta(days=3),
            duration_minutes=60,
            summary="Talked through a hard week.",
        )
    )
    return service.submit(detail.record.id, detail.record.version).record


def test_crowley_key_worker_sees_their_overdue_resident_only(qtbot, world, qtmodeltester):
    mine = world.admit("crowley", arrival_days_ago=30, given_name="Carla", family_name="Crowe")
    world.admit("crowley", arrival_days_ago=3, given_name="Newly", family_name="Arrived")
    world.admit("kirk", arrival_days_ago=60, given_name="Karl", family_name="Kirkby")
    other = world.admit("crowley", arrival_days_ago=30, given_name="Olive", family_name="Other")
    residents = ResidentService(world.db, world.system)
    residents.assign_key_worker(
        residents.get(other).placement_id,
        world.staff[(Role.MANAGER, "crowley")].id,
        local_today() - timedelta(days=10),
    )

    page = _page(qtbot, world, Role.KEY_WORKER)

    card = page.cards["key_work_due"]
    assert card.heading.text() == "Your residents due key work  (1)"
    assert _texts(page, "key_work_due") == [f"Carla Crowe ({residents.get(mine).crn})"]
    line = card.model.rows[0]
    # Crowley House is weekly: due a week after arrival, so 23 days overdue now.
    assert (line.status, line.level) == ("23 days overdue", Level.OVERDUE)
    status = card.model.index(0, 1)
    assert status.data() == "23 days overdue"
    assert status.data(Qt.ItemDataRole.DecorationRole) is not None
    assert "sign_off" not in page.cards
    assert "accreditation" not in page.cards
    qtmodeltester.check(card.model)

    with qtbot.waitSignal(page.record_requested) as opened:
        card.view.setFocus()
        card.view.setCurrentIndex(card.model.index(0, 0))
        qtbot.keyClick(card.view, Qt.Key.Key_Return)
    assert opened.args == ["residents", mine]


def test_manager_sees_every_resident_due_at_their_site(qtbot, world):
    world.admit("crowley", arrival_days_ago=30, given_name="Carla", family_name="Crowe")
    world.admit("kirk", arrival_days_ago=60, given_name="Karl", family_name="Kirkby")
    page = _page(qtbot, world, Role.MANAGER, "kirk")
    assert page.cards["key_work_due"].heading.text() == "Key work due at your sites  (1)"
    assert [text.split(" (")[0] for text in _texts(page, "key_work_due")] == ["Karl Kirkby"]
    assert "key worker Sam Key_Worker KL" in page.cards["key_work_due"].model.rows[0].detail


def test_double_click_on_a_draft_or_todays_group_opens_it(qtbot, world):
    rid = world.admit("crowley", arrival_days_ago=30)
    placement = ResidentService(world.db, world.system).get(rid).placement_id
    key_worker = world.staff[(Role.KEY_WORKER, "crowley")].id
    draft = KeyWorkService(world.db, world.system).record(
        KeyWorkInput(placement, key_worker, utc_now() - timedelta(hours=2), status="draft")
    )
    KeyWorkService(world.db, world.system).record(  # someone else's draft is not mine
        KeyWorkInput(
            placement,
            world.staff[(Role.MANAGER, "crowley")].id,
            utc_now() - timedelta(hours=3),
            status=SessionStatus.DRAFT,
        )
    )
    noon = to_utc(datetime.combine(local_today(), time(12)))
    group = GroupService(world.db, world.system).create(
        GroupInput(
            site_id=world.crowley.id,
            kind="socially_creative",
            activity="cooking",
            title="Cooking together",
            started_at=noon,
            facilitator_ids=frozenset({key_worker}),
            status="held" if noon < utc_now() else "planned",
        )
    )
    page = _page(qtbot, world, Role.KEY_WORKER)
    assert len(_texts(page, "drafts")) == 1
    assert _texts(page, "groups") == ["12:00  Cooking together"]

    for key, expected in (("drafts", ["key_work", draft.id]), ("groups", ["groups", group.id])):
        view = page.cards[key].view
        rect = view.visualRect(view.model().index(0, 0))
        with qtbot.waitSignal(page.record_requested) as opened:
            # A real double-click starts with a press; QTest's double-click alone does not.
            qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
            qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        assert opened.args == expected


def test_psychologist_sees_the_sign_off_queue_and_the_supervisee_is_asked_to_acknowledge(
    qtbot, world, qtmodeltester
):
    record = _submitted_supervision(world)
    psychologist = _page(qtbot, world, Role.PSYCHOLOGIST)
    queue = psychologist.cards["sign_off"]
    assert queue.model.rowCount() == 1
    assert queue.model.rows[0].record_id == record.id
    assert queue.model.rows[0].status == "Waiting for acknowledgement"
    qtmodeltester.check(queue.model)

    key_worker = _page(qtbot, world, Role.KEY_WORKER)
    assert "sign_off" not in key_worker.cards
    ask = key_worker.cards["acknowledge"].model.rows
    assert [(line.page_key, line.record_id) for line in ask] == [("supervision", record.id)]

    elsewhere = _page(qtbot, world, Role.PSYCHOLOGIST, "kirk")
    assert elsewhere.cards["sign_off"].model.rowCount() == 0
    qtbot.waitUntil(elsewhere.cards["sign_off"].empty_label.isVisible)
    # a section with nothing in it is a heading and a sentence: no table (built for none)
    assert elsewhere.cards["sign_off"].findChildren(QTableView) == []
    assert queue.findChildren(QTableView) == [queue.view]
    assert not queue.empty_label.isVisible()


def test_manager_sees_training_about_to_expire(qtbot, world):
    training = TrainingService(world.db, world.system)
    course = training.create_course(CourseInput("FA", "First aid", renewal_months=12))
    member = world.staff[(Role.KEY_WORKER, "crowley")]
    completed = add_months(local_today(), -12) + timedelta(days=10)
    training.record(TrainingRecordInput(member.id, course.id, completed))
    kirk_member = world.staff[(Role.KEY_WORKER, "kirk")]
    training.record(TrainingRecordInput(kirk_member.id, course.id, completed))

    page = _page(qtbot, world, Role.MANAGER)
    lines = page.cards["training"].model.rows
    assert [(line.text, line.status) for line in lines] == [
        (f"{member.full_name}: First aid", "Expires in 10 days")
    ]
    assert (lines[0].page_key, lines[0].record_id) == ("staff", member.id)


def test_unsaved_local_draft_is_listed_and_reopens_the_key_work_form(qtbot, world):
    actor = world.actor(Role.KEY_WORKER, "crowley")
    save_draft(actor.username, DraftKey("key_work"), "Key work with Jade Morris", {"summary": "x"})
    save_draft(actor.username, DraftKey("unknown_form"), "Nothing reopens this", {})
    page = _page(qtbot, world, Role.KEY_WORKER)
    card = page.cards["drafts"]
    assert [(line.text, line.status) for line in card.model.rows] == [
        ("Key work with Jade Morris", "Not saved yet")
    ]
    card.view.setFocus()
    card.view.setCurrentIndex(card.model.index(0, 1))
    with qtbot.waitSignal(page.record_requested) as opened:
        qtbot.keyClick(card.view, Qt.Key.Key_Enter)
    assert opened.args == ["key_work", DraftKey("key_work")]  # that very draft


def test_administrator_sees_no_resident_or_supervision_sections(qtbot, world):
    world.admit("crowley", arrival_days_ago=30)
    page = _page(qtbot, world, Role.ADMINISTRATOR)
    assert list(page.cards) == ["training"]
    assert page.cards["training"].heading.text() == "Your training expiring"


def test_the_status_column_fits_the_widest_status_however_many_lines(qtbot, monkeypatch) -> None:
    """Measured from the statuses' text, not by asking every cell (1,200 lines stalled)."""
    from PySide6.QtGui import QFont, QFontMetrics

    from pipe_app.gui.today_lines import TodayLine, TodaySection
    from pipe_app.gui.today_page import STATUS_COLUMN, SectionCard, TodayLinesModel

    asked: set[int] = set()
    original = TodayLinesModel.data

    def data(model, index, role=Qt.ItemDataRole.DisplayRole):
        asked.add(index.row())
        return original(model, index, role)

    monkeypatch.setattr(TodayLinesModel, "data", data)

    widest = "Expired 1,234 days ago"
    lines = [
        TodayLine(f"Line {n}", "", "Expires in 3 days", Level.SOON, "staff", None)
        for n in range(1500)
    ] + [TodayLine("Last", "", widest, Level.OVERDUE, "staff", None)]  # bold, and last
    card = SectionCard(TodaySection("training", "Training expiring", tuple(lines), ""))
    qtbot.addWidget(card)
    card.resize(900, 400)
    card.show()
    qtbot.waitExposed(card)
    assert len(asked) < 100  # the first line and those on show, not all 1,501
    bold = QFont(card.view.font())
    bold.setBold(True)
    width = card.view.columnWidth(STATUS_COLUMN)
    assert width >= QFontMetrics(bold).horizontalAdvance(widest) + card.view.iconSize().width()
    last = card.model.index(len(lines) - 1, STATUS_COLUMN)
    assert width >= card.view.sizeHintForIndex(last).width()  # as the cell itself asks
