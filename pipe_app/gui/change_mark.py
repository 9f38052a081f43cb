"""Whether what was read while the window was idle is still what a read now would find.

A mark is the database's change mark (``storage.change_watch``: SQLite's ``data_version``)
with the day: taken on the GUI thread before an idle read starts, and asked again as the
page first opens. The same mark means nothing has been committed since and it is still the
day the read was made for (statuses and periods turn on the date), so the page may show
what it read without reading again. None (PostgreSQL, or a mark that could not be had)
never matches: the page reads again.
"""

from __future__ import annotations

from pipe_app.storage.change_watch import ChangeWatch
from pipe_app.timeutil import local_today


def change_mark(watch: ChangeWatch) -> object:
    """The mark now; None where the database gives none."""
    mark = watch.mark()
    return None if mark is None else (mark, local_today())


def unchanged_since(watch: ChangeWatch | None, mark: object) -> bool:
    """Nothing has been committed since ``mark`` was taken, on the same day."""
    return mark is not None and watch is not None and change_mark(watch) == mark
