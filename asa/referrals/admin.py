from django.contrib import admin

from asa.accounts.admin import AuditedAdmin
from asa.referrals.models import Service


@admin.register(Service)
class ServiceAdmin(AuditedAdmin):
    list_display = [
        "code",
        "name_th",
        "name_en",
        "respond_within_days",
        "complete_within_days",
        "is_active",
    ]
    search_fields = ["code", "name_th", "name_en"]
