"""The Staff & training page: the matrix with its filters and export, the CSV import with its
preview, and recording a completion with the form."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QModelIndex, Qt

from pipe_app.domain.enums import Role, StaffRole
from pipe_app.gui import staff_page, training_matrix_view
from pipe_app.gui.pages import spec_for
from pipe_app.gui.staff_page import MATRIX_TAB, RECORDS_TAB, StaffPage
from pipe_app.gui.training_import_dialog import RESULT_COLUMN
from pipe_app.services.training import CourseInput, TrainingRecordInput, TrainingService
from pipe_app.timeutil import local_today
from tests.factories import CARE_ROLES
from tests.gui.helpers import click, type_into

CTRL = Qt.KeyboardModifier.ControlModifier
EVERYONE = frozenset(StaffRole)


def _courses(world):
    training = TrainingService(world.db, world.system)
    safeguarding = training.create_course(
        CourseInput("SG1", "Safeguarding adults", renewal_months=12, mandatory_for=EVERYONE)
    )
    first_aid = training.create_course(
        CourseInput("FA1", "First aid", renewal_months=36, mandatory_for=EVERYONE)
    )
    return training, safeguarding, first_aid


def _page(qtbot, world, role: Role = Role.MANAGER, page_size: int | None = None) -> StaffPage:
    page = StaffPage(spec_for("staff"), world.db, world.actor(role, "crowley"))
    qtbot.addWidget(page)
    if page_size is not None:
        page.records_model.page_size = page_size
    page.resize(1200, 720)
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    page.activate()
    qtbot.waitUntil(lambda: not page.is_loading)  # the lists load off the GUI thread
    return page


def _cell(page: StaffPage, person: str, course: str) -> str:
    model = page.matrix_view.model
    columns = {
        model.headerData(c, Qt.Orientation.Horizontal): c for c in range(model.columnCount())
    }
    for row in range(model.rowCount()):
        if model.data(model.index(row, 0)) == person:
            return str(model.data(model.index(row, columns[course])))
    raise AssertionError(f"{person} is not in the matrix")


def test_matrix_shows_expired_and_missing_and_filters_by_role(qtbot, qtmodeltester, world):
    training, safeguarding, _first_aid = _courses(world)
    worker = world.staff[(Role.KEY_WORKER, "crowley")]
    training.record(
        TrainingRecordInput(worker.id, safeguarding.id, local_today() - timedelta(days=400))
    )
    page = _page(qtbot, world)
    page.tabs.setCurrentIndex(MATRIX_TAB)
    view = page.matrix_view
    qtbot.waitUntil(lambda: not view.is_loading)
    qtmodeltester.check(view.model)
    assert _cell(page, worker.full_name, "Safeguarding adults").startswith("Expired")
    assert _cell(page, worker.full_name, "First aid") == "Missing"
    table = view.table  # every row tall enough for the two lines of a dated cell
    assert {table.rowHeight(r) for r in range(view.model.rowCount())} == {
        max(table.sizeHintForRow(r) for r in range(view.model.rowCount()))
    }
    manager = world.staff[(Role.MANAGER, "crowley")]
    assert _cell(page, manager.full_name, "Safeguarding adults") == "Missing"
    # Only Crowley House staff appear.
    names = {view.model.data(view.model.index(r, 0)) for r in range(view.model.rowCount())}
    assert world.staff[(Role.KEY_WORKER, "kirk")].full_name not in names

    combo = page.findChild(type(view.role_combo), "matrixRoleFilter")
    combo.setCurrentIndex(combo.findData(StaffRole.MANAGER.value))
    assert view.summary_label.text() == "Loading…"
    qtbot.waitUntil(lambda: not view.is_loading)
    names = {view.model.data(view.model.index(r, 0)) for r in range(view.model.rowCount())}
    assert names == {manager.full_name}
    qtmodeltester.check(view.model)


def test_csv_export_writes_the_staff_names(qtbot, world, tmp_path, monkeypatch):
    _courses(world)
    target = tmp_path / "matrix"
    monkeypatch.setattr(training_matrix_view, "ask_save_path", lambda *args: target)
    page = _page(qtbot, world)
    page.tabs.setCurrentIndex(MATRIX_TAB)
    qtbot.waitUntil(lambda: not page.matrix_view.is_loading)
    click(qtbot, page.matrix_view.csv_button)
    qtbot.waitUntil(lambda: page.matrix_view.task is not None and page.matrix_view.task.done)
    written = (tmp_path / "matrix.csv").read_text(encoding="utf-8-sig")
    assert world.staff[(Role.KEY_WORKER, "crowley")].full_name in written
    assert world.staff[(Role.MANAGER, "crowley")].full_name in written
    assert "Missing" in written
    assert "Saved the training matrix" in page.matrix_view.notice_label.text()


def test_import_with_a_bad_row_writes_only_the_valid_rows_when_asked(
    qtbot, qtmodeltester, world, tmp_path, monkeypatch
):
    training, _safeguarding, _first_aid = _courses(world)
    worker = world.staff[(Role.KEY_WORKER, "crowley")]
    manager = world.staff[(Role.MANAGER, "crowley")]
    source = tmp_path / "lms.csv"
    source.write_text(
        "Staff name,Course code,Completion date,Hours\n"
        f"{worker.full_name},SG1,01/03/2026,3\n"
        f"{manager.full_name},FA1,2026-02-10,6\n"
        f"{worker.full_name},NOPE,2026-02-11,1\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(staff_page, "ask_import_file", lambda parent: source)
    page = _page(qtbot, world)
    page.tabs.setCurrentIndex(RECORDS_TAB)
    click(qtbot, page.import_button)
    dialog = page.import_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    qtmodeltester.check(dialog.model)
    results = [dialog.model.data(dialog.model.index(r, RESULT_COLUMN)) for r in range(3)]
    assert results[:2] == ["Ready", "Ready"]
    assert results[2].startswith("Error: unknown course")
    assert dialog.model.data(dialog.model.index(2, 0)) == "4"
    assert (
        dialog.model.data(dialog.model.index(2, RESULT_COLUMN), Qt.ItemDataRole.ForegroundRole)
        is not None
    )
    assert not dialog.all_button.isEnabled()
    assert training.rows() == []  # nothing written before the user confirms

    click(qtbot, dialog.valid_button)
    qtbot.waitUntil(lambda: dialog.result_label.text() != "")
    assert dialog.result_label.text() == "Imported 2 training records; 1 row with errors skipped."
    stored = {(r.staff_name, r.course_name) for r in training.rows()}
    assert stored == {
        (worker.full_name, "Safeguarding adults"),
        (manager.full_name, "First aid"),
    }
    qtbot.waitUntil(lambda: page.records_model.rowCount() == 2)  # reloaded in the background
    click(qtbot, dialog.cancel_button)


def test_recording_a_completion_with_the_form(qtbot, qtmodeltester, world):
    training, safeguarding, _first_aid = _courses(world)
    worker = world.staff[(Role.KEY_WORKER, "crowley")]
    page = _page(qtbot, world)
    qtmodeltester.check(page.staff_model)
    qtmodeltester.check(page.staff_proxy)
    assert page.staff_model.rowCount() >= 4
    qtbot.keyClick(page, Qt.Key.Key_N, CTRL)
    assert page.form_open
    form = page.form
    qtbot.keyClick(form.staff_combo, Qt.Key.Key_S, CTRL)  # Ctrl+S with nothing chosen
    assert "choose a member of staff" in form.errors.message_for("staff_member_id")
    assert "choose a course" in form.errors.message_for("course_id")
    assert training.rows() == []

    form.staff_combo.setCurrentIndex(form.staff_combo.findText(worker.full_name))
    form.course_combo.setCurrentIndex(form.course_combo.findData(str(safeguarding.id)))
    form.hours_spin.setFocus()
    qtbot.keyClicks(form.hours_spin, "2")
    qtbot.keyClick(form.hours_spin, Qt.Key.Key_S, CTRL)
    assert not page.form_open
    (row,) = training.rows()
    assert (row.staff_name, row.course_name, row.completed_on) == (
        worker.full_name,
        "Safeguarding adults",
        local_today(),
    )
    assert row.expires_on is not None
    qtbot.waitUntil(lambda: page.records_model.rowCount() == 1)  # reloaded in the background
    qtmodeltester.check(page.records_model)
    assert "Saved" in page.notice_label.text()


def test_key_workers_cannot_record_or_import(qtbot, world):
    page = _page(qtbot, world, Role.KEY_WORKER)
    assert not page.new_button.isEnabled()
    assert not page.import_button.isEnabled()
    qtbot.keyClick(page, Qt.Key.Key_N, CTRL)
    assert not page.form_open


def _shown(page: StaffPage) -> list[tuple[str, str]]:
    model = page.records_model
    return [(model.row(n).staff_name, model.row(n).course_name) for n in range(model.rowCount())]


def test_records_are_fetched_page_by_page_and_filtered_in_the_database(qtbot, qtmodeltester, world):
    training, safeguarding, first_aid = _courses(world)
    today = local_today()
    crowley = [world.staff[(role, "crowley")] for role in CARE_ROLES]
    for member in crowley:
        training.record(TrainingRecordInput(member.id, first_aid.id, today - timedelta(days=10)))
    key_worker, manager, psychologist = crowley
    lapsed, soon = today - timedelta(days=400), today - timedelta(days=330)
    training.record(TrainingRecordInput(key_worker.id, safeguarding.id, lapsed))
    training.record(TrainingRecordInput(manager.id, safeguarding.id, soon))
    kirk = world.staff[(Role.KEY_WORKER, "kirk")]
    training.record(TrainingRecordInput(kirk.id, first_aid.id, today))  # never shown

    page = _page(qtbot, world, page_size=2)
    model = page.records_model
    assert model.rowCount() == 0  # not read while the Staff tab is on show
    page.tabs.setCurrentIndex(RECORDS_TAB)
    qtbot.waitUntil(lambda: not page.is_loading)  # the filter choices come first
    assert model.rowCount() == 2  # only the first page
    assert model.canFetchMore(QModelIndex())
    assert page.records.count_label.text() == "Counting…"  # off the GUI thread
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 4
    model.fetchMore(QModelIndex())
    assert not model.canFetchMore(QModelIndex())
    qtbot.waitUntil(lambda: page.records.count_label.text() == "5 records")
    assert len(_shown(page)) == 5 == len(set(_shown(page)))  # none twice, none missed
    by_name = {m.full_name: (m.family_name.lower(), m.given_name.lower()) for m in crowley}
    keys = [(*by_name[name], course.lower()) for name, course in _shown(page)]
    assert keys == sorted(keys)  # by family name, given name, then course
    qtmodeltester.check(model)

    records = page.records
    records.status_combo.setCurrentIndex(records.status_combo.findData("expired"))
    assert _shown(page) == [(key_worker.full_name, "Safeguarding adults")]
    assert records.count_label.text() == "1 record"
    records.status_combo.setCurrentIndex(records.status_combo.findData("expiring"))
    assert _shown(page) == [(manager.full_name, "Safeguarding adults")]
    records.status_combo.setCurrentIndex(records.status_combo.findData("current"))
    qtbot.waitUntil(lambda: records.count_label.text() == "3 records")
    current = sorted((m.full_name, "First aid") for m in crowley)
    qtbot.waitUntil(lambda: sorted(_shown(page)) == current)  # the view fetches the rest
    records.status_combo.setCurrentIndex(0)

    records.course_combo.setCurrentIndex(records.course_combo.findText(safeguarding.name))
    qtbot.waitUntil(lambda: records.count_label.text() == "2 records")
    records.course_combo.setCurrentIndex(0)
    qtbot.waitUntil(lambda: records.count_label.text() == "5 records")

    type_into(qtbot, records.search_edit, psychologist.family_name)
    assert records.count_label.text() == "5 records"  # nothing is read until typing pauses
    qtbot.waitUntil(lambda: _shown(page) == [(psychologist.full_name, "First aid")])
    assert records.count_label.text() == "1 record"
    qtmodeltester.check(model)
