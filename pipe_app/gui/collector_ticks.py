"""The GUI thread's event loop runs Python's cycle collector (see ``collector``)."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer

from pipe_app.gui.collector import EventLoopCollection

TICK_MS = 500  # how often the event loop looks whether a collection is due


class CollectorTicks(QObject):
    """While it lives, collections happen between events only: from its timer, which runs
    what Python would have run by then (a young generation most ticks, a full collection
    rarely; ``LongLived`` keeps the window's own objects out of those)."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = TICK_MS) -> None:
        super().__init__(parent)
        EventLoopCollection.take_over()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(EventLoopCollection.collect_due)
        self._timer.start()

    def stop(self) -> None:
        """Python collects on its own again."""
        self._timer.stop()
        EventLoopCollection.give_back()
