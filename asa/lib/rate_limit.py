"""Request rate limits: fixed one-window counters in Django's cache.

The counters live in the `default` cache, which every process shares: files under var/cache
(asa/lib/cache.py) on one machine, or Redis (`CACHE_URL=redis://...`) when several machines serve
the same site. A per-process cache would let each gunicorn worker count its own share.
"""

import hashlib
import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class Limit:
    count: int  # requests allowed ...
    seconds: int = 60  # ... per this many seconds


def hit(bucket: str, key: str, limit: Limit) -> int | None:
    """Count one request of `key` in `bucket`: None if it is allowed, else the seconds to wait."""
    now = time.time()
    window = int(now // limit.seconds)
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]  # keys may hold tokens: never stored
    cache_key = f"asa-rate:{bucket}:{digest}:{window}"
    # incr first: the usual case is a window already open, one locked step in every backend.
    try:
        count = cache.incr(cache_key)
    except ValueError:  # the first request of the window
        if cache.add(cache_key, 1, timeout=limit.seconds + 1):
            count = 1
        else:  # another process opened the window in between
            try:
                count = cache.incr(cache_key)
            except ValueError:
                count = 1
    if count > limit.count:
        return max(1, int((window + 1) * limit.seconds - now) + 1)
    return None
