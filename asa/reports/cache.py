"""Dashboards as a cache read: built figures kept in Django's cache per area and period.

The one wrapper is `cached_figures(kind, area=, period=, viewer=, build=)`: every builder of
figures (the dashboard; any later section such as outcomes) goes through it, after the caller
has checked that the user may see the area (the access check runs on every request, hit or
miss). The key holds the kind, the area, the period, the viewer's class (`viewer`: the ministry,
an officer and a chair never share an entry, so a builder that one day shows a role more than
another cannot leak through the cache), the language (labels are translated when built), the
database, and two generation tokens:

* the area's own token, replaced when a rollup refresh touches the area — a refresh of a
  center's figures replaces the tokens of the center, its district, its province and the nation,
  since each of those dashboards sums or lists that center;
* one token for all areas, replaced by a full refresh of the stock figures (nightly) or a
  rebuild (`asa rollups rebuild`, a restore).

Replacing a token (a fresh random value, never an increment: two refreshes at once cannot both
write the same number) makes every entry built under the old one unreachable; it expires on its
own. A refresh replaces the tokens twice: at once (its own transaction, and a test that never
commits, see the new figures) and after its commit (a request that read the old token and the
figures before the commit may have cached them meanwhile). A request reads the tokens before the
figures, so an entry is never filed under a token newer than what it holds.

Entries also expire after CACHE_SECONDS: names (of a center, an agency, an item) shown in the
figures are not rollups, and a rename shows within that time.
"""

import hashlib
import uuid
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import get_language

from asa.reports.models import NATION_CODE, AreaLevel

T = TypeVar("T")
PREFIX = "asa:figures"
CACHE_SECONDS = 60 * 60
ALL = "all"


def _database() -> str:
    """The database the figures come from (a cache may be shared by several databases)."""
    config = settings.DATABASES["default"]
    name = f"{config.get('HOST', '')}:{config.get('PORT', '')}/{config.get('NAME', '')}"
    return hashlib.sha256(name.encode()).hexdigest()[:12]


def _token_key(area: str) -> str:
    return f"{PREFIX}:{_database()}:token:{area}"


def _area(level: str, code: str) -> str:
    return f"{level}:{code}"


def _tokens(area: str) -> tuple[str, str] | None:
    """(all-areas token, area token), made if missing; None if the cache keeps neither."""
    keys = [_token_key(ALL), _token_key(area)]
    found = cache.get_many(keys)
    if len(found) < len(keys):
        for key in keys:
            if key not in found:
                cache.add(key, uuid.uuid4().hex, timeout=None)
        found = cache.get_many(keys)
        if len(found) < len(keys):
            return None
    return found[keys[0]], found[keys[1]]


def cached_figures(kind: str, *, area, period, viewer: str, build: Callable[[], T]) -> T:
    """`build()`'s answer for this area, period and viewer class, from the cache when it holds
    one built since the area's figures last changed. The caller has already checked access."""
    place = _area(area.level, area.code)
    tokens = _tokens(place)
    if tokens is None:
        return build()
    key = ":".join(
        [
            PREFIX,
            _database(),
            kind,
            place,
            period.start.isoformat(),
            period.end.isoformat(),
            viewer,
            get_language() or "",
            *tokens,
        ]
    )
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, CACHE_SECONDS)
    return value


def _replace(areas: Iterable[str]) -> None:
    keys = [_token_key(area) for area in areas]

    def replace() -> None:
        cache.set_many({key: uuid.uuid4().hex for key in keys}, timeout=None)

    replace()
    transaction.on_commit(replace)


def reset() -> None:
    """Forget every cached figure at once, outside any transaction (each test starts with its
    own database; a restored database has other figures)."""
    cache.set(_token_key(ALL), uuid.uuid4().hex, timeout=None)


def forget_all() -> None:
    """Every area's figures changed (a full refresh of the stock figures, a rebuild)."""
    _replace([ALL])


def forget_centers(centers: Iterable[tuple[int, str, str]]) -> None:
    """The figures of these centers changed: (center id, district code, province code) each.
    Their district, province and the nation show them too."""
    areas = {_area(AreaLevel.NATION, NATION_CODE)}
    for center_id, district, province in centers:
        areas |= {
            _area(AreaLevel.CENTER, str(center_id)),
            _area(AreaLevel.DISTRICT, str(district)),
            _area(AreaLevel.PROVINCE, str(province)),
        }
    _replace(sorted(areas))
