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

JSON lists (key-work topics, supervision themes and cases) were kept, until migration
0010, with letters beyond ASCII written as escapes (``\\u00c9``), which no word typed
matches. Topics were rewritten as typed; supervision records signed off may not change, so
their lists are searched item by item, decoded (``list_holds``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, String, cast, exists, func, select

from pipe_app.storage.database import UNICODE_LOWER


def holds(column: Any, words: str, sqlite: bool) -> ColumnElement[bool]:
    """``column`` holds ``words`` (given in lower case) in any case; ``%``, ``_`` and the
    escape character in the words are taken as they are, not as wildcards."""
    if sqlite and words.isascii():
        return column.contains(words, autoescape=True)  # type: ignore[no-any-return]
    lowered = getattr(func, UNICODE_LOWER)(column) if sqlite else func.lower(column)
    return lowered.contains(words, autoescape=True)


def list_holds(column: Any, words: str, sqlite: bool) -> ColumnElement[bool]:
    """JSON list ``column`` holds ``words`` (given in lower case) in any case. Words of ASCII
    characters are looked for in the list's text; others, and words with a quote or a
    backslash, in each item decoded, so a list kept with escapes (``\\u00c9``, before
    migration 0010) is found as well."""
    if words.isascii() and not {'"', "\\"} & set(words):  # JSON writes these escaped too
        return holds(cast(column, String), words, sqlite)
    items = (func.json_each if sqlite else func.json_array_elements_text)(column)
    item = items.table_valued("value")  # each item of the list, decoded
    return exists(select(1).select_from(item).where(holds(item.c.value, words, sqlite)))
