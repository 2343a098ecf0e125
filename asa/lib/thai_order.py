"""Thai dictionary order (เรียงตามพจนานุกรม) on both databases and in Python.

Sorting by code point puts every name that starts with a leading vowel (เ แ โ ใ ไ) after
every other name, because the vowel is written first but read after its consonant. A Thai
dictionary files เกษม under ก, so กมล < เกษม < ขวัญ.

- PostgreSQL: the ICU collation `thai` (th-TH), created by the geo migration
  `0004_thai_collation`;
- SQLite: a collation of the same name, registered on every new connection (`register`,
  connected in `asa.geo.apps`), that compares pythainlp's dictionary keys;
- Python: `thai_sorted`, with pythainlp's key.

Use `thai_order("name_th")` in `order_by(...)` (or a model's `Meta.ordering`) for every list
ordered by a Thai name. The collation is for the ORDER BY of bounded, paginated lists: searches
keep using their own indexes (trigram on PostgreSQL, the name keys on SQLite).
"""

from collections.abc import Callable, Iterable
from typing import TypeVar

from django.db.models import F
from django.db.models.expressions import OrderBy
from django.db.models.functions import Collate

# pythainlp's `collate()` sorts with this key (leading vowel moved after its consonant, tone
# marks compared last); it has no public name for the key alone, and SQLite needs the key.
from pythainlp.util.collate import _thkey

THAI_COLLATION = "thai"
Item = TypeVar("Item")


def thai_key(text: str | None) -> tuple[str, str]:
    """The dictionary sort key of a text; the text itself breaks ties so the order is total."""
    text = text or ""
    return (_thkey(text), text)


def thai_order(field: str) -> OrderBy:
    """An `order_by` term: `field` in Thai dictionary order; `-field` for descending."""
    descending = field.startswith("-")
    expression = Collate(F(field.lstrip("-")), THAI_COLLATION)
    return expression.desc() if descending else expression.asc()


def thai_sorted(
    items: Iterable[Item], key: Callable[[Item], str] | None = None, *, reverse: bool = False
) -> list[Item]:
    """Sort texts (or items by a text `key`) in Thai dictionary order."""
    text_of = key or (lambda item: item)
    return sorted(items, key=lambda item: thai_key(text_of(item)), reverse=reverse)


def _compare(left: str | None, right: str | None) -> int:
    left_key, right_key = thai_key(left), thai_key(right)
    return (left_key > right_key) - (left_key < right_key)


def register(sender, connection, **kwargs) -> None:
    """`connection_created` receiver: give SQLite connections the `thai` collation."""
    if connection.vendor == "sqlite":
        connection.connection.create_collation(THAI_COLLATION, _compare)
