"""Background work: results come back on the GUI thread; the dialog shows only when slow."""

from __future__ import annotations

import gc
import threading

import shiboken6
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QApplication, QWidget

from pipe_app.gui.collector import CollectorPause
from pipe_app.gui.tasks import SHOW_AFTER_MS, Cancelled, Progress, run_task


def test_quick_work_returns_on_the_gui_thread_without_a_dialog(qtbot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    seen: dict[str, object] = {}

    def work(progress: Progress) -> int:
        # Python's thread, not QThread.currentThread(): a wrapper kept for a pool thread
        # outlives the thread, and a widget later made at its address got that wrapper
        seen["worker"] = threading.get_ident()
        return 42

    task = run_task(
        parent,
        "Adding up",
        work,
        lambda result: seen.update(result=result, thread=threading.get_ident()),
    )
    qtbot.waitUntil(lambda: task.done)
    assert seen["result"] == 42
    assert seen["thread"] == threading.main_thread().ident
    assert seen["worker"] != seen["thread"]
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


def test_quiet_work_never_shows_a_dialog_however_slow(qtbot) -> None:
    """A list's count runs quietly: no window-modal dialog blocks the list meanwhile."""
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    release = threading.Event()
    outcomes: list[object] = []
    task = run_task(parent, "Counting", lambda _p: release.wait(10), outcomes.append, quiet=True)
    qtbot.wait(SHOW_AFTER_MS * 2)
    assert not task.was_shown and task.dialog is None
    release.set()
    qtbot.waitUntil(lambda: task.done)
    assert outcomes == [True]


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


def test_no_garbage_collection_starts_on_a_worker_while_work_runs(qtbot) -> None:
    """A collection on a worker would destroy Qt wrappers there and crash PySide. Python
    never collects on its own here (``CollectorTicks``); the event loop's ticks wait."""
    assert not gc.isenabled() and not CollectorPause.anyone_holding()
    first, second = QWidget(), QWidget()
    qtbot.addWidget(first)
    release = threading.Event()
    held_in_work: list[bool] = []

    def work(progress: Progress) -> None:
        held_in_work.append(CollectorPause.anyone_holding() and not gc.isenabled())
        release.wait(10)

    done = run_task(first, "One", work, lambda _r: None)
    gone = run_task(second, "Two", work, lambda _r: None)
    assert CollectorPause.anyone_holding()
    second.deleteLater()  # a page closed before its work ended still lets the collector go
    qtbot.waitUntil(lambda: not shiboken6.isValid(gone))
    assert CollectorPause.anyone_holding()  # the other work still runs
    release.set()
    qtbot.waitUntil(lambda: done.done)
    assert not CollectorPause.anyone_holding()
    assert held_in_work == [True, True]
    QThreadPool.globalInstance().waitForDone(10_000)


def test_a_page_closed_mid_work_that_nobody_holds_lets_the_collector_go(qtbot) -> None:
    """As a list's count does: the task is not kept, and the page closes before it ends."""
    assert not CollectorPause.anyone_holding()
    page = QWidget()
    release = threading.Event()
    run_task(page, "Counting", lambda _p: release.wait(10), lambda _r: None)  # not kept
    assert CollectorPause.anyone_holding()
    shiboken6.delete(page)  # the page, and the task with it, go first
    release.set()
    assert QThreadPool.globalInstance().waitForDone(10_000)
    QApplication.processEvents()
    assert not CollectorPause.anyone_holding()
    assert not gc.isenabled()  # released inside the page's destructor: not turned on there


def test_an_answer_for_a_view_closed_meanwhile_is_dropped_quietly(qtbot) -> None:
    holder = QWidget()
    qtbot.addWidget(holder)
    closed = QWidget()
    delivered: list[str] = []

    def show(_result: object) -> None:
        closed.setWindowTitle("too late")  # the view's C++ side is gone by now
        delivered.append("shown")

    release = threading.Event()
    task = run_task(holder, "Late", lambda _p: release.wait(10), show)
    shiboken6.delete(closed)
    release.set()
    qtbot.waitUntil(lambda: task.done)
    assert delivered == []
