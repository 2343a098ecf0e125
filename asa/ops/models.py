"""The scheduler's state: one row per periodic job (when it runs next, who holds its lock, how
its last run went) and one row per run (the history the ops page shows)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RunOutcome(models.TextChoices):
    RUNNING = "running", _("กำลังทำงาน")
    SUCCESS = "success", _("สำเร็จ")
    FAILURE = "failure", _("ผิดพลาด")
    # Another process still held the job's lock: this run did nothing.
    SKIPPED = "skipped", _("ข้าม (งานเดิมยังทำอยู่)")


class ScheduledJob(models.Model):
    """A periodic job of `asa.ops.jobs.JOBS`, by name. Rows are made by the scheduler."""

    name = models.CharField(max_length=60, unique=True)
    # Compare-and-set by the scheduler: only the process whose UPDATE moves it enqueues the run.
    next_run_at = models.DateTimeField(null=True, blank=True)
    # The lock: set by the one worker whose UPDATE found it empty (or older than the job's
    # timeout, when the worker holding it died), cleared when its run ends.
    running_since = models.DateTimeField(null=True, blank=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_duration_ms = models.PositiveIntegerField(null=True, blank=True)
    last_outcome = models.CharField(max_length=10, choices=RunOutcome.choices, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class JobRun(models.Model):
    """One run of a periodic job (kept for ASA_JOB_RUN_DAYS days)."""

    job = models.ForeignKey(ScheduledJob, on_delete=models.CASCADE, related_name="runs")
    scheduled_for = models.DateTimeField()  # the scheduler's "now" when it enqueued the run
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    outcome = models.CharField(
        max_length=10, choices=RunOutcome.choices, default=RunOutcome.RUNNING
    )
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["job", "-started_at"], name="job_run_latest")]
