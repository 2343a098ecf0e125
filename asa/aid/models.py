"""Goods and equipment: catalogue, donations in, a stock ledger per center, distribution, loans.

The ledger (StockMovement) is the truth; StockBalance is its running sum per center and item,
kept by the same actions in the same transaction, with a CHECK that it never goes below zero.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from asa.lib.thai_order import thai_order


class ItemKind(models.TextChoices):
    CONSUMABLE = "consumable", _("ของใช้สิ้นเปลือง")
    EQUIPMENT = "equipment", _("อุปกรณ์/ครุภัณฑ์ (ติดตามรายชิ้น)")


class ItemCategory(models.Model):
    code = models.SlugField(_("รหัส"), max_length=40, unique=True)
    name_th = models.CharField(_("ชื่อหมวด"), max_length=120)
    name_en = models.CharField(_("ชื่อภาษาอังกฤษ"), max_length=120, blank=True)

    class Meta:
        ordering = [thai_order("name_th")]
        verbose_name = _("หมวดสิ่งของ")

    def __str__(self) -> str:
        return self.name_en if get_language() == "en" and self.name_en else self.name_th


class Item(models.Model):
    """Something a center can hold: rice, a consumer-goods kit, a bicycle, a wheelchair."""

    code = models.SlugField(_("รหัส"), max_length=40, unique=True)
    name_th = models.CharField(_("ชื่อสิ่งของ"), max_length=150)
    name_en = models.CharField(_("ชื่อภาษาอังกฤษ"), max_length=150, blank=True)
    category = models.ForeignKey(
        ItemCategory, on_delete=models.PROTECT, related_name="items", verbose_name=_("หมวด")
    )
    kind = models.CharField(_("ประเภท"), max_length=20, choices=ItemKind.choices)
    unit = models.CharField(_("หน่วยนับ"), max_length=30)
    unit_value = models.DecimalField(
        _("มูลค่าต่อหน่วยโดยประมาณ (บาท)"), max_digits=10, decimal_places=2, default=0
    )
    is_active = models.BooleanField(_("ใช้งาน"), default=True)

    class Meta:
        ordering = [thai_order("category__name_th"), thai_order("name_th")]
        verbose_name = _("สิ่งของ")

    def __str__(self) -> str:
        return self.name_en if get_language() == "en" and self.name_en else self.name_th

    @property
    def is_equipment(self) -> bool:
        return self.kind == ItemKind.EQUIPMENT


class PieceStatus(models.TextChoices):
    IN_STOCK = "in_stock", _("อยู่ในคลัง")
    LOANED = "loaned", _("ให้ยืม")
    DISTRIBUTED = "distributed", _("มอบให้แล้ว")
    WRITTEN_OFF = "written_off", _("ตัดจำหน่าย")


class Piece(models.Model):
    """One piece of equipment with its serial/asset number; in exactly one place at a time."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="pieces")
    serial_number = models.CharField(_("หมายเลขครุภัณฑ์/ซีเรียล"), max_length=60)
    center = models.ForeignKey(
        "centers.Center", on_delete=models.PROTECT, related_name="+", verbose_name=_("ศูนย์")
    )
    status = models.CharField(
        _("สถานะ"), max_length=20, choices=PieceStatus.choices, default=PieceStatus.IN_STOCK
    )
    condition = models.CharField(_("สภาพ"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["item", "serial_number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "serial_number"], name="one_serial_per_item"),
        ]
        indexes = [models.Index(fields=["center", "item", "status"])]

    def __str__(self) -> str:
        return f"{self.item} #{self.serial_number}"


class DonorKind(models.TextChoices):
    AGENCY = "agency", _("หน่วยงาน")
    COMPANY = "company", _("บริษัท/ร้านค้า")
    PERSON = "person", _("บุคคล")
    ANONYMOUS = "anonymous", _("ไม่ประสงค์ออกนาม")


class Donation(models.Model):
    """Goods received by a center, with a receipt for the donor."""

    center = models.ForeignKey(
        "centers.Center",
        on_delete=models.PROTECT,
        related_name="donations",
        verbose_name=_("ศูนย์ที่รับ"),
    )
    receipt_number = models.CharField(_("เลขที่ใบอนุโมทนาบัตร/ใบรับ"), max_length=30, unique=True)
    donor_kind = models.CharField(_("ประเภทผู้บริจาค"), max_length=20, choices=DonorKind.choices)
    donor_name = models.CharField(_("ชื่อผู้บริจาค"), max_length=200, blank=True)
    donor_agency = models.ForeignKey(
        "referrals.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="donations",
    )
    donor_contact = models.CharField(_("ที่อยู่/ติดต่อผู้บริจาค"), max_length=300, blank=True)
    received_on = models.DateField(_("วันที่รับ"))
    value_estimate = models.DecimalField(
        _("มูลค่าโดยประมาณ (บาท)"), max_digits=12, decimal_places=2, default=0
    )
    note = models.TextField(_("หมายเหตุ"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("การรับบริจาค")


class DonationLine(models.Model):
    donation = models.ForeignKey(Donation, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("จำนวน"))


class Distribution(models.Model):
    """Goods handed to a person or household, with a receipt signed by the recipient."""

    center = models.ForeignKey(
        "centers.Center", on_delete=models.PROTECT, related_name="distributions"
    )
    receipt_number = models.CharField(max_length=30, unique=True)
    # The id a phone made for a hand-over recorded offline: a resend never moves stock twice.
    client_id = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    person = models.ForeignKey(
        "registry.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="distributions",
    )
    household = models.ForeignKey(
        "registry.Household",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="distributions",
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="distributions"
    )
    visit = models.ForeignKey(
        "cases.Visit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    drive = models.ForeignKey(
        "DistributionDrive",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="distributions",
    )
    distributed_on = models.DateField(_("วันที่มอบ"))
    signature = models.FileField(upload_to="signatures/", blank=True)  # private media
    signed_by_name = models.CharField(_("ผู้รับ (ลงชื่อ)"), max_length=200, blank=True)
    note = models.TextField(_("หมายเหตุ"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-distributed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(household__isnull=False),
                name="distribution_has_recipient",
            ),
        ]


class DistributionLine(models.Model):
    distribution = models.ForeignKey(Distribution, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("จำนวน"))
    piece = models.ForeignKey(
        Piece, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )


class DistributionDrive(models.Model):
    """A planned distribution (e.g. a center's monthly drive) with its list of households."""

    center = models.ForeignKey("centers.Center", on_delete=models.PROTECT, related_name="drives")
    title = models.CharField(_("ชื่อกิจกรรม"), max_length=200)
    planned_on = models.DateField(_("วันที่จัด"))
    households = models.ManyToManyField("registry.Household", blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-planned_on", "-id"]


class LoanStatus(models.TextChoices):
    OUT = "out", _("ยืมอยู่")
    RETURNED = "returned", _("คืนแล้ว")
    LOST = "lost", _("สูญหาย")


class Loan(models.Model):
    """A piece lent to a volunteer (the chair's bicycles) or to a person/household."""

    piece = models.ForeignKey(Piece, on_delete=models.PROTECT, related_name="loans")
    center = models.ForeignKey("centers.Center", on_delete=models.PROTECT, related_name="loans")
    volunteer = models.ForeignKey(
        "centers.Volunteer", on_delete=models.PROTECT, null=True, blank=True, related_name="loans"
    )
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="loans"
    )
    household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, null=True, blank=True, related_name="loans"
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="loans"
    )
    loaned_on = models.DateField(_("วันที่ยืม"))
    expected_return_on = models.DateField(_("กำหนดคืน"))
    condition_out = models.CharField(_("สภาพตอนยืม"), max_length=200)
    returned_on = models.DateField(_("วันที่คืน"), null=True, blank=True)
    condition_in = models.CharField(_("สภาพตอนคืน"), max_length=200, blank=True)
    status = models.CharField(
        _("สถานะ"), max_length=20, choices=LoanStatus.choices, default=LoanStatus.OUT
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-loaned_on", "-id"]
        constraints = [
            # A piece is out on at most one loan at a time.
            models.UniqueConstraint(
                fields=["piece"], condition=Q(status="out"), name="one_open_loan_per_piece"
            ),
            models.CheckConstraint(
                condition=Q(volunteer__isnull=False)
                | Q(person__isnull=False)
                | Q(household__isnull=False),
                name="loan_has_borrower",
            ),
        ]
        indexes = [models.Index(fields=["center", "status", "expected_return_on"])]


class MovementKind(models.TextChoices):
    RECEIVED = "received", _("รับบริจาค")
    TRANSFER_IN = "transfer_in", _("รับโอนจากศูนย์อื่น")
    TRANSFER_OUT = "transfer_out", _("โอนไปศูนย์อื่น")
    DISTRIBUTED = "distributed", _("มอบให้ผู้รับ")
    LOANED = "loaned", _("ให้ยืม")
    RETURNED = "returned", _("รับคืน")
    WRITTEN_OFF = "written_off", _("ตัดจำหน่าย")
    COUNT_ADJUSTMENT = "count_adjustment", _("ปรับยอดจากการตรวจนับ")


class StockMovement(models.Model):
    """One line of the stock ledger of a center: + in, − out."""

    center = models.ForeignKey("centers.Center", on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(max_length=20, choices=MovementKind.choices)
    quantity = models.IntegerField()  # signed
    piece = models.ForeignKey(
        Piece, on_delete=models.PROTECT, null=True, blank=True, related_name="movements"
    )
    donation = models.ForeignKey(
        Donation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    distribution = models.ForeignKey(
        Distribution, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    loan = models.ForeignKey(
        Loan, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    other_center = models.ForeignKey(
        "centers.Center", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    occurred_on = models.DateField()
    reason = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["center", "item", "-occurred_on"])]


class StockBalance(models.Model):
    """What a center holds of an item now: the sum of its ledger, never negative."""

    center = models.ForeignKey("centers.Center", on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="balances")
    quantity = models.IntegerField(default=0)
    low_stock_threshold = models.PositiveIntegerField(_("แจ้งเตือนเมื่อเหลือไม่เกิน"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["center", "item"], name="one_balance_per_center_item"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="stock_never_negative"),
        ]


class StockTake(models.Model):
    """A count of a center's stock; differences become count-adjustment movements."""

    center = models.ForeignKey("centers.Center", on_delete=models.PROTECT, related_name="+")
    counted_on = models.DateField(_("วันที่ตรวจนับ"))
    counts = models.JSONField(default=dict)  # {item id: [expected, counted]}
    closes_period = models.BooleanField(_("ปิดงวด (ห้ามบันทึกย้อนหลังก่อนวันนี้)"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-counted_on", "-id"]
