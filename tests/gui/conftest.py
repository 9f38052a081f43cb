"""GUI fixtures: the app's look on the test QApplication, and settings in a temp folder."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QSettings, QThreadPool
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from pipe_app.gui.assets import apply_look
from pipe_app.gui.collector import CollectorPause, LongLived
from pipe_app.gui.collector_ticks import CollectorTicks
from pipe_app.gui.settings import make_settings, use_settings_folder


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/gui/" in item.nodeid.replace("\\", "/"):
            item.add_marker(pytest.mark.gui)
            # The offscreen platform says this about every top-level window; it is harmless.
            item.add_marker(pytest.mark.qt_log_ignore("does not support propagateSizeHints"))


@pytest.fixture(scope="session", autouse=True)
def _styled(qapp: QApplication) -> None:
    """The real style sheet and icons, so a broken rule shows up as a Qt warning."""
    apply_look(qapp)


@pytest.fixture(autouse=True)
def settings_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "settings"
    use_settings_folder(str(folder))
    return folder


@pytest.fixture
def settings(settings_folder: Path) -> QSettings:
    return make_settings()


@pytest.fixture(autouse=True)
def _collected_between_events(qapp: QApplication) -> object:
    """As in the app, Python's collector runs from the event loop only (``CollectorTicks``);
    after the test, on its own again, and what the test left is collected."""
    ticks = CollectorTicks(qapp)
    yield
    ticks.stop()
    ticks.deleteLater()
    gc.collect()


@pytest.fixture(autouse=True)
def _closed_widgets_deleted(_collected_between_events: None, qtbot: QtBot) -> object:
    """The widgets a test shows through ``qtbot.addWidget`` are held until pytest-qt has
    let them go with ``deleteLater`` (after which PySide holds them until Qt deletes them)
    and deleted as the test ends, not in the next test's event loop; no window is left open.

    pytest-qt holds them weakly, and processes events after the test has returned: a
    collection then took a page Qt still showed apart in any order (its model's attributes
    went while its view still asked it for headers). A window left open meets the same end
    in a later test."""
    shown: list[QWidget] = []
    add = qtbot.addWidget

    def add_and_hold(widget: QWidget, *, before_close_func: Any = None) -> None:
        shown.append(widget)
        add(widget, before_close_func=before_close_func)

    qtbot.addWidget = qtbot.add_widget = add_and_hold  # type: ignore[method-assign]
    yield
    shown.clear()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    left = [  # shown and not deleted: the app's windows are all shown
        window
        for window in QApplication.topLevelWidgets()
        if window.parentWidget() is None
        and shiboken6.createdByPython(window)
        and window.isVisible()
    ]
    names = [window.objectName() or type(window).__name__ for window in left]
    for window in left:
        window.close()
        shiboken6.delete(window)
    assert not left, f"windows left open (show them through qtbot.addWidget): {names}"


@pytest.fixture(autouse=True)
def _background_work_finishes(qtbot: QtBot, _closed_widgets_deleted: None) -> object:
    """No test leaves work running on the thread pool for the next one (or for exit), nor
    the cycle collector held off. (pytest-qt has closed the test's widgets by then, and
    deletes them in this wait's event loop: an answer for a deleted page is dropped.)"""
    yield
    assert QThreadPool.globalInstance().waitForDone(10_000), "background work still running"
    qtbot.waitUntil(lambda: not CollectorPause.anyone_holding(), timeout=10_000)


@pytest.fixture(autouse=True)
def _nothing_left_frozen() -> object:
    """A window left open by a test keeps its objects out of full collections: give them
    back, so the next test's dead wrappers are collected as usual."""
    yield
    LongLived.thaw()
