"""Every write to accounts: users, role assignments, API tokens, display preferences."""

import functools
import hashlib
import json
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from asa.accounts import token_cache
from asa.accounts.access import (
    forget_scope,
    remember_scope,
    scope_rows_sql,
    volunteer_active,
)
from asa.accounts.channel_actions import (  # noqa: F401 (the channels' actions live there)
    deliver_pending_notifications,
    set_channel_preference,
)
from asa.accounts.events import diff, record_event
from asa.accounts.models import (
    SCOPE_FIELD_BY_ROLE,
    ApiToken,
    LoginAttempt,
    Role,
    RoleAssignment,
    User,
)

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
    must_change_password: bool = False,
) -> User:
    """Create a sign-in account. Roles are given separately with `assign_role`.

    `must_change_password`: someone else chose the password (an admin creating the account),
    so the user is led to the change form at first sign-in.
    """
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        must_change_password=must_change_password,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    changes = {"username": username}
    if must_change_password:
        changes["must_change_password"] = True
    record_event(actor=actor, action="create_user", obj=user, changes=changes)
    return user


@transaction.atomic
def create_user_with_role(
    *,
    actor,
    username: str,
    password: str,
    first_name: str,
    last_name: str,
    email: str,
    role: Role,
    scope=None,
) -> User:
    """An account made by a manager (the users page, POST /api/v1/users): a temporary password
    the user must change at first sign-in, and its first role, both or neither."""
    user = create_user(
        actor=actor,
        username=username,
        password=password,
        first_name=first_name,
        last_name=last_name,
        email=email,
        must_change_password=True,
    )
    assign_role(actor=actor, user=user, role=role, scope=scope)
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


@transaction.atomic
def change_password(*, actor, user: User, password: str, temporary: bool = False, via: str = ""):
    """Set a user's password (never written to the audit event, only that it changed).

    `temporary`: chosen by someone else (an admin), so the user must change it at next
    sign-in; a user setting their own password clears that. `via` says which page or
    command did it ("change", "reset", "admin", ...).
    """
    user.set_password(password)
    user.must_change_password = temporary
    user.save(update_fields=["password", "must_change_password"])
    record_event(
        actor=actor,
        action="change_password",
        obj=user,
        changes={"via": via, "temporary": temporary},
    )
    return user


@transaction.atomic
def update_user(*, actor, user: User, **values) -> User:
    """Change a user's name, email or staff flags (the Django admin site's user form)."""
    allowed = {"username", "first_name", "last_name", "email", "is_staff", "is_superuser"}
    unknown = set(values) - allowed
    if unknown:
        raise TypeError(f"update_user cannot change {sorted(unknown)}")
    changes = diff(user, values)
    if not changes:
        return user
    for field, (_old, new) in changes.items():
        setattr(user, field, new)
    user.full_clean(exclude=["password"])
    user.save(update_fields=sorted(changes))
    record_event(actor=actor, action="update_user", obj=user, changes=changes)
    return user


@transaction.atomic
def set_user_active(*, actor, user: User, active: bool, reason: str = "") -> bool:
    """Deactivate (or reactivate) a sign-in account; returns whether anything changed.

    A deactivated user cannot sign in, their sessions and tokens stop working at the next
    request (every lookup checks is_active), and their history stays (users are never deleted).
    Nobody deactivates their own account (a ValidationError on `active`).
    """
    if actor is not None and actor.pk == user.pk and not active:
        from django.core.exceptions import ValidationError
        from django.utils.translation import gettext

        raise ValidationError({"active": gettext("ระงับบัญชีของตัวเองไม่ได้")})
    if user.is_active == active:
        return False
    user.is_active = active
    user.save(update_fields=["is_active"])
    record_event(
        actor=actor,
        action="reactivate_user" if active else "deactivate_user",
        obj=user,
        reason=reason,
    )
    forget_scope(user)
    return True


@transaction.atomic
def send_password_reset(*, actor, user: User, domain: str, use_https: bool) -> None:
    """Email the user a one-time link to choose a new password (Django's reset token), after
    commit; the audit event names who asked (the user on the reset page, or an admin)."""
    from django.contrib.auth.forms import PasswordResetForm
    from django.contrib.auth.tokens import default_token_generator
    from django.core.exceptions import ValidationError
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    if not user.email:
        raise ValidationError({"email": "ผู้ใช้นี้ยังไม่มีอีเมล จึงส่งลิงก์ตั้งรหัสผ่านใหม่ไม่ได้"})
    context = {
        "email": user.email,
        "domain": domain,
        "site_name": "Asa",
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "user": user,
        "token": default_token_generator.make_token(user),
        "protocol": "https" if use_https else "http",
    }
    record_event(actor=actor, action="send_password_reset", obj=user)

    def send() -> None:
        PasswordResetForm().send_mail(
            "accounts/password_reset_subject.txt",
            "accounts/password_reset_email.txt",
            context,
            None,
            user.email,
        )

    transaction.on_commit(send)


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
    token_cache.forget_tokens_of(token.user_id)
    record_event(
        actor=actor, action="revoke_api_token", obj=token.user, changes={"token": token.prefix}
    )


def user_for_token(secret: str) -> User | None:
    """The active user holding this token, or None. Marks the token as used (at most per minute).

    Every API request comes through here, so the lookup is one raw query (the token's unique
    key_hash index joined to the user) built once, instead of an ORM select_related compiled on
    every request; the raw queryset still applies the database converters to the user's fields.
    Revoked and expired tokens (older than API_TOKEN_MAX_AGE_DAYS), inactive users, users whose
    name is locked out (too many failed sign-ins, as `security.login_locked` counts them) and
    volunteers whose service is paused or ended (with no other role) are refused by the same
    query, so a revocation, a lock or a deactivation applies to the very next request.
    """
    if not secret or not secret.startswith(TOKEN_PREFIX):
        return None
    key_hash = _hash_token(secret)
    cached = token_cache.recall(key_hash)
    if cached is not None:
        user, rows = cached
        remember_scope(user, rows)
        return user
    now = timezone.now()
    stale = connection.ops.adapt_datetimefield_value(now - LAST_USED_PRECISION)
    # Tokens expire this many days after they were made (0: never).
    max_age = timedelta(days=settings.API_TOKEN_MAX_AGE_DAYS or 365 * 1000)
    oldest = connection.ops.adapt_datetimefield_value(now - max_age)
    window_start = connection.ops.adapt_datetimefield_value(
        now - timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    )
    params = [
        stale,
        volunteer_active(),
        key_hash,
        oldest,
        True,
        False,
        window_start,
        True,
        settings.LOGIN_FAILURES_PER_USER,
        volunteer_active(),
    ]
    found = list(User.objects.raw(_token_user_sql(), params))
    if not found:
        return None
    user = found[0]
    # Avoid a write on every request: the last-used time is only needed to the minute.
    if user.asa_token_stale:
        ApiToken.objects.filter(pk=user.asa_token_id).update(last_used_at=now)
    # The user's scope came in the same query (one round trip less on every API request).
    rows = user.asa_scope
    rows = json.loads(rows) if isinstance(rows, str) else rows or []
    remember_scope(user, rows)
    token_cache.remember(key_hash, user, rows)
    del user.asa_token_id, user.asa_token_stale, user.asa_scope
    return user


LAST_USED_PRECISION = timedelta(seconds=60)


@functools.cache
def _token_user_sql() -> str:
    quote = connection.ops.quote_name
    columns = ", ".join(f"u.{quote(field.column)}" for field in User._meta.concrete_fields)
    # Names from the models' own metadata; every value is a parameter.
    return (
        f"SELECT {columns}, t.{quote('id')} AS asa_token_id, "  # noqa: S608
        f"CASE WHEN t.last_used_at IS NULL OR t.last_used_at < %s THEN 1 ELSE 0 END "
        f"AS asa_token_stale, {scope_rows_sql('t.user_id')} AS asa_scope "
        f"FROM {quote(ApiToken._meta.db_table)} t "
        f"JOIN {quote(User._meta.db_table)} u ON u.{quote('id')} = t.user_id "
        f"WHERE t.key_hash = %s AND t.revoked_at IS NULL AND t.created_at >= %s "
        f"AND u.is_active = %s AND {_locked_out_sql()} AND {_volunteer_stopped_sql()}"
    )


def _locked_out_sql() -> str:
    """Not locked out: fewer failed sign-ins under the user's name (lower-cased, as
    security.lockout_name counts them) in the window than the limit, counting only those after
    the name's last success. Served by the (username, at) index."""
    quote = connection.ops.quote_name
    table = quote(LoginAttempt._meta.db_table)
    return (
        f"(SELECT COUNT(*) FROM {table} f WHERE f.username = LOWER(u.{quote('username')}) "  # noqa: S608
        f"AND f.succeeded = %s AND f.at >= %s AND NOT EXISTS (SELECT 1 FROM {table} s "
        f"WHERE s.username = f.username AND s.succeeded = %s AND s.at > f.at)) < %s"
    )


def _volunteer_stopped_sql() -> str:
    """Not a volunteer whose service was paused or ended and who holds no other role: such an
    account can do nothing, and its phone's token should stop rather than answer 404s."""
    from asa.centers.models import Volunteer

    quote = connection.ops.quote_name
    volunteer = Volunteer._meta
    return (
        f"NOT (EXISTS (SELECT 1 FROM {quote(volunteer.db_table)} v "  # noqa: S608
        f"WHERE v.{quote(volunteer.get_field('user').column)} = u.{quote('id')} "
        f"AND v.{quote(volunteer.get_field('status').column)} <> %s) "
        f"AND NOT EXISTS (SELECT 1 FROM {quote(RoleAssignment._meta.db_table)} r "
        f"WHERE r.user_id = u.{quote('id')}))"
    )


@transaction.atomic
def set_thai_digits(*, user: User, enabled: bool) -> None:
    if user.prefers_thai_digits == enabled:
        return
    user.prefers_thai_digits = enabled
    user.save(update_fields=["prefers_thai_digits"])
    record_event(actor=user, action="set_thai_digits", obj=user, changes={"enabled": enabled})


def notify(*, user: User, kind: str, message: str, url: str = "", dedupe_key: str = "") -> None:
    """Tell a user something, once per dedupe key, after the transaction commits.

    The in-app notification is always made; a delivery is queued for each outside channel the
    user chose, and a background task sends them (retrying failures, never sending twice).
    """
    from asa.accounts.models import ChannelPreference, Delivery, Notification

    def send() -> None:
        with transaction.atomic():
            notification, created = Notification.objects.get_or_create(
                user=user,
                dedupe_key=dedupe_key or f"{kind}:{timezone.now().timestamp()}",
                defaults={"kind": kind, "message": message[:500], "url": url},
            )
            if not created:
                return
            preferences = ChannelPreference.objects.filter(user=user, is_enabled=True)
            deliveries = Delivery.objects.bulk_create(
                [
                    Delivery(notification=notification, channel=p.channel, address=p.address)
                    for p in preferences
                ],
                ignore_conflicts=True,
            )
        if deliveries:
            from asa.accounts.tasks import deliver_notifications

            deliver_notifications.enqueue()

    transaction.on_commit(send)


@transaction.atomic
def mark_notifications_read(*, user: User, ids=None) -> int:
    unread = user.notifications.filter(read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())
