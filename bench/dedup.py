#!/usr/bin/env python
"""Run the batch duplicate finder over the generated database; print time, recall, precision.

    .venv/bin/python bench/dedup.py --database-url postgres://postgres@127.0.0.1:5432/asa_bench

Recall: planted pairs found / planted pairs. Precision: found pairs that were planted / found
pairs (a pair the generator made by chance, e.g. two namesakes, counts against it).
"""

import argparse
import csv
import os
import resource
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLANTED = "planted_pairs.csv"
LOOKALIKES = "lookalike_pairs.csv"  # people who look alike and are not one (must not match)
sys.path.insert(0, str(ROOT))


def measure(planted_file: Path) -> dict:
    from asa.registry.dedup import find_duplicates
    from asa.registry.models import DuplicateCandidate

    with planted_file.open(encoding="utf-8") as handle:
        planted = {
            tuple(sorted((int(row["original_id"]), int(row["duplicate_id"])))): row["variations"]
            for row in csv.DictReader(handle)
        }
    DuplicateCandidate.objects.all().delete()
    summary = find_duplicates(actor=None)
    found = set(DuplicateCandidate.objects.values_list("person_a_id", "person_b_id"))
    hits = found & set(planted)
    missed = [planted[pair] for pair in set(planted) - found]
    by_kind: dict[str, list[int]] = {}  # kind → [planted, found]
    for pair, variations in planted.items():
        for kind in {variations.split("+")[0], variations if "+" in variations else ""} - {""}:
            counts = by_kind.setdefault(kind, [0, 0])
            counts[0] += 1
            counts[1] += pair in found
    lookalikes: dict[str, list[int]] = {}  # kind → [pairs, matched]
    lookalike_file = planted_file.with_name(LOOKALIKES)
    if lookalike_file.exists():
        with lookalike_file.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                pair = tuple(sorted((int(row["first_id"]), int(row["second_id"]))))
                counts = lookalikes.setdefault(row["kind"], [0, 0])
                counts[0] += 1
                counts[1] += pair in found
    return {
        "by_kind": by_kind,
        "lookalikes": lookalikes,
        "summary": summary,
        "planted": len(planted),
        "found": len(found),
        "recall": len(hits) / max(len(planted), 1),
        "precision": len(hits) / max(len(found), 1),
        "missed": missed,
        "false": sorted(found - set(planted))[:10],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--planted", type=Path, default=ROOT / "bench" / "out" / PLANTED)
    options = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    if options.database_url:
        os.environ["DATABASE_URL"] = options.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asa.settings")
    import django

    django.setup()
    result = measure(options.planted)
    for line in result["summary"].lines():
        print(line)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"dedup time: {result['summary'].seconds:.1f} s, peak memory {peak:,.0f} MB")
    print(
        f"planted pairs: {result['planted']:,}, found pairs: {result['found']:,}, "
        f"recall {result['recall']:.4f}, precision {result['precision']:.4f}"
    )
    from collections import Counter

    print("recall by kind of variation (planted, found, recall):")
    for kind, (count, found) in sorted(result["by_kind"].items()):
        print(f"  {kind:<24} {count:>7,} {found:>7,}  {found / max(count, 1):.4f}")
    print("lookalikes matched (pairs, matched, rate; target <= 1%):")
    for kind, (count, matched) in sorted(result["lookalikes"].items()):
        print(f"  {kind:<24} {count:>7,} {matched:>7,}  {matched / max(count, 1):.4%}")
    print("missed by variation:", Counter(result["missed"]).most_common(10))
    print("sample of unplanted pairs found:", result["false"])


if __name__ == "__main__":
    main()
