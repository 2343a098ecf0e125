#!/usr/bin/env python
"""Time the case list and the watch list, over HTTP against gunicorn, as a chair and an officer.

    .venv/bin/python bench/cases.py \
        --database-url postgres://postgres@127.0.0.1:5432/asa_bench_cases --requests 50

Needs a database filled by `bench/generate` (or `generate_cases.py --people`) and
`bench/generate_cases.py`. Prints p50/p95 per URL and user, and the number of SQL queries one
request makes (measured in-process with CaptureQueriesContext, with the slowest query of it).
The issue's target: constant queries, p95 ≤ 200 ms.
"""

import argparse
import contextlib
import os
import signal
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from common import NO_RATE_LIMITS, sign_in  # noqa: E402 (after the path above)

USERS = ["chair.bangkhen", "officer.bangkok"]


def urls(center_id: int) -> list[tuple[str, str]]:
    """(label, path) pairs; pages only if the cases pages are mounted."""
    from django.urls import NoReverseMatch, reverse

    found = [
        ("api cases ?center", f"/api/v1/cases?center={center_id}"),
        ("api cases", "/api/v1/cases"),
        ("api watch", "/api/v1/watch"),
        ("api watch ?center", f"/api/v1/watch?center={center_id}"),
    ]
    for label, name in (("page cases", "cases:case_list"), ("page watch", "cases:watch")):
        with contextlib.suppress(NoReverseMatch):  # the pages may not be mounted yet
            found.append((label, reverse(name)))
    return found


def credentials(username: str) -> dict:
    """An API token and a session cookie for the user, made in-process."""
    from django.conf import settings
    from django.test import Client

    from asa.accounts.actions import create_api_token
    from asa.accounts.models import User

    user = User.objects.get(username=username)
    _, token = create_api_token(actor=None, user=user, name="bench")
    client = Client()
    sign_in(client, user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {"user": user, "token": token, "cookie": f"{settings.SESSION_COOKIE_NAME}={session}"}


def count_queries(username: str, creds: dict, path: str) -> tuple[int, float, str]:
    """Queries of one request (after a warm-up), their total time and the slowest one."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    if path.startswith("/api/"):
        client = Client(headers={"Authorization": f"Bearer {creds['token']}"})
    else:
        client = Client()
        sign_in(client, creds["user"])
    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, (username, path, response.status_code)
    slowest = max(captured.captured_queries, key=lambda query: float(query["time"]))
    total = sum(float(query["time"]) for query in captured.captured_queries) * 1000
    return len(captured), total, f"{float(slowest['time']) * 1000:.1f} ms: {slowest['sql'][:300]}"


def start_server(port: int, database_url: str, workers: int) -> subprocess.Popen:
    env = os.environ | {"DATABASE_URL": database_url} | NO_RATE_LIMITS
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "asa.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            "1",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return server
        except urllib.error.HTTPError:
            return server  # it answers (503: no task worker runs beside the benchmark)
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


def time_requests(port: int, path: str, headers: dict, count: int) -> list[float]:
    timings = []
    for index in range(count + 3):
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            response.read()
            assert response.status == 200
        if index >= 3:  # the first few warm the worker and the database cache
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/asa_bench"),
    )
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=2)
    options = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    os.environ["DATABASE_URL"] = options.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asa.settings")
    import django

    django.setup()
    from asa.cases.models import Case, Visit
    from asa.centers.models import Center
    from asa.registry.models import Person

    print(
        f"database: {Person.objects.count():,} people, {Case.objects.count():,} cases, "
        f"{Visit.objects.count():,} visits"
    )
    center = Center.objects.get(volunteers__user__username="chair.bangkhen")
    print(f"Bang Khen: {Case.objects.filter(center=center).count():,} cases")
    creds = {username: credentials(username) for username in USERS}
    targets = urls(center.pk)

    print("\nqueries per request (in-process):")
    for username in USERS:
        for label, path in targets:
            count, total, slowest = count_queries(username, creds[username], path)
            print(f"  {username:16} {label:18} {count:3d} queries, {total:6.1f} ms SQL")
            print(f"      slowest {slowest}")

    server = start_server(options.port, options.database_url, options.workers)
    try:
        print(f"\nover HTTP (gunicorn, {options.workers} workers), {options.requests} requests:")
        for username in USERS:
            for label, path in targets:
                if path.startswith("/api/"):
                    headers = {"Authorization": f"Bearer {creds[username]['token']}"}
                else:
                    headers = {"Cookie": creds[username]["cookie"]}
                timings = sorted(time_requests(options.port, path, headers, options.requests))
                p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
                print(
                    f"  {username:16} {label:18} p50 {statistics.median(timings):7.1f} ms"
                    f"   p95 {p95:7.1f} ms   max {timings[-1]:7.1f} ms"
                )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
