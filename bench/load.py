#!/usr/bin/env python
"""Asa under concurrent load, beside a baseline page that reads one row, on the same gunicorn.

    make bench-load                     # or:
    .venv/bin/python bench/load.py --database-url postgres://postgres@127.0.0.1:5432/asa_bench

Needs the people of `bench/generate` and the cases of `bench/generate_cases.py` in the source
database (`make bench BENCH_PEOPLE=200000`, then `bench/generate_cases.py`). So that PostgreSQL's
own settings can change between runs without touching a server others use, the source
database is copied once into a private PostgreSQL cluster (initdb under --cluster-dir, port
--postgres-port; `--recopy` copies again), which is then started with the shipped settings
(`default`) and with the README's (`tuned`: shared_buffers 4GB, max_wal_size 16GB,
checkpoint_timeout 30min, wal_compression lz4).

Under each setting it serves Asa as `make run` does (gunicorn `asa.wsgi`, 2 workers x 4
threads, without the access log) and the baseline the same way (gunicorn `baseline_wsgi`:
Asa's settings and middleware, one view doing one primary-key SELECT, bench/baseline_urls.py;
that module exists only here), checks that every request answers 200, then drives each
request with wrk (Debian package `wrk`; `apt-get install wrk`) for --duration seconds at each
of --connections, running the baseline again after every few requests. It prints per
request req/s, the ratio to the baseline (the mean of the baseline runs just before and just
after), p50, p99, errors (non-2xx/3xx answers, socket errors, timeouts), requests over 1 s,
and the machine's load average. The figures count for this machine at that moment: on a
shared machine, the ratios are what count.

The API requests use an API token of the ministry admin (the person read carries an access
reason, as an officer's would); the pages sign in as the Bang Khen chair (the referral inbox
as the shelter agency's user). Rate limits are lifted for the servers (one wrk sends more
than any person).
"""

import argparse
import glob
import json
import os
import shutil
import subprocess  # nosec B404  # our own servers and tools, fixed arguments
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path[:0] = [str(ROOT), str(BENCH)]

from common import NO_RATE_LIMITS, sign_in  # noqa: E402 (after the path above)

TUNED = {
    "shared_buffers": "4GB",
    "max_wal_size": "16GB",
    "checkpoint_timeout": "30min",
    "wal_compression": "lz4",
}
REASON = "ตรวจสอบคำร้องเรียนตามหนังสือสั่งการ"  # an access reason (≥ 10 characters)


# --- A private PostgreSQL cluster -------------------------------------------------------------


def _as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its server tools as the postgres user."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


def _postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if found:
        return Path(found[-1]).parent
    pg_ctl = shutil.which("pg_ctl")
    if pg_ctl is None:
        sys.exit("pg_ctl not found: apt-get install postgresql (its server programs)")
    return Path(pg_ctl).parent


class Cluster:
    """initdb once under `directory`; start and stop with one group of settings at a time."""

    def __init__(self, directory: Path, port: int):
        self.directory, self.port, self.bin = directory, port, _postgres_bin()
        self.data = directory / "data"

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def initialize(self) -> None:
        if (self.data / "PG_VERSION").exists():
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        subprocess.run(  # noqa: S603  # nosec B603
            _as_postgres(
                [str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust"]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def start(self, settings: dict[str, str]) -> None:
        options = f"-p {self.port} -k /tmp -c listen_addresses=127.0.0.1"
        options += "".join(f" -c {name}={value}" for name, value in settings.items())
        subprocess.run(  # noqa: S603  # nosec B603
            _as_postgres(
                [str(self.bin / "pg_ctl"), "-D", str(self.data), "-l",
                 str(self.directory / "server.log"), "-w", "-o", options, "start"]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip

    def stop(self) -> None:
        subprocess.run(  # noqa: S603  # nosec B603
            _as_postgres([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "stop"]),
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def copy_from(self, source_url: str, name: str, *, again: bool) -> None:
        """pg_dump | pg_restore of the source database, unless already copied."""
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as connection:
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [name]
            ).fetchone()
            if exists and not again:
                return
            if exists:
                connection.execute(f'DROP DATABASE "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"')
        started = time.monotonic()
        dump = subprocess.Popen(  # noqa: S603  # nosec B603
            [str(self.bin / "pg_dump"), "-Fc", "--no-owner", "-d", source_url],
            stdout=subprocess.PIPE,
        )
        subprocess.run(  # noqa: S603  # nosec B603
            [str(self.bin / "pg_restore"), "--no-owner", "-d", self.url(name)],
            stdin=dump.stdout,
            check=True,
        )
        if dump.wait() != 0:
            sys.exit("pg_dump failed")
        with psycopg.connect(self.url(name), autocommit=True) as connection:
            connection.execute("VACUUM (ANALYZE)")
        print(f"copied {source_url} into the private cluster in {time.monotonic() - started:.0f} s")


# --- The servers ------------------------------------------------------------------------------


def serve(module: str, port: int, environment: dict) -> subprocess.Popen:
    """gunicorn as `make run` starts it (2 workers x 4 threads); waits until it answers."""
    server = subprocess.Popen(  # noqa: S603  # nosec B603
        [sys.executable, "-m", "gunicorn", module, "--pythonpath", str(BENCH),
         "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "4",
         "--forwarded-allow-ips", ""],
        env=environment,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 300  # a loaded machine takes minutes to start two workers
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5)
            return server
        except urllib.error.HTTPError:
            return server  # it answers (the baseline has no /healthz)
        except OSError:
            time.sleep(0.5)
    server.terminate()
    sys.exit(f"gunicorn {module} did not answer on port {port}")


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()


# --- What is requested ------------------------------------------------------------------------


def fixtures(*, import_job: bool = True) -> list[tuple[str, str, dict]]:
    """(label, path, headers) for every request, made in the database being served."""
    from django.db.models import Count
    from django.test import Client
    from django.utils import timezone

    from asa.accounts.actions import create_api_token
    from asa.accounts.models import User
    from asa.cases.models import Case
    from asa.centers.models import Center
    from asa.registry.models import ImportJob, ImportStatus, Person

    admin = User.objects.get(username="admin")
    chair = User.objects.get(username="chair.bangkhen")
    agency = User.objects.get(username="agency.shelter")
    bang_khen = Center.objects.get(code="BKK-1005")
    _, secret = create_api_token(actor=None, user=admin, name="bench-load")
    api = {"Authorization": f"Bearer {secret}"}

    def session(user) -> dict:
        client = Client()
        sign_in(client, user)
        return {"Cookie": f"sessionid={client.cookies['sessionid'].value}"}

    chair_cookie, agency_cookie = session(chair), session(agency)
    common = (
        Person.objects.filter(district_id=bang_khen.district_id)
        .values("first_name")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()["first_name"]
    )
    someone = (
        Person.objects.filter(district_id=bang_khen.district_id)
        .filter(id_type="national_id")
        .exclude(id_number_hash="")
        .order_by("pk")
        .first()
    )
    case = Case.objects.filter(center=bang_khen, household__isnull=False).order_by("-pk").first()
    job = ImportJob.objects.filter(center=bang_khen).order_by("-pk").first()
    if job is None and import_job:
        now = timezone.now()
        job = ImportJob.objects.create(
            uploaded_by=chair,
            center=bang_khen,
            file_name="bench-load.xlsx",
            file_path="imports/bench-load.xlsx",
            file_sha256="0" * 64,
            source="bench/load.py",
            status=ImportStatus.DONE,
            total_rows=120,
            processed_rows=120,
            counts={"imported": 118, "rejected": 2},
            started_at=now,
            finished_at=now,
        )
    quoted = urllib.parse.quote
    reason = {"X-Access-Reason": quoted(REASON)}
    return [
        ("API people?q=<common name>", f"/api/v1/people?q={quoted(common)}", api),
        ("API people?q=<national ID>", f"/api/v1/people?q={someone.id_number}", api),
        ("API people/{id} (reason)", f"/api/v1/people/{someone.pk}", {**api, **reason}),
        ("API dashboards/nation", "/api/v1/dashboards/nation", api),
        ("API dashboards/provinces/10", "/api/v1/dashboards/provinces/10", api),
        ("page /people/?q=<name> (chair)", f"/people/?q={quoted(common)}", chair_cookie),
        ("page /today/ (chair)", "/today/", chair_cookie),
        ("page /cases/ (chair)", "/cases/", chair_cookie),
        ("page /watch/ (chair)", "/watch/", chair_cookie),
        ("page case (chair)", f"/cases/{case.pk}/", chair_cookie),
        ("page household (chair)", f"/households/{case.household_id}/", chair_cookie),
        ("page referral inbox (agency)", "/referrals/inbox/", agency_cookie),
        ("page import status (chair)", f"/imports/{job.pk}/progress/", chair_cookie),
    ]


def check(base: str, path: str, headers: dict) -> int:
    request = urllib.request.Request(base + path, headers=headers)  # noqa: S310 (our own URL)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def wrk(url: str, headers: dict, *, connections: int, seconds: int) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
    command += ["-s", str(BENCH / "load.lua")]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(  # noqa: S603  # nosec B603
        [*command, url], check=True, capture_output=True, text=True
    ).stdout
    figures = json.loads(output.strip().splitlines()[-1])
    figures["rate"] = figures["requests"] / (figures["duration_us"] / 1e6)
    figures["errors"] = figures["status_errors"] + figures["socket_errors"] + figures["timeouts"]
    return figures


def run_level(asa: str, baseline: str, targets, *, connections: int, seconds: int, every: int):
    """Baseline, `every` requests, baseline, ...: each request against the baselines around it."""
    print(
        f"\n{connections} connections, {seconds} s each "
        f"(wrk -t2 -c{connections}; load average {os.getloadavg()[0]:.1f})"
    )
    header = (
        f"  {'request':34} {'req/s':>7} {'ratio':>6} {'p50 ms':>7} {'p99 ms':>7}"
        f" {'errors':>6} {'>1 s':>5} {'load':>5}"
    )
    print(header)
    results = []
    before = wrk(baseline, {}, connections=connections, seconds=seconds)
    _line("baseline (one primary-key SELECT)", before, None)
    for start in range(0, len(targets), every):
        group = [
            (label, wrk(asa + path, headers, connections=connections, seconds=seconds))
            for label, path, headers in targets[start : start + every]
        ]
        after = wrk(baseline, {}, connections=connections, seconds=seconds)
        reference = (before["rate"] + after["rate"]) / 2
        for label, figures in group:
            _line(label, figures, figures["rate"] / reference)
            results.append((label, figures, figures["rate"] / reference))
        _line("baseline (one primary-key SELECT)", after, None)
        before = after
    return results


def _line(label: str, figures: dict, ratio: float | None) -> None:
    shown = f"{ratio:6.2f}" if ratio is not None else f"{'':6}"
    # Requests still running when wrk stops are not counted: a run shorter than a few times
    # the slowest answer says too little.
    short = "  (few requests: raise --duration)" if figures["requests"] < 50 else ""
    print(
        f"  {label:34} {figures['rate']:7.0f} {shown} {figures['p50_us'] / 1000:7.1f}"
        f" {figures['p99_us'] / 1000:7.1f} {figures['errors']:6d} {figures['over_1s']:5d}"
        f" {os.getloadavg()[0]:5.1f}{short}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/asa_bench"
        ),
        help="the generated bench database (copied into the private cluster)",
    )
    parser.add_argument("--cluster-dir", type=Path, default=ROOT / "var" / "bench-postgres")
    parser.add_argument("--postgres-port", type=int, default=8390, help="the private cluster")
    parser.add_argument("--recopy", action="store_true", help="copy the source database again")
    parser.add_argument(
        "--shared-server",
        action="store_true",
        help="no private cluster: serve --database-url as it is (its settings are reported)",
    )
    parser.add_argument("--port", type=int, default=8300, help="Asa; the baseline gets port+1")
    parser.add_argument("--settings", default="default,tuned", help="default, tuned or both")
    parser.add_argument("--connections", default="16,64")
    parser.add_argument("--duration", type=int, default=20, help="seconds per run")
    parser.add_argument("--every", type=int, default=3, help="requests between baseline runs")
    parser.add_argument("--only", default="", help="run only the requests whose label has this")
    options = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install wrk (make bench-load installs it)")

    name = options.database_url.rsplit("/", 1)[-1].split("?")[0]
    cluster = None
    if not options.shared_server:
        cluster = Cluster(options.cluster_dir, options.postgres_port)
        cluster.initialize()
    try:
        for setting in options.settings.split(","):
            if cluster is not None:
                cluster.start(TUNED if setting == "tuned" else {})
                cluster.copy_from(options.database_url, name, again=options.recopy)
                options.recopy = False
                url = cluster.url(name)
            else:
                url = options.database_url
            try:
                run_setting(setting, url, options)
            finally:
                if cluster is not None:
                    cluster.stop()
    finally:
        if cluster is not None:
            cluster.stop()


def run_setting(setting: str, url: str, options) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asa.settings")
    import django
    from django.conf import settings as django_settings

    if not django_settings.configured:
        django.setup()
    else:
        from django.db import connections

        connections.close_all()
        connections["default"].settings_dict.update(_database(url))
    from django.db import connection

    with connection.cursor() as cursor:
        shown = []
        for parameter in ["shared_buffers", "work_mem", "max_wal_size", "checkpoint_timeout"]:
            cursor.execute(f"SHOW {parameter}")
            shown.append(f"{parameter}={cursor.fetchone()[0]}")
        cursor.execute("SELECT count(*) FROM registry_person")
        people = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM cases_case")
        cases = cursor.fetchone()[0]
    print(f"\n=== PostgreSQL {setting}: {', '.join(shown)}; {people:,} people, {cases:,} cases")
    targets = [t for t in fixtures() if options.only in t[0]]
    connection.close()
    environment = {**os.environ, "DATABASE_URL": url, **NO_RATE_LIMITS}
    asa_server = serve("asa.wsgi", options.port, environment)
    baseline_server = serve("baseline_wsgi", options.port + 1, environment)
    try:
        asa = f"http://127.0.0.1:{options.port}"
        baseline = f"http://127.0.0.1:{options.port + 1}/baseline/"
        bad = [
            (label, status)
            for label, path, headers in targets
            if (status := check(asa, path, headers)) != 200
        ]
        if check(baseline, "", {}) != 200 or bad:
            sys.exit(f"not every request answers 200: {bad}")
        for connections in [int(n) for n in options.connections.split(",")]:
            run_level(
                asa,
                baseline,
                targets,
                connections=connections,
                seconds=options.duration,
                every=options.every,
            )
    finally:
        stop(asa_server)
        stop(baseline_server)


def _database(url: str) -> dict:
    import dj_database_url

    parsed = dj_database_url.parse(url)
    return {key: parsed[key] for key in ("NAME", "HOST", "PORT", "USER", "PASSWORD")}


if __name__ == "__main__":
    main()
