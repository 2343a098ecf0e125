"""The default cache is shared by every process of the machine, so a rate limit counts once.

Before, the default cache was local memory: two gunicorn workers each allowed the full limit
(the 429s began after 600 requests against 300 a minute).
"""

import os
import pickle
import socket
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from asa.lib.cache import SharedFileCache

BASE_DIR = Path(settings.BASE_DIR)

# Counts `requests` hits of one key against a limit of `limit`, after every process is ready.
COUNTER = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    import django
    django.setup()
    from django.core.cache import caches
    from asa.lib.rate_limit import Limit, hit
    ready, name = Path(sys.argv[1]), sys.argv[2]
    requests, limit, processes = (int(argument) for argument in sys.argv[3:6])
    (ready / str(os.getpid())).touch()
    while len(list(ready.iterdir())) < processes:
        time.sleep(0.01)
    allowed = sum(hit("probe", name, Limit(limit, 60)) is None for _ in range(requests))
    print(type(caches["default"]).__name__)
    print(allowed)
    """
)


def _environment(var_dir: Path, **extra) -> dict:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST", "CACHE_URL", "DATABASE_URL"))
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="asa.settings", ASA_VAR_DIR=str(var_dir), PYTHONPATH=str(BASE_DIR)
    )
    environment.update(extra)
    return environment


def _count_in_processes(tmp_path, processes: int, requests: int, limit: int, **extra) -> list:
    ready = tmp_path / "ready"
    ready.mkdir()
    name = uuid.uuid4().hex  # never the same counter as another run (Redis is shared)
    environment = _environment(tmp_path / "var", **extra)
    running = [
        subprocess.Popen(  # noqa: S603 (this interpreter, fixed arguments)
            [sys.executable, "-c", COUNTER, str(ready), name]
            + [str(number) for number in (requests, limit, processes)],
            env=environment,
            cwd=BASE_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    answers = []
    for process in running:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        answers.append(out.split())
    return answers


def test_two_processes_count_one_limit_once(tmp_path):
    answers = _count_in_processes(tmp_path, processes=2, requests=150, limit=200)
    assert {backend for backend, _ in answers} == {"SharedFileCache"}
    # 300 requests, 200 allowed: counted once across both (each alone stayed under the limit).
    assert sum(int(allowed) for _, allowed in answers) == 200


def test_the_default_cache_is_the_shared_file_cache():
    backend = settings.CACHES["default"]
    assert backend["BACKEND"] == "asa.lib.cache.SharedFileCache"
    assert Path(backend["LOCATION"]).is_relative_to(settings.VAR_DIR)


@pytest.fixture
def file_cache(tmp_path):
    return SharedFileCache(str(tmp_path / "cache"), {"OPTIONS": {"MAX_ENTRIES": 3}})


def _expiry(cache, key):
    with open(cache._key_to_file(key), "rb") as file:
        return pickle.load(file)  # noqa: S301 (the test's own cache file)


def test_incr_keeps_the_entry_s_expiry(file_cache):
    assert file_cache.add("window", 1, timeout=60)
    expiry = _expiry(file_cache, "window")
    assert file_cache.incr("window") == 2
    assert file_cache.incr("window", 5) == 7
    assert file_cache.get("window") == 7
    assert _expiry(file_cache, "window") == expiry
    assert not file_cache.add("window", 1, timeout=60)


def test_incr_of_a_missing_or_expired_entry_is_a_value_error(file_cache):
    with pytest.raises(ValueError):
        file_cache.incr("missing")
    file_cache.set("old", 1, timeout=0)  # expired at once
    with pytest.raises(ValueError):
        file_cache.incr("old")
    assert not os.path.exists(file_cache._key_to_file("old"))


def test_culling_removes_expired_entries_before_live_counters(file_cache):
    file_cache.set("expired-1", 1, timeout=0)
    file_cache.set("expired-2", 1, timeout=0)
    file_cache.add("live-1", 1, timeout=60)
    file_cache.add("live-2", 1, timeout=60)  # four files past a maximum of three: cull
    file_cache.add("live-3", 1, timeout=60)
    assert [file_cache.get(f"live-{n}") for n in (1, 2, 3)] == [1, 1, 1]
    assert len(file_cache._list_cache_files()) == 3


def test_clear_keeps_the_lock_file(file_cache):
    file_cache.add("a", 1)
    file_cache.incr("a")
    file_cache.clear()
    assert file_cache.get("a") is None
    assert os.path.exists(os.path.join(file_cache._dir, SharedFileCache.lock_file_name))


def _redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_reachable(), reason="no Redis server at 127.0.0.1:6379")
def test_cache_url_redis_works_from_the_lock_file(tmp_path):
    # The `redis` package comes from requirements.lock; without it Django's RedisCache raised
    # ModuleNotFoundError on the first request.
    answers = _count_in_processes(
        tmp_path, processes=2, requests=30, limit=40, CACHE_URL="redis://127.0.0.1:6379/0"
    )
    assert {backend for backend, _ in answers} == {"RedisCache"}
    assert sum(int(allowed) for _, allowed in answers) == 40
