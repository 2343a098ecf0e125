"""The nightly check of the dashboards' rollups against the source rows.

Every center-month figure is recomputed from the base tables (the same fact queries the refresh
uses, read instead of written) and compared with the stored one; the nation's rows are compared
with the sums of the center rows. Center-months that differ are marked stale, so the next
rollup refresh repairs them; the run's result names them (ops page).
"""

import datetime as dt
from decimal import Decimal

from asa.reports.models import NATION_CODE, AreaLevel, MonthlyFigure, StaleMonth

SAMPLE = 20  # mismatches named in the result
CENTS = Decimal("0.01")


def _month(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date().replace(day=1)
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10]).replace(day=1)
    return value.replace(day=1)


def _decimal(value) -> Decimal:
    # The figures are stored with two decimals; sums of floats (SQLite) are read the same way.
    return Decimal(str(value or 0)).quantize(CENTS)


def check_rollups() -> dict:
    from asa.reports.actions import mark_rollups_stale_many
    from asa.reports.facts import all_monthly_facts

    pending = set(StaleMonth.objects.values_list("center_id", "month"))
    expected: dict[tuple, Decimal] = {}
    for metric, queryset in all_monthly_facts():
        for row in queryset:
            key = (str(row["c"]), _month(row["m"]), metric, str(row["d"] or ""))
            expected[key] = expected.get(key, Decimal(0)) + _decimal(row["v"])
    stored: dict[tuple, Decimal] = {}
    nation: dict[tuple, Decimal] = {}
    sums: dict[tuple, Decimal] = {}
    for level, code, month, metric, dimension, value in MonthlyFigure.objects.filter(
        level__in=[AreaLevel.CENTER, AreaLevel.NATION]
    ).values_list("level", "code", "month", "metric", "dimension", "value"):
        value = _decimal(value)
        if level == AreaLevel.NATION:
            nation[(month, metric, dimension)] = value
        else:
            stored[(code, month, metric, dimension)] = value
            sums[(month, metric, dimension)] = sums.get((month, metric, dimension), 0) + value
    mismatched = []
    for key in expected.keys() | stored.keys():
        code, month, metric, dimension = key
        if (int(code), month) in pending:
            continue  # a refresh is already on its way
        if expected.get(key, 0) != stored.get(key, 0):
            mismatched.append(key)
    nation_mismatched = [
        key
        for key in sums.keys() | nation.keys()
        if sums.get(key, 0) != nation.get(key, 0) and key[0] not in {m for _, m in pending}
    ]
    if mismatched:
        mark_rollups_stale_many(marks=[(int(code), month) for code, month, _, _ in mismatched])
    if nation_mismatched:
        # A wrong parent sum is mended by refreshing any center of its month.
        from asa.centers.models import Center

        center = Center.objects.values_list("pk", flat=True).first()
        if center is not None:
            mark_rollups_stale_many(marks=[(center, month) for month, _, _ in nation_mismatched])
    return {
        "checked": len(expected.keys() | stored.keys()),
        "mismatched": len(mismatched),
        "nation_mismatched": len(nation_mismatched),
        "sample": [
            f"{code} {month.isoformat()} {metric} {dimension}: "
            f"{stored.get((code, month, metric, dimension), 0)} ≠ "
            f"{expected.get((code, month, metric, dimension), 0)}"
            for code, month, metric, dimension in sorted(mismatched)[:SAMPLE]
        ]
        + [
            f"{NATION_CODE} {month.isoformat()} {metric} {dimension}"
            for month, metric, dimension in sorted(nation_mismatched)[:SAMPLE]
        ],
    }
