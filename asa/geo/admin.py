from django.contrib import admin

from asa.geo.models import District, Province, Subdistrict


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    search_fields = ["code", "name_th", "name_en"]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    search_fields = ["code", "name_th", "name_en"]
    list_display = ["code", "name_th", "name_en", "province"]


@admin.register(Subdistrict)
class SubdistrictAdmin(admin.ModelAdmin):
    search_fields = ["code", "name_th", "name_en", "postal_codes"]
    list_display = ["code", "name_th", "name_en", "district", "postal_codes"]
