from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from asa.accounts.access import scope_of
from asa.accounts.models import AuditEvent, RoleAssignment, User


def _admin_site_only_for_ministry_admins(request) -> bool:
    user = request.user
    return user.is_active and user.is_staff and scope_of(user).national


admin.site.has_permission = _admin_site_only_for_ministry_admins


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["province", "district"]


@admin.register(User)
class AsaUserAdmin(UserAdmin):
    inlines = [RoleAssignmentInline]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: audit events are append-only."""

    list_display = ["at", "actor_label", "action", "object_type", "object_id", "object_repr"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_label", "object_id", "object_repr"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
