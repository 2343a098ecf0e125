"""Background work of casework (django-tasks; the database backend runs it in `asa db_worker`)."""

from django_tasks import task


@task()
def flag_overdue_cases_task() -> dict:
    """Tell chairs about unvisited emergencies and overdue follow-ups (safe to run hourly)."""
    from asa.cases.actions import flag_overdue_cases

    return flag_overdue_cases()
