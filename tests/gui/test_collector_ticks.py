"""Python's cycle collector runs from the event loop only while ``CollectorTicks`` lives (the
GUI fixtures and the app both start one): never on its own inside a Qt destructor, where a
collection that freed a Qt object hung the app, nor while work runs on another thread."""

from __future__ import annotations

import gc
import weakref

from PySide6.QtWidgets import QApplication

from pipe_app.gui.collector import CollectorPause, EventLoopCollection, LongLived
from pipe_app.gui.collector_ticks import CollectorTicks


class _Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the collector frees it


def _garbage_cycle() -> weakref.ref[_Node]:
    node = _Node()
    ref = weakref.ref(node)
    del node
    return ref


def _allocate_past_the_threshold() -> list[list[int]]:
    return [[n] for n in range(gc.get_threshold()[0] * 3)]  # containers count, ints do not


def test_cycles_are_collected_between_events_not_on_allocation(qtbot):
    assert EventLoopCollection.active() and not gc.isenabled()
    ref = _garbage_cycle()
    kept = _allocate_past_the_threshold()
    assert ref() is not None  # no collection started by the allocations themselves
    qtbot.waitUntil(lambda: ref() is None, timeout=2000)  # the event loop's tick collected it
    assert kept


def test_no_collection_while_work_holds_the_collector_off(qtbot):
    pause = CollectorPause()
    pause.hold()
    try:
        ref = _garbage_cycle()
        kept = _allocate_past_the_threshold()
        qtbot.wait(600)  # three ticks
        assert ref() is not None
    finally:
        pause.release()
    qtbot.waitUntil(lambda: ref() is None, timeout=2000)
    assert kept


def test_work_ending_inside_a_destructor_does_not_turn_the_collector_on():
    # A task's pause is released from its ``destroyed`` signal: inside ~QObject.
    pause = CollectorPause()
    pause.hold()
    pause.release()
    assert not gc.isenabled()


def test_the_last_ticks_stopping_give_collection_back_to_python(qapp: QApplication):
    second = CollectorTicks(qapp)
    second.stop()
    assert EventLoopCollection.active() and not gc.isenabled()  # the fixture's still run
    EventLoopCollection.give_back()  # the fixture's, as the app's end would
    try:
        assert gc.isenabled() and not EventLoopCollection.active()
    finally:
        EventLoopCollection.take_over()  # as the fixture's ticks left it
        second.deleteLater()


def test_collection_given_back_while_work_runs_comes_on_when_the_work_ends():
    pause = CollectorPause()
    pause.hold()
    EventLoopCollection.give_back()
    try:
        assert not gc.isenabled()
        pause.release()
        assert gc.isenabled()
    finally:
        pause.release()
        EventLoopCollection.take_over()


def _full_collection_due() -> None:
    for _ in range(gc.get_threshold()[2] + 1):
        gc.collect(1)  # each adds one to the old generation's count


def test_a_full_collection_comes_at_most_once_a_minute(monkeypatch):
    monkeypatch.setattr(EventLoopCollection, "_last_full", 0.0)
    _full_collection_due()
    assert EventLoopCollection.collect_due() == 2
    _full_collection_due()
    assert EventLoopCollection.collect_due() == 1  # due again within the minute: not yet
    monkeypatch.setattr(EventLoopCollection, "_last_full", 0.0)
    _full_collection_due()
    assert EventLoopCollection.collect_due() == 2


def test_freezing_the_window_collects_the_young_cycles_first():
    """What the page building left in cycles is not kept for the window's lifetime."""
    left = _garbage_cycle()
    try:
        LongLived.freeze()
        assert left() is None, "a young cycle was frozen with the window"
    finally:
        LongLived.thaw()


def test_freezing_while_work_runs_elsewhere_collects_nothing():
    """Objects of work on another thread are not freed on the GUI thread."""
    pause = CollectorPause()
    pause.hold()
    left = _garbage_cycle()
    try:
        LongLived.freeze()
        assert left() is not None
    finally:
        LongLived.thaw()
        pause.release()
