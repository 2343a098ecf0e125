"""Write audit events. Every action calls `record_event` inside its own transaction."""

from django.db import models

from asa.accounts.models import AuditEvent
from asa.lib.request_context import client_ip


def record_event(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    changes: dict | None = None,
    reason: str = "",
) -> AuditEvent:
    """Append one audit event: who (actor), what (action, object, changes), why (reason)."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    actor_is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        actor=actor if actor_is_user else None,
        actor_label=(actor.get_username() if actor_is_user else "system"),
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=str(obj)[:200] if obj is not None else "",
        changes=_jsonable(changes or {}),
        reason=reason,
        ip_address=client_ip.get(),
    )


def _jsonable(value):
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(item) for item in value]
    if isinstance(value, models.Model):
        return str(value.pk)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def diff(instance: models.Model, data: dict) -> dict:
    """{field: [old, new]} for the fields in data whose value would change."""
    changes = {}
    for field, new in data.items():
        old = getattr(instance, field)
        if old != new:
            changes[field] = [old, new]
    return changes
