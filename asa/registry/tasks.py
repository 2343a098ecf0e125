"""Background work of the registry (django-tasks; the database backend runs it in `asa` worker)."""

from django_tasks import task


@task()
def run_import_job(job_id: int) -> dict:
    """Import an uploaded file. Re-running a job resumes after its last committed batch."""
    from asa.registry.importing import run_import

    job = run_import(job_id)
    return {"status": job.status, "counts": job.counts}
