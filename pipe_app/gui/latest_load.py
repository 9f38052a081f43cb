"""Reading a view's data off the GUI thread, showing only the newest answer.

A view calls ``start(work, on_done, on_failed)`` whenever its filters change; ``work`` runs on
a worker thread (``run_task``). Each start bumps a generation number, so a load that finishes
after a newer one began is dropped instead of overwriting the newer filters' rows.

While it runs, Python's cycle collector waits (``tasks.CollectorPause``), as for all work.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from pipe_app.gui.tasks import run_task
from pipe_app.services.errors import PipeError

T = TypeVar("T")


class LoadCancelled(PipeError):
    """The user pressed Cancel on the progress dialog of the newest load."""

    def __init__(self) -> None:
        super().__init__("you cancelled it; press F5 to load it again")


class LatestLoad(QObject):
    ended = Signal()  # a load ended; its outcome, if it is the newest's, is delivered next

    def __init__(self, parent: QWidget, title: str, *, quiet: bool = False) -> None:
        """``quiet``: never show the progress dialog (for figures beside what is on show)."""
        super().__init__(parent)
        self._quiet = quiet
        self._title = title  # no reference back to the widget: no cycle for the GC to break
        self._generation = 0
        self._running = 0

    @property
    def is_loading(self) -> bool:
        """True while any load is still running (the newest, or older ones being dropped)."""
        return self._running > 0

    @property
    def running(self) -> int:
        """How many loads are running (the newest, and older ones whose answer is dropped)."""
        return self._running

    def forget(self) -> None:
        """Drop what is running: its outcome is not delivered (the answer is known now)."""
        self._generation += 1

    def start(
        self,
        work: Callable[[], T],
        on_done: Callable[[T], None],
        on_failed: Callable[[BaseException], None],
    ) -> None:
        """Run ``work`` off the GUI thread; only the newest start's outcome is delivered."""
        self._generation += 1
        generation = self._generation
        self._running += 1

        def done(result: Any) -> None:
            if generation == self._generation:
                on_done(result)

        def failed(error: BaseException) -> None:
            if generation == self._generation:
                on_failed(error)

        # The task is not kept here: a widget <-> task reference cycle made PySide crash at exit.
        widget = self.parent()
        assert isinstance(widget, QWidget)

        task = run_task(
            widget, self._title, lambda _progress: work(), done, failed, quiet=self._quiet
        )
        progress = task.progress

        def ended() -> None:
            self._running -= 1
            if progress.cancelled:
                failed(LoadCancelled())
            self.ended.emit()

        task.ended.connect(ended)
