"""Sign-in security: the second factor (TOTP, RFC 6238), recovery codes, and lockout.

Who needs a second factor: ministry admins, province and district officers, the data protection
officer, and any Django staff or superuser (`two_factor_required`). Chairs, volunteers and
partner users sign in with a password alone, unless they enrolled a device of their own.

A session is fully signed in once `VERIFIED_SESSION_KEY` is set in it; `TwoFactorMiddleware`
holds every page (and session-authenticated API call) of a session that still owes its code.

Lockout counts failed attempts (a wrong password or a wrong code) in `LoginAttempt`: too many for
one user name, or from one address, within the window locks that name or address for the rest
of the window. Attempts made while locked are refused without checking the password, so they
cannot tell a guess right from wrong. The writes here follow the actions' rules (keyword-only,
atomic, an audit event each); they live beside the sign-in code rather than in actions.py.
"""

import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.safestring import mark_safe

from asa.accounts.access import scope_of
from asa.accounts.events import record_event
from asa.accounts.models import LoginAttempt, RecoveryCode, Role, TwoFactorDevice, User
from asa.accounts.token_cache import forget_tokens_of

VERIFIED_SESSION_KEY = "two_factor_verified"  # the session passed its second factor
PENDING_SESSION_KEY = "two_factor_pending"  # the password matched; the code is still owed
NEXT_SESSION_KEY = "two_factor_next"  # where to go once the code is accepted

TWO_FACTOR_ROLES = frozenset(
    {
        Role.MINISTRY_ADMIN,
        Role.PROVINCE_OFFICER,
        Role.DISTRICT_OFFICER,
        Role.DATA_PROTECTION_OFFICER,
    }
)
ISSUER = "Asa"
STEP_SECONDS = 30
RECOVERY_CODE_COUNT = 10
# A code is accepted one step early or late (clock drift of a phone), never twice.
ALLOWED_DRIFT_STEPS = 1

# The public secret of the demo's staff devices (`asa demo`): documented in the README, so it
# protects nothing. `asa check --deploy` warns if any device still uses it.
DEMO_SECRET = "ASADEMOASADEMOASADEMOASADEMO2345"  # noqa: S105


def two_factor_required(user) -> bool:
    """Whether this user must pass a second factor: staff, officers, admins and the DPO."""
    if not settings.ASA_REQUIRE_TWO_FACTOR or not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff or user.is_superuser:
        return True
    return bool(scope_of(user).roles & TWO_FACTOR_ROLES)


def confirmed_device(user) -> TwoFactorDevice | None:
    return TwoFactorDevice.objects.filter(user=user, confirmed_at__isnull=False).first()


# --- Secrets: kept encrypted with the field key when asa.lib.crypto is there -------------------


def _seal(secret: str) -> str:
    try:
        from asa.lib.crypto import encrypt
    except ImportError:  # field encryption not installed: stored as is
        return secret
    return encrypt(secret)


def _open(stored: str) -> str:
    # A base32 secret has no colon; a sealed one is "<key id>:<ciphertext>".
    if ":" not in stored:
        return stored
    from asa.lib.crypto import decrypt

    return decrypt(stored)


def device_secret(device: TwoFactorDevice) -> str:
    return _open(device.secret)


def provisioning_uri(*, user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.get_username(), issuer_name=ISSUER)


def qr_code_svg(uri: str) -> str:
    """The enrolment QR code as inline SVG markup (no script, no style attribute: CSP-safe)."""
    svg = segno.make(uri, error="m").svg_inline(scale=5, border=4, dark="#000", light="#fff")
    # Markup segno drew from our own URI (a base32 secret and a user name become modules of the
    # code, never text in the markup), so it is safe to place in the page as it is.
    return mark_safe(svg)  # noqa: S308  # nosec B308 B703


def code_for(secret: str, *, at: datetime | None = None, step: int | None = None) -> str:
    """The 6-digit code of a secret at a time (or a step). Tests and `asa twofactor` use it."""
    if step is None:
        step = _step(at or timezone.now())
    return pyotp.TOTP(secret).generate_otp(step)


def _step(at: datetime) -> int:
    return int(at.timestamp()) // STEP_SECONDS


def current_step() -> int:
    return _step(timezone.now())


def _matching_step(secret: str, code: str, *, after: int) -> int | None:
    """The time step whose code this is (within the allowed drift), if newer than `after`."""
    code = "".join(code.split())
    if len(code) != 6 or not code.isdigit():
        return None
    now = current_step()
    totp = pyotp.TOTP(secret)
    for step in range(now - ALLOWED_DRIFT_STEPS, now + ALLOWED_DRIFT_STEPS + 1):
        if step > after and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _hash_recovery_code(user: User, code: str) -> str:
    normalized = "".join(code.split()).replace("-", "").lower()
    return hashlib.sha256(f"{user.pk}:{normalized}".encode()).hexdigest()


def _new_recovery_code() -> str:
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
    raw = "".join(secrets.choice(alphabet) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


# --- Enrolment and verification (writes) -------------------------------------------------------


@transaction.atomic
def start_enrolment(*, user: User) -> tuple[TwoFactorDevice, str]:
    """The user's unconfirmed device (made with a fresh secret the first time).

    Returns the device and its plain secret, to show as a QR code and as text until confirmed.
    """
    device = TwoFactorDevice.objects.select_for_update().filter(user=user).first()
    if device is not None:
        # The same secret until confirmed: the page can be shown again after a mistyped code.
        return device, device_secret(device)
    secret = pyotp.random_base32()
    device = TwoFactorDevice.objects.create(user=user, secret=_seal(secret))
    return device, secret


@transaction.atomic
def confirm_enrolment(*, user: User, code: str) -> list[str] | None:
    """Confirm the pending device with a first code; returns new recovery codes (shown once).

    None if the code is wrong (recorded as a failed attempt, which counts toward lockout).
    """
    device = TwoFactorDevice.objects.select_for_update().filter(user=user).first()
    if device is None or device.confirmed_at is not None:
        return None
    step = _matching_step(device_secret(device), code, after=device.last_used_step)
    if step is None:
        record_event(actor=user, action="two_factor_failed", obj=user, changes={"step": "enrol"})
        return None
    device.confirmed_at = timezone.now()
    device.last_used_step = step
    device.save(update_fields=["confirmed_at", "last_used_step"])
    codes = _replace_recovery_codes(user)
    record_event(actor=user, action="enrol_two_factor", obj=user)
    return codes


def _replace_recovery_codes(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, code_hash=_hash_recovery_code(user, code)) for code in codes
    )
    return codes


@transaction.atomic
def regenerate_recovery_codes(*, user: User) -> list[str]:
    """New recovery codes for a user with a confirmed device; the old ones stop working."""
    codes = _replace_recovery_codes(user)
    record_event(actor=user, action="regenerate_recovery_codes", obj=user)
    return codes


@dataclass(frozen=True)
class Verification:
    accepted: bool
    method: str = ""  # "totp" or "recovery"
    recovery_codes_left: int = 0


@transaction.atomic
def verify_second_factor(*, user: User, code: str) -> Verification:
    """Check a code from the authenticator (never the same time step twice) or a recovery code.

    A wrong code is an audit event; the caller also records it as a failed sign-in attempt.
    """
    device = (
        TwoFactorDevice.objects.select_for_update()
        .filter(user=user, confirmed_at__isnull=False)
        .first()
    )
    if device is None:
        return Verification(accepted=False)
    step = _matching_step(device_secret(device), code, after=device.last_used_step)
    if step is not None:
        device.last_used_step = step
        device.save(update_fields=["last_used_step"])
        return Verification(accepted=True, method="totp")
    recovery = (
        RecoveryCode.objects.select_for_update()
        .filter(user=user, code_hash=_hash_recovery_code(user, code), used_at__isnull=True)
        .first()
    )
    if recovery is not None:
        recovery.used_at = timezone.now()
        recovery.save(update_fields=["used_at"])
        left = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
        record_event(actor=user, action="use_recovery_code", obj=user, changes={"codes_left": left})
        return Verification(accepted=True, method="recovery", recovery_codes_left=left)
    record_event(actor=user, action="two_factor_failed", obj=user, changes={"step": "sign_in"})
    return Verification(accepted=False)


@transaction.atomic
def reset_two_factor(*, actor, user: User, reason: str = "") -> bool:
    """Remove a user's device and recovery codes (a lost phone): they enrol again at sign-in."""
    removed, _ = TwoFactorDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    if removed:
        record_event(actor=actor, action="reset_two_factor", obj=user, reason=reason)
    return bool(removed)


@transaction.atomic
def enrol_known_secret(*, user: User, secret: str) -> TwoFactorDevice:
    """A confirmed device with a given secret: the demo's staff users and test personas only."""
    device, created = TwoFactorDevice.objects.get_or_create(
        user=user, defaults={"secret": _seal(secret), "confirmed_at": timezone.now()}
    )
    if created:
        record_event(actor=None, action="enrol_two_factor", obj=user, reason="demo/test device")
    return device


# --- Lockout ----------------------------------------------------------------------------------


def _window_start() -> datetime:
    return timezone.now() - timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def lockout_name(username: str) -> str:
    """The name failures are counted under: as the sign-in form reads it (NFKC, stripped, as
    Django's UsernameField does), then case-folded.

    Counted under the name as typed, " chair.a" signed in (the form strips it) while "chair.a"
    was locked, and its success cleared the lock. Case-folding only merges counts, so "CHAIR.A"
    cannot be used for five more guesses at "chair.a".
    """
    return unicodedata.normalize("NFKC", username or "").strip().casefold()[:150]


def _user_failures(username: str) -> int:
    """Failures for this name in the window, counted from its last full sign-in."""
    since = _window_start()
    last_success = (
        LoginAttempt.objects.filter(username=username, succeeded=True, at__gte=since)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    return LoginAttempt.objects.filter(
        username=username, succeeded=False, at__gte=max(since, last_success or since)
    ).count()


def _address_failures(ip_address: str | None) -> int:
    # A success from the address does not reset it: one good password must not buy more guesses
    # at other names.
    if not ip_address:
        return 0
    return LoginAttempt.objects.filter(
        ip_address=ip_address, succeeded=False, at__gte=_window_start()
    ).count()


def login_locked(*, username: str, ip_address: str | None) -> bool:
    """Whether sign-in is refused for this name or from this address right now."""
    return (
        _user_failures(lockout_name(username)) >= settings.LOGIN_FAILURES_PER_USER
        or _address_failures(ip_address) >= settings.LOGIN_FAILURES_PER_ADDRESS
    )


@transaction.atomic
def record_login_failure(*, username: str, ip_address: str | None) -> bool:
    """Note one failed attempt; returns True if it locked the name or the address.

    Crossing a threshold leaves a `login_locked` audit event (naming the user when one exists,
    for the DPO; the person signing in is told nothing about whether the name exists).
    """
    typed = unicodedata.normalize("NFKC", username or "").strip()[:150]
    username = lockout_name(username)
    LoginAttempt.objects.create(username=username, ip_address=ip_address, succeeded=False)
    locked = []
    if _user_failures(username) == settings.LOGIN_FAILURES_PER_USER:
        locked.append("username")
    if ip_address and _address_failures(ip_address) == settings.LOGIN_FAILURES_PER_ADDRESS:
        locked.append("address")
    if locked:
        user = (
            User.objects.filter(username=typed).first()
            or User.objects.filter(username__iexact=typed).first()
        )
        if user is not None and "username" in locked:
            forget_tokens_of(user.pk)  # the lock stops the user's API tokens too, at once
        record_event(
            actor=None,
            action="login_locked",
            obj=user,
            object_type="" if user else "accounts.user",
            changes={
                "username": username,
                "ip_address": ip_address,
                "locked": locked,
                "minutes": settings.LOGIN_LOCKOUT_MINUTES,
            },
        )
    return bool(locked)


@transaction.atomic
def record_login_success(*, user: User, ip_address: str | None) -> None:
    """A full sign-in (password, and the code when one is owed): resets the name's count."""
    LoginAttempt.objects.create(
        username=lockout_name(user.get_username()), ip_address=ip_address, succeeded=True
    )
    # Keep the table small: the lockout reads minutes; a month is kept for looking into attacks.
    stale = timezone.now() - timedelta(days=30)
    LoginAttempt.objects.filter(at__lt=stale).delete()


# --- The demo ---------------------------------------------------------------------------------

DEMO_TWO_FACTOR_USERNAMES = ("admin", "officer.bangkok", "dpo")


def enrol_demo_devices() -> None:
    """The demo's staff users get an authenticator with the public DEMO_SECRET (idempotent)."""
    for user in User.objects.filter(username__in=DEMO_TWO_FACTOR_USERNAMES):
        enrol_known_secret(user=user, secret=DEMO_SECRET)
