"""Whether anything has been committed to an SQLite database since a moment ("a mark").

SQLite's ``PRAGMA data_version``, asked again on the same connection, changes when any other
connection has committed in between: this app's own pooled connections, another process,
a restore copying the file's pages. So a connection kept for asking it alone (it never
writes) tells whether what was read after a mark can still be what the database holds. A
list read while the window was idle is shown on its first opening without reading it
again when nothing has been committed since (``gui.lazy_list_panel.WarmRows``).

PostgreSQL has no such cheap, exact number: its marks are None, and callers read again.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from urllib.parse import quote

Mark = tuple[int, int]  # (the asking connection's generation, its data_version)


class ChangeWatch:
    def __init__(self, path: Path | None) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None
        self._generation = 0  # a new connection's numbers cannot be compared with the old's

    def mark(self) -> Mark | None:
        """The database's change mark now; None where there is none (not a file of SQLite's,
        or it cannot be asked): the caller must read again."""
        if self._path is None:
            return None
        with self._lock:
            try:
                if self._connection is None:
                    self._connection = _open(self._path)
                    self._generation += 1
                version = self._connection.execute("PRAGMA data_version").fetchone()[0]
            except sqlite3.Error:
                self._close()
                return None
            return self._generation, int(version)

    def close(self) -> None:
        """Let the file go (the engine is disposed); the next mark asks afresh."""
        with self._lock:
            self._close()

    def _close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def _open(path: Path) -> sqlite3.Connection:
    """A connection to the file as it is: never one that makes a missing file (``mode=rw``),
    and never waiting on another's lock (``timeout=0``: it only reads a header number)."""
    uri = f"file:{quote(str(path.absolute()))}?mode=rw"
    return sqlite3.connect(uri, uri=True, timeout=0, check_same_thread=False)
