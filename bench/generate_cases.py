#!/usr/bin/env python
"""Add casework to a generated bench database: ~1,000,000 cases and 3,000,000 visits.

    .venv/bin/python bench/generate_cases.py \
        --database-url postgres://postgres@127.0.0.1:5432/asa_bench --reset

Needs the people, centers and demo users of `bench/generate` (run that first). Cases are about
registry people and go to the center of the person's district, so they spread over every
district; `--demo-share` of them go to the demo centers (Bang Khen, Thawi Watthana, ...) and are
assigned to their volunteers, so the chairs and volunteers who log in have a real caseload.
About 40 % are open, with next follow-up dates from two months ago to a month ahead.

PostgreSQL only: rows go in with COPY (psycopg 3 `cursor.copy`), foreign-key triggers off
during the load (session_replication_role = replica), then VACUUM (ANALYZE).
"""

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SOURCES = ["field", "hotline", "walk_in", "partner", "survey"]
URGENCIES = ["emergency"] * 5 + ["urgent"] * 20 + ["routine"] * 75
OPEN_STATUSES = ["new", "assessed", "plan_agreed", "in_progress", "follow_up", "closure_requested"]
OUTCOMES = ["resolved", "referred_completed", "moved_away", "died", "declined", "unable_to_contact"]
STORIES = [
    "ผู้สูงอายุอยู่ลำพัง ขาดรายได้",
    "ครอบครัวเปราะบาง บุตรหลานไม่ได้ไปโรงเรียน",
    "คนพิการติดเตียง ต้องการกายอุปกรณ์",
    "ถูกทำร้ายร่างกายในครอบครัว",
    "ไร้ที่พึ่ง ไม่มีที่อยู่อาศัย",
    "ตกงาน มีหนี้นอกระบบ",
]
OBSERVATIONS = [
    "บ้านทรุดโทรม หลังคารั่ว",
    "ผู้สูงอายุช่วยเหลือตัวเองได้บางส่วน",
    "มีอาหารไม่เพียงพอ",
    "สภาพจิตใจดีขึ้น ครอบครัวให้ความร่วมมือ",
    "ยังไม่ได้รับเบี้ยความพิการ",
]
CHUNK = 50_000


def _text(value) -> str:
    """One COPY text field: NULL as \\N; tabs, newlines and backslashes escaped."""
    if value is None:
        return "\\N"
    return str(value).replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")


def _copy(cursor, table: str, columns: list[str], rows) -> int:
    count = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        buffer = []
        for row in rows:
            buffer.append("\t".join(_text(value) for value in row))
            count += 1
            if len(buffer) >= CHUNK:
                copy.write("\n".join(buffer) + "\n")
                buffer.clear()
        if buffer:
            copy.write("\n".join(buffer) + "\n")
    return count


CASE_COLUMNS = [
    "id", "number", "source", "reporter_name", "reporter_phone", "reported_at", "urgency",
    "story", "status", "outcome", "closure_note", "closed_at", "next_follow_up_on",
    "first_visit_at", "emergency_flagged_at", "created_at", "updated_at", "version",
    "center_id", "closed_by_id", "closure_requested_by_id", "created_by_id", "district_id",
    "household_id", "person_id", "urgency_order",
]  # fmt: skip
URGENCY_ORDER = {"emergency": 0, "urgent": 1, "routine": 2}
VISIT_COLUMNS = [
    "id", "visited_at", "staff_names", "partner_names", "at_household_address", "latitude",
    "longitude", "met_whom", "observations", "needs", "next_visit_on", "recorded_at",
    "assessment_id", "case_id", "recorded_by_id",
]  # fmt: skip


PERSON_COLUMNS = [
    "id", "house_number", "moo", "village", "soi", "road", "postal_code", "title", "first_name",
    "last_name", "name_en", "id_type", "id_number", "birth_date", "birth_date_precision", "sex",
    "phone", "nationality", "disability_type", "disability_card_number", "notes", "name_key",
    "first_name_sound", "last_name_sound", "phone_hash", "source", "source_ref", "created_at",
    "updated_at", "version", "center_id", "district_id", "province_id", "subdistrict_id",
]  # fmt: skip
FIRST_NAMES = ["สมชาย", "สมศรี", "บุญมี", "มาลี", "ประเสริฐ", "วันดี", "สุดา", "ชัยวัฒน์"]
LAST_NAMES = ["ศรีสุข", "ใจดี", "มั่นคง", "ทองดี", "แก้วมณี", "บุญเรือง", "สายทอง"]


def make_people(*, people: int, seed: int) -> int:
    """When `bench/generate` has not run: the demo, a center per district, plain people (COPY).

    A stand-in so the casework benchmark is not blocked; no planted duplicates, no households.
    """
    from django.db import connection, transaction
    from django.utils import timezone

    sys.path.insert(0, str(ROOT / "bench"))
    from synthetic import open_centers

    open_centers()
    rng = random.Random(seed)
    now = timezone.now()
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor
        cursor.execute("SELECT district_id, id FROM centers_center")
        center_of = dict(cursor.fetchall())
        cursor.execute(
            "SELECT s.code, s.district_id, d.province_id, s.postal_codes FROM geo_subdistrict s"
            " JOIN geo_district d ON d.code = s.district_id"
        )
        areas = cursor.fetchall()

        def rows():
            for person_id in range(1, people + 1):
                code, district, province, postal = rng.choice(areas)
                first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                born = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(0, 80 * 365))
                yield (
                    person_id, str(rng.randint(1, 999)), "", "", "", "", str(postal)[:5], "",
                    first, last, "", "none", "", born, "exact", rng.choice(("male", "female")),
                    "", "ไทย", "", "", "", f"{first} {last}", "", "", "", "bench-cases",
                    "", now, now, 1, center_of.get(district), district, province, code,
                )  # fmt: skip

        with transaction.atomic():
            cursor.execute("SET LOCAL session_replication_role = replica")
            count = _copy(cursor, "registry_person", PERSON_COLUMNS, rows())
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('registry_person', 'id'), %s)", [people]
        )
        cursor.execute("ANALYZE registry_person")
    return count


def generate(*, cases: int, visits: int, demo_share: float, seed: int, reset: bool) -> dict:
    from django.db import connection, transaction
    from django.utils import timezone

    from asa.cases.models import Case

    rng = random.Random(seed)
    timings = {}
    started = time.monotonic()
    now = timezone.now()
    today = timezone.localdate()
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor  # the psycopg 3 cursor, for COPY
        if reset:
            cursor.execute(
                "TRUNCATE cases_visit_volunteers, cases_visitphoto, cases_visit, cases_planitem,"
                " cases_assistance, cases_caseassignment, cases_case_problems,"
                " cases_case_target_groups, cases_case RESTART IDENTITY CASCADE"
            )
        elif Case.objects.exists():
            raise SystemExit("cases exist already: pass --reset to replace them")
        cursor.execute("SELECT id, district_id FROM centers_center")
        center_district = dict(cursor.fetchall())
        cursor.execute(
            "SELECT center_id, id FROM centers_volunteer WHERE status = 'active' ORDER BY id"
        )
        volunteers: dict[int, list[int]] = {}
        for center_id, volunteer_id in cursor.fetchall():
            volunteers.setdefault(center_id, []).append(volunteer_id)
        demo_centers = sorted(volunteers)
        cursor.execute(
            "SELECT p.id, p.center_id, m.household_id FROM registry_person p"
            " LEFT JOIN registry_householdmembership m"
            "   ON m.person_id = p.id AND m.ended_on IS NULL"
            " WHERE p.merged_into_id IS NULL AND p.center_id IS NOT NULL"
        )
        people = cursor.fetchall()
        if not people:
            raise SystemExit("no people: run bench/generate first")
        # The demo centers' own people, for the cases routed there.
        demo_people: dict[int, list] = {}
        for row in people:
            if row[1] in volunteers:
                demo_people.setdefault(row[1], []).append(row)
        timings["read"] = time.monotonic() - started

        case_rows, assignments, case_meta = [], [], []
        for case_id in range(1, cases + 1):
            if demo_centers and rng.random() < demo_share:
                center_id = rng.choice(demo_centers)
                person_id, _, household_id = rng.choice(demo_people.get(center_id) or people)
            else:
                person_id, center_id, household_id = rng.choice(people)
            reported_at = now - dt.timedelta(minutes=rng.randrange(60, 3 * 365 * 24 * 60))
            is_open = rng.random() < 0.4
            urgency = rng.choice(URGENCIES)
            visit_count = round(rng.uniform(0, 2) * visits / cases)
            if is_open:
                status = rng.choice(OPEN_STATUSES)
                outcome, closed_at = "", None
                next_on = today + dt.timedelta(days=rng.randint(-60, 30))
            else:
                status, outcome = "closed", rng.choice(OUTCOMES)
                closed_at = min(now, reported_at + dt.timedelta(days=rng.randint(7, 180)))
                next_on = None
            first_visit = (
                reported_at + dt.timedelta(hours=rng.randint(2, 96)) if visit_count else None
            )
            if first_visit and first_visit > now:
                first_visit = now
            case_rows.append(
                (
                    case_id, f"B{case_id:09d}", rng.choice(SOURCES), "", "", reported_at,
                    urgency, rng.choice(STORIES), status, outcome, "", closed_at,
                    next_on, first_visit, None, reported_at, reported_at, 1, center_id, None,
                    None, None, center_district[center_id], household_id, person_id,
                    URGENCY_ORDER[urgency],
                )
            )  # fmt: skip
            case_meta.append((case_id, reported_at, closed_at or now, visit_count))
            team = volunteers.get(center_id)
            if team:
                for volunteer_id in rng.sample(team, k=min(len(team), rng.choice((1, 1, 2)))):
                    assignments.append((case_id, volunteer_id, reported_at, closed_at))
        timings["build cases"] = time.monotonic() - started - sum(timings.values())

        with transaction.atomic():
            cursor.execute("SET LOCAL session_replication_role = replica")
            _copy(cursor, "cases_case", CASE_COLUMNS, case_rows)
            _copy(
                cursor,
                "cases_caseassignment",
                ["case_id", "volunteer_id", "assigned_at", "ended_at"],
                assignments,
            )
        del case_rows
        timings["copy cases"] = time.monotonic() - started - sum(timings.values())

        def visit_rows():
            visit_id = 0
            for case_id, reported_at, until, count in case_meta:
                span = max((until - reported_at).total_seconds(), 3600)
                moments = sorted(
                    reported_at + dt.timedelta(seconds=rng.uniform(0, span)) for _ in range(count)
                )
                for index, visited_at in enumerate(moments):
                    visit_id += 1
                    last = index == count - 1
                    next_on = (visited_at + dt.timedelta(days=rng.randint(7, 45))).date()
                    yield (
                        visit_id, visited_at, "", "", True, None, None, "ผู้ประสบปัญหาและญาติ",
                        rng.choice(OBSERVATIONS), "", next_on if last else None,
                        visited_at, None, case_id, None,
                    )  # fmt: skip

        with transaction.atomic():
            cursor.execute("SET LOCAL session_replication_role = replica")
            visit_total = _copy(cursor, "cases_visit", VISIT_COLUMNS, visit_rows())
        timings["copy visits"] = time.monotonic() - started - sum(timings.values())

        # The stored urgency order (what open_case sets) for the watch list's index.
        cursor.execute(
            "UPDATE cases_case SET urgency_order = CASE urgency WHEN 'emergency' THEN 0"
            " WHEN 'urgent' THEN 1 ELSE 2 END WHERE urgency <> 'routine'"
        )
        for table in ("cases_case", "cases_visit", "cases_caseassignment"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" COALESCE((SELECT max(id) FROM {table}), 1))"
            )
            # VACUUM as well: it sets the visibility map, so the watch list's index-only counts
            # stay index-only, as on a live database autovacuum keeps them (without it, officer
            # lists measured 2-4x slower on a freshly loaded database).
            cursor.execute(f"VACUUM (ANALYZE) {table}")
        timings["vacuum analyze"] = time.monotonic() - started - sum(timings.values())
    return {
        "cases": cases,
        "assignments": len(assignments),
        "visits": visit_total,
        "demo_centers": len(demo_centers),
        "timings": {name: round(seconds, 1) for name, seconds in timings.items()},
        "seconds": round(time.monotonic() - started, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--visits", type=int, default=3_000_000, help="about this many")
    parser.add_argument("--demo-share", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=2568)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/asa_bench"),
    )
    parser.add_argument("--reset", action="store_true", help="replace existing cases")
    parser.add_argument(
        "--people",
        type=int,
        default=0,
        help="if the database has no people (bench/generate not run), make this many first",
    )
    options = parser.parse_args()
    os.environ["DATABASE_URL"] = options.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asa.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from asa.registry.models import Person

    if options.people and not Person.objects.exists():
        started = time.monotonic()
        made = make_people(people=options.people, seed=options.seed)
        print(f"no people yet: made {made:,} plain people in {time.monotonic() - started:.1f} s")
    result = generate(
        cases=options.cases,
        visits=options.visits,
        demo_share=options.demo_share,
        seed=options.seed,
        reset=options.reset,
    )
    print(
        f"generated {result['cases']:,} cases ({result['assignments']:,} assignments to "
        f"volunteers of {result['demo_centers']} demo centers) and {result['visits']:,} visits "
        f"in {result['seconds']} s"
    )
    print(f"timings: {result['timings']}")


if __name__ == "__main__":
    main()
