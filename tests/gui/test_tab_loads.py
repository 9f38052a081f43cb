"""Pages with tabs read only the tab on show: a hidden tab is read when the user first brings it
forward, and after F5 (or a new site) only when it is shown again."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from PySide6.QtCore import Qt
from sqlalchemy import event

from pipe_app.domain.enums import EvidenceKind, Role, StaffRole
from pipe_app.gui.accreditation_page import AccreditationPage
from pipe_app.gui.main_window import MainWindow
from pipe_app.gui.pages import spec_for
from pipe_app.gui.supervision_page import SupervisionPage
from pipe_app.services.evidence import EvidenceInput, EvidenceService
from pipe_app.services.frameworks import FrameworkService
from pipe_app.services.training import CourseInput, TrainingRecordInput, TrainingService
from pipe_app.storage.database import Database
from pipe_app.timeutil import local_today
from tests.gui.helpers import click_entry, click_tab

F5 = Qt.Key.Key_F5


@contextmanager
def _selects(db: Database, table: str) -> Iterator[list[str]]:
    """The statements sent (from any thread) that read ``table``."""
    sent: list[str] = []

    def on_execute(_conn, _cursor, sql: str, *_args) -> None:
        if sql.lstrip().lower().startswith("select") and table in sql:
            sent.append(sql)

    event.listen(db.engine, "before_cursor_execute", on_execute)
    try:
        yield sent
    finally:
        event.remove(db.engine, "before_cursor_execute", on_execute)


def _window(qtbot, world, settings, role: Role = Role.MANAGER) -> MainWindow:
    window = MainWindow(world.db, world.actor(role, "crowley"), settings)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    _settled(qtbot, window.current_page)  # Today's cards are read before we count
    return window


def _settled(qtbot, page) -> None:
    qtbot.waitUntil(lambda: not page.is_loading)


def test_staff_hidden_tabs_are_read_when_shown_and_again_after_f5(qtbot, world, settings):
    training = TrainingService(world.db, world.system)
    course = training.create_course(
        CourseInput(
            "SG1", "Safeguarding adults", renewal_months=12, mandatory_for=frozenset(StaffRole)
        )
    )
    worker = world.staff[(Role.KEY_WORKER, "crowley")]
    training.record(TrainingRecordInput(worker.id, course.id, local_today()))
    window = _window(qtbot, world, settings)

    with _selects(world.db, "training_records") as sent:
        click_entry(qtbot, window.navigation, "Staff & training")
        page = window.pages["staff"]
        _settled(qtbot, page)
        assert page.staff_model.rowCount() >= 4  # the Staff tab on show is read
        assert sent == []  # neither the matrix nor the records, hidden, were read
    assert page.records_model.rowCount() == 0 and page.matrix_view.model.rowCount() == 0

    click_tab(qtbot, page.tabs, page.records_stack)
    _settled(qtbot, page)
    assert page.records_model.rowCount() == 1
    assert page.records.site_combo.count() >= 2  # the filters were filled on the way
    click_tab(qtbot, page.tabs, page.matrix_view)
    assert page.matrix_view.is_loading and page.is_loading
    _settled(qtbot, page)
    assert page.matrix_view.model.rowCount() >= 4

    manager = world.staff[(Role.MANAGER, "crowley")]
    training.record(TrainingRecordInput(manager.id, course.id, local_today() - timedelta(days=1)))
    with _selects(world.db, "training_records") as sent:
        qtbot.keyClick(window, F5)  # on the matrix: only the matrix is read again
        _settled(qtbot, page)
        assert sent and page.records_model.rowCount() == 1  # the Records tab is stale
        sent.clear()
        click_tab(qtbot, page.tabs, page.staff_panel)
        _settled(qtbot, page)
        assert sent == []  # the Staff tab reads no training
    click_tab(qtbot, page.tabs, page.records_stack)
    _settled(qtbot, page)
    assert page.records_model.rowCount() == 2  # read again now it is on show


def test_supervision_compliance_alone_is_read_when_it_is_on_show(qtbot, world):
    actor = world.actor(Role.PSYCHOLOGIST, "crowley")  # a reviewer: the queue is a tab
    page = SupervisionPage(spec_for("supervision"), world.db, actor)
    qtbot.addWidget(page)
    page.resize(1300, 760)
    page.show()
    qtbot.waitExposed(page)
    page.tabs.setCurrentWidget(page.compliance)  # before the first view: nothing is read
    assert not page.compliance.is_loading
    with _selects(world.db, "supervision_sessions") as sent:
        page.activate()
        assert page.is_loading  # the compliance tab on show is being read
        _settled(qtbot, page)
    assert page.model.rowCount() == 0 and page.count_label.text() == ""  # records: hidden
    assert all("limit" not in sql.lower() for sql in sent)  # no page of the records list
    assert "Review queue (0)" in [page.tabs.tabText(n) for n in range(page.tabs.count())]

    click_tab(qtbot, page.tabs, page.stack)
    assert page.count_label.text() == "0 records"  # read when the user brings it forward


def test_accreditation_evidence_is_read_when_its_tab_is_clicked(qtbot, world, settings):
    FrameworkService(world.db, world.system).install_builtin()
    service = EvidenceService(world.db, world.system)
    service.create(EvidenceInput(world.crowley.id, "Minutes", EvidenceKind.MINUTES, local_today()))
    window = _window(qtbot, world, settings)
    click_entry(qtbot, window.navigation, "Accreditation")
    page = window.pages["accreditation"]
    assert isinstance(page, AccreditationPage)
    assert page.is_loading  # the coverage on show is being worked out
    _settled(qtbot, page)
    assert page.report is not None
    assert page.evidence_model.rowCount() == 0  # the Evidence tab is hidden: not read
    assert page.cycles_view.notice.text() == ""  # nor the award cycles

    click_tab(qtbot, page.tabs, page.evidence_stack)
    assert page.evidence_model.rowCount() == 1
    click_tab(qtbot, page.tabs, page.cycles_view)
    assert page.cycles_view.notice.text() == "No accreditation cycle recorded yet."

    service.create(EvidenceInput(world.crowley.id, "Photos", EvidenceKind.PHOTO, local_today()))
    qtbot.keyClick(window, F5)  # on the cycles tab: the evidence becomes stale
    _settled(qtbot, page)
    assert page.evidence_model.rowCount() == 1
    click_tab(qtbot, page.tabs, page.evidence_stack)
    assert page.evidence_model.rowCount() == 2  # read again now it is on show
