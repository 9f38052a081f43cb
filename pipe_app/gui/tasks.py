"""Long work off the GUI thread, with a progress dialog only when it is slow.

``run_task(parent, title, work, on_done)`` runs ``work(progress)`` on a worker thread and calls
``on_done(result)`` (or ``on_failed(error)``) back on the GUI thread. A modal progress dialog
appears only if the work is still running after half a second; Cancel sets
``progress.cancelled``, which the work checks between steps (raising ``Cancelled``). Workers
never touch widgets: they report through the ``Progress`` object, which is thread-safe.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from pipe_app.gui.collector import CollectorPause

log = logging.getLogger(__name__)
SHOW_AFTER_MS = 500


class Cancelled(Exception):
    """The user cancelled the work; nothing is reported as an error."""


class Progress:
    """Handed to the work: report steps, and check whether the user cancelled."""

    def __init__(self, emit: Callable[[int, int, str], None]) -> None:
        self._emit = emit
        self._cancel = threading.Event()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()

    def report(self, done: int, total: int, text: str = "") -> None:
        """Say how far the work has got; raises Cancelled if the user has cancelled."""
        if self.cancelled:
            raise Cancelled
        self._emit(done, total, text)


class _Signals(QObject):
    """Only plain C++ types cross threads; the outcome itself is handed over in ``box``."""

    progressed = Signal(int, int, str)
    ended = Signal()


class _Runner(QRunnable):
    def __init__(
        self,
        work: Callable[[Progress], Any],
        signals: _Signals,
        progress: Progress,
        box: dict[str, Any],
    ) -> None:
        super().__init__()
        self.work, self.signals, self.progress, self.box = work, signals, progress, box

    def run(self) -> None:
        try:
            self.box["result"] = self.work(self.progress)
        except BaseException as error:  # delivered to the GUI thread, never lost
            self.box["error"] = error
        try:
            self.signals.ended.emit()
        except RuntimeError:  # the page that asked has closed: nobody waits for the answer
            log.info("background work ended after the page that started it closed")


class Task(QObject):
    """One running piece of work; ``done`` is set once it has finished, failed or cancelled."""

    ended = Signal()

    def __init__(
        self,
        parent: QWidget,
        title: str,
        work: Callable[[Progress], Any],
        on_done: Callable[[Any], None],
        on_failed: Callable[[BaseException], None] | None = None,
        *,
        cancellable: bool = True,
        quiet: bool = False,
    ) -> None:
        super().__init__(parent)
        self.done = False
        self.was_shown = False
        self.last_text = ""
        self._on_done, self._on_failed = on_done, on_failed
        self._signals = _Signals(self)
        self.progress = Progress(self._signals.progressed.emit)
        self._title, self._cancellable, self._parent = title, cancellable, parent
        self.dialog: QProgressDialog | None = None  # made only when the work turns out slow
        self._shown_progress = (0, 0)
        self._signals.progressed.connect(self._on_progressed)
        self._signals.ended.connect(self._on_ended)
        self._box: dict[str, Any] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_slow)
        if not quiet:  # quiet work (a list's count) never puts a dialog in the way
            self._timer.start(SHOW_AFTER_MS)
        self._collector = collector = CollectorPause()
        collector.hold()
        # If the page goes before the work ends. A lambda, not the bound method: PySide
        # holds a bound method's object weakly, and by then the pause object was gone, so the
        # collector stayed off for good (seen when a page closed while it was counting).
        self.destroyed.connect(lambda *_: collector.release())
        QThreadPool.globalInstance().start(_Runner(work, self._signals, self.progress, self._box))

    def _on_slow(self) -> None:
        if self.done:
            return
        title = self.last_text or self._title
        dialog = QProgressDialog(title, "Cancel" if self._cancellable else "", 0, 0, self._parent)
        dialog.setObjectName("taskProgress")
        dialog.setWindowTitle(self._title)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        if not self._cancellable:
            dialog.setCancelButton(None)
        dialog.canceled.connect(self.progress.cancel)
        self.dialog = dialog
        self._show_progress()
        self.was_shown = True
        dialog.show()

    def _on_progressed(self, done: int, total: int, text: str) -> None:
        self._shown_progress = (done, total)
        if text:
            self.last_text = text
        self._show_progress()

    def _show_progress(self) -> None:
        if self.dialog is None:
            return
        done, total = self._shown_progress
        self.dialog.setMaximum(max(total, 0))
        self.dialog.setValue(min(done, total) if total else 0)
        if self.last_text:
            self.dialog.setLabelText(self.last_text)

    def cancel(self) -> None:
        """As if the user pressed Cancel."""
        self.progress.cancel()

    def _finish(self) -> None:
        self.done = True
        try:
            self._timer.stop()
            if self.dialog is not None:
                self.dialog.hide()
                self.dialog.deleteLater()
            self.ended.emit()
        finally:
            # Last: a collection let in earlier could delete a page that is already garbage,
            # and this task's timer with it, under the calls above.
            self._collector.release()

    def _on_ended(self) -> None:
        self._finish()
        try:
            self._deliver()
        except RuntimeError as exc:
            if "already deleted" not in str(exc):
                raise
            # The view that asked was closed while the work ran: its answer has nowhere to go.
            log.info("background work ended after its view closed: %s", exc)

    def _deliver(self) -> None:
        error = self._box.get("error")
        if error is None:
            if not self.progress.cancelled:
                self._on_done(self._box.get("result"))
            return
        if isinstance(error, Cancelled):
            return
        if not isinstance(error, Exception):
            log.error("background work ended abnormally: %r", error)
        if self._on_failed is not None:
            self._on_failed(error)
        else:
            log.error("background work failed", exc_info=error)


def run_task(
    parent: QWidget,
    title: str,
    work: Callable[[Progress], Any],
    on_done: Callable[[Any], None],
    on_failed: Callable[[BaseException], None] | None = None,
    *,
    cancellable: bool = True,
    quiet: bool = False,
) -> Task:
    return Task(parent, title, work, on_done, on_failed, cancellable=cancellable, quiet=quiet)
