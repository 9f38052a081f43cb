"""A column holds the words searched, in any case: the one test every search uses.

SQLite's LIKE ignores the case of ASCII letters, and of those alone (without the ICU
extension, which the app does not load). So on SQLite, words of ASCII letters match the
column as it is: calling SQLite's ``lower()`` on every row, as every search did until stop
19, was more than half of a people search (a psychologist's "mar" at stress scale scanned
the residents in 14.5 ms with it, 6 ms without), and it too folds ASCII letters alone, so
"émile" did not find "Émile". Words beyond ASCII now match the column lowered by Python's
``str.lower`` (``unicode_lower``, on every SQLite connection): slower, a call into Python
for each row, and right. PostgreSQL's LIKE heeds case, so there the column is lowered by
the database, which knows letters beyond ASCII.

Not yet for JSON lists (key-work topics, supervision themes and cases): they are kept with
letters beyond ASCII written as escapes (``\u00c9``), which no word typed matches.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func

from pipe_app.storage.database import UNICODE_LOWER


def holds(column: Any, words: str, sqlite: bool) -> ColumnElement[bool]:
    """``column`` holds ``words`` (given in lower case) in any case; ``%``, ``_`` and the
    escape character in the words are taken as they are, not as wildcards."""
    if sqlite and words.isascii():
        return column.contains(words, autoescape=True)  # type: ignore[no-any-return]
    lowered = getattr(func, UNICODE_LOWER)(column) if sqlite else func.lower(column)
    return lowered.contains(words, autoescape=True)
