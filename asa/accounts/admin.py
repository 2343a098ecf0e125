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


class AuditedAdmin(admin.ModelAdmin):
    """Admin for configuration lists (catalogues): every save and delete leaves an audit event."""

    def save_model(self, request, obj, form, change):
        from asa.accounts.events import record_event

        super().save_model(request, obj, form, change)
        record_event(
            actor=request.user,
            action="admin_change" if change else "admin_add",
            obj=obj,
            changes={field: str(form.cleaned_data.get(field)) for field in form.changed_data},
        )

    def delete_model(self, request, obj):
        from asa.accounts.events import record_event

        record_event(actor=request.user, action="admin_delete", obj=obj)
        super().delete_model(request, obj)
