"""Every write to accounts: users, role assignments, API tokens, display preferences."""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from asa.accounts.access import forget_scope
from asa.accounts.events import record_event
from asa.accounts.models import SCOPE_FIELD_BY_ROLE, ApiToken, Role, RoleAssignment, User

TOKEN_PREFIX = "asa_"  # noqa: S105 (a public prefix, not a secret)


@transaction.atomic
def create_user(
    *,
    actor,
    username: str,
    password: str | None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> User:
    """Create a sign-in account. Roles are given separately with `assign_role`."""
    user = User(username=username, first_name=first_name, last_name=last_name, email=email)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    record_event(actor=actor, action="create_user", obj=user, changes={"username": username})
    return user


@transaction.atomic
def assign_role(*, actor, user: User, role: Role, scope=None) -> RoleAssignment:
    """Give `user` a role over a scope (a Province, District, Center or Agency, or none)."""
    scope_field = SCOPE_FIELD_BY_ROLE[Role(role)]
    values = {"user": user, "role": role}
    if scope_field:
        values[scope_field] = scope
    assignment, created = RoleAssignment.objects.get_or_create(**values)
    if created:
        record_event(
            actor=actor,
            action="assign_role",
            obj=user,
            changes={"role": role, "scope": str(scope) if scope else "national"},
        )
    forget_scope(user)
    return assignment


@transaction.atomic
def remove_role(*, actor, assignment: RoleAssignment) -> None:
    user = assignment.user
    record_event(
        actor=actor,
        action="remove_role",
        obj=user,
        changes={"role": assignment.role, "scope": str(assignment)},
    )
    assignment.delete()
    forget_scope(user)


def _hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def create_api_token(*, actor, user: User, name: str) -> tuple[ApiToken, str]:
    """Make a new API token for `user`; returns it and the secret, which is shown only once."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:100] or "token", prefix=secret[:12], key_hash=_hash_token(secret)
    )
    record_event(actor=actor, action="create_api_token", obj=user, changes={"token": token.prefix})
    return token, secret


@transaction.atomic
def revoke_api_token(*, actor, token: ApiToken) -> None:
    if token.revoked_at is not None:
        return
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record_event(
        actor=actor, action="revoke_api_token", obj=token.user, changes={"token": token.prefix}
    )


def user_for_token(secret: str) -> User | None:
    """The active user holding this token, or None. Marks the token as used (at most per minute)."""
    if not secret or not secret.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash_token(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Avoid a write on every request: the last-used time is only needed to the minute.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def set_thai_digits(*, user: User, enabled: bool) -> None:
    if user.prefers_thai_digits == enabled:
        return
    user.prefers_thai_digits = enabled
    user.save(update_fields=["prefers_thai_digits"])
    record_event(actor=user, action="set_thai_digits", obj=user, changes={"enabled": enabled})


def notify(*, user: User, kind: str, message: str, url: str = "", dedupe_key: str = "") -> None:
    """Tell a user something in the app, once per dedupe key, after the transaction commits."""
    from asa.accounts.models import Notification

    def send() -> None:
        Notification.objects.get_or_create(
            user=user,
            dedupe_key=dedupe_key or f"{kind}:{timezone.now().timestamp()}",
            defaults={"kind": kind, "message": message[:500], "url": url},
        )

    transaction.on_commit(send)


@transaction.atomic
def mark_notifications_read(*, user: User, ids=None) -> int:
    unread = user.notifications.filter(read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())
