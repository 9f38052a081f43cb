"""Laying a hidden page out, and painting it once off-screen, before it is first shown.

A page built while the window is idle is still hidden, and Qt leaves a hidden widget as it
was made: not sized to the window, its layouts not worked out, its text never drawn. All of
that then happens as the user first opens it: at demo scale, half of the time from the
click to the Residents list's first rows painted, and nearly two thirds of the Coverage
tab's. ``rehearse`` does it ahead, in the quiet after sign-in: it sizes the page to the
place it will be shown in and paints it into a picture that is thrown away (``grab``, which
lays out a hidden widget and sends it its pending resize). Each tab not on show is sized to
the tab on show and painted too. Nothing is shown, no tab changes, no page is told it was
opened (no show event, no read): only the widgets' geometry and Qt's caches of styles and
glyphs are left behind, and the first opening then only lays out what its read changed and
paints.
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QTabWidget, QWidget


def rehearse(widget: QWidget, size: QSize) -> None:
    """Size hidden ``widget`` to ``size`` and paint it, and each of its hidden tabs, once
    off-screen."""
    widget.resize(size)
    widget.grab()
    for tabs in widget.findChildren(QTabWidget):  # a tab widget before those inside it
        shown = tabs.currentWidget()
        if shown is None:
            continue
        for index in range(tabs.count()):
            tab = tabs.widget(index)
            if tab is not None and tab is not shown:
                tab.resize(shown.size())
                tab.grab()
