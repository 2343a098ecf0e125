#!/usr/bin/env python
"""Dashboards at national scale: rollup rebuild time, the naive aggregates beside it, p95 over HTTP.

    .venv/bin/python bench/dashboards.py \
        --database-url postgres://postgres@127.0.0.1:5432/asa_bench --generate

Needs the people of `bench/generate` and the cases and visits of `bench/generate_cases.py`.
`--generate` adds, with set-based SQL, what the dashboards count and those leave out: volunteers
up to `--volunteers` (200,000) across every center, one or two of them on each visit, approved
hand-entered hours, consents and referrals with outcomes, distributions of goods and equipment
out on loan, and what the outcome figures read (`generate_outcomes`). Then it measures:

1. `asa rollups rebuild` from scratch (target ≤ 5 minutes at 1M people / 3M visits / 200k
   volunteers), and the part of it the outcome figures take;
2. the same national figures for the current fiscal year counted straight from the base tables
   (what a dashboard would cost without rollups);
3. one stale center-month refreshed (what the task worker does after an action);
4. p95 of each dashboard level over HTTP — the API with a bearer token and the pages (signed-in
   session) when their URLs resolve: nation, Bangkok, Bang Khen district, the Bang Khen center
   (target p95 ≤ 200 ms).
"""

import argparse
import os
import statistics
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from common import sign_in  # noqa: E402 (after the path above)


def _sql(cursor, label: str, sql: str, params=None) -> None:
    started = time.monotonic()
    cursor.execute(sql, params or [])  # always parameters: "%%" is a modulo
    print(f"  {label}: {max(cursor.rowcount, 0):,} rows, {time.monotonic() - started:.1f} s")


def generate(*, volunteers: int) -> None:
    """Volunteers, visit volunteers, hours, referrals, goods and loans (PostgreSQL, set-based)."""
    from django.db import connection

    with connection.cursor() as cursor:
        # Each step commits on its own (a failure keeps the steps before it); no FK triggers.
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("SELECT count(*) FROM centers_volunteer")
        have = cursor.fetchone()[0]
        if have < volunteers:
            _sql(
                cursor,
                "volunteers",
                "INSERT INTO centers_volunteer (title, first_name, last_name, national_id,"
                " national_id_hash, phone_hash, birth_date, sex, phone, house_number, moo,"
                " village, soi, road, postal_code, role, is_youth, joined_on, status,"
                " search_name, created_at, updated_at, center_id, subdistrict_id)"
                # national_id is stored encrypted: left empty here (nothing to decrypt), the
                # unique hash column still made distinct.
                " SELECT 'นาง', 'อาสา' || n, 'ทดสอบ', '', 'bench-' || n, '',"
                " DATE '1970-01-01' + (n %% 12000), 'female', '', '', '', '', '', '', '',"
                " 'member', false, DATE '2017-01-01' + (n %% 3000),"
                " CASE WHEN n %% 10 = 0 THEN 'inactive' ELSE 'active' END,"
                " 'อาสา' || n || 'ทดสอบ', now(), now(), c.id, c.subdistrict_id"
                " FROM generate_series(1, %s) AS n"
                " JOIN (SELECT id, subdistrict_id, row_number() OVER (ORDER BY id) - 1 AS k,"
                "       count(*) OVER () AS total FROM centers_center) c"
                "   ON c.k = n %% c.total",
                [volunteers - have],
            )
            cursor.execute(
                "UPDATE centers_center c SET active_volunteer_count = (SELECT count(*)"
                " FROM centers_volunteer v WHERE v.center_id = c.id AND v.status = 'active')"
            )
        cursor.execute("SELECT count(*) FROM cases_visit_volunteers")
        if not cursor.fetchone()[0]:
            _sql(
                cursor,
                "visit volunteers",
                "WITH numbered AS (SELECT id, center_id,"
                "   row_number() OVER (PARTITION BY center_id ORDER BY id) AS n,"
                "   count(*) OVER (PARTITION BY center_id) AS total"
                "   FROM centers_volunteer WHERE status = 'active')"
                " , sizes AS (SELECT center_id, max(total) AS total FROM numbered"
                "   GROUP BY center_id)"
                " , picks AS (SELECT v.id AS visit_id, c.center_id, 1 + v.id %% s.total AS n"
                "   FROM cases_visit v JOIN cases_case c ON c.id = v.case_id"
                "   JOIN sizes s ON s.center_id = c.center_id"
                "   UNION ALL"  # every third visit has a second volunteer
                "   SELECT v.id, c.center_id, 1 + (v.id + 1) %% s.total"
                "   FROM cases_visit v JOIN cases_case c ON c.id = v.case_id"
                "   JOIN sizes s ON s.center_id = c.center_id WHERE v.id %% 3 = 0 AND s.total > 1)"
                " INSERT INTO cases_visit_volunteers (visit_id, volunteer_id)"
                " SELECT p.visit_id, nv.id FROM picks p"
                " JOIN numbered nv ON nv.center_id = p.center_id AND nv.n = p.n",
            )
        cursor.execute("SELECT count(*) FROM centers_hoursentry")
        if not cursor.fetchone()[0]:
            _sql(
                cursor,
                "approved hours entries",
                "INSERT INTO centers_hoursentry (worked_on, hours, description, status,"
                " decision_note, created_at, volunteer_id)"
                " SELECT CURRENT_DATE - (v.id %% 700)::int, 1 + v.id %% 6, 'งานชุมชน',"
                " CASE WHEN v.id %% 5 = 0 THEN 'pending' ELSE 'approved' END, '', now(), v.id"
                " FROM centers_volunteer v",
            )
        cursor.execute("SELECT count(*) FROM referrals_referral")
        if not cursor.fetchone()[0]:
            _sql(
                cursor,
                "consents",
                "INSERT INTO registry_consent (basis, given_by, guardian_name,"
                " guardian_relationship, given_on, method, witness_name, allows_sharing, notes,"
                " recorded_at, withdrawal_reason, person_id)"
                " SELECT 'consent', 'self', '', '', c.reported_at::date, 'signed_paper', '',"
                " true, '', now(), '', c.person_id FROM cases_case c WHERE c.id %% 5 = 0",
            )
            _sql(
                cursor,
                "referrals",
                "INSERT INTO referrals_referral (need, note, shared_data, status, status_reason,"
                " respond_by, complete_by, sent_at, updated_at, version, agency_id, case_id,"
                " center_id, district_id, consent_id, service_id)"
                " SELECT 'ที่พักชั่วคราว', '', '{}'::jsonb,"
                # Referrals older than 60 days have an outcome (as partners answer them);
                # recent ones are in any state, some of them past their dates.
                " CASE WHEN c.reported_at < now() - interval '60 days' THEN"
                "  (ARRAY['completed','completed','completed','not_completed','declined',"
                "   'withdrawn'])[1 + c.id %% 6]"
                " ELSE (ARRAY['sent','accepted','declined','in_service','completed',"
                "   'not_completed','withdrawn'])[1 + c.id %% 7] END, '', c.reported_at::date + 7,"
                " c.reported_at::date + 30, c.reported_at + interval '2 days', now(), 1,"
                " (SELECT min(id) FROM referrals_agency) + c.id %% 3, c.id, c.center_id,"
                " c.district_id, k.id,"
                " (SELECT min(id) FROM referrals_service)"
                " FROM cases_case c JOIN registry_consent k ON k.person_id = c.person_id"
                "  AND k.given_on = c.reported_at::date WHERE c.id %% 5 = 0",
            )
        cursor.execute("SELECT count(*) FROM aid_distribution")
        if cursor.fetchone()[0] < 1000:
            _sql(
                cursor,
                "distributions",
                "INSERT INTO aid_distribution (receipt_number, distributed_on, signature,"
                " signed_by_name, note, recorded_at, case_id, center_id, person_id)"
                " SELECT 'B-' || c.id, c.reported_at::date + 3, '', '', '', now(), c.id,"
                " c.center_id, c.person_id FROM cases_case c WHERE c.id %% 4 = 0",
            )
            _sql(
                cursor,
                "distribution lines",
                "INSERT INTO aid_distributionline (quantity, distribution_id, item_id)"
                " SELECT 1 + d.id %% 5, d.id, i.id FROM aid_distribution d"
                " JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k,"
                "       count(*) OVER () AS total FROM aid_item WHERE kind = 'consumable') i"
                "   ON i.k = d.id %% i.total WHERE d.receipt_number LIKE 'B-%%'",
            )
        cursor.execute("SELECT count(*) FROM aid_loan")
        if cursor.fetchone()[0] < 1000:
            _sql(
                cursor,
                "pieces",
                "INSERT INTO aid_piece (serial_number, status, condition, version, center_id,"
                " item_id) SELECT 'B-' || c.id || '-' || n, CASE WHEN n <= 6 THEN 'loaned'"
                " ELSE 'in_stock' END, 'ดี', 1, c.id,"
                " (SELECT min(id) FROM aid_item WHERE kind = 'equipment')"
                " FROM centers_center c CROSS JOIN generate_series(1, 10) AS n",
            )
            _sql(
                cursor,
                "loans",
                "INSERT INTO aid_loan (loaned_on, expected_return_on, condition_out,"
                " condition_in, status, center_id, piece_id, volunteer_id)"
                " SELECT CURRENT_DATE - 30, CURRENT_DATE + 60, 'ดี', '', 'out', p.center_id, p.id,"
                " (SELECT min(v.id) FROM centers_volunteer v WHERE v.center_id = p.center_id)"
                " FROM aid_piece p WHERE p.serial_number LIKE 'B-%%' AND p.status = 'loaned'",
            )
        cursor.execute("SET session_replication_role = DEFAULT")
    with connection.cursor() as cursor:
        for table in (
            "centers_volunteer",
            "cases_visit_volunteers",
            "centers_hoursentry",
            "referrals_referral",
            "aid_distribution",
            "aid_distributionline",
            "aid_loan",
        ):
            cursor.execute(f"ANALYZE {table}")


def generate_outcomes() -> None:
    """What the outcome figures read and the other generators leave out (PostgreSQL, set-based):
    partners' answer and finish times, problems' resolution dates, two assessments for a third
    of the households (90–260 days apart, some better, some worse), reopenings of one closure in
    fifty, and help on a quarter of the closed cases."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        _sql(
            cursor,
            "referral answers",
            "UPDATE referrals_referral SET"
            " responded_at = CASE WHEN status NOT IN ('sent', 'withdrawn')"
            "  THEN sent_at + (id %% 9) * interval '1 day' END,"
            " finished_at = CASE WHEN status IN ('completed', 'not_completed', 'declined',"
            "  'withdrawn') THEN sent_at + (5 + id %% 40) * interval '1 day' END"
            " WHERE responded_at IS NULL AND finished_at IS NULL",
        )
        _sql(
            cursor,
            "problems resolved",
            "UPDATE registry_personproblem SET resolved_on ="
            " LEAST(CURRENT_DATE, first_reported_on + (id %% 400)::integer)"
            " WHERE status = 'resolved' AND resolved_on IS NULL",
        )
        cursor.execute("SELECT count(*) FROM registry_householdassessment")
        if cursor.fetchone()[0] < 1000:
            for label, days, change in (
                ("first assessments", "(200 + h.id %% 200)", "0"),
                ("latest assessments", "(h.id %% 110)", "(h.id %% 5 - 2)"),
            ):
                _sql(
                    cursor,
                    label,
                    "INSERT INTO registry_householdassessment (household_id, assessed_on,"
                    " indicators, income_score, housing_score, health_score, education_score,"
                    " public_services_score, notes, created_at)"
                    f" SELECT h.id, CURRENT_DATE - ({days})::integer, '{{}}'::jsonb,"
                    f" GREATEST(0, 2 + {change}), 2, GREATEST(0, 3 - {change}), 2,"
                    f" GREATEST(0, 1 + (h.id %% 3) * {change}), '', now()"
                    " FROM registry_household h WHERE h.id %% 3 = 0",
                )
        cursor.execute("SELECT count(*) FROM cases_casereopening")
        if cursor.fetchone()[0] == 0:
            _sql(
                cursor,
                "reopenings",
                "INSERT INTO cases_casereopening (case_id, closed_at, outcome, reopened_at)"
                " SELECT id, reported_at + interval '3 days', outcome,"
                " reported_at + interval '3 days' + (id %% 150) * interval '1 day'"
                " FROM cases_case WHERE closed_at IS NOT NULL AND id %% 50 = 0",
            )
        cursor.execute("SELECT count(*) FROM cases_assistance")
        if cursor.fetchone()[0] < 1000:
            _sql(
                cursor,
                "assistance",
                "INSERT INTO cases_assistance (case_id, person_id, household_id, center_id, kind,"
                " regulation, amount, description, given_on, provider, recorded_at)"
                " SELECT c.id, c.person_id, c.household_id, c.center_id,"
                " (ARRAY['emergency_grant', 'cash', 'goods', 'service'])[1 + c.id %% 4],"
                " '', CASE WHEN c.id %% 4 < 2 THEN 1000 + (c.id %% 5) * 500 END,"
                " 'ความช่วยเหลือ', c.reported_at::date + 5, '', now()"
                " FROM cases_case c WHERE c.id %% 4 = 1",
            )
        cursor.execute("SET session_replication_role = DEFAULT")
        for table in (
            "referrals_referral",
            "registry_personproblem",
            "registry_householdassessment",
            "cases_casereopening",
            "cases_assistance",
        ):
            cursor.execute(f"ANALYZE {table}")


def sizes() -> dict:
    from django.db import connection

    tables = {
        "people": "registry_person",
        "cases": "cases_case",
        "visits": "cases_visit",
        "volunteers": "centers_volunteer",
        "visit volunteers": "cases_visit_volunteers",
        "referrals": "referrals_referral",
        "distribution lines": "aid_distributionline",
        "centers": "centers_center",
    }
    with connection.cursor() as cursor:
        found = {}
        for name, table in tables.items():
            cursor.execute(f"SELECT count(*) FROM {table}")
            found[name] = cursor.fetchone()[0]
    return found


def naive_nation(period) -> dict:
    """The nation's dashboard figures for the period straight from the base tables."""
    from django.db.models import Count, Sum

    from asa.aid.models import DistributionLine, Loan, LoanStatus
    from asa.cases.models import OPEN_STATUSES, Case, Visit
    from asa.centers.models import Center, Volunteer, VolunteerStatus
    from asa.centers.queries import hours_by_center
    from asa.referrals.models import Referral
    from asa.registry.models import Person
    from asa.reports.facts import _month_bounds

    start, _ = _month_bounds(period.start, aware=True)
    _, end = _month_bounds(period.end, aware=True)
    cases = Case.objects.all()
    return {
        "volunteers_active": Volunteer.objects.filter(status=VolunteerStatus.ACTIVE).count(),
        "people_total": Person.objects.filter(merged_into__isnull=True).count(),
        "people_by_target_group": list(
            Person.target_groups.through.objects.values("targetgroup_id").annotate(
                n=Count("person_id")
            )
        ),
        "cases_open": cases.filter(status__in=OPEN_STATUSES).count(),
        "cases_opened": cases.filter(reported_at__gte=start, reported_at__lt=end).count(),
        "cases_closed": cases.filter(closed_at__gte=start, closed_at__lt=end).count(),
        "visits": Visit.objects.filter(visited_at__gte=start, visited_at__lt=end).count(),
        "referrals": list(
            Referral.objects.filter(sent_at__gte=start, sent_at__lt=end)
            .values("status")
            .annotate(n=Count("id"))
        ),
        "goods": list(
            DistributionLine.objects.filter(
                distribution__distributed_on__gte=period.start,
                distribution__distributed_on__lte=period.end_date,
            )
            .values("item_id")
            .annotate(n=Sum("quantity"))
        ),
        "on_loan": Loan.objects.filter(status=LoanStatus.OUT).count(),
        "hours": len(
            hours_by_center(Center.objects.all(), first_day=period.start, last_day=period.end_date)
        ),
    }


def serve():
    """The site on a free port in a thread (Django's threaded WSGI server)."""
    from django.core.servers.basehttp import (
        ThreadedWSGIServer,
        WSGIRequestHandler,
        get_internal_wsgi_application,
    )

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadedWSGIServer(("127.0.0.1", 0), Quiet)
    server.set_app(get_internal_wsgi_application())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def timed_gets(url: str, headers: dict, *, requests: int) -> tuple[list[float], int]:
    times, status = [], 0
    for index in range(requests + 2):
        request = urllib.request.Request(url, headers=headers)  # noqa: S310 (our own http URL)
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request) as response:  # noqa: S310
                response.read()
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        if index >= 2:  # two warm-up requests
            times.append((time.monotonic() - started) * 1000)
    return times, status


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/asa_bench"),
    )
    parser.add_argument("--generate", action="store_true", help="add the data described above")
    parser.add_argument("--volunteers", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=40, help="per URL")
    parser.add_argument("--skip-rebuild", action="store_true")
    options = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    os.environ["DATABASE_URL"] = options.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asa.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from asa.accounts.actions import create_api_token
    from asa.accounts.models import User
    from asa.centers.models import Center
    from asa.reports.actions import mark_rollups_stale, rebuild_rollups, refresh_rollups
    from asa.reports.models import CurrentFigure, MonthlyFigure
    from asa.reports.queries import Period

    call_command("migrate", interactive=False, verbosity=0)
    if options.generate:
        print("generating:")
        generate(volunteers=options.volunteers)
        generate_outcomes()
    print("data:", ", ".join(f"{name} {count:,}" for name, count in sizes().items()))

    if not options.skip_rebuild:
        from asa.reports.facts import OUTCOME_METRICS

        steps: list[tuple[str, float]] = []

        def progress(text: str) -> None:
            print(text)
            label, _, seconds = text.strip().rpartition(": ")
            steps.append((label, float(seconds.split()[0])))

        started = time.monotonic()
        result = rebuild_rollups(progress=progress)
        # problems_reported is an activity figure the outcomes also read: not counted here.
        outcome_seconds = sum(
            seconds
            for label, seconds in steps
            if label in OUTCOME_METRICS and label != "problems_reported"
        )
        print(
            f"rollup rebuild from scratch: {time.monotonic() - started:.1f} s"
            f" ({MonthlyFigure.objects.count():,} monthly rows,"
            f" {CurrentFigure.objects.count():,} current rows; {result})"
        )
        outcome_rows = MonthlyFigure.objects.filter(metric__in=OUTCOME_METRICS).count()
        print(f"  of which the outcome figures: {outcome_seconds:.1f} s ({outcome_rows:,} rows)")
    period = Period.current_fiscal_year()
    started = time.monotonic()
    naive_nation(period)
    print(
        f"naive aggregates (nation, FY{period.fiscal_year_be}): {time.monotonic() - started:.1f} s"
    )

    bang_khen = Center.objects.get(code="BKK-1005")
    from django.db import transaction
    from django.utils import timezone

    with transaction.atomic():
        mark_rollups_stale(center_id=bang_khen.pk, on=timezone.localdate())
    started = time.monotonic()
    refresh_rollups()
    print(f"refresh of one stale center-month (Bang Khen): {time.monotonic() - started:.2f} s")

    server, base = serve()
    admin = User.objects.get(username="admin")
    _, secret = create_api_token(actor=None, user=admin, name="bench-dashboards")
    client = Client()
    sign_in(client, admin)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    fy = f"?fiscal_year={period.fiscal_year_be}"
    targets = [
        ("API nation", f"/api/v1/dashboards/nation{fy}", True),
        ("API province Bangkok", f"/api/v1/dashboards/provinces/10{fy}", True),
        ("API district Bang Khen", f"/api/v1/dashboards/districts/1005{fy}", True),
        ("API center Bang Khen", f"/api/v1/dashboards/centers/{bang_khen.pk}{fy}", True),
        ("API outcomes nation", f"/api/v1/dashboards/nation/outcomes{fy}", True),
        ("API outcomes Bangkok", f"/api/v1/dashboards/provinces/10/outcomes{fy}", True),
        ("API outcomes Bang Khen", f"/api/v1/dashboards/districts/1005/outcomes{fy}", True),
        (
            "API outcomes center",
            f"/api/v1/dashboards/centers/{bang_khen.pk}/outcomes{fy}",
            True,
        ),
    ]
    pages = [
        ("page nation", "reports:nation", {}),
        ("page province Bangkok", "reports:province", {"code": "10"}),
        ("page district Bang Khen", "reports:district", {"code": "1005"}),
        ("page center Bang Khen", "reports:center", {"pk": bang_khen.pk}),
        ("page outcomes nation", "reports:nation_outcomes", {}),
        ("page outcomes Bangkok", "reports:province_outcomes", {"code": "10"}),
        ("page outcomes center", "reports:center_outcomes", {"pk": bang_khen.pk}),
    ]
    for label, name, kwargs in pages:
        try:
            targets.append((label, reverse(name, kwargs=kwargs) + fy, False))
        except NoReverseMatch:
            print(f"{label}: no such page yet ({name})")
    print(f"p95 over HTTP ({options.requests} requests each, after 2 warm-ups):")
    for label, path, is_api in targets:
        headers = {"Authorization": f"Bearer {secret}"} if is_api else {"Cookie": cookie}
        times, status = timed_gets(base + path, headers, requests=options.requests)
        print(
            f"  {label:26} p95 {p95(times):6.1f} ms  median {statistics.median(times):6.1f} ms"
            f"  (HTTP {status})"
        )
    server.shutdown()


if __name__ == "__main__":
    main()
