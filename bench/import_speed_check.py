#!/usr/bin/env python
"""Time Asa's importer alone (no baseline), optionally under cProfile, and clean up after.

    .venv/bin/python bench/import_speed_check.py --database-url postgres://... --rows 20000
    .venv/bin/python bench/import_speed_check.py --profile --rows 20000

Reads bench/out/import_100000.csv (written by bench/import.py; written here with the same
generator when missing), takes its first --rows rows, imports them --repeat times (each from a
clean state: what the run added is deleted afterwards) and prints rows/s, peak memory and the
load average. bench/import.py is the comparison against django-import-export.
"""

import argparse
import cProfile
import importlib.util
import os
import pstats
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
SOURCE = "bench-import-speed-check"


def _bench_import():
    spec = importlib.util.spec_from_file_location("bench_import", ROOT / "bench" / "import.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def remove_imported() -> None:
    from django.db import connection, transaction

    people = "SELECT id FROM registry_person WHERE source = %s"
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in [
            f"DELETE FROM registry_duplicatecandidate WHERE person_a_id IN ({people}) "
            f"OR person_b_id IN ({people})",
            f"DELETE FROM registry_householdmembership WHERE person_id IN ({people}) OR "
            "household_id IN (SELECT id FROM registry_household WHERE source = %s)",
            f"DELETE FROM registry_person_target_groups WHERE person_id IN ({people})",
            f"DELETE FROM registry_personproblem WHERE person_id IN ({people})",
            "DELETE FROM registry_importrowresult WHERE job_id IN "
            "(SELECT id FROM registry_importjob WHERE source = %s)",
            "DELETE FROM registry_importjob WHERE source = %s",
            f"UPDATE registry_household SET head_id = NULL WHERE head_id IN ({people})",
            "DELETE FROM registry_household WHERE source = %s",
            "DELETE FROM registry_person WHERE source = %s",
        ]:
            cursor.execute(statement, [SOURCE] * statement.count("%s"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--keep", action="store_true", help="leave the imported rows")
    options = parser.parse_args()
    if options.database_url:
        os.environ["DATABASE_URL"] = options.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asa.settings")
    import django

    django.setup()
    from asa.accounts.models import User
    from asa.registry.importing import import_file

    full = ROOT / "bench" / "out" / "import_100000.csv"
    if not full.exists():
        _bench_import().write_csv(full, 100_000)
    path = full
    if options.rows < 100_000:
        path = ROOT / "bench" / "out" / f"import_speed_{options.rows}.csv"
        with full.open(encoding="utf-8") as source, path.open("w", encoding="utf-8") as out:
            for number, line in enumerate(source):
                if number > options.rows:
                    break
                out.write(line)
    actor = User.objects.filter(is_superuser=True).first() or User.objects.first()
    remove_imported()
    rates = []
    for _ in range(options.repeat):
        profiler = cProfile.Profile() if options.profile else None
        started = time.perf_counter()
        cpu = time.process_time()
        if profiler:
            profiler.enable()
        job = import_file(path, actor=actor, source=SOURCE)
        if profiler:
            profiler.disable()
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu
        rates.append(job.total_rows / seconds)
        print(
            f"{job.total_rows:,} rows in {seconds:.2f} s = {rates[-1]:,.0f} rows/s "
            f"(this process's CPU {cpu:.2f} s, the rest is the database); "
            f"{job.status} {job.counts}; load {Path('/proc/loadavg').read_text().split()[:3]}",
            flush=True,
        )
        if profiler:
            stats = pstats.Stats(profiler)
            stats.sort_stats("cumulative").print_stats(40)
            stats.sort_stats("tottime").print_stats(40)
        if not options.keep:
            remove_imported()
    rates.sort()
    print(
        f"best {rates[-1]:,.0f} rows/s, median {rates[len(rates) // 2]:,.0f} rows/s, "
        f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB"
    )


if __name__ == "__main__":
    main()
