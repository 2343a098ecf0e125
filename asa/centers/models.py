"""Coordination centers (ศูนย์ประสานงาน อพม.) and their volunteers (อพม.)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from asa.lib.crypto import EncryptedCharField
from asa.lib.thai_order import thai_order


class CenterStatus(models.TextChoices):
    ACTIVE = "active", _("เปิดดำเนินการ")
    SUSPENDED = "suspended", _("พักการดำเนินงาน")
    CLOSED = "closed", _("ปิดแล้ว")


class Center(models.Model):
    code = models.CharField(_("รหัสศูนย์"), max_length=20, unique=True)
    name_th = models.CharField(_("ชื่อศูนย์"), max_length=200)
    name_en = models.CharField(_("ชื่อภาษาอังกฤษ"), max_length=200, blank=True)
    district = models.ForeignKey(
        "geo.District",
        on_delete=models.PROTECT,
        related_name="centers",
        verbose_name=_("เขต/อำเภอ"),
    )
    subdistrict = models.ForeignKey(
        "geo.Subdistrict", on_delete=models.PROTECT, related_name="+", verbose_name=_("แขวง/ตำบล")
    )
    address = models.CharField(_("ที่อยู่"), max_length=300, blank=True)
    venue = models.CharField(_("สถานที่ตั้ง"), max_length=200, blank=True)
    opened_on = models.DateField(_("วันที่เปิดศูนย์"))
    status = models.CharField(
        _("สถานะ"), max_length=20, choices=CenterStatus.choices, default=CenterStatus.ACTIVE
    )
    phone = models.CharField(_("โทรศัพท์"), max_length=40, blank=True)
    email = models.EmailField(_("อีเมล"), blank=True)
    # Kept current by the volunteer actions, so lists never count a whole table per row.
    active_volunteer_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["district__province_id", "district_id", "code"]
        verbose_name = _("ศูนย์ประสานงาน อพม.")
        verbose_name_plural = pgettext_lazy("plural", "ศูนย์ประสานงาน อพม.")
        constraints = [
            # Every district may have one center.
            models.UniqueConstraint(fields=["district"], name="one_center_per_district"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if get_language() == "en" and self.name_en else self.name_th


class VolunteerRole(models.TextChoices):
    CHAIR = "chair", _("ประธาน อพม.")
    VICE_CHAIR = "vice_chair", _("รองประธาน")
    SECRETARY = "secretary", _("เลขานุการ")
    COMMITTEE = "committee", _("กรรมการ")
    MEMBER = "member", _("สมาชิก")


COMMITTEE_ROLES = [
    VolunteerRole.CHAIR,
    VolunteerRole.VICE_CHAIR,
    VolunteerRole.SECRETARY,
    VolunteerRole.COMMITTEE,
]


class VolunteerStatus(models.TextChoices):
    ACTIVE = "active", _("ปฏิบัติงาน")
    INACTIVE = "inactive", _("พักการปฏิบัติงาน")
    LEFT = "left", _("พ้นสภาพ")


class Sex(models.TextChoices):
    MALE = "male", _("ชาย")
    FEMALE = "female", _("หญิง")
    OTHER = "other", _("อื่น ๆ / ไม่ระบุ")


class Title(models.TextChoices):
    MR = "นาย", _("นาย")
    MRS = "นาง", _("นาง")
    MISS = "นางสาว", _("นางสาว")
    BOY = "เด็กชาย", _("เด็กชาย")
    GIRL = "เด็กหญิง", _("เด็กหญิง")


class Skill(models.Model):
    """Something a volunteer is good at (first aid, sign language, ...). Admin-extendable."""

    name_th = models.CharField(_("ทักษะ"), max_length=100, unique=True)
    name_en = models.CharField(_("ภาษาอังกฤษ"), max_length=100, blank=True)

    class Meta:
        ordering = [thai_order("name_th")]
        verbose_name = _("ทักษะ")
        verbose_name_plural = pgettext_lazy("plural", "ทักษะ")

    def __str__(self) -> str:
        return self.name_en if get_language() == "en" and self.name_en else self.name_th


class Volunteer(models.Model):
    """A social-development and human-security volunteer (อพม.) of one center."""

    center = models.ForeignKey(
        Center, on_delete=models.PROTECT, related_name="volunteers", verbose_name=_("ศูนย์")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="volunteer",
    )
    title = models.CharField(_("คำนำหน้า"), max_length=20, choices=Title.choices)
    first_name = models.CharField(_("ชื่อ"), max_length=100)
    last_name = models.CharField(_("นามสกุล"), max_length=100)
    # Encrypted at rest (asa.lib.crypto); lookups and uniqueness go through the keyed hashes.
    national_id = EncryptedCharField(_("เลขประจำตัวประชาชน"), max_length=13)
    national_id_hash = models.CharField(max_length=64, unique=True, editable=False)
    birth_date = models.DateField(_("วันเกิด"))
    sex = models.CharField(_("เพศ"), max_length=10, choices=Sex.choices)
    phone = EncryptedCharField(_("โทรศัพท์"), max_length=20, blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    house_number = models.CharField(_("บ้านเลขที่"), max_length=30, blank=True)
    moo = models.CharField(_("หมู่"), max_length=10, blank=True)
    village = models.CharField(_("หมู่บ้าน/ชุมชน"), max_length=100, blank=True)
    soi = models.CharField(_("ซอย"), max_length=100, blank=True)
    road = models.CharField(_("ถนน"), max_length=100, blank=True)
    subdistrict = models.ForeignKey(
        "geo.Subdistrict", on_delete=models.PROTECT, related_name="+", verbose_name=_("แขวง/ตำบล")
    )
    postal_code = models.CharField(_("รหัสไปรษณีย์"), max_length=5, blank=True)
    role = models.CharField(
        _("บทบาทในศูนย์"), max_length=20, choices=VolunteerRole.choices, default=VolunteerRole.MEMBER
    )
    is_youth = models.BooleanField(_("อพม. เยาวชน"), default=False)
    joined_on = models.DateField(_("วันที่เข้าร่วม"))
    status = models.CharField(
        _("สถานะ"), max_length=20, choices=VolunteerStatus.choices, default=VolunteerStatus.ACTIVE
    )
    skills = models.ManyToManyField(
        Skill, blank=True, related_name="volunteers", verbose_name=_("ทักษะ")
    )
    # Search key: the name without spaces, lower-cased, so a partial Thai search hits an index.
    search_name = models.CharField(max_length=220, db_index=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = [thai_order("first_name"), thai_order("last_name"), "id"]
        verbose_name = _("อพม.")
        verbose_name_plural = pgettext_lazy("plural", "อพม.")
        constraints = [
            models.UniqueConstraint(
                fields=["center"],
                condition=Q(role="chair", status="active"),
                name="one_active_chair_per_center",
            ),
        ]
        indexes = [models.Index(fields=["center", "status", "first_name"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.title}{self.first_name} {self.last_name}"

    @property
    def is_committee(self) -> bool:
        return self.role in COMMITTEE_ROLES

    @property
    def code(self) -> str:
        """The volunteer's code, printed on their card and typed or scanned at an event: V000123."""
        return f"V{self.pk:06d}"

    @staticmethod
    def pk_from_code(code: str) -> int | None:
        """The volunteer id in a typed or scanned code ("V000123", "v123", "๑๒๓"); None if none."""
        from asa.lib.thai import to_arabic_digits

        digits = to_arabic_digits(code.strip()).upper().removeprefix("V")
        return int(digits) if digits.isdigit() and len(digits) <= 9 else None


class VolunteerStatusChange(models.Model):
    """History of a volunteer's status and role: each change, when, by whom, why."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="history")
    field = models.CharField(_("ข้อมูลที่เปลี่ยน"), max_length=20)  # "status", "role" or "center"
    old_value = models.CharField(_("ค่าเดิม"), max_length=40, blank=True)
    new_value = models.CharField(_("ค่าใหม่"), max_length=40)
    changed_at = models.DateTimeField(_("เปลี่ยนเมื่อ"), auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.CharField(_("เหตุผล"), max_length=300, blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]


class EventKind(models.TextChoices):
    OPENING = "opening", _("เปิดศูนย์")
    TRAINING = "training", _("อบรม/บรรยาย")
    SERMON = "sermon", _("แสดงพระธรรมเทศนา")
    MEETING = "meeting", _("ประชุม")
    DISTRIBUTION = "distribution", _("มอบสิ่งของ")
    FIELD_DAY = "field_day", _("ลงพื้นที่")


class Event(models.Model):
    """Something a center held: an opening, a training, a sermon, a meeting, a drive, a field day.

    `center` is the host (whose chair manages it; scope follows it); `other_centers` took part.
    """

    kind = models.CharField(_("ประเภทกิจกรรม"), max_length=20, choices=EventKind.choices)
    title = models.CharField(_("ชื่อกิจกรรม"), max_length=300)
    center = models.ForeignKey(
        Center, on_delete=models.PROTECT, related_name="events", verbose_name=_("ศูนย์ผู้จัด")
    )
    other_centers = models.ManyToManyField(
        Center, blank=True, related_name="joint_events", verbose_name=_("ศูนย์ที่ร่วมจัด")
    )
    starts_at = models.DateTimeField(_("เริ่ม"))
    ends_at = models.DateTimeField(_("สิ้นสุด"))
    place = models.CharField(_("สถานที่"), max_length=300)
    subdistrict = models.ForeignKey(
        "geo.Subdistrict",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("แขวง/ตำบล"),
    )
    speakers = models.TextField(_("วิทยากร/ผู้บรรยาย"), blank=True)  # one per line
    topics = models.TextField(_("หัวข้อ"), blank=True)  # one per line; a training's topics
    description = models.TextField(_("รายละเอียด"), blank=True)
    staff_count = models.PositiveIntegerField(_("จำนวนเจ้าหน้าที่"), default=0)
    guest_count = models.PositiveIntegerField(_("จำนวนแขกผู้มีเกียรติ/ผู้เข้าร่วมอื่น"), default=0)
    # Kept current by the attendance actions, so lists never count per row.
    volunteer_count = models.PositiveIntegerField(_("จำนวน อพม. ที่เข้าร่วม"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("กิจกรรม")
        verbose_name_plural = pgettext_lazy("plural", "กิจกรรม")
        indexes = [
            models.Index(fields=["center", "-starts_at"]),
            models.Index(fields=["kind", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=F("starts_at")), name="event_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Attendance(models.Model):
    """A volunteer at an event, with the hours it counts for."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="attendances")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="attendances")
    hours = models.DecimalField(_("ชั่วโมง"), max_digits=5, decimal_places=1)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "volunteer"], name="attend_once"),
        ]
        indexes = [models.Index(fields=["volunteer", "event"])]


def _event_photo_path(instance, filename):
    return f"events/{instance.event_id}/{filename}"


class EventPhoto(models.Model):
    """A photo of an event: checked by content, stored privately, served through access."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to=_event_photo_path)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    caption = models.CharField(_("คำอธิบายภาพ"), max_length=200, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)


class TrainingRecord(models.Model):
    """A topic a volunteer was trained in; a training event adds one per attendee and topic."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="trainings")
    topic = models.CharField(_("หัวข้อ"), max_length=200)
    completed_on = models.DateField(_("วันที่อบรม"))
    hours = models.DecimalField(_("ชั่วโมง"), max_digits=5, decimal_places=1, default=0)
    provider = models.CharField(_("ผู้จัด"), max_length=200, blank=True)
    event = models.ForeignKey(
        Event, on_delete=models.SET_NULL, null=True, blank=True, related_name="training_records"
    )
    # Printed on the certificate, e.g. "100502-2569-0001" (center code, BE year, running number).
    certificate_number = models.CharField(
        _("เลขที่วุฒิบัตร"), max_length=40, null=True, blank=True, unique=True
    )

    class Meta:
        ordering = ["-completed_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["volunteer", "event", "topic"],
                condition=Q(event__isnull=False),
                name="one_training_record_per_event_topic",
            ),
        ]


class HoursStatus(models.TextChoices):
    PENDING = "pending", _("รออนุมัติ")
    APPROVED = "approved", _("อนุมัติแล้ว")
    REJECTED = "rejected", _("ไม่อนุมัติ")


class HoursEntry(models.Model):
    """Hours of volunteer work entered by hand; they count only once the chair approves them."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="hours_entries")
    worked_on = models.DateField(_("วันที่ปฏิบัติงาน"))
    hours = models.DecimalField(_("ชั่วโมง"), max_digits=5, decimal_places=1)
    description = models.CharField(_("งานที่ทำ"), max_length=300)
    status = models.CharField(
        _("สถานะ"), max_length=10, choices=HoursStatus.choices, default=HoursStatus.PENDING
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("หมายเหตุการพิจารณา"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-worked_on", "-id"]
        indexes = [models.Index(fields=["volunteer", "status", "worked_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=24), name="hours_entry_in_range"
            )
        ]
