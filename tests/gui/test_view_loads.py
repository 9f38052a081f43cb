"""Report views read off the GUI thread: "Loading…" first, only the newest filters' answer is
shown, and a failure is a sentence."""

from __future__ import annotations

import threading

from pipe_app.domain.enums import Role, StaffRole
from pipe_app.gui import training_matrix_view
from pipe_app.gui.collector import CollectorPause
from pipe_app.gui.pages import spec_for
from pipe_app.gui.staff_page import MATRIX_TAB, StaffPage
from pipe_app.gui.supervision_page import SupervisionPage
from pipe_app.reports.training_matrix import build_matrix
from pipe_app.services.errors import NotFound
from pipe_app.services.supervision_compliance import SupervisionComplianceService


def _matrix(qtbot, world) -> training_matrix_view.TrainingMatrixView:
    page = StaffPage(spec_for("staff"), world.db, world.actor(Role.MANAGER, "crowley"))
    qtbot.addWidget(page)
    page.resize(1300, 760)
    page.show()
    qtbot.waitExposed(page)
    page.activate()
    page.tabs.setCurrentIndex(MATRIX_TAB)
    qtbot.waitUntil(lambda: not page.matrix_view.is_loading)
    return page.matrix_view


def _names(view: training_matrix_view.TrainingMatrixView) -> set[str]:
    model = view.model
    return {model.data(model.index(row, 0)) for row in range(model.rowCount())}


def test_a_slow_older_load_does_not_overwrite_newer_filters(qtbot, world, monkeypatch) -> None:
    view = _matrix(qtbot, world)
    release = threading.Event()

    def held_back_for_everyone(db, actor, site_id, *, job_roles=()):
        if not job_roles:  # the first (older) load: answers only after the newer one
            release.wait(10)
        return build_matrix(db, actor, site_id, job_roles=job_roles)

    monkeypatch.setattr(training_matrix_view, "build_matrix", held_back_for_everyone)
    view.role_combo.setCurrentIndex(view.role_combo.findData(StaffRole.MANAGER.value))
    view.role_combo.setCurrentIndex(0)  # all job roles: the slow load
    view.role_combo.setCurrentIndex(view.role_combo.findData(StaffRole.MANAGER.value))
    assert view.summary_label.text() == "Loading…"
    assert CollectorPause.anyone_holding()  # no collection may start on a worker meanwhile
    manager = world.staff[(Role.MANAGER, "crowley")].full_name
    qtbot.waitUntil(lambda: _names(view) == {manager})
    release.set()
    qtbot.waitUntil(lambda: not view.is_loading)
    assert _names(view) == {manager}  # the older "all job roles" answer was dropped
    assert not CollectorPause.anyone_holding()
    assert view.summary_label.text().startswith("1 staff")


def test_a_failed_load_is_told_as_a_sentence(qtbot, world, monkeypatch) -> None:
    view = _matrix(qtbot, world)

    def fails(*_args, **_kwargs):
        raise NotFound("that site is not one of yours")

    monkeypatch.setattr(training_matrix_view, "build_matrix", fails)
    with qtbot.waitSignal(view.failed) as told:
        view.role_combo.setCurrentIndex(view.role_combo.findData(StaffRole.MANAGER.value))
    expected = "Could not build the training matrix: that site is not one of yours."
    assert told.args == [expected]
    assert view.summary_label.text() == expected
    assert view.model.rowCount() == 0 and not view.csv_button.isEnabled()


def test_compliance_that_cannot_be_read_says_so_on_the_page(qtbot, world, monkeypatch) -> None:
    def fails(*_args, **_kwargs):
        raise NotFound("that site is not one of yours")

    monkeypatch.setattr(SupervisionComplianceService, "overview", fails)
    page = SupervisionPage(spec_for("supervision"), world.db, world.actor(Role.MANAGER, "crowley"))
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    page.activate()
    page.tabs.setCurrentWidget(page.compliance)
    qtbot.waitUntil(lambda: not page.compliance.is_loading)
    expected = "Could not read supervision compliance: that site is not one of yours."
    assert page.compliance.notice.text() == expected
    assert page.error_banner.text() == expected and page.error_banner.isVisible()
    assert page.compliance.model.rowCount() == 0
