"""One Home: partner agencies, their services and areas, closed-loop referrals, case conferences."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from asa.lib.thai_order import thai_order


class AgencyKind(models.TextChoices):
    PROVINCIAL_OFFICE = "provincial_office", _("สำนักงานพัฒนาสังคมและความมั่นคงของมนุษย์จังหวัด (พมจ.)")
    SHELTER_DESTITUTE = "shelter_destitute", _("ศูนย์คุ้มครองคนไร้ที่พึ่ง")
    CHILD_FAMILY_SHELTER = "child_family_shelter", _("บ้านพักเด็กและครอบครัว")
    ELDERLY_WELFARE = "elderly_welfare", _("หน่วยงานสวัสดิการผู้สูงอายุ")
    HOUSING_AUTHORITY = "housing_authority", _("การเคหะแห่งชาติ")
    SELF_HELP_SETTLEMENT = "self_help_settlement", _("นิคมสร้างตนเอง")
    DISTRICT_OFFICE = "district_office", _("สำนักงานเขต/ที่ว่าการอำเภอ")
    LOCAL_GOVERNMENT = "local_government", _("องค์กรปกครองส่วนท้องถิ่น")
    HEALTH = "health", _("ศูนย์บริการสาธารณสุข/โรงพยาบาล")
    SCHOOL = "school", _("โรงเรียน")
    POLICE = "police", _("สถานีตำรวจ")
    TEMPLE = "temple", _("วัด")
    NGO = "ngo", _("องค์กรพัฒนาเอกชน")
    PRIVATE_DONOR = "private_donor", _("ภาคเอกชน/ผู้บริจาค")
    OTHER = "other", _("อื่น ๆ")


class Agency(models.Model):
    name_th = models.CharField(_("ชื่อหน่วยงาน"), max_length=200, unique=True)
    name_en = models.CharField(_("ชื่อภาษาอังกฤษ"), max_length=200, blank=True)
    kind = models.CharField(_("ประเภท"), max_length=40, choices=AgencyKind.choices)
    province = models.ForeignKey(
        "geo.Province",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("จังหวัด"),
    )
    phone = models.CharField(_("โทรศัพท์"), max_length=40, blank=True)
    email = models.EmailField(_("อีเมล"), blank=True)
    address = models.CharField(_("ที่อยู่"), max_length=300, blank=True)
    services = models.ManyToManyField(
        "Service", blank=True, related_name="agencies", verbose_name=_("บริการ")
    )
    is_active = models.BooleanField(_("ใช้งาน"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = [thai_order("name_th")]
        verbose_name = _("หน่วยงานภาคี")
        verbose_name_plural = pgettext_lazy("plural", "หน่วยงานภาคี")

    def __str__(self) -> str:
        return self.name_th


class Service(models.Model):
    """A service partners offer (shelter, health care, housing...). Admin-extendable.

    `shared_fields` is the minimum of a person's data a referral for this service shares.
    """

    code = models.SlugField(_("รหัส"), max_length=40, unique=True)
    name_th = models.CharField(_("ชื่อบริการ"), max_length=150)
    name_en = models.CharField(_("ชื่อภาษาอังกฤษ"), max_length=150, blank=True)
    shared_fields = models.JSONField(_("ข้อมูลที่ส่งต่อ"), default=list)
    respond_within_days = models.PositiveSmallIntegerField(_("ตอบรับภายใน (วัน)"), default=3)
    complete_within_days = models.PositiveSmallIntegerField(_("ให้บริการเสร็จภายใน (วัน)"), default=30)
    is_active = models.BooleanField(_("ใช้งาน"), default=True)

    class Meta:
        ordering = [thai_order("name_th")]
        verbose_name = _("บริการ")

    def __str__(self) -> str:
        return self.name_th


class AgencyArea(models.Model):
    """An area an agency covers by DOPA code: 2 digits a province, 4 a district, 6 a subdistrict."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="areas")
    area_code = models.CharField(_("รหัสพื้นที่"), max_length=6, db_index=True)

    class Meta:
        ordering = ["area_code"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "area_code"], name="one_row_per_agency_area"),
        ]


class AgencyContact(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("ชื่อผู้ประสานงาน"), max_length=200)
    position = models.CharField(_("ตำแหน่ง"), max_length=200, blank=True)
    phone = models.CharField(_("โทรศัพท์"), max_length=40, blank=True)
    email = models.EmailField(_("อีเมล"), blank=True)
    line_id = models.CharField(_("LINE ID"), max_length=60, blank=True)
    receives_referrals = models.BooleanField(_("รับการส่งต่อทางลิงก์"), default=True)

    class Meta:
        ordering = ["agency", "name"]

    def __str__(self) -> str:
        return self.name


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("ส่งแล้ว รอตอบรับ")
    ACCEPTED = "accepted", _("ตอบรับแล้ว")
    DECLINED = "declined", _("ปฏิเสธ")
    IN_SERVICE = "in_service", _("กำลังให้บริการ")
    COMPLETED = "completed", _("ให้บริการเสร็จสิ้น")
    NOT_COMPLETED = "not_completed", _("ให้บริการไม่สำเร็จ")
    WITHDRAWN = "withdrawn", _("ผู้ส่งถอนการส่งต่อ")


OPEN_REFERRAL_STATUSES = [ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.IN_SERVICE]
# What of a referral's shared snapshot stays visible once consent is withdrawn: the sending
# center's own name and contact, none of the person's data.
WITHHELD_KEEPS = ("sender_center", "sender_contact")


class Referral(models.Model):
    """A case's person referred to a partner agency for one service, tracked to an outcome."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="referrals")
    # The case's center and district, copied here so who may see a referral is read off the
    # referral itself instead of looking up its case row by row (the access layer); sending
    # sets them and transfer_case moves them with the case.
    center = models.ForeignKey(
        "centers.Center", on_delete=models.PROTECT, null=True, related_name="+", editable=False
    )
    district = models.ForeignKey(
        "geo.District", on_delete=models.PROTECT, null=True, related_name="+", editable=False
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="referrals")
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="+", verbose_name=_("บริการ")
    )
    need = models.CharField(_("ความต้องการ"), max_length=300)
    plan_item = models.ForeignKey(
        "cases.PlanItem", on_delete=models.SET_NULL, null=True, blank=True, related_name="referrals"
    )
    note = models.TextField(_("ข้อความถึงหน่วยงาน"), blank=True)
    # What the partner sees: a snapshot of the minimum fields for the service, made at sending.
    shared_data = models.JSONField(default=dict)
    consent = models.ForeignKey("registry.Consent", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("สถานะ"), max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.SENT
    )
    status_reason = models.TextField(_("เหตุผล/ผลการให้บริการ"), blank=True)
    respond_by = models.DateField(_("ตอบรับภายใน"))
    complete_by = models.DateField(_("ให้บริการเสร็จภายใน"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sent_at = models.DateTimeField(auto_now_add=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("การส่งต่อ")
        indexes = [
            models.Index(fields=["agency", "status", "respond_by"]),
            models.Index(fields=["case", "status"]),
            # Open referrals are few beside the finished ones: the watch list's late referrals
            # start from this (see referrals.queries.overdue_referrals).
            models.Index(
                fields=["case", "respond_by", "complete_by"],
                condition=models.Q(status__in=OPEN_REFERRAL_STATUSES),
                name="referral_open_by_case",
            ),
            models.Index(
                fields=["district", "respond_by", "complete_by"],
                condition=models.Q(status__in=OPEN_REFERRAL_STATUSES),
                name="referral_open_by_district",
            ),
            models.Index(
                fields=["center", "respond_by", "complete_by"],
                condition=models.Q(status__in=OPEN_REFERRAL_STATUSES),
                name="referral_open_by_center",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} → {self.agency}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REFERRAL_STATUSES

    @property
    def status_label(self) -> str:
        """For lists (get_status_display costs ~40 µs a row: see Case.status_label)."""
        return ReferralStatus(self.status).label

    @property
    def consent_withdrawn(self) -> bool:
        """The consent this referral was sent under has been withdrawn (load `consent` with
        the referral: lists select it)."""
        return self.consent.withdrawn_on is not None

    def partner_shared_data(self) -> dict:
        """What the partner may see now, still sealed: the snapshot, or once the consent it was
        sent under is withdrawn, only whom to call back at the sending center (nothing of the
        person: not their name, phone, address, needs or disability)."""
        if self.consent_withdrawn:
            return {key: self.shared_data[key] for key in WITHHELD_KEEPS if key in self.shared_data}
        return self.shared_data


class ReferralLink(models.Model):
    """A single-use, expiring, signed link for a partner without users in Asa."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="links")
    contact = models.ForeignKey(
        AgencyContact, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)  # SHA-256 of the signed token
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_for = models.CharField(max_length=20, blank=True)
    # Set when the referral was withdrawn or finished, its consent withdrawn or its case moved:
    # every open link of it stops at once instead of at its expiry.
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]


class CaseConference(models.Model):
    """A One Home team meeting on one case: the center and several agencies."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="conferences")
    held_on = models.DateField(_("วันที่ประชุม"))
    place = models.CharField(_("สถานที่"), max_length=200, blank=True)
    agencies = models.ManyToManyField(
        Agency, blank=True, related_name="conferences", verbose_name=_("หน่วยงานที่เข้าร่วม")
    )
    attendees = models.TextField(_("ผู้เข้าร่วม"), blank=True)
    decisions = models.TextField(_("มติที่ประชุม"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]


class ConferenceAction(models.Model):
    conference = models.ForeignKey(CaseConference, on_delete=models.CASCADE, related_name="actions")
    action = models.CharField(_("สิ่งที่ต้องทำ"), max_length=300)
    owner_agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("หน่วยงานรับผิดชอบ"),
    )
    owner_center = models.ForeignKey(
        "centers.Center", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due_on = models.DateField(_("กำหนดเสร็จ"))
    done_on = models.DateField(_("วันที่เสร็จ"), null=True, blank=True)
    done_note = models.TextField(_("ผล"), blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner_agency__isnull=False) | Q(owner_center__isnull=False),
                name="conference_action_has_owner",
            ),
        ]
