"""Keyset listings of what the in-memory stores keep, in the order the SQL stores read it."""

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TypeVar

T = TypeVar("T")
Position = tuple[datetime, str]


def newest_first(
    items: Iterable[T], position: Callable[[T], Position], *, limit: int, before: Position | None
) -> list[T]:
    """At most `limit` of `items`, newest first by `position(item)`, a time and an id (ties by
    id, descending); only those before the keyset position `before` when given."""
    chosen = [item for item in items if before is None or position(item) < before]
    return sorted(chosen, key=position, reverse=True)[:limit]
