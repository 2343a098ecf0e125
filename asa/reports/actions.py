"""Writes of the reports app: marking rollups stale, refreshing and rebuilding them.

Rollups are derived data, so these actions write no audit event of their own: the action that
changed the base rows already recorded one (DESIGN rule 2 is about who changed what).
"""

import datetime as dt

from django.db import transaction

from asa.reports.models import StaleMonth


def _enqueue_refresh() -> None:
    from asa.reports.tasks import refresh_stale_rollups

    refresh_stale_rollups.enqueue()


def mark_rollups_stale(*, center_id: int, on: dt.date) -> None:
    """Note that figures of `center_id` for the month of `on` changed; refresh after commit.

    Cheap: one INSERT .. ON CONFLICT DO NOTHING in the caller's transaction (so the mark is as
    durable as the change), and at most one refresh task queued per transaction.
    """
    if center_id is None or on is None:
        return
    if isinstance(on, dt.datetime):
        on = on.date()
    StaleMonth.objects.bulk_create(
        [StaleMonth(center_id=center_id, month=on.replace(day=1))], ignore_conflicts=True
    )
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        callback is _enqueue_refresh for _, callback, _ in connection.run_on_commit
    ):
        return
    transaction.on_commit(_enqueue_refresh)


def refresh_rollups() -> dict:
    """Recompute every stale center-month (filled in below)."""
    claimed = list(StaleMonth.objects.values_list("pk", flat=True))
    StaleMonth.objects.filter(pk__in=claimed).delete()
    return {"refreshed": len(claimed)}
