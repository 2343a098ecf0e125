"""Every write about outside channels: a user's choices, LINE linking, sending deliveries."""

import hashlib
import hmac
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from asa.accounts.events import record_event
from asa.accounts.models import (
    Channel,
    ChannelPreference,
    Delivery,
    DeliveryStatus,
    LineLinkCode,
    User,
)

logger = logging.getLogger(__name__)

# A crashed worker's claim runs out after this; sending one message never takes this long.
CLAIM_SECONDS = 300
# Codes are read off a phone screen and typed into LINE: no 0/O, 1/I/L.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6
CODE_PREFIX = "ASA-"


@transaction.atomic
def set_channel_preference(*, user: User, channel: str, address: str, enabled: bool):
    """Choose to receive notifications on email, SMS or LINE at an address.

    LINE takes no address: the LINE webhook links the account (`link_line_account`); here it
    is only switched on or off once linked.
    """
    from django.core.validators import validate_email

    from asa.lib.thai_text import phone_key

    channel = Channel(channel)
    address = (address or "").strip()
    if channel == Channel.IN_APP:
        raise ValidationError({"channel": "การแจ้งเตือนในระบบเปิดอยู่เสมอ"})
    if channel == Channel.LINE:
        linked = ChannelPreference.objects.filter(user=user, channel=Channel.LINE).first()
        if linked is None or not linked.address:
            if not enabled:
                return None
            raise ValidationError(
                {"address": "ยังไม่ได้เชื่อมบัญชี LINE: ส่งรหัสเชื่อมบัญชีให้บัญชีทางการของศูนย์ก่อน"}
            )
        address = linked.address
    elif enabled:
        if channel == Channel.EMAIL:
            try:
                validate_email(address)
            except ValidationError as error:
                raise ValidationError({"address": "อีเมลไม่ถูกต้อง"}) from error
        elif channel == Channel.SMS:
            address = phone_key(address)
            if not 9 <= len(address) <= 10:
                raise ValidationError({"address": "หมายเลขโทรศัพท์ไม่ถูกต้อง"})
    preference, _ = ChannelPreference.objects.update_or_create(
        user=user, channel=channel, defaults={"address": address, "is_enabled": enabled}
    )
    record_event(
        actor=user,
        action="set_channel_preference",
        obj=user,
        changes={"channel": channel, "enabled": enabled},
    )
    return preference


# --- LINE account linking ----------------------------------------------------------------------


def _code_hash(code: str) -> str:
    # Keyed: a copy of the table alone does not give the few-million possible codes away.
    key = settings.SECRET_KEY.encode("utf-8")
    return hmac.new(key, code.strip().upper().encode("utf-8"), hashlib.sha256).hexdigest()


@transaction.atomic
def start_line_link(*, user: User) -> tuple[str, LineLinkCode]:
    """A new one-time code for `user` to send to the official account; earlier ones stop working."""
    now = timezone.now()
    LineLinkCode.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
    code = CODE_PREFIX + "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    row = LineLinkCode.objects.create(
        user=user,
        code_hash=_code_hash(code),
        expires_at=now + timedelta(minutes=settings.LINE_LINK_CODE_MINUTES),
    )
    record_event(actor=user, action="start_line_link", obj=user, changes={"code": row.pk})
    return code, row


@transaction.atomic
def link_line_account(*, code: str, line_user_id: str) -> User | None:
    """Link the LINE user who sent `code` to the account that asked for it.

    Answers the user, or None when the code is unknown, used or expired (nothing changes).
    Called by the LINE webhook only after its signature was checked: the LINE user id comes
    from LINE, never from a form.
    """
    line_user_id = (line_user_id or "").strip()
    if not line_user_id or len(line_user_id) > 200:
        return None
    now = timezone.now()
    row = (
        LineLinkCode.objects.select_for_update()
        .select_related("user")
        .filter(code_hash=_code_hash(code), used_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if row is None or not row.user.is_active:
        return None
    row.used_at = now
    row.save(update_fields=["used_at"])
    ChannelPreference.objects.update_or_create(
        user=row.user,
        channel=Channel.LINE,
        defaults={"address": line_user_id, "is_enabled": True},
    )
    record_event(
        actor=row.user,
        action="link_line_account",
        obj=row.user,
        changes={"channel": Channel.LINE, "enabled": True},
    )
    return row.user


@transaction.atomic
def unlink_line_account(*, user: User) -> bool:
    """Forget the user's LINE user id; nothing more is sent there."""
    deleted, _ = ChannelPreference.objects.filter(user=user, channel=Channel.LINE).delete()
    if deleted:
        record_event(
            actor=user,
            action="unlink_line_account",
            obj=user,
            changes={"channel": Channel.LINE, "enabled": False},
        )
    return bool(deleted)


# --- Sending -----------------------------------------------------------------------------------


def retry_delay(attempts: int, retry_after: int | None = None) -> timedelta:
    """Exponential backoff after the n-th failed attempt: base, 2×base, 4×base... capped."""
    seconds = settings.NOTIFICATION_RETRY_SECONDS * 2 ** max(attempts - 1, 0)
    seconds = min(seconds, settings.NOTIFICATION_RETRY_MAX_SECONDS)
    return timedelta(seconds=max(seconds, retry_after or 0))


def _due(now):
    from django.db.models import Q

    return (
        Delivery.objects.filter(
            status=DeliveryStatus.PENDING, attempts__lt=settings.NOTIFICATION_MAX_ATTEMPTS
        )
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
    )


def claim_due_deliveries(*, limit: int) -> list[Delivery]:
    """Take up to `limit` due deliveries for this worker; no other worker gets the same ones.

    PostgreSQL: rows locked by another worker's claim are skipped (SKIP LOCKED). SQLite (one
    writer at a time): a row is ours only if our conditional update still finds it unclaimed.
    Either way the claim is a lease, so a worker that dies mid-send frees its rows later.
    """
    now = timezone.now()
    until = now + timedelta(seconds=CLAIM_SECONDS)
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            ids = list(
                _due(now)
                .select_for_update(skip_locked=True)
                .order_by("id")
                .values_list("id", flat=True)[:limit]
            )
            Delivery.objects.filter(pk__in=ids).update(claimed_until=until)
    else:
        ids = []
        for pk in _due(now).order_by("id").values_list("id", flat=True)[:limit]:
            if _due(now).filter(pk=pk).update(claimed_until=until):
                ids.append(pk)
    return list(Delivery.objects.filter(pk__in=ids).select_related("notification").order_by("id"))


def deliver_pending_notifications(*, limit: int = 500) -> dict[str, int]:
    """Send the due deliveries. Each is claimed by one worker before sending, so a message is
    never sent twice; a temporary failure is tried again later with backoff until the attempts
    run out, a permanent one (a refused number) fails at once. Failed rows keep the reason."""
    from asa.accounts.channels import DeliveryError, channel_for

    counts = {"sent": 0, "retry": 0, "failed": 0}
    for delivery in claim_due_deliveries(limit=limit):
        attempts = delivery.attempts + 1
        notification = delivery.notification
        try:
            reference = channel_for(delivery.channel).send(
                delivery.address,
                notification.message,
                notification.url,
                key=f"asa-delivery-{delivery.pk}",
            )
        except Exception as error:  # any adapter failure is kept on the row, never lost
            if isinstance(error, DeliveryError):
                reason, retry, retry_after = error.reason, error.retry, error.retry_after
            else:
                logger.exception("delivery %s on %s failed", delivery.pk, delivery.channel)
                reason, retry, retry_after = f"{type(error).__name__}: {error}", True, None
            give_up = not retry or attempts >= settings.NOTIFICATION_MAX_ATTEMPTS
            Delivery.objects.filter(pk=delivery.pk).update(
                attempts=attempts,
                last_error=reason[:1000],
                status=DeliveryStatus.FAILED if give_up else DeliveryStatus.PENDING,
                next_attempt_at=None
                if give_up
                else timezone.now() + retry_delay(attempts, retry_after),
                claimed_until=None,
            )
            counts["failed" if give_up else "retry"] += 1
        else:
            Delivery.objects.filter(pk=delivery.pk).update(
                attempts=attempts,
                status=DeliveryStatus.SENT,
                sent_at=timezone.now(),
                provider_reference=(reference or "")[:200],
                last_error="",
                claimed_until=None,
            )
            counts["sent"] += 1
    return counts
