"""Reads of the ops page: the job list with each job's state (one query, bounded by JOBS)."""

from dataclasses import dataclass

from asa.ops.jobs import JOBS, Job
from asa.ops.models import ScheduledJob


@dataclass
class JobLine:
    job: Job
    state: ScheduledJob | None


def job_table() -> list[JobLine]:
    rows = {row.name: row for row in ScheduledJob.objects.filter(name__in=[j.name for j in JOBS])}
    return [JobLine(job=job, state=rows.get(job.name)) for job in JOBS]
