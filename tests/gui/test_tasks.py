"""Background work: results come back on the GUI thread; the dialog shows only when slow."""

from __future__ import annotations

import threading

from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication, QWidget

from pipe_app.gui.tasks import Cancelled, Progress, run_task


def test_quick_work_returns_on_the_gui_thread_without_a_dialog(qtbot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    seen: dict[str, object] = {}

    def work(progress: Progress) -> int:
        seen["worker"] = QThread.currentThread()
        return 42

    task = run_task(
        parent,
        "Adding up",
        work,
        lambda result: seen.update(result=result, thread=QThread.currentThread()),
    )
    qtbot.waitUntil(lambda: task.done)
    assert seen["result"] == 42
    assert seen["thread"] is QApplication.instance().thread()
    assert seen["worker"] is not seen["thread"]
    assert not task.was_shown


def test_slow_work_shows_progress_and_can_be_cancelled(qtbot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    release = threading.Event()
    outcomes: list[object] = []

    def work(progress: Progress) -> None:
        for step in range(1000):
            progress.report(step, 1000, f"Step {step}")
            release.wait(0.01)
        return None

    task = run_task(parent, "Backing up", work, outcomes.append, outcomes.append)
    qtbot.waitUntil(lambda: task.was_shown and task.last_text.startswith("Step"), timeout=5000)
    task.cancel()
    qtbot.waitUntil(lambda: task.done, timeout=5000)
    assert outcomes == []  # cancelled: neither done nor failed is reported


def test_failures_reach_the_failure_callback(qtbot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    failures: list[BaseException] = []

    def work(progress: Progress) -> None:
        raise ValueError("the disk is full")

    task = run_task(parent, "Writing", work, lambda _r: None, failures.append)
    qtbot.waitUntil(lambda: task.done)
    assert [str(f) for f in failures] == ["the disk is full"]
    assert not isinstance(failures[0], Cancelled)
