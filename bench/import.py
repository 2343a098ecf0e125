#!/usr/bin/env python
"""Import speed: Asa's importer against django-import-export on the same 100,000-row CSV.

    .venv/bin/python bench/import.py --database-url postgres://postgres@127.0.0.1:5432/asa_bench

Writes a CSV in the canonical import format (bench/out/import_100000.csv: people in households,
target groups, problems; CE ISO dates so both importers read them), then runs each importer in
its own process into the bench database (with its 1,000,000 people, so duplicate checks meet a
national-size table) and prints rows/s, the ratio and each process's peak memory. The rows
each importer added are removed afterwards, so the run can be repeated.

django-import-export runs with its best documented settings (use_bulk=True, batch_size=1000,
skip_diff=True, force_init_instance=True) and fills the same search keys; it imports people
only (it has no notion of households) and does no duplicate checks, so it does less work.
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
TARGET_ROWS_PER_SECOND = 50_000
TARGET_RATIO = 4


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


def server_settings() -> None:
    """Print the PostgreSQL settings the figures depend on (README: Deploying on PostgreSQL)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    names = ["shared_buffers", "max_wal_size", "checkpoint_timeout", "wal_compression"]
    with connection.cursor() as cursor:
        found = []
        for name in names:
            cursor.execute(f"SHOW {name}")
            found.append(f"{name}={cursor.fetchone()[0]}")
    print("PostgreSQL: " + ", ".join(found))


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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--run", choices=["asa", "baseline"], help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    _setup(options.database_url)
    if options.run:
        child(options.run, options.file)
        return
    try:
        import asa.registry.importing  # noqa: F401
    except ImportError as error:
        raise SystemExit(
            f"Asa's importer (asa/registry/importing/, import_file) is not there yet: {error}"
        ) from error
    server_settings()
    path = ROOT / "bench" / "out" / f"import_{options.rows}.csv"
    started = time.perf_counter()
    write_csv(path, options.rows)
    print(f"wrote {path} ({options.rows:,} rows) in {time.perf_counter() - started:.1f} s")
    remove_imported()
    results = {}
    try:
        for kind in ("asa", "baseline"):
            output = subprocess.run(  # noqa: S603 (this script, fixed arguments)
                [sys.executable, __file__, "--run", kind, "--file", str(path)],
                capture_output=True,
                text=True,
                env={**os.environ},
                check=False,
            )
            if output.returncode != 0:
                raise SystemExit(f"{kind} import failed:\n{output.stderr[-3000:]}")
            results[kind] = json.loads(output.stdout.strip().splitlines()[-1])
            result = results[kind]
            result["rate"] = result["rows"] / result["seconds"]
            print(
                f"{'Asa importer' if kind == 'asa' else 'django-import-export'}: "
                f"{result['rows']:,} rows in {result['seconds']:.1f} s = "
                f"{result['rate']:,.0f} rows/s, peak memory {result['peak_mb']:,.0f} MB, "
                f"{result['status']} {result['counts']}"
            )
            remove_imported()  # each importer starts from the same database
    finally:
        remove_imported()
    ratio = results["asa"]["rate"] / results["baseline"]["rate"]
    rate_ok = results["asa"]["rate"] >= TARGET_ROWS_PER_SECOND
    memory_ok = results["asa"]["peak_mb"] <= 1024
    print(
        f"ratio Asa / django-import-export: {ratio:.1f}x (target >= {TARGET_RATIO}x) "
        f"{'OK' if ratio >= TARGET_RATIO else 'MISSED'}; "
        f"Asa rows/s target >= {TARGET_ROWS_PER_SECOND:,}: {'OK' if rate_ok else 'MISSED'}; "
        f"peak memory <= 1 GB: {'OK' if memory_ok else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
