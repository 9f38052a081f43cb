"""Qt timing helpers shared by the probes: first paint of a widget, and a stall watchdog."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

TICK_MS = 10


class PaintSpy(QObject):
    """Notes the time of each Paint event the watched widget receives."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self.painted_at: float | None = None
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.painted_at = time.perf_counter()
        return False

    def reset(self) -> None:
        self.painted_at = None


def wait_until(condition: Callable[[], bool], timeout_s: float = 60.0) -> bool:
    """Run the event loop until ``condition()`` holds. The loop sleeps between events, as a
    real one does: spinning ``processEvents`` here held Python's lock thousands of times a
    second and slowed the app's background loads three-fold. A 1 ms timer wakes it to look
    at the condition again."""
    app = QApplication.instance()
    assert app is not None
    deadline = time.perf_counter() + timeout_s
    nudge = QTimer()
    nudge.setInterval(1)
    nudge.start()
    try:
        while not condition():
            if time.perf_counter() > deadline:
                return False
            app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
    finally:
        nudge.stop()
    return True


def painted_after(widget: QWidget, began: float, ready: Callable[[], bool] = lambda: True) -> float:
    """Seconds from ``began`` to the first paint of ``widget`` once ``ready()`` holds."""
    spy = PaintSpy(widget)
    if not wait_until(ready):
        raise TimeoutError("the widget never became ready")
    spy.reset()
    widget.update()
    if not wait_until(lambda: spy.painted_at is not None) or spy.painted_at is None:
        raise TimeoutError("the widget was never painted")
    spy.deleteLater()
    return spy.painted_at - began


class ReadyPaintSpy(QObject):
    """Notes the first Paint event the watched widget receives while ``ready()`` holds: the
    first paint that shows what a background read brought, even when it came before a paint
    already on its way (``painted_after``, which asks for a paint once it sees ``ready()``,
    counted one more paint in that case)."""

    def __init__(self, widget: QWidget, ready: Callable[[], bool]) -> None:
        super().__init__(widget)
        self._widget, self._ready = widget, ready
        self.painted_at: float | None = None
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.painted_at is None and event.type() == QEvent.Type.Paint and self._ready():
            self.painted_at = time.perf_counter()
        return False

    def seconds_after(self, began: float) -> float:
        """Seconds from ``began`` to that paint; asked for once ``ready()`` holds, if none
        has come by then."""
        if not wait_until(self._ready):
            raise TimeoutError("the widget never became ready")
        if self.painted_at is None:
            self._widget.update()
            if not wait_until(lambda: self.painted_at is not None):
                raise TimeoutError("the widget was never painted")
        assert self.painted_at is not None
        self.deleteLater()
        return self.painted_at - began


class Watchdog(QObject):
    """A 10 ms timer on the GUI thread: the longest gap between ticks is the longest stall.

    ``mark(step)`` names what the script does next; each gap is put down to the step under
    way when it ended (``by_step``), so a stall can be traced to what caused it."""

    def __init__(self) -> None:
        super().__init__()
        self.longest = 0.0
        self.by_step: dict[str, float] = {}
        self._step = "start"
        self._last = time.perf_counter()
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._on_tick)
        self._timer.start()

    def _on_tick(self) -> None:
        now = time.perf_counter()
        gap = now - self._last
        self.longest = max(self.longest, gap)
        self.by_step[self._step] = max(self.by_step.get(self._step, 0.0), gap)
        self._last = now

    def mark(self, step: str) -> None:
        self._step = step

    def stop(self) -> float:
        self._timer.stop()
        return self.longest


def peak_rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
