"""Python's cycle collector, held off while work runs on other threads (no Qt here, so the
start-up can use it before the first window paints)."""

from __future__ import annotations

import gc


class CollectorPause:
    """Holds Python's cycle collector off while background work runs.

    A collection can start on whichever thread allocates; one started on a worker would
    destroy Qt objects' Python wrappers there, which crashes PySide. So while any work runs
    the collector waits, and what was left meanwhile is collected on the GUI thread after.
    Hold and release from the GUI thread only.
    """

    _holders = 0
    _was_enabled = False

    def __init__(self) -> None:
        self._held = False

    @staticmethod
    def anyone_holding() -> bool:
        return CollectorPause._holders > 0

    def hold(self) -> None:
        if self._held:
            return
        self._held = True
        if CollectorPause._holders == 0:
            CollectorPause._was_enabled = gc.isenabled()
            gc.disable()
        CollectorPause._holders += 1

    def release(self, *_args: object) -> None:
        if not self._held:
            return
        self._held = False
        CollectorPause._holders -= 1
        if CollectorPause._holders == 0 and CollectorPause._was_enabled:
            gc.enable()


class LongLived:
    """Keeps the window's long-lived objects out of full collections.

    Once the pages are built, most of the heap (modules, SQLAlchemy's mappers and compiled
    statements, the widgets and their Python wrappers) lives as long as the window. Each
    full collection walked all of it on the GUI thread: 65-145 ms at the busy scale, a stall
    wherever it fell (it fell in "F5 on key work" or "F5 on residents" in the benchmark's
    session). ``freeze`` moves what is alive into the collector's permanent generation,
    which full collections skip; ``thaw`` (when the window closes) gives it back, so what
    the window leaves in cycles is collected after all.
    """

    frozen = False

    @classmethod
    def freeze(cls) -> None:
        gc.freeze()
        cls.frozen = True

    @classmethod
    def thaw(cls) -> None:
        if cls.frozen:
            gc.unfreeze()
            cls.frozen = False
