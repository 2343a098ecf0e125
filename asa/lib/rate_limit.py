"""Request rate limits: fixed one-window counters in Django's cache.

The counters live in the `default` cache. Django's default (local memory) is per process: with
several workers each one counts its own share, so a deployment that runs more than one worker
sets `CACHE_URL=redis://...` (settings.py) so every worker shares the same counters.
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
    if cache.add(cache_key, 1, timeout=limit.seconds + 1):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:  # the window ended between add and incr
            cache.add(cache_key, 1, timeout=limit.seconds + 1)
            count = 1
    if count > limit.count:
        return max(1, int((window + 1) * limit.seconds - now) + 1)
    return None
