"""Background work of the privacy app (django-tasks; `asa db_worker` runs it)."""

from django_tasks import task


@task()
def run_retention_task(actor_id: int | None = None) -> dict:
    """Anonymise what is past retention (queued from the DPO's page or `asa retention`)."""
    from asa.accounts.models import User
    from asa.privacy.retention import run

    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    return run(actor=actor)
