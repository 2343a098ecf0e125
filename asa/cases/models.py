"""Casework: from a report of distress to a closed case — visits, plans, help, follow-up."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from asa.lib.crypto import EncryptedCharField


class Source(models.TextChoices):
    FIELD = "field", _("อพม. พบในพื้นที่")
    HOTLINE = "hotline", _("สายด่วน 1300")
    WALK_IN = "walk_in", _("มาติดต่อที่ศูนย์")
    PARTNER = "partner", _("ส่งต่อจากภาคีเครือข่าย")
    SURVEY = "survey", _("การสำรวจ")


class Urgency(models.TextChoices):
    EMERGENCY = "emergency", _("ฉุกเฉิน (ภายใน 24 ชั่วโมง)")
    URGENT = "urgent", _("เร่งด่วน")
    ROUTINE = "routine", _("ปกติ")


URGENCY_ORDER = {Urgency.EMERGENCY: 0, Urgency.URGENT: 1, Urgency.ROUTINE: 2}


class Status(models.TextChoices):
    NEW = "new", _("รับเรื่องใหม่")
    ASSESSED = "assessed", _("ประเมินแล้ว")
    PLAN_AGREED = "plan_agreed", _("มีแผนช่วยเหลือแล้ว")
    IN_PROGRESS = "in_progress", _("กำลังดำเนินการ")
    FOLLOW_UP = "follow_up", _("ติดตามผล")
    CLOSURE_REQUESTED = "closure_requested", _("ขอปิดกรณี")
    CLOSED = "closed", _("ปิดกรณีแล้ว")


OPEN_STATUSES = [s for s in Status.values if s != Status.CLOSED]


class Outcome(models.TextChoices):
    RESOLVED = "resolved", _("แก้ไขปัญหาได้แล้ว")
    REFERRED_COMPLETED = "referred_completed", _("ส่งต่อและได้รับบริการครบแล้ว")
    MOVED_AWAY = "moved_away", _("ย้ายออกจากพื้นที่")
    DIED = "died", _("เสียชีวิต")
    DECLINED = "declined", _("ปฏิเสธความช่วยเหลือ")
    UNABLE_TO_CONTACT = "unable_to_contact", _("ติดต่อไม่ได้")


class Case(models.Model):
    """A case about a person (and their household) from the registry."""

    number = models.CharField(_("เลขที่กรณี"), max_length=30, unique=True)
    # The id a phone made for a report recorded offline: the same report sent twice is one case.
    client_id = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="cases", verbose_name=_("บุคคล")
    )
    household = models.ForeignKey(
        "registry.Household",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("ครัวเรือน"),
    )
    center = models.ForeignKey(
        "centers.Center",
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("ศูนย์ที่รับผิดชอบ"),
    )
    # Denormalised from the center for area scope filters on one indexed column.
    district = models.ForeignKey(
        "geo.District", on_delete=models.PROTECT, related_name="+", editable=False
    )
    source = models.CharField(_("ช่องทางรับเรื่อง"), max_length=20, choices=Source.choices)
    reporter_name = models.CharField(_("ผู้แจ้ง"), max_length=200, blank=True)
    reporter_phone = EncryptedCharField(_("โทรศัพท์ผู้แจ้ง"), max_length=40, blank=True)
    reported_at = models.DateTimeField(_("วันเวลาที่รับแจ้ง"))
    urgency = models.CharField(
        _("ความเร่งด่วน"), max_length=20, choices=Urgency.choices, default=Urgency.ROUTINE
    )
    # Urgency as a number (emergency 0, urgent 1, routine 2) so the watch list can walk an
    # index in urgency order instead of sorting every due case of an area.
    urgency_order = models.PositiveSmallIntegerField(default=2, editable=False)
    story = models.TextField(_("เรื่องโดยย่อ"))
    problems = models.ManyToManyField(
        "registry.ProblemType", blank=True, related_name="+", verbose_name=_("ปัญหา")
    )
    target_groups = models.ManyToManyField(
        "registry.TargetGroup", blank=True, related_name="+", verbose_name=_("กลุ่มเป้าหมาย")
    )
    status = models.CharField(_("สถานะ"), max_length=20, choices=Status.choices, default=Status.NEW)
    outcome = models.CharField(
        _("ผลการดำเนินงาน"), max_length=30, choices=Outcome.choices, blank=True
    )
    closure_note = models.TextField(_("สรุปการปิดกรณี"), blank=True)
    closure_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    next_follow_up_on = models.DateField(_("วันติดตามครั้งถัดไป"), null=True, blank=True)
    first_visit_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set when the chair was told an emergency had no visit within 24 h (told once).
    emergency_flagged_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic concurrency: a change made against an older version is refused.
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-reported_at", "-id"]
        verbose_name = _("กรณี")
        indexes = [
            models.Index(fields=["center", "status", "next_follow_up_on"]),
            models.Index(fields=["district", "status", "next_follow_up_on"]),
            models.Index(fields=["status", "urgency", "reported_at"]),
            # Newest first over all cases: an area-wide list walks it and stops after a page.
            models.Index(fields=["-reported_at", "-id"], name="case_reported"),
            models.Index(
                fields=["urgency_order", "next_follow_up_on", "id"],
                condition=Q(next_follow_up_on__isnull=False),
                name="case_watch_order",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status != Status.CLOSED

    # The labels for lists: get_FOO_display rebuilds its choices dictionary on every call,
    # translating each label to hash it (~40 µs; a watch page shows 60 rows, 5 µs this way).
    @property
    def urgency_label(self) -> str:
        return Urgency(self.urgency).label

    @property
    def status_label(self) -> str:
        return Status(self.status).label


class CaseReopening(models.Model):
    """A closed case opened again: when it had been closed and when it reopened.

    Reopening clears the case's closing fields, so the closure it undid is kept here for the
    outcome figure "reopened within 90 days" (asa.reports.facts.outcome_facts).
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reopenings")
    closed_at = models.DateTimeField()
    outcome = models.CharField(max_length=30, choices=Outcome.choices, blank=True)
    reopened_at = models.DateTimeField()

    class Meta:
        ordering = ["-reopened_at", "-id"]
        indexes = [models.Index(fields=["case", "reopened_at"])]


class CaseAssignment(models.Model):
    """A volunteer working on a case, from `assigned_at` until `ended_at`."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    volunteer = models.ForeignKey(
        "centers.Volunteer", on_delete=models.PROTECT, related_name="case_assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["assigned_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "volunteer"],
                condition=Q(ended_at__isnull=True),
                name="one_current_assignment_per_volunteer",
            ),
        ]
        indexes = [models.Index(fields=["volunteer", "ended_at"])]


class Visit(models.Model):
    """A home visit: who went, whom they met, what they saw, needs found, next visit."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="visits")
    # The id a phone made for a visit recorded offline: a resend returns this visit, never a second.
    client_id = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    visited_at = models.DateTimeField(_("วันเวลาที่เยี่ยม"))
    volunteers = models.ManyToManyField(
        "centers.Volunteer", blank=True, related_name="visits", verbose_name=_("อพม. ที่ไปเยี่ยม")
    )
    staff_names = models.CharField(_("เจ้าหน้าที่ที่ร่วมเยี่ยม"), max_length=300, blank=True)
    partner_names = models.CharField(_("ภาคีเครือข่าย One Home ที่ร่วมเยี่ยม"), max_length=300, blank=True)
    at_household_address = models.BooleanField(_("เยี่ยมที่บ้าน"), default=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    met_whom = models.CharField(_("ผู้ที่พบ"), max_length=300, blank=True)
    observations = models.TextField(_("สิ่งที่พบเห็น"))
    needs = models.TextField(_("ความต้องการที่พบ"), blank=True)
    assessment = models.ForeignKey(
        "registry.HouseholdAssessment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    next_visit_on = models.DateField(_("นัดเยี่ยมครั้งถัดไป"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-visited_at", "-id"]
        indexes = [models.Index(fields=["case", "-visited_at"])]


def _photo_path(instance, filename):
    return f"visits/{instance.visit.case_id}/{instance.visit_id}/{filename}"


class VisitPhoto(models.Model):
    """A photo from a visit: resized, stored privately, served only through the access layer."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to=_photo_path)  # dimensions set by record_visit
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    caption = models.CharField(_("คำอธิบายภาพ"), max_length=200, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)


class PlanItemStatus(models.TextChoices):
    PLANNED = "planned", _("วางแผนแล้ว")
    IN_PROGRESS = "in_progress", _("กำลังดำเนินการ")
    DONE = "done", _("เสร็จแล้ว")
    CANCELLED = "cancelled", _("ยกเลิก")


class PlanItem(models.Model):
    """One planned action for a need in the case plan, with who and by when."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="plan_items")
    need = models.CharField(_("ความต้องการ/ปัญหา"), max_length=300)
    action = models.CharField(_("สิ่งที่จะทำ"), max_length=500)
    responsible_volunteer = models.ForeignKey(
        "centers.Volunteer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("อพม. ผู้รับผิดชอบ"),
    )
    responsible_other = models.CharField(_("ผู้รับผิดชอบอื่น (หน่วยงาน/บุคคล)"), max_length=200, blank=True)
    due_on = models.DateField(_("กำหนดเสร็จ"))
    status = models.CharField(
        _("สถานะ"), max_length=20, choices=PlanItemStatus.choices, default=PlanItemStatus.PLANNED
    )
    progress_note = models.TextField(_("ความคืบหน้า"), blank=True)
    done_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "id"]


class AssistanceKind(models.TextChoices):
    EMERGENCY_GRANT = "emergency_grant", _("เงินสงเคราะห์กรณีฉุกเฉิน")
    CASH = "cash", _("เงินช่วยเหลืออื่น")
    GOODS = "goods", _("สิ่งของ")
    SERVICE = "service", _("บริการ")
    REFERRAL = "referral", _("การส่งต่อ")


class Assistance(models.Model):
    """Help given, of one kind among several; totals per person and household come from here."""

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="assistance"
    )
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="assistance"
    )
    household = models.ForeignKey(
        "registry.Household",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assistance",
    )
    center = models.ForeignKey("centers.Center", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("ประเภทความช่วยเหลือ"), max_length=20, choices=AssistanceKind.choices)
    regulation = models.CharField(_("ระเบียบ/ประเภทเงิน"), max_length=200, blank=True)
    amount = models.DecimalField(
        _("จำนวนเงิน (บาท)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    description = models.CharField(_("รายละเอียด"), max_length=500)
    given_on = models.DateField(_("วันที่ให้ความช่วยเหลือ"))
    provider = models.CharField(_("ผู้ให้/หน่วยงาน"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-given_on", "-id"]
        indexes = [
            models.Index(fields=["person", "given_on"]),
            models.Index(fields=["household", "given_on"]),
        ]
