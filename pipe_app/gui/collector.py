"""Python's cycle collector: run from the GUI thread's event loop only, held off while work
runs on other threads, and kept off the window's long-lived objects (no Qt here, so the
start-up can use it before the first window paints; ``collector_ticks`` drives it).

Left to itself, the collector starts wherever an allocation crosses its threshold: on a
worker thread (which destroys Qt objects' Python wrappers there, and crashes PySide), or
inside a Qt destructor, where PySide looks up a Python override while the destructor holds
a signal mutex. A collection there that frees a Qt object of Python's waits on that mutex
for ever: the app hangs (seen as a page was deleted while its list was being counted;
py-spy: gc_collect_main inside ~QObject, then ~QComboBox waiting in disconnect). So the
app turns automatic collection off and collects, as Python would have, between events.
"""

from __future__ import annotations

import gc
import time


class EventLoopCollection:
    """Collections at points the GUI thread's event loop chooses, never mid-call."""

    owners = 0  # CollectorTicks alive
    FULL_EVERY_S = 60.0  # a full collection when due, but no more often than this
    _last_full = 0.0

    @classmethod
    def active(cls) -> bool:
        return cls.owners > 0

    @classmethod
    def take_over(cls) -> None:
        gc.disable()
        cls.owners += 1

    @classmethod
    def give_back(cls) -> None:
        cls.owners -= 1
        if cls.owners:
            return
        if CollectorPause.anyone_holding():
            CollectorPause._was_enabled = True  # on again when the work ends
        else:
            gc.enable()

    @classmethod
    def collect_due(cls) -> int | None:
        """Collect the oldest generation whose count is past its threshold, as Python
        would on its own; the generation collected, or None (none due, or work is running
        on another thread). Python also holds a full collection back until a quarter of
        the old generation is new, which it does not let us ask; a full one due within
        ``FULL_EVERY_S`` of the last is a middle-generation one instead."""
        if CollectorPause.anyone_holding():
            return None
        counts, thresholds = gc.get_count(), gc.get_threshold()
        for generation in (2, 1, 0):
            if thresholds[generation] and counts[generation] > thresholds[generation]:
                if generation == 2:
                    now = time.monotonic()
                    if now - cls._last_full < cls.FULL_EVERY_S:
                        generation = 1
                    else:
                        cls._last_full = now
                gc.collect(generation)
                return generation
        return None


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
        # Never turned back on from here when the event loop collects: a release can come
        # from a ``destroyed`` signal, inside a Qt destructor.
        holders, was_enabled = CollectorPause._holders, CollectorPause._was_enabled
        if holders == 0 and was_enabled and not EventLoopCollection.active():
            gc.enable()


class LongLived:
    """Keeps the window's long-lived objects out of full collections.

    Once the pages are built, most of the heap (modules, SQLAlchemy's mappers and compiled
    statements, the widgets and their Python wrappers) lives as long as the window. Each
    full collection walked all of it on the GUI thread: 65-145 ms at the busy scale, a stall
    wherever it fell (it fell in "F5 on key work" or "F5 on residents" in the benchmark's
    session). ``freeze`` moves what is alive into the collector's permanent generation,
    which full collections skip; ``thaw`` (when the window closes) gives it back, so what
    the window leaves in cycles is collected after all. The young generations are collected
    first (a millisecond or two), so what the page building left in cycles is not frozen
    with the window; older leftovers are (finding them would walk the whole heap).
    """

    frozen = False

    @classmethod
    def freeze(cls) -> None:
        if not CollectorPause.anyone_holding():  # work on another thread: none of its
            gc.collect(1)  # objects is freed here
        gc.freeze()
        cls.frozen = True

    @classmethod
    def thaw(cls) -> None:
        if cls.frozen:
            gc.unfreeze()
            cls.frozen = False
