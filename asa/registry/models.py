"""The database of people facing social problems (ฐานข้อมูลผู้ประสบปัญหาทางสังคม).

People and households, their target groups and problems, household assessments on the five
dimensions of the family logbook / TPMAP, consent and legal basis, duplicate review.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from asa.lib.crypto import EncryptedCharField
from asa.lib.thai_order import thai_order


class Catalogue(models.Model):
    """An admin-extendable list entry (target groups, problem types)."""

    code = models.SlugField(_("รหัส"), max_length=40, unique=True)
    name_th = models.CharField(_("ชื่อ"), max_length=120)
    name_en = models.CharField(_("ชื่อภาษาอังกฤษ"), max_length=120, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("ลำดับ"), default=100)
    is_active = models.BooleanField(_("ใช้งาน"), default=True)

    class Meta:
        abstract = True
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if get_language() == "en" and self.name_en else self.name_th


class TargetGroup(Catalogue):
    class Meta(Catalogue.Meta):
        verbose_name = _("กลุ่มเป้าหมาย")


class ProblemType(Catalogue):
    is_hotline_category = models.BooleanField(_("หมวดสายด่วน 1300"), default=False)

    class Meta(Catalogue.Meta):
        verbose_name = _("ประเภทปัญหา")


class IdType(models.TextChoices):
    NATIONAL_ID = "national_id", _("เลขประจำตัวประชาชน")
    PASSPORT = "passport", _("หนังสือเดินทาง")
    NON_THAI_ID = "non_thai_id", _("บัตรประจำตัวบุคคลที่ไม่มีสัญชาติไทย")
    NONE = "none", _("ไม่มีเอกสาร/ไม่ทราบ")


class Sex(models.TextChoices):
    MALE = "male", _("ชาย")
    FEMALE = "female", _("หญิง")
    OTHER = "other", _("อื่น ๆ")
    UNKNOWN = "unknown", _("ไม่ทราบ")


class BirthDatePrecision(models.TextChoices):
    EXACT = "exact", _("ทราบวันเกิด")
    YEAR = "year", _("ทราบเฉพาะปีเกิด")
    UNKNOWN = "unknown", _("ไม่ทราบ")


TITLE_SUGGESTIONS = [
    "นาย",
    "นาง",
    "นางสาว",
    "เด็กชาย",
    "เด็กหญิง",
    "พระภิกษุ",
    "สามเณร",
    "Mr.",
    "Mrs.",
    "Ms.",
]


class AddressFields(models.Model):
    house_number = models.CharField(_("บ้านเลขที่"), max_length=30, blank=True)
    moo = models.CharField(_("หมู่"), max_length=10, blank=True)
    village = models.CharField(_("หมู่บ้าน/ชุมชน"), max_length=120, blank=True)
    soi = models.CharField(_("ซอย"), max_length=120, blank=True)
    road = models.CharField(_("ถนน"), max_length=120, blank=True)
    subdistrict = models.ForeignKey(
        "geo.Subdistrict",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("แขวง/ตำบล"),
        db_index=False,  # indexed per model in Meta.indexes (no pattern-ops copy)
    )
    postal_code = models.CharField(_("รหัสไปรษณีย์"), max_length=5, blank=True)
    latitude = models.DecimalField(
        _("ละติจูด"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("ลองจิจูด"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    # Denormalised from the subdistrict so scope filters hit one indexed column. Always set
    # from the subdistrict (whose foreign key is checked), so no constraint of their own: it
    # would check the same fact twice more per row (0.7 s of a 100,000-row import).
    district = models.ForeignKey(
        "geo.District",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        db_index=False,
        db_constraint=False,
    )
    province = models.ForeignKey(
        "geo.Province",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        db_index=False,
        db_constraint=False,
    )
    # The center responsible: the one covering the address, else the one that registered.
    center = models.ForeignKey(
        "centers.Center",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ศูนย์ที่รับผิดชอบ"),
        db_index=False,
    )

    class Meta:
        abstract = True

    @property
    def address_line(self) -> str:
        parts = [
            self.house_number,
            f"หมู่ {self.moo}" if self.moo else "",
            self.village,
            f"ซ.{self.soi}" if self.soi else "",
            f"ถ.{self.road}" if self.road else "",
        ]
        if self.subdistrict_id:
            sub = self.subdistrict
            bangkok = sub.code.startswith("10")
            parts += [
                ("แขวง" if bangkok else "ต.") + sub.name_th,
                sub.district.name_th if bangkok else "อ." + sub.district.name_th,
                sub.district.province.name_th if bangkok else "จ." + sub.district.province.name_th,
            ]
        parts.append(self.postal_code)
        return " ".join(part for part in parts if part)


class Person(AddressFields):
    """A person facing social problems. 'No ID' is a normal case, not an error."""

    title = models.CharField(_("คำนำหน้า"), max_length=40, blank=True)
    first_name = models.CharField(_("ชื่อ"), max_length=100)
    last_name = models.CharField(_("นามสกุล"), max_length=100, blank=True)
    name_en = models.CharField(_("ชื่อภาษาอังกฤษ"), max_length=200, blank=True)
    id_type = models.CharField(
        _("ประเภทเอกสาร"), max_length=20, choices=IdType.choices, default=IdType.NONE
    )
    # Encrypted at rest (asa.lib.crypto); exact lookups and uniqueness go through the hash.
    id_number = EncryptedCharField(_("เลขเอกสาร"), max_length=30, blank=True)
    id_number_hash = models.CharField(max_length=64, editable=False, blank=True)
    birth_date = models.DateField(_("วันเกิด"), null=True, blank=True)
    birth_date_precision = models.CharField(
        _("ความละเอียดวันเกิด"),
        max_length=10,
        choices=BirthDatePrecision.choices,
        default=BirthDatePrecision.UNKNOWN,
    )
    sex = models.CharField(_("เพศ"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    phone = EncryptedCharField(_("โทรศัพท์"), max_length=60, blank=True)
    nationality = models.CharField(_("สัญชาติ"), max_length=60, default="ไทย", blank=True)
    disability_type = models.CharField(_("ประเภทความพิการ"), max_length=120, blank=True)
    disability_card_number = models.CharField(_("เลขบัตรคนพิการ"), max_length=30, blank=True)
    notes = models.TextField(_("บันทึกเพิ่มเติม"), blank=True)
    target_groups = models.ManyToManyField(
        TargetGroup, blank=True, related_name="people", verbose_name=_("กลุ่มเป้าหมาย")
    )
    # Search keys (asa.lib.thai_text): normalised full name, sound-alike keys; the keyed hash of
    # the first phone's digits (asa.lib.crypto.phone_hash).
    name_key = models.CharField(max_length=220, editable=False)
    first_name_sound = models.CharField(max_length=12, editable=False, blank=True)
    last_name_sound = models.CharField(max_length=12, editable=False, blank=True)
    phone_hash = models.CharField(max_length=64, editable=False, blank=True)
    # Where the record came from: re-importing the same source_ref updates instead of adding.
    source = models.CharField(_("แหล่งข้อมูล"), max_length=60, blank=True)
    source_ref = models.CharField(_("รหัสอ้างอิงต้นทาง"), max_length=100, blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_from",
        editable=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic concurrency: an edit made against an older version is refused.
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = [thai_order("first_name"), thai_order("last_name"), "id"]
        verbose_name = _("บุคคล")
        constraints = [
            models.UniqueConstraint(
                fields=["id_type", "id_number_hash"],
                condition=~Q(id_number_hash="") & Q(merged_into__isnull=True),
                name="person_unique_identity",
            ),
            models.UniqueConstraint(
                fields=["source", "source_ref"],
                condition=~Q(source_ref=""),
                name="person_unique_source_ref",
            ),
        ]
        # Every index slows the bulk import: these are the ones searches and scope filters use
        # (a composite also serves filters on its first column alone). A province is read
        # through its districts (access._area), so province_id has none: (province, name_key)
        # was never used and cost an import 0.8 s per 100,000 people (registry 0006).
        indexes = [
            models.Index(fields=["name_key"], name="person_name_key"),
            models.Index(fields=["phone_hash"], name="person_phone_hash"),
            models.Index(fields=["subdistrict"], name="person_subdistrict"),
            models.Index(fields=["center", "name_key"]),
            models.Index(fields=["district", "name_key"]),
            models.Index(fields=["first_name_sound", "last_name_sound"]),
            models.Index(fields=["birth_date"]),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.title}{self.first_name} {self.last_name}".strip()

    @property
    def is_active_record(self) -> bool:
        return self.merged_into_id is None


class Household(AddressFields):
    """One household (one family logbook, สมุดพกครอบครัว)."""

    code = models.CharField(_("รหัสครัวเรือน"), max_length=30, unique=True)
    head = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("หัวหน้าครัวเรือน"),
    )
    source = models.CharField(max_length=60, blank=True)
    source_ref = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("ครัวเรือน")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_ref"],
                condition=~Q(source_ref=""),
                name="household_unique_source_ref",
            ),
        ]
        # No province index: a province is read through its districts (access._area).
        indexes = [
            models.Index(fields=["center"], name="household_center"),
            models.Index(fields=["district"], name="household_district"),
            models.Index(fields=["subdistrict"], name="household_subdistrict"),
        ]

    def __str__(self) -> str:
        return self.code


class Relationship(models.TextChoices):
    HEAD = "head", _("หัวหน้าครัวเรือน")
    SPOUSE = "spouse", _("คู่สมรส")
    CHILD = "child", _("บุตร")
    PARENT = "parent", _("บิดา/มารดา")
    GRANDCHILD = "grandchild", _("หลาน")
    GRANDPARENT = "grandparent", _("ปู่ ย่า ตา ยาย")
    SIBLING = "sibling", _("พี่น้อง")
    RELATIVE = "relative", _("ญาติ")
    OTHER = "other", _("ผู้อาศัย/อื่น ๆ")


class HouseholdMembership(models.Model):
    """A person in a household from `started_on` until `ended_on` (history when they move)."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    relationship = models.CharField(
        _("ความสัมพันธ์กับหัวหน้าครัวเรือน"), max_length=20, choices=Relationship.choices
    )
    started_on = models.DateField(_("วันที่เข้าร่วม"))
    ended_on = models.DateField(_("วันที่ย้ายออก"), null=True, blank=True)

    class Meta:
        ordering = ["household", "started_on", "id"]
        constraints = [
            # A person belongs to at most one household at a time.
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(ended_on__isnull=True),
                name="one_current_household_per_person",
            ),
        ]


class Severity(models.TextChoices):
    LOW = "low", _("น้อย")
    MEDIUM = "medium", _("ปานกลาง")
    HIGH = "high", _("มาก")
    CRITICAL = "critical", _("วิกฤต")


class ProblemStatus(models.TextChoices):
    ACTIVE = "active", _("ยังมีปัญหา")
    IMPROVING = "improving", _("กำลังดีขึ้น")
    RESOLVED = "resolved", _("คลี่คลายแล้ว")


class PersonProblem(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="problems")
    problem_type = models.ForeignKey(
        ProblemType, on_delete=models.PROTECT, related_name="+", verbose_name=_("ปัญหา")
    )
    severity = models.CharField(
        _("ความรุนแรง"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM
    )
    first_reported_on = models.DateField(_("วันที่รับแจ้งครั้งแรก"))
    status = models.CharField(
        _("สถานะ"), max_length=10, choices=ProblemStatus.choices, default=ProblemStatus.ACTIVE
    )
    # The day the problem was marked resolved (cleared when it comes back): the outcome figure
    # "problems resolved within the fiscal year" reads it.
    resolved_on = models.DateField(_("วันที่คลี่คลาย"), null=True, blank=True)
    notes = models.TextField(_("รายละเอียด"), blank=True)

    class Meta:
        ordering = ["-first_reported_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "problem_type"], name="one_row_per_person_problem"
            ),
        ]


class Dimension(models.TextChoices):
    """The five dimensions of the family logbook and TPMAP."""

    INCOME = "income", _("ด้านรายได้")
    HOUSING = "housing", _("ด้านความเป็นอยู่")
    HEALTH = "health", _("ด้านสุขภาพ")
    EDUCATION = "education", _("ด้านการศึกษา")
    PUBLIC_SERVICES = "public_services", _("ด้านการเข้าถึงบริการรัฐ")


class HouseholdAssessment(models.Model):
    """One assessment of a household; history shows improvement over time."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="assessments")
    assessed_on = models.DateField(_("วันที่ประเมิน"))
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # {indicator code: True when the household meets it}; codes from registry.assessment.
    indicators = models.JSONField(default=dict)
    income_score = models.PositiveSmallIntegerField(default=0)
    housing_score = models.PositiveSmallIntegerField(default=0)
    health_score = models.PositiveSmallIntegerField(default=0)
    education_score = models.PositiveSmallIntegerField(default=0)
    public_services_score = models.PositiveSmallIntegerField(default=0)
    notes = models.TextField(_("บันทึก"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-assessed_on", "-id"]
        indexes = [models.Index(fields=["household", "-assessed_on"])]

    def score(self, dimension: str) -> int:
        return getattr(self, f"{dimension}_score")


class LegalBasis(models.TextChoices):
    CONSENT = "consent", _("ความยินยอม")
    VITAL_INTEREST = "vital_interest", _("ป้องกันอันตรายต่อชีวิต ร่างกาย หรือสุขภาพ")
    PUBLIC_TASK = "public_task", _("การปฏิบัติหน้าที่เพื่อประโยชน์สาธารณะ")
    LEGAL_OBLIGATION = "legal_obligation", _("การปฏิบัติตามกฎหมาย")


class ConsentGivenBy(models.TextChoices):
    SELF = "self", _("เจ้าของข้อมูล")
    GUARDIAN = "guardian", _("ผู้ใช้อำนาจปกครอง/ผู้แทนโดยชอบธรรม")
    NOT_APPLICABLE = "not_applicable", _("ไม่ต้องขอความยินยอม (ฐานอื่น)")


class ConsentMethod(models.TextChoices):
    SIGNED_PAPER = "signed_paper", _("ลงนามในเอกสาร (สแกนเก็บ)")
    VERBAL_WITNESSED = "verbal_witnessed", _("วาจา มีพยาน")
    ELECTRONIC = "electronic", _("อิเล็กทรอนิกส์")
    NOT_APPLICABLE = "not_applicable", _("ไม่ใช้")


class Consent(models.Model):
    """The basis for holding a person's data, who consented, when and how; and withdrawal."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    basis = models.CharField(_("ฐานทางกฎหมาย"), max_length=20, choices=LegalBasis.choices)
    given_by = models.CharField(_("ผู้ให้ความยินยอม"), max_length=20, choices=ConsentGivenBy.choices)
    guardian_name = models.CharField(_("ชื่อผู้ปกครอง/ผู้แทน"), max_length=200, blank=True)
    guardian_relationship = models.CharField(_("ความเกี่ยวข้อง"), max_length=100, blank=True)
    given_on = models.DateField(_("วันที่"))
    method = models.CharField(_("วิธีการ"), max_length=20, choices=ConsentMethod.choices)
    witness_name = models.CharField(_("พยาน"), max_length=200, blank=True)
    allows_sharing = models.BooleanField(_("ยินยอมให้ส่งต่อข้อมูลแก่ภาคีเครือข่าย"), default=False)
    notes = models.TextField(_("บันทึก"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    withdrawn_on = models.DateField(_("วันที่ถอนความยินยอม"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("เหตุผลการถอน"), blank=True)

    class Meta:
        ordering = ["-given_on", "-id"]

    @property
    def is_current(self) -> bool:
        return self.withdrawn_on is None


class DuplicateStatus(models.TextChoices):
    PENDING = "pending", _("รอตรวจสอบ")
    MERGED = "merged", _("รวมแล้ว")
    DISTINCT = "distinct", _("เป็นคนละคน")


class DuplicateCandidate(models.Model):
    """A pair of records that may be one person, found by the batch finder or at registration."""

    person_a = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    person_b = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    reasons = models.JSONField(default=list)
    status = models.CharField(
        max_length=10, choices=DuplicateStatus.choices, default=DuplicateStatus.PENDING
    )
    found_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person_a", "person_b"], name="one_candidate_per_pair"),
            models.CheckConstraint(
                condition=Q(person_a__lt=models.F("person_b")), name="candidate_pair_ordered"
            ),
        ]
        indexes = [models.Index(fields=["status", "-score"])]


class Merge(models.Model):
    """A merge of `merged` into `survivor`, with what moved, so it can be undone."""

    survivor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    merged = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    moved = models.JSONField(default=dict)  # {"model label": [ids moved to the survivor]}
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    merged_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-merged_at"]


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("รอดำเนินการ")
    RUNNING = "running", _("กำลังนำเข้า")
    DONE = "done", _("เสร็จแล้ว")
    FAILED = "failed", _("ล้มเหลว")


class ImportJob(models.Model):
    """One uploaded file of people and households, imported in the background."""

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    center = models.ForeignKey(
        "centers.Center", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    file_name = models.CharField(max_length=255)
    file_path = models.CharField(max_length=500)  # under MEDIA_ROOT/imports, never public
    file_sha256 = models.CharField(max_length=64, db_index=True)
    source = models.CharField(_("แหล่งข้อมูล"), max_length=60)
    all_or_nothing = models.BooleanField(_("นำเข้าทั้งหมดหรือไม่นำเข้าเลย"), default=False)
    # Check only: every row is read and checked and the row report written; nothing else is.
    dry_run = models.BooleanField(_("ตรวจสอบอย่างเดียว ไม่บันทึกข้อมูล"), default=False)
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict)  # {"imported": n, "updated": n, "duplicate": n, ...}
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]


class RowOutcome(models.TextChoices):
    IMPORTED = "imported", _("นำเข้าแล้ว")
    UPDATED = "updated", _("ปรับปรุงแล้ว")
    # Name, identity number, birth date or phone of a person already known changed: the row
    # report shows before and after, so nobody's identity is rewritten without a trace.
    CHANGED = "changed", _("เปลี่ยนข้อมูลระบุตัวตน")
    UNCHANGED = "unchanged", _("ไม่มีการเปลี่ยนแปลง")
    DUPLICATE = "duplicate", _("อาจซ้ำกับข้อมูลเดิม")
    ERROR = "error", _("ข้อผิดพลาด")


class ImportReview(models.TextChoices):
    """What a reviewer did with a row refused as a likely duplicate (asa.registry.import_review)."""

    TAKEN_OVER = "taken_over", _("เติมข้อมูลจากแถวให้บุคคลเดิมแล้ว")
    REGISTERED = "registered", _("ลงทะเบียนเป็นบุคคลใหม่แล้ว")
    DISMISSED = "dismissed", _("ไม่ใช้ข้อมูลแถวนี้")


class ImportRowResult(models.Model):
    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rows")
    row_number = models.PositiveIntegerField()
    outcome = models.CharField(max_length=10, choices=RowOutcome.choices)
    person = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, related_name="+")
    field = models.CharField(max_length=60, blank=True)
    message = models.TextField(blank=True)
    # Rows refused as duplicates wait for a reviewer ('' = not yet decided).
    review = models.CharField(max_length=12, choices=ImportReview.choices, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["job", "row_number"]
        constraints = [
            models.UniqueConstraint(fields=["job", "row_number"], name="one_result_per_row"),
        ]
