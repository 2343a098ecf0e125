from django_tasks import task

from asa.accounts.actions import deliver_pending_notifications


@task()
def deliver_notifications() -> dict:
    """Send queued email/SMS/LINE deliveries (retries the ones that failed before)."""
    return deliver_pending_notifications()


@task()
def publish_audit_head() -> dict:
    """Daily: seal the audit trail and send its head hash to the data protection officers."""
    from asa.accounts.audit import publish_audit_head as publish

    return publish()
