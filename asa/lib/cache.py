"""The default cache: files under var/cache, shared by every Asa process of the machine.

The rate-limit counters (asa/lib/rate_limit.py) must be counted once across gunicorn's workers
without a Redis server. Django's FileBasedCache is shared through the file system, but its
add() and incr() read and then write, so two workers counting at the same moment can both
write the same number; here both hold one lock file (flock) from the read to the write. Its
culling removes random entries once MAX_ENTRIES files exist, live counters included; here the
expired entries go first.
"""

import os
import pickle  # nosec B403  # reads only this cache's own files, as Django's FileBasedCache
import tempfile
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django.core.files import locks


class SharedFileCache(FileBasedCache):
    lock_file_name = ".lock"  # not a *.djcache file: clear() and culling leave it alone

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self._createdir()
        with open(os.path.join(self._dir, self.lock_file_name), "ab") as lock_file:
            locks.lock(lock_file, locks.LOCK_EX)
            try:
                yield
            finally:
                locks.unlock(lock_file)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        with self._locked():
            return super().add(key, value, timeout, version)

    def incr(self, key, delta=1, version=None):
        """Add `delta` to a number in one step for every process; the entry keeps its expiry."""
        path = self._key_to_file(key, version)
        with self._locked():
            try:
                with open(path, "rb") as file:
                    # Our own files, written by this class (as Django's FileBasedCache reads them).
                    expiry = pickle.load(file)  # noqa: S301  # nosec B301
                    value = pickle.loads(zlib.decompress(file.read()))  # noqa: S301  # nosec B301
            except (FileNotFoundError, EOFError, zlib.error):
                raise ValueError(f"Key '{key}' not found.") from None
            if expiry is not None and expiry < time.time():
                self._delete(path)
                raise ValueError(f"Key '{key}' not found.")
            value += delta
            descriptor, temporary = tempfile.mkstemp(dir=self._dir)
            try:
                with open(descriptor, "wb") as file:
                    file.write(pickle.dumps(expiry, self.pickle_protocol))
                    file.write(zlib.compress(pickle.dumps(value, self.pickle_protocol)))
                os.replace(temporary, path)
            except BaseException:
                os.remove(temporary)
                raise
        return value

    def _cull(self):
        """Past MAX_ENTRIES files: the expired ones go; Django's random cull if still too many."""
        paths = self._list_cache_files()
        if len(paths) < self._max_entries:
            return
        now = time.time()
        for path in paths:
            try:
                with open(path, "rb") as file:
                    expiry = pickle.load(file)  # noqa: S301  # nosec B301  # our own files, see incr
            except FileNotFoundError:
                continue
            except EOFError:
                expiry = 0  # an empty file counts as expired, as in FileBasedCache
            if expiry is not None and expiry < now:
                self._delete(path)
        super()._cull()
