"""Thailand's administrative areas with their DOPA codes, loaded from geothai."""

from django.db import models
from django.utils.translation import get_language


class Area(models.Model):
    code = models.CharField(max_length=6, primary_key=True)
    name_th = models.CharField(max_length=100)
    name_en = models.CharField(max_length=100)

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
        verbose_name = "จังหวัด"


class District(Area):
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="districts")

    class Meta(Area.Meta):
        verbose_name = "อำเภอ/เขต"


class Subdistrict(Area):
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="subdistricts")
    # Space-separated: a few subdistricts share or split postal codes.
    postal_codes = models.CharField(max_length=40)

    class Meta(Area.Meta):
        verbose_name = "ตำบล/แขวง"

    @property
    def postal_code_list(self) -> list[str]:
        return self.postal_codes.split()

    @property
    def is_bangkok(self) -> bool:
        return self.code.startswith("10")
