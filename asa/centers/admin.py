from django.contrib import admin

from asa.accounts.admin import AuditedAdmin
from asa.centers.models import Skill


@admin.register(Skill)
class SkillAdmin(AuditedAdmin):
    list_display = ["name_th", "name_en"]
    search_fields = ["name_th", "name_en"]
