"""When a search-as-you-type list asks its database: the pace of keys and of reads.

A list narrows the rows it holds at each key, and asks the database off the GUI thread
(``LatestLoad``). ``SearchPace`` says when: once keys stop coming in a burst
(``SEARCH_BURST_MS``: a paste, a key held down, a scanner), with at most ``SEARCH_READS``
reads running; keys typed while they run make one more read, of the newest words, as soon
as one ends (before its answer is delivered, so that answer, for older words, is dropped).

A typist's keys come 60-250 ms apart, so each word is read as it is typed and the answer
follows the last key by the pause and one read. It was a 60 ms pause before each read, most
of the wait at demo and busy scale; with no pause at all, a burst of three keys was three
reads side by side, and at stress scale a psychologist's "m" and "ma" take 100-150 ms each.
The pause is as short as still joins a burst: a paste is one change, a barcode scanner
sends a character every few milliseconds, and a key held down repeats every 30-40 ms,
which no pause short enough to wait for would join. 25 ms became 10 ms in stop 19: every
answer comes 15 ms sooner.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from pipe_app.gui.latest_load import LatestLoad

SEARCH_BURST_MS = 10  # keys closer than this are one burst: read once it ends
SEARCH_READS = 2  # searches read at once; keys typed meanwhile wait for one to end


class SearchPace(QObject):
    """Emits ``due`` when the words typed should be read; the list then starts the read on
    ``reads`` and calls ``started`` (as it does for any load that reads the words)."""

    due = Signal()

    def __init__(self, parent: QObject, reads: LatestLoad) -> None:
        super().__init__(parent)
        self._reads = reads
        self._waiting = False  # keys came while SEARCH_READS searches were read
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(SEARCH_BURST_MS)
        self.timer.timeout.connect(self._on_burst_ended)
        reads.ended.connect(self._on_read_ended)

    def typed(self) -> None:
        self.timer.start()  # restarts: a burst of keys is read once

    def started(self) -> None:
        """A load of the words as they are now has started: nothing more is due for them."""
        self.timer.stop()
        self._waiting = False

    def _on_burst_ended(self) -> None:
        if self._reads.running < SEARCH_READS:
            self.due.emit()
        else:
            self._waiting = True

    def _on_read_ended(self) -> None:
        if self._waiting and self._reads.running < SEARCH_READS:
            self.due.emit()  # the newest words, once
