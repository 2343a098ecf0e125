"""Users, their roles and scopes, API tokens and the append-only audit log."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class User(AbstractUser):
    """A person who signs in. What they may see comes from their role assignments."""

    prefers_thai_digits = models.BooleanField(_("แสดงเลขไทย"), default=False)
    # Set when someone else chose the password (an admin creating the account or setting a
    # temporary one): every page leads to the change form until the user picks their own.
    must_change_password = models.BooleanField(_("ต้องเปลี่ยนรหัสผ่าน"), default=False)

    class Meta:
        verbose_name = _("ผู้ใช้")
        verbose_name_plural = pgettext_lazy("plural", "ผู้ใช้")

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class Role(models.TextChoices):
    MINISTRY_ADMIN = "ministry_admin", _("ผู้ดูแลระบบส่วนกลาง")
    PROVINCE_OFFICER = "province_officer", _("เจ้าหน้าที่ระดับจังหวัด")
    DISTRICT_OFFICER = "district_officer", _("เจ้าหน้าที่ระดับเขต/อำเภอ")
    CENTER_CHAIR = "center_chair", _("ประธาน อพม.")
    VOLUNTEER = "volunteer", _("อพม.")
    AGENCY_USER = "agency_user", _("เจ้าหน้าที่หน่วยงานภาคี")
    DATA_PROTECTION_OFFICER = "data_protection_officer", _("เจ้าหน้าที่คุ้มครองข้อมูลส่วนบุคคล")


# Which scope field each role needs; the others stay empty (enforced by a check constraint).
SCOPE_FIELD_BY_ROLE = {
    Role.MINISTRY_ADMIN: None,
    Role.DATA_PROTECTION_OFFICER: None,
    Role.PROVINCE_OFFICER: "province",
    Role.DISTRICT_OFFICER: "district",
    Role.CENTER_CHAIR: "center",
    Role.VOLUNTEER: "center",
    Role.AGENCY_USER: "agency",
}


def _scope_condition(role, field):
    fields = ("province", "district", "center", "agency")
    condition = Q(role=role)
    for name in fields:
        condition &= Q(**{f"{name}__isnull": name != field})
    return condition


class RoleAssignment(models.Model):
    """One role held by a user, over one scope (the nation, a province, a district, ...)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("บทบาท"), max_length=40, choices=Role.choices)
    province = models.ForeignKey(
        "geo.Province",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("จังหวัด"),
    )
    district = models.ForeignKey(
        "geo.District",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("อำเภอ/เขต"),
    )
    center = models.ForeignKey(
        "centers.Center",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ศูนย์"),
    )
    agency = models.ForeignKey(
        "referrals.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("หน่วยงานภาคี"),
    )
    created_at = models.DateTimeField(_("สร้างเมื่อ"), auto_now_add=True)

    class Meta:
        verbose_name = _("บทบาทผู้ใช้")
        verbose_name_plural = pgettext_lazy("plural", "บทบาทผู้ใช้")
        constraints = [
            models.CheckConstraint(
                condition=(
                    _scope_condition(Role.MINISTRY_ADMIN, None)
                    | _scope_condition(Role.DATA_PROTECTION_OFFICER, None)
                    | _scope_condition(Role.PROVINCE_OFFICER, "province")
                    | _scope_condition(Role.DISTRICT_OFFICER, "district")
                    | _scope_condition(Role.CENTER_CHAIR, "center")
                    | _scope_condition(Role.VOLUNTEER, "center")
                    | _scope_condition(Role.AGENCY_USER, "agency")
                ),
                name="role_assignment_scope_matches_role",
            ),
            # One row per user, role and scope (spelled per scope field: SQLite has no
            # NULLS NOT DISTINCT).
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(
                    province__isnull=True,
                    district__isnull=True,
                    center__isnull=True,
                    agency__isnull=True,
                ),
                name="role_assignment_unique_national",
            ),
            *(
                models.UniqueConstraint(
                    fields=["user", "role", name],
                    condition=Q(**{f"{name}__isnull": False}),
                    name=f"role_assignment_unique_{name}",
                )
                for name in ("province", "district", "center", "agency")
            ),
        ]

    def __str__(self) -> str:
        where = self.province or self.district or self.center or self.agency
        return f"{self.get_role_display()} {where or ''}".strip()


class ApiToken(models.Model):
    """A bearer token for the API. Only a SHA-256 of the secret is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("ชื่อโทเคน"), max_length=100)
    prefix = models.CharField(_("รหัสนำหน้า"), max_length=12)  # shown in the UI to tell tokens apart
    key_hash = models.CharField(_("ค่าแฮชของโทเคน"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("สร้างเมื่อ"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("ใช้ล่าสุด"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("ยกเลิกเมื่อ"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("โทเคน API")
        verbose_name_plural = pgettext_lazy("plural", "โทเคน API")

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class AuditEvent(models.Model):
    """One thing that happened: who, when, what, to which object, what changed, why.

    Append-only: there is no action that edits or deletes one. The case timeline and the audit
    trail both read these rows.
    """

    at = models.DateTimeField(_("เวลา"), auto_now_add=True, db_index=True)
    # PROTECT: a user who has acted is deactivated, never deleted (deleting would rewrite their
    # events' actor and break the hash chain; PostgreSQL's trigger refuses it too).
    actor = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ผู้ดำเนินการ"),
    )
    actor_label = models.CharField(
        _("ชื่อผู้ดำเนินการ"), max_length=150, blank=True
    )  # kept if the user is removed
    action = models.CharField(_("การดำเนินการ"), max_length=80, db_index=True)
    object_type = models.CharField(_("ประเภทข้อมูล"), max_length=60)
    object_id = models.CharField(_("รหัสข้อมูล"), max_length=40)
    object_repr = models.CharField(_("ข้อมูล"), max_length=200, blank=True)
    changes = models.JSONField(_("สิ่งที่เปลี่ยนแปลง"), default=dict, blank=True)
    reason = models.TextField(_("เหตุผล"), blank=True)
    ip_address = models.GenericIPAddressField(_("หมายเลข IP"), null=True, blank=True)
    # Tamper evidence: each event's hash covers its own content and the previous event's hash,
    # in the order of `sequence` (1, 2, 3, ... with no gaps). `asa audit verify` walks the chain.
    sequence = models.PositiveBigIntegerField(null=True, blank=True, unique=True, editable=False)
    previous_hash = models.CharField(max_length=64, blank=True, editable=False)
    hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("เหตุการณ์ในบันทึกการใช้งาน")
        verbose_name_plural = pgettext_lazy("plural", "เหตุการณ์ในบันทึกการใช้งาน")
        indexes = [
            models.Index(fields=["object_type", "object_id", "at"]),
            models.Index(fields=["actor", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"


class Notification(models.Model):
    """An in-app notification. Other channels (email, SMS, LINE) deliver copies of these."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=60)
    message = models.CharField(max_length=500)
    url = models.CharField(max_length=300, blank=True)
    # The same (user, key) is never notified twice: e.g. "emergency-unvisited:<case id>".
    dedupe_key = models.CharField(max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "dedupe_key"], name="notification_once"),
        ]
        indexes = [models.Index(fields=["user", "read_at", "-created_at"])]


class Channel(models.TextChoices):
    IN_APP = "in_app", "ในระบบ"
    EMAIL = "email", "อีเมล"
    SMS = "sms", "SMS"
    LINE = "line", "LINE"


class ChannelPreference(models.Model):
    """A channel a user chose to receive notifications on (in-app is always on)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="channel_preferences")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    # Email address, phone number, or the LINE user id the LINE webhook linked (never typed).
    address = models.CharField(max_length=200)
    is_enabled = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "channel"], name="one_preference_per_channel"),
        ]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "รอส่ง"
    SENT = "sent", "ส่งแล้ว"
    FAILED = "failed", "ส่งไม่สำเร็จ"


class Delivery(models.Model):
    """One notification on one outside channel; retried until sent, never sent twice."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    address = models.CharField(max_length=200)
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Retry with backoff: a pending delivery is due once this time has passed (empty: at once).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # A worker's claim while it sends: nobody else takes the row until then (a crashed worker's
    # claim runs out and the row is due again).
    claimed_until = models.DateTimeField(null=True, blank=True)
    # What the provider answered on success (a message id, the number of SMS parts).
    provider_reference = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="deliver_once"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]


class LineLinkCode(models.Model):
    """A one-time code a user sends to the center's LINE official account to link their LINE.

    Only a keyed hash of the code is stored; a code works once, for a few minutes.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="line_link_codes")
    code_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)


class TwoFactorDevice(models.Model):
    """A TOTP authenticator (RFC 6238) a user enrolled. Staff and officers must have one."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="two_factor_device")
    secret = models.CharField(max_length=200)  # base32 secret, encrypted with the field key
    confirmed_at = models.DateTimeField(null=True, blank=True)  # set once a first code matched
    last_used_step = models.PositiveBigIntegerField(default=0)  # a code is never accepted twice
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("อุปกรณ์ยืนยันตัวตนสองขั้นตอน")
        verbose_name_plural = pgettext_lazy("plural", "อุปกรณ์ยืนยันตัวตนสองขั้นตอน")


class RecoveryCode(models.Model):
    """A one-time code for when the authenticator is lost. Only a hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField(null=True, blank=True)


class LoginAttempt(models.Model):
    """One sign-in attempt, kept to lock out repeated failures per user and per address."""

    at = models.DateTimeField(auto_now_add=True)
    username = models.CharField(max_length=150)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    succeeded = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["username", "at"]),
            models.Index(fields=["ip_address", "at"]),
        ]
