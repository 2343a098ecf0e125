"""One Home partner agencies. The referral workflow builds on these (see the One Home issue)."""

from django.db import models


class AgencyKind(models.TextChoices):
    PROVINCIAL_OFFICE = "provincial_office", "สำนักงานพัฒนาสังคมและความมั่นคงของมนุษย์จังหวัด (พมจ.)"
    SHELTER_DESTITUTE = "shelter_destitute", "ศูนย์คุ้มครองคนไร้ที่พึ่ง"
    CHILD_FAMILY_SHELTER = "child_family_shelter", "บ้านพักเด็กและครอบครัว"
    ELDERLY_WELFARE = "elderly_welfare", "หน่วยงานสวัสดิการผู้สูงอายุ"
    HOUSING_AUTHORITY = "housing_authority", "การเคหะแห่งชาติ"
    SELF_HELP_SETTLEMENT = "self_help_settlement", "นิคมสร้างตนเอง"
    DISTRICT_OFFICE = "district_office", "สำนักงานเขต/ที่ว่าการอำเภอ"
    LOCAL_GOVERNMENT = "local_government", "องค์กรปกครองส่วนท้องถิ่น"
    HEALTH = "health", "ศูนย์บริการสาธารณสุข/โรงพยาบาล"
    SCHOOL = "school", "โรงเรียน"
    POLICE = "police", "สถานีตำรวจ"
    TEMPLE = "temple", "วัด"
    NGO = "ngo", "องค์กรพัฒนาเอกชน"
    PRIVATE_DONOR = "private_donor", "ภาคเอกชน/ผู้บริจาค"
    OTHER = "other", "อื่น ๆ"


class Agency(models.Model):
    name_th = models.CharField("ชื่อหน่วยงาน", max_length=200, unique=True)
    name_en = models.CharField("ชื่อภาษาอังกฤษ", max_length=200, blank=True)
    kind = models.CharField("ประเภท", max_length=40, choices=AgencyKind.choices)
    province = models.ForeignKey(
        "geo.Province", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    phone = models.CharField("โทรศัพท์", max_length=40, blank=True)
    email = models.EmailField("อีเมล", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name_th"]
        verbose_name = "หน่วยงานภาคี"

    def __str__(self) -> str:
        return self.name_th
