"""The Accreditation page's cycles tab: a manager records a site's cycle, others read it, and
Today's accreditation deadline opens the cycle."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QCheckBox, QLabel

from pipe_app.domain.enums import Role
from pipe_app.gui import record_form
from pipe_app.gui.accreditation_page import AccreditationPage
from pipe_app.gui.cycle_form import CycleForm
from pipe_app.gui.drafts import DraftKey, page_for, save_draft
from pipe_app.gui.pages import spec_for
from pipe_app.gui.today_page import TodayPage
from pipe_app.services.accreditation import AccreditationService, CycleInput, CycleRow
from pipe_app.services.frameworks import FrameworkService
from pipe_app.timeutil import add_months, local_today
from tests.gui.helpers import click, type_date

CTRL = Qt.KeyboardModifier.ControlModifier


def _page(qtbot, world, role: Role = Role.MANAGER) -> AccreditationPage:
    FrameworkService(world.db, world.system).install_builtin()
    page = AccreditationPage(spec_for("accreditation"), world.db, world.actor(role, "crowley"))
    qtbot.addWidget(page)
    page.resize(1300, 760)
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    page.activate()
    return page


def _cycle(world, **dates: date | None) -> CycleRow:
    framework = FrameworkService(world.db, world.system).rows()[0].id
    return AccreditationService(world.db, world.system).create(
        CycleInput(world.crowley.id, framework, **dates)  # type: ignore[arg-type]
    )


def _tick(qtbot, form: CycleForm, name: str) -> None:
    box = form.form.findChild(QCheckBox, name)
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Space)
    assert box.isChecked()


def _error(form: CycleForm, edit: str) -> str:
    return form.form.findChild(QLabel, f"{edit}Error").text()


def _open_tab(qtbot, page: AccreditationPage) -> None:
    qtbot.keyClick(page.tabs, Qt.Key.Key_Y, Qt.KeyboardModifier.AltModifier)
    assert page.tabs.currentWidget() is page.cycles_view


def test_manager_records_a_cycle_and_sees_the_expiry(qtbot, qtmodeltester, world) -> None:
    page = _page(qtbot, world)
    view, form = page.cycles_view, page.cycles_view.form
    _open_tab(qtbot, page)
    assert view.notice.text() == "No accreditation cycle recorded yet."
    qtbot.keyClick(page, Qt.Key.Key_N, CTRL)  # Ctrl+N on this tab: a new cycle
    assert view.stack.form_open and form.record_id is None
    assert form.status_label.text() == "New"
    assert not form.optional["portfolio_due_on"][1].isEnabled()

    type_date(qtbot, form.membership_date, date(2024, 3, 1))
    _tick(qtbot, form, "portfolioCheck")
    type_date(qtbot, form.optional["portfolio_due_on"][1], date(2024, 6, 30))
    _tick(qtbot, form, "awardVisitCheck")
    type_date(qtbot, form.optional["award_visit_on"][1], date(2024, 10, 1))
    qtbot.keyClick(form.membership_date, Qt.Key.Key_S, CTRL)
    assert not view.stack.form_open
    assert view.model.rowCount() == 1
    qtmodeltester.check(view.model)
    qtmodeltester.check(view.proxy)
    row = view.model.row(0)
    assert (row.membership_on, row.portfolio_due_on, row.award_visit_on, row.award_on) == (
        date(2024, 3, 1),
        date(2024, 6, 30),
        date(2024, 10, 1),
        None,
    )
    qtbot.waitUntil(lambda: not page.coverage_loads.is_loading)
    assert page.report is not None and page.report.cycle_id == row.id  # coverage follows it

    view.table.setFocus()
    view.table.setCurrentIndex(view.proxy.index(0, 0))
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert view.stack.form_open and form.record_id == row.id
    assert form.title_label.text() == "Accreditation cycle from 01 Mar 2024"
    assert form.status_label.text() == "Award visit"
    assert form.expires_label.text() == "Three years after the award, once its date is set"
    _tick(qtbot, form, "awardCheck")
    type_date(qtbot, form.award_date, date(2024, 10, 31))
    assert form.expires_label.text() == "31 Oct 2027, three years after the award"
    click(qtbot, form.save_button)
    assert not view.stack.form_open
    saved = view.model.row(0)
    assert (saved.award_on, saved.expires_on) == (date(2024, 10, 31), date(2027, 10, 31))
    assert view.proxy.index(0, 5).data() == "31 Oct 2027"
    assert view.proxy.index(0, 6).data() == "Awarded"


def test_dates_out_of_order_are_named_under_the_field(qtbot, world, monkeypatch) -> None:
    page = _page(qtbot, world)
    cycle = _cycle(world, membership_on=date(2024, 1, 10), portfolio_due_on=date(2024, 6, 30))
    view, form = page.cycles_view, page.cycles_view.form
    _open_tab(qtbot, page)
    assert view.open_cycle(cycle.id)
    _tick(qtbot, form, "awardVisitCheck")
    type_date(qtbot, form.optional["award_visit_on"][1], date(2024, 5, 1))
    qtbot.keyClick(form.membership_date, Qt.Key.Key_S, CTRL)
    assert view.stack.form_open
    assert _error(form, "awardVisitDate") == "Award visit cannot be before the portfolio due date."
    assert form.optional["award_visit_on"][1].hasFocus()
    assert _error(form, "portfolioDate") == ""
    assert AccreditationService(world.db, world.system).get(cycle.id).cycle == cycle

    monkeypatch.setattr(record_form.Confirm, "ask", classmethod(lambda *a, **k: True))
    click(qtbot, form.archive_button)  # archive asks first (answered yes here)
    assert not view.stack.form_open and view.model.rowCount() == 0
    assert AccreditationService(world.db, world.system).rows() == []


def test_key_worker_reads_the_cycle_but_cannot_change_it(qtbot, world) -> None:
    page = _page(qtbot, world, Role.KEY_WORKER)
    cycle = _cycle(world, membership_on=date(2024, 1, 10))
    view, form = page.cycles_view, page.cycles_view.form
    _open_tab(qtbot, page)
    assert not view.new_button.isVisible()
    assert view.model.rowCount() == 1
    qtbot.keyClick(page, Qt.Key.Key_N, CTRL)
    assert not view.stack.form_open

    view.table.setFocus()
    view.table.setCurrentIndex(view.proxy.index(0, 0))
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert view.stack.form_open and form.record_id == cycle.id
    assert not form.save_button.isVisible() and not form.archive_button.isVisible()
    assert form.history_button.isVisible() and form.cancel_button.text() == "Close"
    assert not form.membership_date.isEnabled()
    assert not any(tick.isEnabled() for tick, _ in form.optional.values())
    qtbot.keyClick(form, Qt.Key.Key_S, CTRL)
    assert view.stack.form_open and form.errors.general_message == ""
    assert AccreditationService(world.db, world.system).get(cycle.id).cycle == cycle
    qtbot.keyClick(form, Qt.Key.Key_Escape)
    assert not view.stack.form_open


def test_todays_accreditation_deadline_opens_the_cycle(qtbot, world, settings) -> None:
    from pipe_app.gui.main_window import MainWindow

    FrameworkService(world.db, world.system).install_builtin()
    visit = local_today() + timedelta(days=20)
    cycle = _cycle(
        world, membership_on=add_months(local_today(), -6), award_visit_on=visit, award_on=None
    )
    window = MainWindow(world.db, world.actor(Role.MANAGER, "crowley"), settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.show_page("today")
    today = window.pages["today"]
    assert isinstance(today, TodayPage)
    qtbot.waitUntil(lambda: "accreditation" in today.cards and not today.is_loading, timeout=20_000)
    card = today.cards["accreditation"]
    assert [line.text for line in card.model.rows] == ["Award visit: Crowley House"]

    card.view.setFocus()
    card.view.setCurrentIndex(card.model.index(0, 0))
    qtbot.keyClick(card.view, Qt.Key.Key_Return)
    page = window.pages["accreditation"]
    assert isinstance(page, AccreditationPage)
    assert window.current_page is page
    assert page.tabs.currentWidget() is page.cycles_view
    form = page.cycles_view.form
    assert page.cycles_view.stack.form_open and form.record_id == cycle.id
    assert form.optional["award_visit_on"][1].date() == QDate(visit.year, visit.month, visit.day)


def test_an_unsaved_new_cycle_comes_back_from_its_draft(qtbot, world, monkeypatch) -> None:
    page = _page(qtbot, world)
    actor = world.actor(Role.MANAGER, "crowley")
    framework = FrameworkService(world.db, world.system).rows()[0].id
    typed = {
        "framework_id": str(framework),
        "membership_on": "2025-01-06",
        "portfolio_due_on": "2025-05-01",
        "interim_assessment_on": None,
        "award_visit_on": None,
        "award_on": None,
    }
    save_draft(actor.username, DraftKey("accreditation_cycle"), "New accreditation cycle", typed)
    assert page_for("accreditation_cycle") == "accreditation"  # Today lists it on this page
    monkeypatch.setattr(record_form.Confirm, "ask", classmethod(lambda *a, **k: True))
    page.open_record(DraftKey("accreditation_cycle"))  # what Today's draft line asks for
    view, form = page.cycles_view, page.cycles_view.form
    assert page.tabs.currentWidget() is view and view.stack.form_open
    assert form.record_id is None and form.values() == typed
    qtbot.keyClick(form.membership_date, Qt.Key.Key_S, CTRL)
    assert [row.portfolio_due_on for row in view.model.rows] == [date(2025, 5, 1)]
