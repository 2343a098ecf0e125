"""Personal data protection (PDPA B.E. 2562): data-subject requests, anonymisation, breaches.

A data subject's request runs on a 30-day clock (s.30 para. 3); a breach on a 72-hour clock to
notify the regulator (s.37(4)). Anonymisations are remembered one row per person, so retention
runs are idempotent and the DPO can show what was removed, when and why.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

ANSWER_DAYS = 30  # s.30: a request is answered within 30 days of receipt
REGULATOR_HOURS = 72  # s.37(4): the regulator is told within 72 hours of learning of a breach


class RequestKind(models.TextChoices):
    ACCESS = "access", _("ขอเข้าถึงและขอรับสำเนา (มาตรา 30)")
    PORTABILITY = "portability", _("ขอรับหรือโอนข้อมูล (มาตรา 31)")
    OBJECTION = "objection", _("คัดค้านการเก็บ ใช้ หรือเปิดเผย (มาตรา 32)")
    ERASURE = "erasure", _("ขอให้ลบหรือทำให้ไม่สามารถระบุตัวตนได้ (มาตรา 33)")
    RESTRICTION = "restriction", _("ขอให้ระงับการใช้ (มาตรา 34)")
    RECTIFICATION = "rectification", _("ขอให้แก้ไขให้ถูกต้อง (มาตรา 35)")


# Kinds answered with a copy of everything Asa holds on the person.
COPY_KINDS = (RequestKind.ACCESS, RequestKind.PORTABILITY)


class RequestStatus(models.TextChoices):
    RECEIVED = "received", _("รับคำขอแล้ว")
    IN_PROGRESS = "in_progress", _("กำลังดำเนินการ")
    ANSWERED = "answered", _("ตอบแล้ว")
    REFUSED = "refused", _("ปฏิเสธคำขอ")
    WITHDRAWN = "withdrawn", _("ผู้ขอถอนคำขอ")


OPEN_REQUEST_STATUSES = [RequestStatus.RECEIVED, RequestStatus.IN_PROGRESS]


class IdentityMethod(models.TextChoices):
    ID_CARD_IN_PERSON = "id_card_in_person", _("แสดงบัตรประชาชนต่อเจ้าหน้าที่")
    ID_CARD_COPY = "id_card_copy", _("สำเนาบัตรประชาชนลงนามรับรอง")
    VOLUNTEER_KNOWN = "volunteer_known", _("อพม. ผู้ดูแลยืนยันตัวตน")
    GUARDIAN_DOCUMENTS = "guardian_documents", _("เอกสารผู้ใช้อำนาจปกครอง/ผู้แทนโดยชอบธรรม")


def _answer_path(instance, filename: str) -> str:
    # Under MEDIA_ROOT, which is never served publicly: files go out through the access layer.
    return f"privacy/answers/{instance.pk}/{filename}"


class PrivacyRequest(models.Model):
    """A data subject's request, its 30-day clock, who handles it and how it was answered."""

    kind = models.CharField(_("ประเภทคำขอ"), max_length=20, choices=RequestKind.choices)
    person = models.ForeignKey(
        "registry.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("เจ้าของข้อมูลในระบบ"),
    )
    requester_name = models.CharField(_("ชื่อผู้ยื่นคำขอ"), max_length=200)
    requester_contact = models.CharField(_("ช่องทางติดต่อผู้ขอ"), max_length=300, blank=True)
    on_behalf = models.BooleanField(_("ยื่นแทนเจ้าของข้อมูล"), default=False)
    details = models.TextField(_("รายละเอียดคำขอ"), blank=True)
    received_on = models.DateField(_("วันที่รับคำขอ"))
    due_on = models.DateField(_("กำหนดตอบ"))
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ผู้รับผิดชอบ"),
    )
    status = models.CharField(
        _("สถานะ"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.RECEIVED
    )
    identity_method = models.CharField(
        _("วิธียืนยันตัวตน"), max_length=30, choices=IdentityMethod.choices, blank=True
    )
    identity_verified_at = models.DateTimeField(null=True, blank=True)
    identity_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answer = models.TextField(_("คำตอบ/ผลการพิจารณา"), blank=True)
    refusal_reason = models.TextField(_("เหตุผลที่ปฏิเสธ"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answer_json = models.FileField(upload_to=_answer_path, blank=True)  # private media
    answer_pdf = models.FileField(upload_to=_answer_path, blank=True)  # private media
    answer_generated_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("คำขอใช้สิทธิของเจ้าของข้อมูล")
        verbose_name_plural = pgettext_lazy("plural", "คำขอใช้สิทธิของเจ้าของข้อมูล")
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.requester_name}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REQUEST_STATUSES

    def days_left(self, today: dt.date | None = None) -> int:
        """Days until the answer is due (negative: overdue by that many days)."""
        return (self.due_on - (today or timezone.localdate())).days

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.is_open and self.days_left(today) < 0

    @property
    def answers_with_copy(self) -> bool:
        return self.kind in COPY_KINDS


class AnonymisationReason(models.TextChoices):
    RETENTION = "retention", _("พ้นระยะเวลาการเก็บรักษา")
    ERASURE = "erasure", _("เจ้าของข้อมูลขอให้ลบ")


class Anonymisation(models.Model):
    """One person whose identity was removed (the statistics kept). One row per person."""

    person = models.OneToOneField("registry.Person", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=20, choices=AnonymisationReason.choices)
    policy = models.CharField(max_length=40, blank=True)  # the retention policy's code
    privacy_request = models.ForeignKey(
        PrivacyRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    done_at = models.DateTimeField(default=timezone.now)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-done_at", "-id"]


class BreachKind(models.TextChoices):
    CONFIDENTIALITY = "confidentiality", _("ข้อมูลรั่วไหล/ถูกเข้าถึงโดยไม่มีสิทธิ")
    INTEGRITY = "integrity", _("ข้อมูลถูกแก้ไขโดยไม่มีสิทธิ")
    AVAILABILITY = "availability", _("ข้อมูลสูญหาย/ใช้งานไม่ได้")


class BreachStatus(models.TextChoices):
    INVESTIGATING = "investigating", _("กำลังตรวจสอบ")
    REGULATOR_NOTIFIED = "regulator_notified", _("แจ้งสำนักงานคณะกรรมการฯ แล้ว")
    CLOSED = "closed", _("ปิดเรื่องแล้ว")


class Breach(models.Model):
    """A personal data breach: when it was found, whose accounts, what period, who was told."""

    discovered_at = models.DateTimeField(_("วันเวลาที่ทราบเหตุ"))
    description = models.TextField(_("รายละเอียดเหตุการณ์"))
    kind = models.CharField(_("ลักษณะการละเมิด"), max_length=20, choices=BreachKind.choices)
    suspected_accounts = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("บัญชีที่เกี่ยวข้อง")
    )
    period_start = models.DateTimeField(_("ช่วงเวลาที่เกิดเหตุ ตั้งแต่"))
    period_end = models.DateTimeField(_("ถึง"))
    status = models.CharField(
        _("สถานะ"), max_length=20, choices=BreachStatus.choices, default=BreachStatus.INVESTIGATING
    )
    regulator_notified_at = models.DateTimeField(_("แจ้ง สคส. เมื่อ"), null=True, blank=True)
    people_notified_at = models.DateTimeField(_("แจ้งเจ้าของข้อมูลเมื่อ"), null=True, blank=True)
    notes = models.TextField(_("บันทึกการดำเนินการ"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-discovered_at", "-id"]
        verbose_name = _("เหตุการละเมิดข้อมูลส่วนบุคคล")
        verbose_name_plural = pgettext_lazy("plural", "เหตุการละเมิดข้อมูลส่วนบุคคล")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_start__lte=models.F("period_end")),
                name="breach_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.discovered_at:%Y-%m-%d})"

    @property
    def regulator_deadline(self) -> dt.datetime:
        return self.discovered_at + dt.timedelta(hours=REGULATOR_HOURS)

    def hours_left(self, now: dt.datetime | None = None) -> float:
        """Hours until the regulator must be told (negative: late by that many)."""
        return (self.regulator_deadline - (now or timezone.now())).total_seconds() / 3600

    def is_regulator_late(self, now: dt.datetime | None = None) -> bool:
        return self.regulator_notified_at is None and self.hours_left(now) < 0
