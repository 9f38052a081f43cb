"""A column among a list of ids the service already holds, sent as one parameter.

``column.in_(ids)`` sends one parameter per id: with a thousand ids, building and binding
the statement took longer than running it (about 100 ms on PostgreSQL, in psycopg's and
SQLAlchemy's parameter handling). One parameter carries them all instead: a PostgreSQL
array, or on SQLite a JSON list read by ``json_each``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    Uuid,
    any_,
    bindparam,
    func,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import InstrumentedAttribute


def among(
    column: ColumnElement[Any] | InstrumentedAttribute[Any],
    ids: Sequence[uuid.UUID] | Sequence[int] | Sequence[str],
    sqlite: bool,
) -> ColumnElement[bool]:
    """``column`` is one of ``ids``: uuids, or on SQLite rowids or the uuids' hex as kept."""
    if sqlite:
        # SQLite keeps a uuid as its 32 hex digits (SQLAlchemy's Uuid type).
        items = [value.hex if isinstance(value, uuid.UUID) else value for value in ids]
        values: Select[Any] = select(literal_column("value")).select_from(
            func.json_each(json.dumps(items))
        )
        return column.in_(values)
    element = Integer() if ids and isinstance(ids[0], int) else Uuid()
    return column == any_(bindparam(None, list(ids), type_=ARRAY(element)))
