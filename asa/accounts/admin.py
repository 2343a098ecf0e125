import contextvars

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.db import transaction

from asa.accounts import actions
from asa.accounts.access import scope_of
from asa.accounts.events import record_event
from asa.accounts.models import AuditEvent, RoleAssignment, User


def _admin_site_only_for_ministry_admins(request) -> bool:
    user = request.user
    return user.is_active and user.is_staff and scope_of(user).national


admin.site.has_permission = _admin_site_only_for_ministry_admins


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["province", "district"]


# The admin who is changing a password on the admin site (its form is built without a request).
_password_actor: contextvars.ContextVar = contextvars.ContextVar("password_actor", default=None)


class AuditedAdminPasswordChangeForm(AdminPasswordChangeForm):
    """The admin site's "change password" form, saved through the audited action.

    A password an admin chose is temporary: the user picks their own at next sign-in.
    """

    def save(self, commit=True):
        actor = _password_actor.get()
        if self.cleaned_data["set_usable_password"]:
            return actions.change_password(
                actor=actor,
                user=self.user,
                password=self.cleaned_data["password1"],
                temporary=True,
                via="admin",
            )
        with transaction.atomic():
            self.user.set_unusable_password()
            self.user.save(update_fields=["password"])
            record_event(
                actor=actor,
                action="change_password",
                obj=self.user,
                changes={"via": "admin_unusable"},
            )
        return self.user


# Fields of the user form that go through update_user; is_active goes through set_user_active.
_UPDATED_FIELDS = ("username", "first_name", "last_name", "email", "is_staff", "is_superuser")


@admin.register(User)
class AsaUserAdmin(UserAdmin):
    """Users on the admin site: every change goes through the audited actions of actions.py
    (the same as the user-management pages), and users are never deleted, only deactivated
    (their audit events keep pointing at them)."""

    inlines = [RoleAssignmentInline]
    change_password_form = AuditedAdminPasswordChangeForm
    readonly_fields = ["last_login", "date_joined"]

    def has_delete_permission(self, request, obj=None):
        return False

    def user_change_password(self, request, id, form_url=""):
        token = _password_actor.set(request.user)
        try:
            return super().user_change_password(request, id, form_url)
        finally:
            _password_actor.reset(token)

    def save_model(self, request, obj, form, change):
        if not change:
            password = form.cleaned_data.get("password1") or None
            if not form.cleaned_data.get("set_usable_password", True):
                password = None
            created = actions.create_user(
                actor=request.user,
                username=obj.username,
                password=password,
                must_change_password=password is not None,
            )
            # The admin goes on with the object it built (its inlines hang on it).
            obj.pk, obj.password = created.pk, created.password
            obj.must_change_password, obj.date_joined = True, created.date_joined
            obj._state.adding, obj._state.db = False, created._state.db
            return
        # Read the row as it was: `obj` already carries the form's new values.
        current = User.objects.get(pk=obj.pk)
        values = {field: getattr(obj, field) for field in _UPDATED_FIELDS}
        actions.update_user(actor=request.user, user=current, **values)
        if current.is_active != obj.is_active:
            actions.set_user_active(actor=request.user, user=current, active=obj.is_active)

    def save_related(self, request, form, formsets, change):
        user = form.instance
        if change and {"groups", "user_permissions"} & set(form.changed_data):
            before = {
                "groups": sorted(user.groups.values_list("name", flat=True)),
                "user_permissions": sorted(
                    user.user_permissions.values_list("codename", flat=True)
                ),
            }
            form.save_m2m()
            after = {
                "groups": sorted(user.groups.values_list("name", flat=True)),
                "user_permissions": sorted(
                    user.user_permissions.values_list("codename", flat=True)
                ),
            }
            changes = {
                key: [before[key], after[key]] for key in before if before[key] != after[key]
            }
            if changes:
                record_event(actor=request.user, action="update_user", obj=user, changes=changes)
        elif change:
            form.save_m2m()
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        if formset.model is not RoleAssignment:
            return super().save_formset(request, form, formset, change)
        user = form.instance
        for assignment in formset.save(commit=False):
            scope = (
                assignment.province or assignment.district or assignment.center or assignment.agency
            )
            if assignment.pk is not None:  # changed in place: the old role goes, the new comes
                actions.remove_role(
                    actor=request.user, assignment=RoleAssignment.objects.get(pk=assignment.pk)
                )
            actions.assign_role(actor=request.user, user=user, role=assignment.role, scope=scope)
        for assignment in formset.deleted_objects:
            actions.remove_role(actor=request.user, assignment=assignment)
        return None


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
