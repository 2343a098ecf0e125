from django.contrib import admin

from asa.accounts.admin import AuditedAdmin
from asa.aid.models import Item, ItemCategory


@admin.register(ItemCategory)
class ItemCategoryAdmin(AuditedAdmin):
    list_display = ["code", "name_th", "name_en"]
    search_fields = ["code", "name_th", "name_en"]


@admin.register(Item)
class ItemAdmin(AuditedAdmin):
    list_display = ["code", "name_th", "category", "kind", "unit", "unit_value", "is_active"]
    list_filter = ["category", "kind", "is_active"]
    search_fields = ["code", "name_th", "name_en"]
