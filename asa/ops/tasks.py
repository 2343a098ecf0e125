"""The task the scheduler queues: one run of one periodic job, in `asa db_worker`."""

import datetime as dt

from django_tasks import task


@task()
def run_scheduled_job(name: str, scheduled_for: str) -> dict:
    from asa.ops.actions import run_job

    run = run_job(name=name, scheduled_for=dt.datetime.fromisoformat(scheduled_for))
    return {"outcome": run.outcome, "duration_ms": run.duration_ms}
