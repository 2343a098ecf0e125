#!/usr/bin/env python
"""Writes under concurrency: visits and distributions on one center's stock, over HTTP.

    .venv/bin/python bench/writes.py --database-url postgres://postgres@127.0.0.1:5432/asa_bench

Needs the cases of `bench/generate_cases.py`. Serves Asa as `make run` does (gunicorn
`asa.wsgi`, 2 workers x 4 threads) on the database, receives --stock units of one consumable
into the Bang Khen center (a donation, through the action), then --connections clients (16)
send for --seconds (60) alternately `POST /api/v1/visits` and `POST /api/v1/distributions`
(one unit each, to the person of an open Bang Khen case) with the chair's API token, each on
its own kept-alive connection. The stock is sized to run out during the run, so the refusal
("not enough left", 422 on `lines`) is exercised under contention too.

Then it counts: every 201 must have left exactly one row (visits recorded by the chair since
the start, distributions of the center since the start), the balance must equal the donation
less the units handed out and never be negative, the ledger lines must add up to the
balance, and no answer may be other than 201 or that 422. It prints writes/s and p50/p99 per
kind, and exits non-zero when a check fails.
"""

import argparse
import datetime as dt
import http.client
import json
import os
import random
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from common import NO_RATE_LIMITS  # noqa: E402 (after the path above)


def prepare(stock: int) -> dict:
    from django.utils import timezone

    from asa.accounts.actions import create_api_token
    from asa.accounts.models import User
    from asa.aid.actions import receive_donation
    from asa.aid.models import Item, ItemCategory, ItemKind
    from asa.cases.models import OPEN_STATUSES, Case
    from asa.centers.models import Center, Volunteer

    chair = User.objects.get(username="chair.bangkhen")
    center = Center.objects.get(code="BKK-1005")
    category = ItemCategory.objects.order_by("pk").first() or ItemCategory.objects.create(
        name_th="อาหาร"
    )
    # A new item each run: its stock is exactly what this run received, so it can run out.
    item = Item.objects.create(
        code=f"bench-writes-{int(time.time())}",
        name_th="ข้าวสารถุง 5 กิโลกรัม (ทดสอบโหลด)",
        category=category,
        kind=ItemKind.CONSUMABLE,
        unit="ถุง",
    )
    receive_donation(
        actor=chair,
        center=center,
        donor_kind="person",
        donor_name="นายสมศักดิ์ ใจบุญ",
        received_on=timezone.localdate(),
        lines=[(item, stock, [])],
    )
    cases = list(
        Case.objects.filter(
            center=center,
            status__in=OPEN_STATUSES,
            reported_at__lt=timezone.now() - dt.timedelta(days=1),
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:200]
    )
    _, secret = create_api_token(actor=None, user=chair, name="bench-writes")
    volunteer = Volunteer.objects.get(user=chair)
    return {
        "chair": chair,
        "center": center,
        "item": item,
        "cases": cases,
        "secret": secret,
        "volunteer": volunteer.pk,
    }


def counts(setup: dict, since) -> dict:
    from django.db.models import Sum, Window
    from django.db.models.functions import Coalesce

    from asa.aid.models import Distribution, StockBalance, StockMovement
    from asa.cases.models import Visit

    movements = StockMovement.objects.filter(center=setup["center"], item=setup["item"])
    running = movements.annotate(
        running=Window(Sum("quantity"), order_by=["occurred_on", "id"])
    ).values_list("running", flat=True)
    return {
        "visits": Visit.objects.filter(recorded_by=setup["chair"], recorded_at__gte=since).count(),
        "distributions": Distribution.objects.filter(
            center=setup["center"], recorded_at__gte=since
        ).count(),
        "balance": StockBalance.objects.get(center=setup["center"], item=setup["item"]).quantity,
        "ledger_sum": movements.aggregate(n=Coalesce(Sum("quantity"), 0))["n"],
        "ledger_min": min(running, default=0),
    }


def client(base_port: int, setup: dict, deadline: float, seed: int, results: dict, lock):
    rng = random.Random(seed)
    connection = http.client.HTTPConnection("127.0.0.1", base_port, timeout=30)
    headers = {"Authorization": f"Bearer {setup['secret']}", "Content-Type": "application/json"}
    mine = {"visit": [], "distribution": [], "refused": 0, "errors": [], "other": 0}
    turn = seed % 2
    while time.monotonic() < deadline:
        case_id = rng.choice(setup["cases"])
        if turn % 2 == 0:
            kind, path = "visit", "/api/v1/visits"
            body = {
                "case": case_id,
                "visited_at": (
                    dt.datetime.now(dt.UTC) - dt.timedelta(minutes=rng.randint(1, 600))
                ).isoformat(),
                "observations": "เยี่ยมบ้าน ผู้สูงอายุช่วยเหลือตัวเองได้บางส่วน",
                "volunteers": [setup["volunteer"]],
            }
        else:
            kind, path = "distribution", "/api/v1/distributions"
            body = {
                "center": setup["center"].pk,
                "case": case_id,
                "lines": [{"item": setup["item"].pk, "quantity": 1}],
            }
        turn += 1
        started = time.monotonic()
        try:
            connection.request("POST", path, json.dumps(body), headers)
            response = connection.getresponse()
            answer = response.read()
        except (OSError, http.client.HTTPException) as error:
            mine["errors"].append(f"{kind}: {error!r}")
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", base_port, timeout=30)
            continue
        elapsed = (time.monotonic() - started) * 1000
        if response.status == 201:
            mine[kind].append(elapsed)
        elif (
            kind == "distribution"
            and response.status == 422
            and any(e.get("field") == "lines" for e in json.loads(answer).get("errors", []))
        ):
            mine["refused"] += 1
        else:
            mine["errors"].append(f"{kind}: HTTP {response.status} {answer[:200]!r}")
    connection.close()
    with lock:
        for key in ("visit", "distribution", "errors"):
            results[key].extend(mine[key])
        results["refused"] += mine["refused"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/asa_bench"
        ),
    )
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--stock", type=int, default=100, help="units received before the run")
    parser.add_argument("--port", type=int, default=8310)
    options = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    os.environ["DATABASE_URL"] = options.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asa.settings")
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone
    from load import serve, stop

    since = timezone.now()
    setup = prepare(options.stock)
    before = counts(setup, since)
    connection.close()
    server = serve("asa.wsgi", options.port, {**os.environ, **NO_RATE_LIMITS})
    results = {"visit": [], "distribution": [], "refused": 0, "errors": []}
    lock = threading.Lock()
    try:
        started = time.monotonic()
        deadline = started + options.seconds
        threads = [
            threading.Thread(
                target=client, args=(options.port, setup, deadline, seed, results, lock)
            )
            for seed in range(options.connections)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    finally:
        stop(server)
    after = counts(setup, since)
    visits, handed = len(results["visit"]), len(results["distribution"])
    print(
        f"{options.connections} connections for {elapsed:.0f} s on {setup['center'].name_th}'s "
        f"stock of {options.stock} (load average {os.getloadavg()[0]:.1f}):"
    )
    for kind in ("visit", "distribution"):
        times = sorted(results[kind])
        if times:
            p99 = times[int(0.99 * (len(times) - 1))]
            print(
                f"  {kind:13} {len(times) / elapsed:6.1f} writes/s  p50 "
                f"{statistics.median(times):6.1f} ms  p99 {p99:6.1f} ms"
                f"  ({len(times)} written)"
            )
    print(f"  refused for lack of stock: {results['refused']}; errors: {len(results['errors'])}")
    for error in results["errors"][:10]:
        print(f"    {error}")
    checks = {
        "every visit answered 201 is one row": after["visits"] - before["visits"] == visits,
        "every distribution answered 201 is one row": (
            after["distributions"] - before["distributions"] == handed
        ),
        "balance = received - handed out": after["balance"] == before["balance"] - handed,
        "balance never negative": after["balance"] >= 0 and after["ledger_min"] >= 0,
        "ledger adds up to the balance": after["ledger_sum"] == after["balance"],
        "no errors": not results["errors"],
    }
    print(
        f"  rows: visits +{after['visits'] - before['visits']}, distributions "
        f"+{after['distributions'] - before['distributions']}; balance {before['balance']} → "
        f"{after['balance']}, ledger sum {after['ledger_sum']}, lowest running sum "
        f"{after['ledger_min']}"
    )
    for label, passed in checks.items():
        print(f"  {'ok  ' if passed else 'FAIL'} {label}")
    sys.exit(0 if all(checks.values()) else 1)


if __name__ == "__main__":
    main()
