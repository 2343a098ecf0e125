#!/usr/bin/env python
"""Search latency measured from an HTTP client against the running app.

    .venv/bin/python bench/search.py --database-url postgres://postgres@127.0.0.1:5432/asa_bench

Starts gunicorn on 127.0.0.1 (the `make run` shape: 2 workers x 4 threads) with the bench
database, makes an API token for a ministry admin through the actions, then sends N requests
of each kind one after another over a kept-alive connection and prints p50/p95:
ID lookup (`/api/v1/people?q=<13 digits>`, target p95 <= 10 ms) and partial Thai name search
(`?q=<part of a name>`, top 20, target p95 <= 50 ms).
"""

import argparse
import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from common import NO_RATE_LIMITS  # noqa: E402 (after the path above)

ID_TARGET_MS = 10
NAME_TARGET_MS = 50


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _token(username: str = "bench.admin", role: str = "ministry_admin", scope=None) -> str:
    from asa.accounts.actions import assign_role, create_api_token, create_user
    from asa.accounts.models import User

    user = User.objects.filter(username=username).first()
    if user is None:
        user = create_user(actor=None, username=username, password=os.urandom(16).hex())
        assign_role(actor=None, user=user, role=role, scope=scope)
    _, secret = create_api_token(actor=None, user=user, name="bench")
    return secret


def _scoped_tokens() -> list[tuple[str, str, str]]:
    """(label, token, SQL condition on registry_person) for a province officer of the largest
    province and the chair of the largest center: their searches read a part of the table."""
    from django.db import connection

    from asa.accounts.models import Role
    from asa.centers.models import Center
    from asa.geo.models import Province

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT province_id, count(*) FROM registry_person GROUP BY 1 ORDER BY 2 DESC LIMIT 1"
        )
        province_code, province_people = cursor.fetchone()
        cursor.execute(
            "SELECT center_id, count(*) FROM registry_person WHERE center_id IS NOT NULL "
            "GROUP BY 1 ORDER BY 2 DESC LIMIT 1"
        )
        center_id, center_people = cursor.fetchone()
    province = Province.objects.get(pk=province_code)
    center = Center.objects.get(pk=center_id)
    return [
        (
            f"province officer, {province.name_en} ({province_people:,} people)",
            _token("bench.province", Role.PROVINCE_OFFICER, province),
            f"district_id LIKE '{province_code}%%'",
        ),
        (
            f"center chair, {center.name_en or center.name_th} ({center_people:,} people)",
            _token("bench.chair", Role.CENTER_CHAIR, center),
            f"center_id = {int(center_id)}",
        ),
    ]


def _queries(count: int, seed: int, where: str = "") -> tuple[list[str], list[str]]:
    """Real IDs, and parts of real names the way people type them (of people matching
    `where`, when given: the ones a scoped user may find)."""
    from django.db import connection

    chance = random.Random(seed)
    with connection.cursor() as cursor:
        if where:
            cursor.execute(
                "SELECT id_number, first_name, last_name FROM registry_person "
                f"WHERE {where} ORDER BY md5(id::text || %s) LIMIT %s",
                [str(seed), count * 3],
            )
        else:
            cursor.execute("SELECT max(id) FROM registry_person")
            top = cursor.fetchone()[0] or 0
            picks = [chance.randint(1, top) for _ in range(count * 3)]
            cursor.execute(
                "SELECT id_number, first_name, last_name FROM registry_person WHERE id = ANY(%s)",
                [picks],
            )
        rows = cursor.fetchall()
    from asa.lib.crypto import decrypt

    rows = [(decrypt(number), first, last) for number, first, last in rows]  # stored encrypted
    ids = [number for number, _, _ in rows if len(number) == 13][:count]
    names = []
    for index, (_, first, last) in enumerate(rows[:count]):
        kind = index % 4
        if kind == 0:  # given name and the start of the family name
            names.append(f"{first} {last[:2]}")
        elif kind == 1:  # a piece from inside the family name
            start = chance.randint(0, max(0, len(last) - 4))
            names.append(last[start : start + 4])
        elif kind == 2:  # the full name, typed without tone marks
            names.append(f"{first} {last}".translate(dict.fromkeys(map(ord, "่้๊๋์"), None)))
        else:  # the given name only
            names.append(first)
    return ids, names


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]
    return statistics.median(ordered), p95


def _run(connection, token: str, texts: list[str]) -> tuple[list[float], list[int]]:
    headers = {"Authorization": f"Bearer {token}"}
    timings, counts = [], []
    for text in texts:
        started = time.perf_counter()
        connection.request("GET", f"/api/v1/people?q={quote(text)}&limit=20", headers=headers)
        response = connection.getresponse()
        body = response.read()
        timings.append((time.perf_counter() - started) * 1000)
        if response.status != 200:
            answer = f"{response.status}: {body[:300]!r}"
            raise SystemExit(f"GET /api/v1/people?q={text} answered {answer}")
        counts.append(len(json.loads(body)["items"]))
    return timings, counts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    if options.database_url:
        os.environ["DATABASE_URL"] = options.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asa.settings")
    import django

    django.setup()
    from asa.registry.models import Person

    people = Person.objects.count()
    token = _token()
    ids, names = _queries(options.requests, options.seed)
    scoped = [
        (label, scoped_token, _queries(options.requests, options.seed, where)[1])
        for label, scoped_token, where in _scoped_tokens()
    ]
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 (our own gunicorn, fixed arguments)
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "asa.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**os.environ, "DEBUG": "false", **NO_RATE_LIMITS},
        start_new_session=True,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        _run(connection, token, ids[:20] + names[:20])  # warm both workers' connections
        # The floor on this machine: the same endpoint answering 401 (no token, no query).
        floor = []
        for _ in range(100):
            started = time.perf_counter()
            connection.request("GET", "/api/v1/people?q=1")
            connection.getresponse().read()
            floor.append((time.perf_counter() - started) * 1000)
        id_times, id_counts = _run(connection, token, ids)
        name_times, name_counts = _run(connection, token, names)
        scoped_times = []
        for label, scoped_token, texts in scoped:
            _run(connection, scoped_token, texts[:20])  # the scope's first lookups
            scoped_times.append((label, *_run(connection, scoped_token, texts)))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    id_p50, id_p95 = _percentiles(id_times)
    name_p50, name_p95 = _percentiles(name_times)
    print(f"people in the database: {people:,}; load average {os.getloadavg()[0]:.1f}")
    floor_p50, floor_p95 = _percentiles(floor)
    print(f"floor (401, no query): p50 {floor_p50:.1f} ms, p95 {floor_p95:.1f} ms")
    print(
        f"ID lookup   ({len(id_times)} requests): p50 {id_p50:.1f} ms, p95 {id_p95:.1f} ms "
        f"(target p95 <= {ID_TARGET_MS} ms) {'OK' if id_p95 <= ID_TARGET_MS else 'MISSED'}; "
        f"found {sum(1 for count in id_counts if count == 1)}/{len(id_counts)}"
    )
    print(
        f"name search ({len(name_times)} requests): p50 {name_p50:.1f} ms, "
        f"p95 {name_p95:.1f} ms (target p95 <= {NAME_TARGET_MS} ms) "
        f"{'OK' if name_p95 <= NAME_TARGET_MS else 'MISSED'}; "
        f"mean results {statistics.mean(name_counts):.1f}, "
        f"max latency {max(name_times):.1f} ms"
    )
    for label, times, counts in scoped_times:
        p50, p95 = _percentiles(times)
        print(
            f"name search as {label}: p50 {p50:.1f} ms, p95 {p95:.1f} ms "
            f"{'OK' if p95 <= NAME_TARGET_MS else 'MISSED'}; "
            f"mean results {statistics.mean(counts):.1f}, max latency {max(times):.1f} ms"
        )


if __name__ == "__main__":
    main()
