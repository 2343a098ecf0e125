"""The field app: what a volunteer recorded offline that the server could not apply as sent.

Visits, reports and hand-overs sent from a phone's outbox carry an id made on the phone; when
the world changed meanwhile (the case closed, moved to another center, the volunteer was
unassigned, the goods ran out, a likely duplicate) the submission is kept here, with its photos
or signature and the reason, for the chair of the volunteer's center to apply or discard.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SubmissionKind(models.TextChoices):
    VISIT = "visit", _("บันทึกการเยี่ยมบ้าน")
    REPORT = "report", _("แจ้งเหตุบุคคลที่ประสบปัญหา")
    HANDOVER = "handover", _("มอบสิ่งของ")


class SubmissionStatus(models.TextChoices):
    NEEDS_ATTENTION = "needs_attention", _("รอตรวจสอบ")
    APPLIED = "applied", _("บันทึกแล้ว")
    DISCARDED = "discarded", _("ไม่นำไปบันทึก")


class OfflineSubmission(models.Model):
    client_id = models.UUIDField(unique=True, editable=False)
    kind = models.CharField(_("ประเภท"), max_length=20, choices=SubmissionKind.choices)
    status = models.CharField(
        _("สถานะ"),
        max_length=20,
        choices=SubmissionStatus.choices,
        default=SubmissionStatus.NEEDS_ATTENTION,
    )
    # The volunteer's own center: its chair reviews, whatever happened to the case.
    center = models.ForeignKey("centers.Center", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(
        "cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    volunteer = models.ForeignKey(
        "centers.Volunteer", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    payload = models.JSONField(default=dict)
    reason = models.TextField(_("เหตุผลที่ยังไม่ได้บันทึก"))
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("หมายเหตุการตัดสินใจ"), blank=True)
    result_url = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["center", "status", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.client_id}"


class SubmissionFileRole(models.TextChoices):
    PHOTO = "photo", _("ภาพถ่าย")
    SIGNATURE = "signature", _("ลายมือชื่อ")


def _file_path(instance, filename):
    return f"offline/{instance.submission.client_id}/{filename}"


class OfflineSubmissionFile(models.Model):
    """A photo or signature that came with a kept submission (private media)."""

    submission = models.ForeignKey(
        OfflineSubmission, on_delete=models.CASCADE, related_name="files"
    )
    role = models.CharField(max_length=20, choices=SubmissionFileRole.choices)
    file = models.FileField(upload_to=_file_path)
    name = models.CharField(max_length=200, blank=True)
