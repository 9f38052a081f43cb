"""Load a QTabWidget's tabs only when they are on show.

A page with tabs gives ``TabLoads`` one load function per tab. ``refresh()`` (F5, a new site
or framework) loads the tab on show and marks the others stale; a stale tab is loaded when it
next comes on show, so hidden tabs never compete with the one the user is looking at.
``mark_stale(tab)`` says a tab's data changed (a save on another tab): reloaded now if it is
on show, else when it is shown. Nothing loads before the first ``refresh()``, so building or
switching tabs on a page that was never shown reads nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtWidgets import QTabWidget, QWidget


class TabLoads:
    def __init__(self, tabs: QTabWidget, loads: Mapping[QWidget, Callable[[], None]]) -> None:
        self._tabs = tabs
        self._loads = dict(loads)
        self._stale: set[QWidget] = set(self._loads)
        self._started = False
        tabs.currentChanged.connect(self._on_current_changed)

    def refresh(self) -> None:
        """Load the tab on show now; every other tab when it next comes on show."""
        self._started = True
        self.mark_stale()

    def mark_stale(self, *tabs: QWidget) -> None:
        """These tabs (all when none are named) need reading again: the one on show now."""
        self._stale.update(tabs or self._loads)
        self.load_current()

    def load_current(self) -> None:
        """Load the tab on show if it is stale (after the first ``refresh``)."""
        tab = self._tabs.currentWidget()
        if not self._started or tab not in self._stale:
            return
        self._stale.discard(tab)
        self._loads[tab]()

    def _on_current_changed(self, _index: int) -> None:
        if self._tabs.isVisible():  # not while the page is hidden or torn down (tabs removed)
            self.load_current()
