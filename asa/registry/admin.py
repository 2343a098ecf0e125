from django.contrib import admin

from asa.accounts.admin import AuditedAdmin
from asa.registry.models import ProblemType, TargetGroup


@admin.register(TargetGroup)
class TargetGroupAdmin(AuditedAdmin):
    list_display = ["code", "name_th", "name_en", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]
    search_fields = ["code", "name_th", "name_en"]


@admin.register(ProblemType)
class ProblemTypeAdmin(AuditedAdmin):
    list_display = ["code", "name_th", "name_en", "is_hotline_category", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]
    search_fields = ["code", "name_th", "name_en"]
