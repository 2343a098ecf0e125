"""Thailand's administrative areas with their DOPA codes, loaded from geothai."""

from django.db import models
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _


class Area(models.Model):
    code = models.CharField(_("รหัส"), max_length=6, primary_key=True)
    name_th = models.CharField(_("ชื่อภาษาไทย"), max_length=100)
    name_en = models.CharField(_("ชื่อภาษาอังกฤษ"), max_length=100)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if get_language() == "en" else self.name_th


class Province(Area):
    class Meta(Area.Meta):
        verbose_name = _("จังหวัด")
        verbose_name_plural = pgettext_lazy("plural", "จังหวัด")


class District(Area):
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="districts", verbose_name=_("จังหวัด")
    )

    class Meta(Area.Meta):
        verbose_name = _("อำเภอ/เขต")
        verbose_name_plural = pgettext_lazy("plural", "อำเภอ/เขต")


class Subdistrict(Area):
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="subdistricts", verbose_name=_("อำเภอ/เขต")
    )
    # Space-separated: a few subdistricts share or split postal codes.
    postal_codes = models.CharField(_("รหัสไปรษณีย์"), max_length=40)

    class Meta(Area.Meta):
        verbose_name = _("ตำบล/แขวง")
        verbose_name_plural = pgettext_lazy("plural", "ตำบล/แขวง")

    @property
    def postal_code_list(self) -> list[str]:
        return self.postal_codes.split()

    @property
    def is_bangkok(self) -> bool:
        return self.code.startswith("10")
