"""Writes of the reports app: marking rollups stale, refreshing and rebuilding them.

Rollups are derived data, so these actions write no audit event of their own: the action that
changed the base rows already recorded one (DESIGN rule 2 is about who changed what).

How the figures stay current:
* every action that changes a figure calls `mark_rollups_stale(center_id=, on=)`: one upsert in
  its own transaction, and the refresh task queued after commit;
* the task (`refresh_rollups`) recomputes each stale center-month from the base tables, re-sums
  that month of its district, province and the nation, and recomputes the stock figures of the
  centers involved (and of every center once a day: "overdue" moves with the calendar);
* `asa rollups current` (nightly from cron, or `--background`) recomputes every stock figure;
  `asa rollups rebuild` recomputes everything from scratch (after an import from outside the
  actions, or to heal drift such as a volunteer moving center with their past hours).
"""

import datetime as dt
import time

from django.db import connection, models, transaction
from django.utils import timezone

from asa.reports import cache as figures_cache
from asa.reports.facts import all_monthly_facts, current_facts
from asa.reports.models import NATION_CODE, AreaLevel, CurrentFigure, MonthlyFigure, StaleMonth

MONTHLY = MonthlyFigure._meta.db_table
CURRENT = CurrentFigure._meta.db_table


def _enqueue_refresh() -> None:
    """Queue the refresh task, unless one is already waiting (it will see this mark too)."""
    from django.conf import settings

    from asa.reports.tasks import refresh_stale_rollups

    backend = settings.TASKS.get("default", {}).get("BACKEND", "")
    if backend.startswith("django_tasks_db."):
        from django_tasks_db.compat import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        waiting = DBTaskResult.objects.filter(
            status=TaskResultStatus.READY, task_path=refresh_stale_rollups.module_path
        )
        if waiting.exists():
            return
    refresh_stale_rollups.enqueue()


def mark_rollups_stale(*, center_id: int, on: dt.date) -> None:
    """Note that figures of `center_id` for the month of `on` changed; refresh after commit.

    Cheap: one INSERT .. ON CONFLICT DO NOTHING in the caller's transaction (so the mark is as
    durable as the change), and at most one refresh task queued per transaction.
    """
    if center_id is None or on is None:
        return
    if isinstance(on, dt.datetime):
        on = timezone.localtime(on).date() if timezone.is_aware(on) else on.date()
    StaleMonth.objects.bulk_create(
        [StaleMonth(center_id=center_id, month=on.replace(day=1))], ignore_conflicts=True
    )
    connection_ = transaction.get_connection()
    if connection_.in_atomic_block and any(
        callback is _enqueue_refresh for _, callback, _ in connection_.run_on_commit
    ):
        return
    transaction.on_commit(_enqueue_refresh)


def mark_rollups_stale_many(*, marks) -> None:
    """`mark_rollups_stale` for many (center_id, date) pairs at once (imports: one per month)."""
    months = {(center_id, on.replace(day=1)) for center_id, on in marks if center_id and on}
    if not months:
        return
    if connection.vendor == "postgresql":
        # Two arrays instead of a statement of ~900 rows: an import batch across the country
        # marks every center, and bulk_create spent ~45 ms a batch building that statement.
        centers, firsts = zip(*months, strict=True)
        _execute(
            f"INSERT INTO {StaleMonth._meta.db_table} (center_id, month, marked_at) "  # noqa: S608
            "SELECT c, m, %s FROM unnest(%s::integer[], %s::date[]) AS k(c, m) "
            "ON CONFLICT DO NOTHING",
            [timezone.now(), list(centers), list(firsts)],
        )
    else:
        StaleMonth.objects.bulk_create(
            [StaleMonth(center_id=center_id, month=month) for center_id, month in months],
            ignore_conflicts=True,
        )
    transaction.on_commit(_enqueue_refresh)


# -- computing ------------------------------------------------------------------------------


def _execute(sql: str, params) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


def _insert_monthly(metric: str, queryset) -> int:
    """INSERT .. SELECT the center rows of one fact (its queryset compiled as a subquery)."""
    sql, params = queryset.query.sql_with_params()
    return _execute(
        f"INSERT INTO {MONTHLY}"  # noqa: S608 (our table names and compiled querysets; values are parameters)
        " (level, code, month, metric, dimension, value, district_code, province_code)"
        " SELECT %s, CAST(f.c AS VARCHAR(20)), f.m, %s, f.d, f.v, d.code, d.province_id"
        f" FROM ({sql}) f JOIN centers_center c ON c.id = f.c"
        " JOIN geo_district d ON d.code = c.district_id",
        [AreaLevel.CENTER, metric, *params],
    )


def _insert_current(metric: str, queryset, now: dt.datetime) -> int:
    sql, params = queryset.query.sql_with_params()
    return _execute(
        f"INSERT INTO {CURRENT}"  # noqa: S608 (our table names and compiled querysets; values are parameters)
        " (level, code, metric, dimension, value, district_code, province_code, computed_at)"
        " SELECT %s, CAST(f.c AS VARCHAR(20)), %s, f.d, f.v, d.code, d.province_id, %s"
        f" FROM ({sql}) f JOIN centers_center c ON c.id = f.c"
        " JOIN geo_district d ON d.code = c.district_id",
        [AreaLevel.CENTER, metric, now, *params],
    )


# The parent levels: (level, code column, district_code value, province_code value).
_PARENTS = [
    (AreaLevel.DISTRICT, "district_code", "district_code", "province_code"),
    (AreaLevel.PROVINCE, "province_code", "''", "province_code"),
    (AreaLevel.NATION, f"'{NATION_CODE}'", "''", "''"),
]


def _sum_parents(*, month: dt.date | None, districts=None, provinces=None) -> None:
    """Re-sum district, province and nation rows from the center rows (one month, or all).

    `districts` / `provinces` limit the district and province levels to those codes (the ones a
    refresh touched); the nation is re-summed whenever `month` is given or all is rebuilt.
    """
    for level, code, district_value, province_value in _PARENTS:
        where, params = ["level = %s"], [AreaLevel.CENTER]
        if month is not None:
            where.append("month = %s")
            params.append(month)
        limit = {AreaLevel.DISTRICT: districts, AreaLevel.PROVINCE: provinces}.get(level)
        if limit is not None:
            if not limit:
                continue
            column = "district_code" if level == AreaLevel.DISTRICT else "province_code"
            where.append(f"{column} IN ({', '.join(['%s'] * len(limit))})")
            params.extend(sorted(limit))
        delete = MonthlyFigure.objects.filter(level=level)
        if month is not None:
            delete = delete.filter(month=month)
        if limit is not None:
            delete = delete.filter(code__in=limit)
        delete._raw_delete(delete.db)
        group = ", ".join(
            dict.fromkeys(
                column
                for column in (code, district_value, province_value)
                if not column.startswith("'")
            )
        )
        group = f"{group}, " if group else ""
        _execute(
            f"INSERT INTO {MONTHLY}"  # noqa: S608 (our table names and compiled querysets; values are parameters)
            " (level, code, month, metric, dimension, value, district_code, province_code)"
            f" SELECT %s, {code}, month, metric, dimension, SUM(value),"
            f" {district_value}, {province_value}"
            f" FROM {MONTHLY} WHERE {' AND '.join(where)}"
            f" GROUP BY {group}month, metric, dimension",
            [level, *params],
        )


def _sum_current_parents(*, districts=None, provinces=None, now: dt.datetime) -> None:
    for level, code, district_value, province_value in _PARENTS:
        where, params = ["level = %s"], [AreaLevel.CENTER]
        limit = {AreaLevel.DISTRICT: districts, AreaLevel.PROVINCE: provinces}.get(level)
        delete = CurrentFigure.objects.filter(level=level)
        if limit is not None:
            if not limit:
                continue
            column = "district_code" if level == AreaLevel.DISTRICT else "province_code"
            where.append(f"{column} IN ({', '.join(['%s'] * len(limit))})")
            params.extend(sorted(limit))
            delete = delete.filter(code__in=limit)
        delete._raw_delete(delete.db)
        group = ", ".join(
            dict.fromkeys(
                column
                for column in (code, district_value, province_value)
                if not column.startswith("'")
            )
        )
        group = f"GROUP BY {group}, metric, dimension" if group else "GROUP BY metric, dimension"
        _execute(
            f"INSERT INTO {CURRENT}"  # noqa: S608 (our table names and compiled querysets; values are parameters)
            " (level, code, metric, dimension, value, district_code, province_code, computed_at)"
            f" SELECT %s, {code}, metric, dimension, SUM(value), {district_value},"
            f" {province_value}, %s FROM {CURRENT} WHERE {' AND '.join(where)} {group}",
            [level, now, *params],
        )


def _all_facts(**one_center_month):
    """The activity figures, then the outcome figures (same rows, same refresh)."""
    return all_monthly_facts(**one_center_month)


def mark_late_referrals_stale(*, today: dt.date | None = None, days: int = 7) -> int:
    """Open referrals that went past a due date in the last `days` days move into the partner
    scorecard's "late": mark the months they were sent in (daily, with the stock figures)."""
    from asa.referrals.models import OPEN_REFERRAL_STATUSES, Referral

    today = today or timezone.localdate()
    since = today - dt.timedelta(days=days)
    rows = (
        Referral.objects.filter(status__in=OPEN_REFERRAL_STATUSES)
        .filter(
            models.Q(respond_by__gte=since, respond_by__lt=today)
            | models.Q(complete_by__gte=since, complete_by__lt=today)
        )
        .values_list("case__center_id", "sent_at")
    )
    marks = {(center_id, _local_date(sent_at)) for center_id, sent_at in rows}
    mark_rollups_stale_many(marks=marks)
    return len(marks)


def _refresh_current(*, center_ids=None) -> int:
    """Recompute the stock figures of some centers (or all) and re-sum their parents."""
    from asa.centers.models import Center

    now = timezone.now()
    rows = CurrentFigure.objects.filter(level=AreaLevel.CENTER)
    districts = provinces = None
    if center_ids is not None:
        rows = rows.filter(code__in=[str(pk) for pk in center_ids])
        areas = list(
            Center.objects.filter(pk__in=center_ids).values_list(
                "pk", "district_id", "district__province_id"
            )
        )
        districts = {district for _, district, _ in areas}
        provinces = {province for _, _, province in areas}
    rows._raw_delete(rows.db)
    inserted = 0
    for metric, queryset in current_facts(center_ids=center_ids):
        inserted += _insert_current(metric, queryset, now)
    _sum_current_parents(districts=districts, provinces=provinces, now=now)
    # Every refresh and rebuild passes here (a refresh of stale months refreshes the stock
    # figures of the same centers): the cached dashboards of these areas are built again.
    if center_ids is None:
        figures_cache.forget_all()
    else:
        figures_cache.forget_centers(areas)
    return inserted


def refresh_rollups(*, limit: int = 200) -> dict:
    """Recompute the stale center-months (at most `limit` per run; the task runs again for
    more) and the stock figures of their centers; every stock figure once a day."""
    from asa.centers.models import Center

    refreshed = 0
    with transaction.atomic():
        marks = list(
            StaleMonth.objects.order_by("month", "center_id").values_list(
                "pk", "center_id", "month"
            )[:limit]
        )
        if marks:
            StaleMonth.objects.filter(pk__in=[pk for pk, _, _ in marks]).delete()
            areas = {
                pk: (district, province)
                for pk, district, province in Center.objects.filter(
                    pk__in={center_id for _, center_id, _ in marks}
                ).values_list("pk", "district_id", "district__province_id")
            }
            touched: dict[dt.date, tuple[set, set]] = {}
            for _, center_id, month in marks:
                if center_id not in areas:
                    continue
                old = MonthlyFigure.objects.filter(
                    level=AreaLevel.CENTER, code=str(center_id), month=month
                )
                old._raw_delete(old.db)
                for metric, queryset in _all_facts(center_id=center_id, month=month):
                    _insert_monthly(metric, queryset)
                district, province = areas[center_id]
                districts, provinces = touched.setdefault(month, (set(), set()))
                districts.add(district)
                provinces.add(province)
                refreshed += 1
            for month, (districts, provinces) in touched.items():
                _sum_parents(month=month, districts=districts, provinces=provinces)
        nation = CurrentFigure.objects.filter(level=AreaLevel.NATION).values_list(
            "computed_at", flat=True
        )[:1]
        computed = next(iter(nation), None)
        if computed is None or timezone.localtime(computed).date() < timezone.localdate():
            _refresh_current()
            mark_late_referrals_stale()
        elif marks:
            _refresh_current(center_ids=sorted({center_id for _, center_id, _ in marks}))
        more = StaleMonth.objects.exists()
    if more:
        transaction.on_commit(_enqueue_refresh)
    return {"refreshed": refreshed, "more": more}


@transaction.atomic
def refresh_current_figures() -> dict:
    """Recompute every stock figure (nightly: "overdue" depends on today's date)."""
    current = _refresh_current()
    return {"current": current, "late_referral_months": mark_late_referrals_stale()}


@transaction.atomic
def rebuild_rollups(*, progress=None) -> dict:
    """Recompute every rollup from the base tables with set-based INSERT .. SELECT.

    `progress(text)` is told each step's time (the benchmark prints them).
    """
    started = step = time.monotonic()

    def done(label: str) -> None:
        nonlocal step
        if progress is not None:
            progress(f"  {label}: {time.monotonic() - step:.1f} s")
        step = time.monotonic()

    StaleMonth.objects.all()._raw_delete(StaleMonth.objects.db)
    MonthlyFigure.objects.all()._raw_delete(MonthlyFigure.objects.db)
    done("clear")
    monthly = 0
    for metric, queryset in _all_facts():
        monthly += _insert_monthly(metric, queryset)
        done(metric)
    _sum_parents(month=None)
    done("district, province and nation sums")
    current = _refresh_current()
    done("current figures")
    if connection.vendor == "postgresql":
        # A million fresh rows: without statistics the planner misses the children indexes.
        _execute(f"ANALYZE {MONTHLY}, {CURRENT}", [])
    return {
        "monthly": monthly,
        "current": current,
        "seconds": round(time.monotonic() - started, 1),
    }


def mark_case_rollups_stale(
    *, case, previous: tuple = (None, None), on: dt.datetime | dt.date | None = None
) -> None:
    """Mark every month a change to `case` can move: intake, first visit, closure (before and
    after), `on` (a visit's date) and today, for its center and the center it had before
    (`previous` = (center id, closed_at) before the change; a transfer moves all its months)."""
    old_center, old_closed = previous
    days = {case.reported_at, case.first_visit_at, case.closed_at, old_closed, on}
    days.add(timezone.now())
    centers = {case.center_id, old_center} - {None}
    if old_center is not None and old_center != case.center_id:
        from asa.cases.models import Visit
        from asa.referrals.models import Referral

        days.update(Visit.objects.filter(case=case).values_list("visited_at", flat=True))
        days.update(Referral.objects.filter(case=case).values_list("sent_at", flat=True))
        from asa.cases.models import CaseReopening

        # The outcome figure "reopened within 90 days" counts in the undone closure's month.
        days.update(CaseReopening.objects.filter(case=case).values_list("closed_at", flat=True))
    months = {_local_date(day).replace(day=1) for day in days if day is not None}
    for center_id in sorted(centers):
        for month in sorted(months):
            mark_rollups_stale(center_id=center_id, on=month)


def _local_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def mark_referral_rollups_stale(*, referral) -> None:
    """A referral counts in the month it was sent, at its case's center."""
    mark_rollups_stale(center_id=referral.case.center_id, on=referral.sent_at)


def mark_people_rollups_stale(*, person_ids, previous_center_ids=(), with_problems=False) -> None:
    """Mark the months people count in: registration (and target groups) at their center, and
    with `with_problems` the months their problems were first reported; plus today (stocks).

    One query for any number of people (an import batch marks once per center-month).
    """
    from asa.registry.models import Person, PersonProblem

    today = timezone.localdate()
    marks = set()
    rows = Person.objects.filter(pk__in=person_ids, center__isnull=False).values_list(
        "pk", "center_id", "created_at"
    )
    center_of = {}
    for pk, center_id, created_at in rows:
        center_of[pk] = center_id
        marks.add((center_id, _local_date(created_at).replace(day=1)))
        marks.add((center_id, today.replace(day=1)))
    if with_problems and center_of:
        # Their problems by person id alone, the centers from above: joined to the people, a
        # national registry made PostgreSQL hash the whole person table for an import batch.
        problems = PersonProblem.objects.filter(person_id__in=list(center_of)).values_list(
            "person_id", "first_reported_on"
        )
        marks.update((center_of[pk], day.replace(day=1)) for pk, day in problems)
    for center_id in previous_center_ids:
        if center_id:
            marks.update((center_id, month) for _, month in list(marks))
    mark_rollups_stale_many(marks=marks)
