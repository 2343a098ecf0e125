"""The scheduler in-process (the immediate backend runs each queued job at once); the same
jobs through a real `asa db_worker` are in test_worker.py."""

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from asa.ops import actions, jobs
from asa.ops.jobs import JOBS, Job
from asa.ops.models import JobRun, RunOutcome, ScheduledJob

BANGKOK = zoneinfo.ZoneInfo("Asia/Bangkok")
NOW = dt.datetime(2026, 12, 8, 9, 30, tzinfo=BANGKOK)


def test_every_job_has_one_cadence_and_a_unique_name():
    assert len({job.name for job in JOBS}) == len(JOBS)
    with pytest.raises(ValueError):
        Job("bad", "bad", jobs.heartbeat)
    with pytest.raises(ValueError):
        Job("bad", "bad", jobs.heartbeat, every=jobs.MINUTE, daily_at=dt.time(1, 0))


def test_a_daily_job_is_next_due_at_its_local_hour():
    job = Job("nightly", "nightly", jobs.heartbeat, daily_at=dt.time(2, 30))
    assert job.next_after(NOW) == dt.datetime(2026, 12, 9, 2, 30, tzinfo=BANGKOK)
    early = dt.datetime(2026, 12, 8, 1, 0, tzinfo=BANGKOK)
    assert job.next_after(early) == dt.datetime(2026, 12, 8, 2, 30, tzinfo=BANGKOK)
    assert str(job.cadence) == "ทุกวัน เวลา 02:30 น."
    assert str(Job("x", "x", jobs.heartbeat, every=5 * jobs.MINUTE).cadence) == "ทุก 5 นาที"
    assert str(Job("x", "x", jobs.heartbeat, every=5 * jobs.SECOND).cadence) == "ทุก 5 วินาที"


@pytest.mark.django_db
def test_periodic_jobs_run_at_once_and_daily_jobs_wait_for_their_hour():
    queued = actions.enqueue_due_jobs(now=NOW)
    periodic = [job.name for job in JOBS if job.every is not None]
    daily = [job.name for job in JOBS if job.daily_at is not None]
    assert sorted(queued) == sorted(periodic)
    states = {row.name: row for row in ScheduledJob.objects.all()}
    for name in periodic:
        assert states[name].last_outcome == RunOutcome.SUCCESS, states[name].last_error
        assert states[name].running_since is None
        assert states[name].next_run_at == jobs.JOBS_BY_NAME[name].next_after(NOW)
    for name in daily:
        assert states[name].last_outcome == ""
        assert states[name].next_run_at > NOW
    assert JobRun.objects.filter(outcome=RunOutcome.SUCCESS).count() == len(periodic)
    # Looked at again a minute later, only the every-minute jobs (and the sealing, every few
    # seconds) are due.
    later = actions.enqueue_due_jobs(now=NOW + dt.timedelta(minutes=1))
    assert sorted(later) == ["deliver_notifications", "heartbeat", "seal_audit"]
    assert actions.enqueue_due_jobs(now=NOW + dt.timedelta(minutes=1, seconds=5)) == ["seal_audit"]
    # The next morning the nightly jobs ran too.
    morning = actions.enqueue_due_jobs(now=NOW + dt.timedelta(hours=20))
    assert set(daily) <= set(morning)


@pytest.mark.django_db
def test_a_run_already_claimed_by_another_scheduler_is_not_queued_again(monkeypatch):
    actions.enqueue_due_jobs(now=NOW)
    # A second scheduler read the rows before the first moved them: its UPDATE moves nothing.
    stale_rows = {row.name: row for row in ScheduledJob.objects.all()}
    for row in stale_rows.values():
        row.next_run_at = NOW - dt.timedelta(hours=1)
    monkeypatch.setattr(actions, "_rows", lambda: stale_rows)
    assert actions.enqueue_due_jobs(now=NOW + dt.timedelta(minutes=1)) == []


@pytest.mark.django_db
def test_a_job_never_runs_twice_at_once():
    actions.enqueue_due_jobs(now=NOW)
    started = timezone.now()
    ScheduledJob.objects.filter(name="watch_list").update(running_since=started)
    run = actions.run_job(name="watch_list", scheduled_for=started)
    assert run.outcome == RunOutcome.SKIPPED
    assert ScheduledJob.objects.get(name="watch_list").running_since == started
    # A lock older than the job's timeout belonged to a worker that died: it is taken over.
    ScheduledJob.objects.filter(name="watch_list").update(
        running_since=started - dt.timedelta(hours=2)
    )
    run = actions.run_job(name="watch_list", scheduled_for=started)
    assert run.outcome == RunOutcome.SUCCESS
    assert ScheduledJob.objects.get(name="watch_list").running_since is None


@pytest.mark.django_db
def test_a_failing_job_is_recorded_and_releases_its_lock(monkeypatch):
    def broken(*, now):
        raise RuntimeError("ฐานข้อมูลหายไป")

    job = jobs.JOBS_BY_NAME["overdue_referrals"]
    monkeypatch.setitem(
        jobs.JOBS_BY_NAME,
        "overdue_referrals",
        Job(job.name, job.title, broken, every=job.every),
    )
    run = actions.run_job(name="overdue_referrals", scheduled_for=NOW)
    assert run.outcome == RunOutcome.FAILURE
    assert "ฐานข้อมูลหายไป" in run.error
    state = ScheduledJob.objects.get(name="overdue_referrals")
    assert state.running_since is None
    assert state.last_outcome == RunOutcome.FAILURE
    assert "RuntimeError" in state.last_error
    assert state.last_duration_ms is not None


@pytest.mark.django_db
def test_old_runs_are_forgotten(settings):
    settings.JOB_RUN_DAYS = 30
    old = actions.run_job(name="heartbeat", scheduled_for=NOW)
    JobRun.objects.filter(pk=old.pk).update(started_at=NOW - dt.timedelta(days=31))
    recent = actions.run_job(name="heartbeat", scheduled_for=NOW)
    # Finished task results of the database queue go too; queued ones stay.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from django_tasks_db.models import DBTaskResult

    from asa.ops.tasks import run_scheduled_job

    for _ in range(2):
        run_scheduled_job.enqueue(name="heartbeat", scheduled_for=NOW.isoformat())
    finished = DBTaskResult.objects.first()
    DBTaskResult.objects.filter(pk=finished.pk).update(
        status="SUCCESSFUL", finished_at=NOW - dt.timedelta(days=31)
    )
    assert actions.forget_old_runs(now=NOW) == {"deleted": 1, "task_results_deleted": 1}
    assert list(JobRun.objects.values_list("pk", flat=True)) == [recent.pk]
    assert DBTaskResult.objects.get().status == "READY"


@pytest.mark.django_db
def test_the_scheduler_command_looks_once_with_a_moved_clock(capsys):
    from django.core.management import call_command

    call_command("scheduler", "--once", "--now", "2026-12-09T07:00:00")
    assert "heartbeat" in capsys.readouterr().out
    run = JobRun.objects.filter(job__name="watch_list").get()
    moved = dt.datetime(2026, 12, 9, 7, 0, tzinfo=timezone.get_default_timezone())
    assert abs(run.scheduled_for - moved) < dt.timedelta(seconds=5)
