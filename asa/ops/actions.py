"""Every write of the scheduler: claiming due jobs, running one under its lock, recovering
imports whose worker died, forgetting old run history.

Both locks are single UPDATE statements with the old value in their WHERE clause (compare and
set), so they hold on SQLite and PostgreSQL alike and across any number of processes.
"""

import datetime as dt
import logging
import time
import traceback

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from asa.ops.jobs import JOBS, JOBS_BY_NAME
from asa.ops.models import JobRun, RunOutcome, ScheduledJob

logger = logging.getLogger(__name__)


def _rows() -> dict[str, ScheduledJob]:
    ScheduledJob.objects.bulk_create(
        [ScheduledJob(name=job.name) for job in JOBS], ignore_conflicts=True
    )
    return {row.name: row for row in ScheduledJob.objects.filter(name__in=JOBS_BY_NAME)}


def enqueue_due_jobs(*, now: dt.datetime | None = None) -> list[str]:
    """Queue a run of every job that is due at `now` (or run it here, for a job marked
    `in_scheduler`); returns their names.

    A job seen for the first time runs at once if it is periodic and waits for its hour if it
    is daily. Two schedulers may run side by side: only the one whose UPDATE moves the job's
    `next_run_at` from the value it read enqueues the run.
    """
    from asa.ops.tasks import run_scheduled_job

    now = now or timezone.now()
    queued = []
    for name, row in _rows().items():
        job = JOBS_BY_NAME[name]
        first_time = row.next_run_at is None
        due = (first_time and job.every is not None) or (not first_time and row.next_run_at <= now)
        if not due and not first_time:
            continue
        with transaction.atomic():
            moved = ScheduledJob.objects.filter(pk=row.pk, next_run_at=row.next_run_at).update(
                next_run_at=job.next_after(now)
            )
            if moved and due and not job.in_scheduler:
                run_scheduled_job.enqueue(name=name, scheduled_for=now.isoformat())
                queued.append(name)
        if moved and due and job.in_scheduler:
            run_job(name=name, scheduled_for=now)  # here and now, not through the queue
            queued.append(name)
    return queued


def run_job(*, name: str, scheduled_for: dt.datetime) -> JobRun:
    """Run one job now, unless another process holds its lock; record the run either way.

    The job's `now` is `scheduled_for` (the scheduler's clock when it queued the run), so a
    moved clock reaches the job.
    """
    job = JOBS_BY_NAME[name]
    row = _rows()[name]
    started = timezone.now()
    claimed = (
        ScheduledJob.objects.filter(pk=row.pk)
        .filter(Q(running_since__isnull=True) | Q(running_since__lt=started - job.timeout))
        .update(running_since=started, last_started_at=started, last_outcome=RunOutcome.RUNNING)
    )
    if not claimed:
        return JobRun.objects.create(
            job=row,
            scheduled_for=scheduled_for,
            started_at=started,
            finished_at=started,
            duration_ms=0,
            outcome=RunOutcome.SKIPPED,
        )
    run = JobRun.objects.create(job=row, scheduled_for=scheduled_for, started_at=started)
    clock = time.monotonic()
    result, error, outcome = None, "", RunOutcome.SUCCESS
    try:
        result = job.function(now=scheduled_for)
    except Exception:  # recorded on the run and the ops page; the next run tries again
        logger.exception("periodic job %s failed", name)
        error, outcome = traceback.format_exc()[-4000:], RunOutcome.FAILURE
    finished = timezone.now()
    duration = int((time.monotonic() - clock) * 1000)
    run.finished_at, run.duration_ms, run.outcome = finished, duration, outcome
    run.result, run.error = _jsonable(result), error
    run.save(update_fields=["finished_at", "duration_ms", "outcome", "result", "error"])
    # Only the holder of the lock releases it (a run taken for dead may finish after all).
    ScheduledJob.objects.filter(pk=row.pk, running_since=started).update(running_since=None)
    ScheduledJob.objects.filter(pk=row.pk).update(
        last_finished_at=finished,
        last_duration_ms=duration,
        last_outcome=outcome,
        last_error=error,
    )
    return run


def _jsonable(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(item) for item in value]
    return str(value)


def forget_old_runs(*, now: dt.datetime) -> dict:
    """Drop run history and finished task results older than ASA_JOB_RUN_DAYS (the heartbeat
    alone adds 1,440 of each a day)."""
    from django_tasks_db.models import DBTaskResult

    cutoff = now - dt.timedelta(days=settings.JOB_RUN_DAYS)
    deleted, _ = JobRun.objects.filter(started_at__lt=cutoff).delete()
    tasks, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    return {"deleted": deleted, "task_results_deleted": tasks}


def recover_stale_imports(*, now: dt.datetime) -> dict:
    """Queue again the imports whose worker died: a job still queued or running with no task
    waiting or running for it, or one whose running task has shown no progress (no committed
    batch) for ASA_IMPORT_STALE_MINUTES. The importer resumes after its last committed batch.
    """
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from asa.accounts.events import record_event
    from asa.accounts.models import AuditEvent
    from asa.registry.models import ImportJob, ImportStatus
    from asa.registry.tasks import run_import_job

    stale_before = now - dt.timedelta(minutes=settings.IMPORT_STALE_MINUTES)
    unfinished = list(
        ImportJob.objects.filter(status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING]).only(
            "pk", "status", "created_at", "started_at"
        )[:100]
    )
    if not unfinished:
        return {"resumed": 0, "jobs": []}
    tasks: dict[int, list] = {}
    for task in DBTaskResult.objects.filter(
        task_path=run_import_job.module_path,
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
    ).only("id", "status", "started_at", "args_kwargs"):
        job_id = _import_job_id(task.args_kwargs)
        tasks.setdefault(job_id, []).append(task)
    progress = dict(
        AuditEvent.objects.filter(
            object_type="registry.importjob",
            object_id__in=[str(job.pk) for job in unfinished],
            action="import_people",
        )
        .values_list("object_id")
        .annotate(last=Max("at"))
    )
    resumed = []
    for job in unfinished:
        alive = tasks.get(job.pk, [])
        if any(task.status == TaskResultStatus.READY for task in alive):
            continue  # waiting its turn in the queue
        last_sign = max(
            filter(None, [job.created_at, job.started_at, progress.get(str(job.pk))]),
            default=job.created_at,
        )
        running = [task for task in alive if task.status == TaskResultStatus.RUNNING]
        for task in running:
            last_sign = max(last_sign, task.started_at or last_sign)
        if last_sign >= stale_before:
            continue
        # The dead worker's task is closed as failed, so the queue and /healthz stop counting
        # it; the claim (its status still running) keeps two recoveries from racing.
        if running and not DBTaskResult.objects.filter(
            pk__in=[task.pk for task in running], status=TaskResultStatus.RUNNING
        ).update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            exception_class_path="asa.ops.WorkerLost",
            traceback="the worker running this import stopped (asa.ops recover_stale_imports)",
        ):
            continue
        record_event(
            actor=None,
            action="resume_import",
            object_type="registry.importjob",
            object_id=str(job.pk),
            changes={"idle_since": last_sign.isoformat()},
            reason="งานนำเข้าค้าง: ตัวทำงานเบื้องหลังหยุดไป",
        )
        run_import_job.enqueue(job.pk)
        resumed.append(job.pk)
    return {"resumed": len(resumed), "jobs": resumed}


def _import_job_id(args_kwargs) -> int | None:
    args = (args_kwargs or {}).get("args") or []
    kwargs = (args_kwargs or {}).get("kwargs") or {}
    value = args[0] if args else kwargs.get("job_id")
    return int(value) if isinstance(value, int | str) and str(value).isdigit() else None
