"""Background work of the reports app (django-tasks; `asa db_worker` runs it in production)."""

from django_tasks import task


@task()
def refresh_stale_rollups() -> dict:
    """Recompute the center-months marked stale, then their district/province/nation sums."""
    from asa.reports.actions import refresh_rollups

    return refresh_rollups()
