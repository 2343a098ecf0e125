#!/usr/bin/env python
"""Import speed against this machine's floor and against django-import-export, same file.

    .venv/bin/python bench/import.py --database-url postgres://postgres@127.0.0.1:5432/asa_bench

Writes a CSV in the canonical import format (bench/out/import_<rows>.csv: people in households,
target groups, problems; CE ISO dates so both importers read them), then, for each settings
profile, measures in the same run and on the same database (with its national-size registry,
so indexes and duplicate checks meet a real table):

- the floor: the same person rows, prepared (the ones Asa's importer wrote, copied to a
  staging table untimed), inserted server-side with one `INSERT ... SELECT` into the national
  table with all its indexes: what PostgreSQL itself needs to take those rows on this machine;
- Asa's validated import (households, memberships, target groups, problems, duplicate checks
  and the row report included), in its own process;
- django-import-export with its best documented settings (use_bulk=True, batch_size=1000,
  skip_diff=True, force_init_instance=True) filling the same search keys; it imports people
  only (no households, no duplicate checks), so it does less work.

It prints rows/s for each, Asa / floor (target >= 50%) and Asa / django-import-export (target
>= 4x). Profiles: the server's settings as they are ("default"), then the README's tuned
settings ("tuned") as far as a session can set them: `wal_compression` is set per session
(PGOPTIONS, so every connection of the child processes has it); `shared_buffers` needs a
restart and `max_wal_size` / `checkpoint_timeout` a server reload, which a benchmark on a
shared server must not do: the script prints what each profile actually ran with.
The rows each importer added are removed after each step, so the run can be repeated.
"""

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

ASA_SOURCE = "bench-import-asa"
BASELINE_SOURCE = "bench-import-baseline"
FLOOR_SOURCE = "bench-import-floor"
TARGET_FLOOR_SHARE = 0.5
TARGET_RATIO = 4
# The README's settings (Deploying on PostgreSQL) a session may set; the others are printed.
TUNED_SESSION = {"wal_compression": "lz4"}
README_SETTINGS = ["shared_buffers", "max_wal_size", "checkpoint_timeout", "wal_compression"]


def _setup(database_url: str) -> None:
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asa.settings")
    import django

    django.setup()


def write_csv(path: Path, rows: int, seed: int = 4242) -> None:
    from synthetic import COLUMN, Generator

    from asa.registry.importing import COLUMNS

    generator = Generator(people=rows, seed=seed)
    written = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for household, members in generator.households(rows):
            for row, relationship in members:
                written += 1
                born = row[COLUMN["birth_date"]]
                groups = ["low_income"] if written % 3 else ["elderly", "low_income"]
                writer.writerow(
                    [
                        f"R{written}",
                        row[COLUMN["id_number"]],
                        row[COLUMN["id_type"]],
                        row[COLUMN["title"]],
                        row[COLUMN["first_name"]],
                        row[COLUMN["last_name"]],
                        born.isoformat() if born else "",
                        row[COLUMN["sex"]],
                        row[COLUMN["phone"]],
                        row[COLUMN["house_number"]],
                        row[COLUMN["moo"]],
                        row[COLUMN["village"]],
                        row[COLUMN["soi"]],
                        row[COLUMN["road"]],
                        row[COLUMN["subdistrict_id"]],
                        row[COLUMN["postal_code"]],
                        "",
                        "",
                        f"H{household[0]}",
                        relationship.value,
                        ";".join(groups),
                        "debt" if written % 5 == 0 else "",
                    ]
                )


def remove_imported() -> None:
    """Delete what the importers added (plain SQL: the ORM's cascade would take minutes)."""
    from django.db import connection, transaction

    people = "SELECT id FROM registry_person WHERE source IN (%s, %s)"
    households = "SELECT id FROM registry_household WHERE source IN (%s, %s)"
    sources = [ASA_SOURCE, BASELINE_SOURCE]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM registry_person WHERE source = %s", [FLOOR_SOURCE])
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in [
            f"DELETE FROM registry_duplicatecandidate WHERE person_a_id IN ({people}) "
            f"OR person_b_id IN ({people})",
            f"DELETE FROM registry_householdmembership WHERE person_id IN ({people}) "
            f"OR household_id IN ({households})",
            f"DELETE FROM registry_person_target_groups WHERE person_id IN ({people})",
            f"DELETE FROM registry_personproblem WHERE person_id IN ({people})",
            "DELETE FROM registry_importrowresult WHERE job_id IN "
            "(SELECT id FROM registry_importjob WHERE source IN (%s, %s))",
            "DELETE FROM registry_importjob WHERE source IN (%s, %s)",
            f"UPDATE registry_household SET head_id = NULL WHERE head_id IN ({people})",
            "DELETE FROM registry_household WHERE source IN (%s, %s)",
            "DELETE FROM registry_person WHERE source IN (%s, %s)",
        ]:
            cursor.execute(statement, sources * (statement.count("%s") // 2))
    if connection.vendor == "postgresql":
        # Repeated runs leave 200,000 dead rows a time in every index; this machine's server
        # runs without autovacuum, so sweep them, or each run measures the leftovers of the last.
        tables = [
            "registry_person",
            "registry_household",
            "registry_householdmembership",
            "registry_person_target_groups",
            "registry_personproblem",
            "registry_importrowresult",
        ]
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {', '.join(tables)}")


def server_settings() -> str:
    """The PostgreSQL settings the figures depend on (README: Deploying on PostgreSQL), as this
    session (and so the child processes, under the same PGOPTIONS) sees them."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return "SQLite"
    with connection.cursor() as cursor:
        found = []
        for name in README_SETTINGS:
            cursor.execute(f"SHOW {name}")
            found.append(f"{name}={cursor.fetchone()[0]}")
    return ", ".join(found)


def prepare_floor() -> int:
    """Copy the person rows Asa's importer wrote to a staging table, as they would be inserted
    (new ids, another source); then remove the imported rows. Untimed."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_floor_people")
        cursor.execute(
            "CREATE UNLOGGED TABLE bench_floor_people AS SELECT * FROM registry_person "
            "WHERE source = %s",
            [ASA_SOURCE],
        )
        cursor.execute(
            "UPDATE bench_floor_people SET source = %s, "
            "id = nextval(pg_get_serial_sequence('registry_person', 'id'))",
            [FLOOR_SOURCE],
        )
        cursor.execute("SELECT count(*) FROM bench_floor_people")
        rows = cursor.fetchone()[0]
    remove_imported()
    return rows


def run_floor() -> dict:
    """The same prepared rows into the national table with its indexes, server-side, timed."""
    from django.db import connection, transaction

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("INSERT INTO registry_person SELECT * FROM bench_floor_people")
        rows = cursor.rowcount
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_floor_people")
    remove_imported()
    return {"seconds": seconds, "rows": rows}


def run_asa(path: Path) -> dict:
    from asa.accounts.models import User
    from asa.registry.importing import import_file

    actor = User.objects.filter(is_superuser=True).first() or User.objects.first()
    started = time.perf_counter()
    job = import_file(path, actor=actor, source=ASA_SOURCE)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": job.total_rows, "counts": job.counts, "status": job.status}


def run_baseline(path: Path) -> dict:
    import tablib
    from import_export import fields, resources, widgets

    from asa.geo.models import Subdistrict
    from asa.lib.crypto import identity_hash, phone_hash
    from asa.lib.thai_text import name_key, sound_key
    from asa.registry.models import Person

    districts = dict(Subdistrict.objects.values_list("code", "district_id"))

    class PersonResource(resources.ModelResource):
        id_number = fields.Field(attribute="id_number", column_name="national_id")
        subdistrict = fields.Field(
            attribute="subdistrict",
            column_name="subdistrict_code",
            widget=widgets.ForeignKeyWidget(Subdistrict, field="code"),
        )

        class Meta:
            model = Person
            fields = (
                "source_ref",
                "id_number",
                "id_type",
                "title",
                "first_name",
                "last_name",
                "birth_date",
                "sex",
                "phone",
                "house_number",
                "moo",
                "village",
                "soi",
                "road",
                "subdistrict",
                "postal_code",
            )
            import_id_fields = ()
            # The library's documented fastest settings.
            use_bulk = True
            batch_size = 1000
            skip_diff = True
            force_init_instance = True

        def before_save_instance(self, instance, row, **kwargs):
            instance.source = BASELINE_SOURCE
            instance.name_key = name_key(f"{instance.first_name}{instance.last_name}")
            instance.first_name_sound = sound_key(instance.first_name)
            instance.last_name_sound = sound_key(instance.last_name)
            instance.phone_hash = phone_hash(instance.phone)
            instance.id_number_hash = identity_hash(instance.id_number)
            if instance.subdistrict_id:
                instance.district_id = districts[instance.subdistrict_id]
                instance.province_id = instance.district_id[:2]

    started = time.perf_counter()
    with path.open(encoding="utf-8") as handle:
        dataset = tablib.Dataset().load(handle.read(), format="csv")
    result = PersonResource().import_data(dataset, raise_errors=True)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "rows": len(dataset),
        "counts": dict(result.totals),
        "status": "errors" if result.has_errors() else "done",
    }


def child(kind: str, path: Path) -> None:
    result = run_asa(path) if kind == "asa" else run_baseline(path)
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result, default=str))


def run_child(kind: str, path: Path, env: dict) -> dict:
    output = subprocess.run(  # noqa: S603 (this script, fixed arguments)
        [sys.executable, __file__, "--run", kind, "--file", str(path)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if output.returncode != 0:
        raise SystemExit(f"{kind} import failed:\n{output.stderr[-3000:]}")
    result = json.loads(output.stdout.strip().splitlines()[-1])
    result["rate"] = result["rows"] / result["seconds"]
    return result


def run_profile(name: str, path: Path, session: dict[str, str]) -> dict:
    """Floor, Asa and django-import-export under one settings profile, one after the other."""
    from django.db import connection

    options = " ".join(f"-c {key}={value}" for key, value in session.items())
    env = {**os.environ, "PGOPTIONS": options} if options else {**os.environ}
    connection.close()
    os.environ["PGOPTIONS"] = options  # this process's next connection too
    print(f"--- {name}: {server_settings()}" + (f" (session: {options})" if options else ""))
    remove_imported()
    results = {"asa": run_child("asa", path, env)}
    asa = results["asa"]
    print(
        f"Asa importer: {asa['rows']:,} rows in {asa['seconds']:.1f} s = {asa['rate']:,.0f} "
        f"rows/s, peak memory {asa['peak_mb']:,.0f} MB, {asa['status']} {asa['counts']}"
    )
    prepared = prepare_floor()
    floor = run_floor()
    floor["rate"] = floor["rows"] / floor["seconds"]
    results["floor"] = floor
    print(
        f"floor (INSERT ... SELECT of the {prepared:,} prepared person rows): "
        f"{floor['seconds']:.1f} s = {floor['rate']:,.0f} rows/s"
    )
    results["baseline"] = baseline = run_child("baseline", path, env)
    remove_imported()
    print(
        f"django-import-export: {baseline['rows']:,} rows in {baseline['seconds']:.1f} s = "
        f"{baseline['rate']:,.0f} rows/s, peak memory {baseline['peak_mb']:,.0f} MB, "
        f"{baseline['status']} {baseline['counts']}"
    )
    share = asa["rate"] / floor["rate"]
    ratio = asa["rate"] / baseline["rate"]
    print(
        f"{name}: Asa / floor {share:.0%} (target >= {TARGET_FLOOR_SHARE:.0%}) "
        f"{'OK' if share >= TARGET_FLOOR_SHARE else 'MISSED'}; "
        f"Asa / django-import-export {ratio:.1f}x (target >= {TARGET_RATIO}x) "
        f"{'OK' if ratio >= TARGET_RATIO else 'MISSED'}; "
        f"peak memory <= 1 GB: {'OK' if asa['peak_mb'] <= 1024 else 'MISSED'}"
    )
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--profiles", default="default,tuned", help="default, tuned, or both (comma-separated)"
    )
    parser.add_argument("--run", choices=["asa", "baseline"], help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    _setup(options.database_url)
    if options.run:
        child(options.run, options.file)
        return
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("bench/import.py measures PostgreSQL (the floor is INSERT ... SELECT)")
    path = ROOT / "bench" / "out" / f"import_{options.rows}.csv"
    started = time.perf_counter()
    write_csv(path, options.rows)
    print(f"wrote {path} ({options.rows:,} rows) in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM registry_person")
        print(f"registry: {cursor.fetchone()[0]:,} people")
    profiles = {"default": {}, "tuned": TUNED_SESSION}
    try:
        for name in options.profiles.split(","):
            run_profile(name, path, profiles[name])
    finally:
        os.environ.pop("PGOPTIONS", None)
        connection.close()
        remove_imported()


if __name__ == "__main__":
    main()
