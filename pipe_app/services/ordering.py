"""How a list is ordered: one of a service's fixed sort keys, up or down, ties broken by id.

The GUI only ever names a key (a member of the service's enum), never SQL. The id after
the key makes the order total, so reading a list a page at a time never repeats or skips a
row, even when many rows share the key. The id goes the same way as the key, so a list
newest first is read backwards along a (date, id) index and stops after a page: with the id
the other way round, a psychologist's key-work list over ten sites sorted all 750,000
sessions for every page (390 ms; 5 ms now).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, UnaryExpression, case
from sqlalchemy.orm import QueryableAttribute

K = TypeVar("K", bound=StrEnum)

Sortable = ColumnElement[Any] | QueryableAttribute[Any]
SortColumns = Sequence[Sortable]


@dataclass(frozen=True)
class Order(Generic[K]):
    key: K
    descending: bool = False


def in_enum_order(column: Sortable, kind: type[StrEnum]) -> ColumnElement[int]:
    """Sort an enum column in the order its members are declared (the workflow order)."""
    return case({member: number for number, member in enumerate(kind)}, value=column)


def order_clauses(
    order: Order[K], sorts: Mapping[K, SortColumns], tiebreak: Sortable
) -> list[UnaryExpression[Any]]:
    """ORDER BY terms for ``order``: the key's columns, then ``tiebreak``, in its direction."""
    columns = [*sorts[order.key], tiebreak]
    return [column.desc() if order.descending else column.asc() for column in columns]
