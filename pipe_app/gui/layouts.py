"""Nesting one layout in another without leaving PySide wrappers of its items behind.

PySide's ``addLayout`` makes a Python wrapper for every item already in the inner layout
(a QWidgetItem per widget, a QSpacerItem per stretch) and keeps it alive with the outer
layout. Qt deletes such an item on its own, when its widget is deleted, but the wrapper
stays registered at the item's address; an object Qt makes later at that address (a view's
header, say) then comes back to Python as the dead QWidgetItem ("'QWidgetItem' object has
no attribute 'hide'"). ``nest`` forgets those item wrappers as soon as they are made.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtWidgets import QBoxLayout, QLayout


def forget_item_wrappers(layout: QLayout) -> None:
    """Drop the Python wrappers of ``layout``'s items (not of nested layouts, which are
    QObjects PySide follows), so no address of a Qt-owned item stays registered."""
    for index in range(layout.count()):
        item = layout.itemAt(index)
        if isinstance(item, QLayout):
            forget_item_wrappers(item)
        elif item is not None:
            shiboken6.invalidate(item)


def nest(outer: QBoxLayout, inner: QLayout, stretch: int = 0) -> None:
    """``outer.addLayout(inner, stretch)``, leaving no wrapper of ``inner``'s items behind."""
    outer.addLayout(inner, stretch)
    forget_item_wrappers(inner)
