"""Background work of the reports app (django-tasks; `asa db_worker` runs it in production)."""

from django_tasks import task


@task()
def refresh_stale_rollups() -> dict:
    """Recompute the center-months marked stale, then their district/province/nation sums."""
    from asa.reports.actions import refresh_rollups

    return refresh_rollups()


@task()
def refresh_current_figures_task() -> dict:
    """Recompute every stock figure (nightly)."""
    from asa.reports.actions import refresh_current_figures

    return refresh_current_figures()


@task()
def rebuild_rollups_task() -> dict:
    """Recompute every rollup from the base tables."""
    from asa.reports.actions import rebuild_rollups

    return rebuild_rollups()
