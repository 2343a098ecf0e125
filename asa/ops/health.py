"""What /healthz reports: a handful of cheap queries, no personal data."""

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Min
from django.utils import timezone

HEARTBEAT = "heartbeat"


def _age(since, now) -> int | None:
    return None if since is None else max(int((now - since).total_seconds()), 0)


def health() -> tuple[dict, bool]:
    """(report, healthy): the database answers and the worker's heartbeat is recent."""
    from django_tasks_db.models import DBTaskResult

    from asa.accounts.models import Delivery, DeliveryStatus
    from asa.ops.models import ScheduledJob

    now = timezone.now()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        heartbeat = (
            ScheduledJob.objects.filter(name=HEARTBEAT)
            .values_list("last_finished_at", flat=True)
            .first()
        )
        oldest_task = DBTaskResult.objects.ready().aggregate(at=Min("enqueued_at"))["at"]
        oldest_delivery = Delivery.objects.filter(status=DeliveryStatus.PENDING).aggregate(
            at=Min("notification__created_at")
        )["at"]
    except DatabaseError as error:
        return {"status": "fail", "database": f"error: {type(error).__name__}"}, False
    silent = _age(heartbeat, now)
    worker_ok = silent is not None and silent <= settings.WORKER_SILENT_SECONDS
    return {
        "status": "ok" if worker_ok else "fail",
        "database": "ok",
        "worker": {
            "status": "ok" if worker_ok else "silent",
            "last_heartbeat": heartbeat.isoformat() if heartbeat else None,
            "seconds_since_heartbeat": silent,
            "silent_after_seconds": settings.WORKER_SILENT_SECONDS,
        },
        "oldest_queued_task_seconds": _age(oldest_task, now),
        "oldest_undelivered_notification_seconds": _age(oldest_delivery, now),
    }, worker_ok
