"""One Home partner agencies. The referral workflow builds on these (see the One Home issue)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


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
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name_th"]
        verbose_name = _("หน่วยงานภาคี")
        verbose_name_plural = pgettext_lazy("plural", "หน่วยงานภาคี")

    def __str__(self) -> str:
        return self.name_th
