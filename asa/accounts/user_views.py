"""User management: the ministry for every account, province/district officers in their area.

Thin views: check who may manage (access layer), call an audited action, answer.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from asa.accounts import security
from asa.accounts.access import can_write, get_for, may_grant, require
from asa.accounts.actions import (
    assign_role,
    create_user_with_role,
    remove_role,
    send_password_reset,
    set_user_active,
)
from asa.accounts.forms import ReasonForm, RoleForm, UserCreateForm, UserSearchForm
from asa.accounts.models import RoleAssignment, User
from asa.accounts.user_queries import may_manage_users, users_for
from asa.centers.views import _paginate

PAGE_SIZE = 50


def _manager(request) -> None:
    require(may_manage_users(request.user))


@login_required
def user_list(request):
    _manager(request)
    form = UserSearchForm(request.GET or None)
    search = form.cleaned_data["q"] if form.is_valid() else ""
    context = _paginate(request, users_for(request.user, search=search), PAGE_SIZE)
    return render(request, "accounts/user_list.html", {"form": form, **context})


@login_required
def user_create(request):
    _manager(request)
    form = UserCreateForm(request.POST or None, grantor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        require(may_grant(request.user, role=data["role"], scope_object=data["scope"]))
        try:
            user = create_user_with_role(
                actor=request.user,
                username=data["username"],
                password=data["password"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                role=data["role"],
                scope=data["scope"],
            )
        except ValidationError as error:
            # Whatever the model itself refuses (a field longer than its column, ...) is shown
            # next to the field, like the form's own checks.
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            done = _("สร้างบัญชี %(username)s แล้ว") % {"username": user.username}
            messages.success(request, done)
            return redirect("accounts:user_detail", pk=user.pk)
    return render(request, "accounts/user_create.html", {"form": form})


def _user(request, pk, *, write=False) -> User:
    _manager(request)
    return get_for(request.user, User.objects.all(), pk, write=write)


@login_required
def user_detail(request, pk):
    user = _user(request, pk)
    assignments = user.role_assignments.select_related(
        "province", "district", "center", "agency"
    ).order_by("role", "id")
    return render(
        request,
        "accounts/user_detail.html",
        {
            "account": user,
            "assignments": assignments,
            "may_change": can_write(request.user, user),
            "role_form": RoleForm(grantor=request.user),
            "two_factor_device": security.confirmed_device(user),
            "two_factor_required": security.two_factor_required(user),
        },
    )


@login_required
@require_POST
def user_role_add(request, pk):
    user = _user(request, pk, write=True)
    form = RoleForm(request.POST, grantor=request.user)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
        return redirect("accounts:user_detail", pk=user.pk)
    data = form.cleaned_data
    require(may_grant(request.user, role=data["role"], scope_object=data["scope"]))
    assign_role(actor=request.user, user=user, role=data["role"], scope=data["scope"])
    messages.success(request, _("เพิ่มบทบาทแล้ว"))
    return redirect("accounts:user_detail", pk=user.pk)


@login_required
@require_POST
def user_role_remove(request, pk, assignment_pk):
    user = _user(request, pk, write=True)
    assignment = get_for(
        request.user, RoleAssignment.objects.filter(user=user), assignment_pk, write=True
    )
    scope_object = (
        assignment.province or assignment.district or assignment.center or assignment.agency
    )
    require(may_grant(request.user, role=assignment.role, scope_object=scope_object))
    remove_role(actor=request.user, assignment=assignment)
    messages.success(request, _("นำบทบาทออกแล้ว"))
    return redirect("accounts:user_detail", pk=user.pk)


@login_required
@require_POST
def user_active(request, pk):
    user = _user(request, pk, write=True)
    active = request.POST.get("active") == "1"
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        set_user_active(actor=request.user, user=user, active=active, reason=reason)
    except ValidationError as refused:  # one's own account
        messages.error(request, " ".join(refused.messages))
        return redirect("accounts:user_detail", pk=user.pk)
    messages.success(request, _("เปิดใช้บัญชีแล้ว") if active else _("ระงับบัญชีแล้ว"))
    return redirect("accounts:user_detail", pk=user.pk)


@login_required
@require_POST
def user_two_factor_reset(request, pk):
    user = _user(request, pk, write=True)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    if security.reset_two_factor(actor=request.user, user=user, reason=reason):
        messages.success(request, _("ล้างการยืนยันตัวตนสองขั้นตอนแล้ว ผู้ใช้จะตั้งค่าใหม่เมื่อเข้าสู่ระบบ"))
    else:
        messages.info(request, _("ผู้ใช้นี้ยังไม่ได้ตั้งค่าการยืนยันตัวตนสองขั้นตอน"))
    return redirect("accounts:user_detail", pk=user.pk)


@login_required
@require_POST
def user_password_reset(request, pk):
    user = _user(request, pk, write=True)
    try:
        send_password_reset(
            actor=request.user,
            user=user,
            domain=get_current_site(request).domain,
            use_https=request.is_secure(),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("ส่งลิงก์ตั้งรหัสผ่านใหม่ไปที่อีเมลของผู้ใช้แล้ว"))
    return redirect("accounts:user_detail", pk=user.pk)
