from django_tasks import task

from asa.accounts.actions import deliver_pending_notifications


@task()
def deliver_notifications() -> dict:
    """Send queued email/SMS/LINE deliveries (retries the ones that failed before)."""
    return deliver_pending_notifications()
