"""The signed-in user's own API tokens (list and revoke), notifications and LINE linking, and
user management. New tokens come from the tokens page or `asa token create` (the secret is
shown once, so the API never returns one).
"""

import datetime as dt

from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy
from ninja import Field, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import ConfigDict

from asa.accounts import actions, channel_actions, security
from asa.accounts.access import get_for, may_grant, require
from asa.accounts.actions import mark_notifications_read, revoke_api_token
from asa.accounts.forms import RoleForm, UserCreateForm
from asa.accounts.models import Role, RoleAssignment, User
from asa.accounts.user_queries import may_manage_users
from asa.lib.schemas import TextInputSchema

OWN_ACCOUNT = gettext_lazy("ล้างการยืนยันตัวตนสองขั้นตอนของบัญชีตัวเองทางเอพีไอไม่ได้ ใช้หน้ายืนยันตัวตนสองขั้นตอน")

router = Router(tags=["tokens"])


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None
    is_active: bool


@router.get("/tokens", response=list[TokenOut], summary="Your API tokens")
@paginate(LimitOffsetPagination)
def list_tokens(request):
    # Only the caller's own tokens: nobody lists another person's, admins included.
    return request.auth.api_tokens.order_by("-created_at", "-id")


def _own_token(request, token_id: int):
    token = request.auth.api_tokens.filter(pk=token_id).first()
    if token is None:
        raise Http404("ไม่พบโทเคนนี้")
    return token


@router.get("/tokens/{token_id}", response=TokenOut, summary="One of your API tokens")
def get_token(request, token_id: int):
    return _own_token(request, token_id)


@router.post(
    "/tokens/{token_id}/revoke",
    response=TokenOut,
    summary="Revoke one of your API tokens (it stops working at once)",
)
def revoke_token(request, token_id: int):
    token = _own_token(request, token_id)
    revoke_api_token(actor=request.auth, token=token)
    token.refresh_from_db(fields=["revoked_at"])
    return token


# --- Notifications -----------------------------------------------------------------------------


class NotificationOut(Schema):
    id: int
    kind: str
    message: str
    url: str
    created_at: dt.datetime
    read_at: dt.datetime | None


class NotificationsReadIn(TextInputSchema):
    model_config = ConfigDict(extra="forbid")

    ids: list[int] | None = Field(None, description="which of yours; omit to mark all read")


class MarkedOut(Schema):
    marked: int


@router.get(
    "/notifications",
    response=list[NotificationOut],
    tags=["notifications"],
    summary="Your in-app notifications, newest first (`?unread=true` for unread only)",
)
@paginate(LimitOffsetPagination)
def list_notifications(request, unread: bool = False):
    notifications = request.auth.notifications.all()
    if unread:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications.order_by("-created_at", "-id")


@router.post(
    "/notifications/read",
    response=MarkedOut,
    tags=["notifications"],
    summary="Mark your notifications read (the given ids, or all)",
)
def read_notifications(request, payload: NotificationsReadIn):
    # Only the caller's own: ids of someone else's notifications match nothing.
    marked = mark_notifications_read(user=request.auth, ids=payload.ids)
    return {"marked": marked}


# --- LINE account linking ----------------------------------------------------------------------


class LineLinkOut(Schema):
    code: str = Field(..., description="send this to the official account on LINE (once)")
    expires_at: dt.datetime
    add_friend_url: str = Field(..., description="the official account's add-friend link")


class LineUnlinkOut(Schema):
    unlinked: bool = Field(..., description="false: no LINE account was linked")


@router.post(
    "/notification-channels/line/link",
    response=LineLinkOut,
    tags=["notifications"],
    summary="A one-time code to link your LINE account (earlier codes stop working)",
)
def start_line_link(request):
    """The code is shown once, here, as on the notification channels page (only its keyed hash
    is kept); send it to the official account on LINE and the webhook links that LINE user to
    you. A new code makes every earlier one stop working."""
    code, row = channel_actions.start_line_link(user=request.auth)
    return {
        "code": code,
        "expires_at": row.expires_at,
        "add_friend_url": settings.LINE_ADD_FRIEND_URL,
    }


@router.post(
    "/notification-channels/line/unlink",
    response=LineUnlinkOut,
    tags=["notifications"],
    summary="Unlink your LINE account: nothing more is sent there",
)
def unlink_line(request):
    return {"unlinked": channel_actions.unlink_line_account(user=request.auth)}


# --- User management: the ministry for every account, officers in their area ------------------


class UserRoleOut(Schema):
    id: int
    role: Role
    province: str | None = Field(None, alias="province_id")
    district: str | None = Field(None, alias="district_id")
    center: int | None = Field(None, alias="center_id")
    agency: int | None = Field(None, alias="agency_id")
    scope: str = Field(..., description="the place, in Thai (empty for national roles)")

    @staticmethod
    def resolve_scope(obj):
        place = obj.province or obj.district or obj.center or obj.agency
        return str(place) if place else ""


class ManagedUserOut(Schema):
    id: int
    username: str
    first_name: str
    last_name: str
    email: str
    is_active: bool
    must_change_password: bool
    two_factor_enrolled: bool
    roles: list[UserRoleOut]

    @staticmethod
    def resolve_two_factor_enrolled(obj):
        return security.confirmed_device(obj) is not None

    @staticmethod
    def resolve_roles(obj):
        return obj.role_assignments.select_related(
            "province", "district", "center", "agency"
        ).order_by("role", "id")


class UserRoleIn(TextInputSchema):
    model_config = ConfigDict(extra="forbid")

    role: Role
    province: str | None = Field(None, max_length=2, description="province code (province roles)")
    district: str | None = Field(None, max_length=4, description="district code (district roles)")
    center: int | None = Field(None, description="center id (chairs and volunteers)")
    agency: int | None = Field(None, description="agency id (agency users)")


class UserCreateIn(UserRoleIn):
    username: str = Field(..., max_length=150, description="letters, digits and @ . + - _")
    first_name: str = Field(..., max_length=150)
    last_name: str = Field(..., max_length=150)
    email: str = Field("", max_length=254)
    password: str = Field(
        ...,
        max_length=128,
        description="a temporary password you give the user; they must change it at first "
        "sign-in. It is never returned.",
    )


class UserActiveIn(TextInputSchema):
    model_config = ConfigDict(extra="forbid")

    active: bool = Field(..., description="false: deactivate (sign-in, sessions and tokens stop)")
    reason: str = Field("", max_length=500)


class TwoFactorResetIn(TextInputSchema):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field("", max_length=500)


class TwoFactorResetOut(Schema):
    reset: bool = Field(..., description="false: the user had no second factor to remove")


class PasswordResetOut(Schema):
    email: str = Field(..., description="where the one-time link was sent")


def _valid(form) -> dict:
    """The page's own form checks the input (the same rules, the same Thai messages): its
    errors are a 422 naming each field."""
    if not form.is_valid():
        raise ValidationError({field: list(errors) for field, errors in form.errors.items()})
    return form.cleaned_data


def _managed_user(request, user_id: int) -> User:
    require(may_manage_users(request.auth))
    return get_for(request.auth, User.objects.all(), user_id, write=True)


@router.post(
    "/users",
    response={201: ManagedUserOut},
    tags=["users"],
    summary="Create an account with its first role (the ministry; officers in their area)",
    description="A role or place you may not grant, a user name in use or a weak password: "
    "422 naming the field. The password is temporary and never returned.",
)
def create_user(request, payload: UserCreateIn):
    actor = request.auth
    require(may_manage_users(actor))
    fields = payload.dict(exclude_none=True)
    data = _valid(UserCreateForm(fields, grantor=actor))
    require(may_grant(actor, role=data["role"], scope_object=data["scope"]))
    user = actions.create_user_with_role(
        actor=actor,
        username=data["username"],
        password=data["password"],
        first_name=data["first_name"],
        last_name=data["last_name"],
        email=data["email"],
        role=data["role"],
        scope=data["scope"],
    )
    return Status(201, user)


@router.post(
    "/users/{user_id}/roles",
    response=ManagedUserOut,
    tags=["users"],
    summary="Give an account a role over a place you may grant (a role it holds: no change)",
)
def add_user_role(request, user_id: int, payload: UserRoleIn):
    actor = request.auth
    user = _managed_user(request, user_id)
    data = _valid(RoleForm(payload.dict(exclude_none=True), grantor=actor))
    require(may_grant(actor, role=data["role"], scope_object=data["scope"]))
    actions.assign_role(actor=actor, user=user, role=data["role"], scope=data["scope"])
    return user


@router.post(
    "/users/{user_id}/roles/{assignment_id}/remove",
    response=ManagedUserOut,
    tags=["users"],
    summary="Take a role away from an account",
)
def remove_user_role(request, user_id: int, assignment_id: int):
    actor = request.auth
    user = _managed_user(request, user_id)
    assignment = get_for(actor, RoleAssignment.objects.filter(user=user), assignment_id, write=True)
    place = assignment.province or assignment.district or assignment.center or assignment.agency
    require(may_grant(actor, role=assignment.role, scope_object=place))
    actions.remove_role(actor=actor, assignment=assignment)
    return user


@router.post(
    "/users/{user_id}/active",
    response=ManagedUserOut,
    tags=["users"],
    summary="Deactivate or reactivate an account (its sessions and tokens stop at once)",
    description="Your own account cannot be deactivated: 422 on `active`.",
)
def set_user_active(request, user_id: int, payload: UserActiveIn):
    user = _managed_user(request, user_id)
    actions.set_user_active(
        actor=request.auth, user=user, active=payload.active, reason=payload.reason
    )
    return user


@router.post(
    "/users/{user_id}/two-factor-reset",
    response=TwoFactorResetOut,
    tags=["users"],
    summary="Remove an account's second factor (a lost phone): they enrol again at sign-in",
    description="Not your own account (a token must not weaken its own account's second "
    "factor): 422 on `user_id`; use the two-factor page.",
)
def reset_user_two_factor(request, user_id: int, payload: TwoFactorResetIn):
    user = _managed_user(request, user_id)
    if user.pk == request.auth.pk:
        raise ValidationError({"user_id": OWN_ACCOUNT})
    reset = security.reset_two_factor(actor=request.auth, user=user, reason=payload.reason)
    return {"reset": reset}


@router.post(
    "/users/{user_id}/password-reset",
    response={202: PasswordResetOut},
    tags=["users"],
    summary="Email the account a one-time link to choose a new password",
)
def send_user_password_reset(request, user_id: int):
    """As the users page does: the link goes to the user's email; no password or link is ever
    returned here. An account without an email: 422 on `email`."""
    user = _managed_user(request, user_id)
    actions.send_password_reset(
        actor=request.auth,
        user=user,
        domain=get_current_site(request).domain,
        use_https=request.is_secure(),
    )
    return Status(202, {"email": user.email})
