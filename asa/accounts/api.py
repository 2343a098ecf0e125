"""The signed-in user's own API tokens: list and revoke. New tokens come from the tokens page
or `asa token create` (the secret is shown once, so the API never returns one)."""

import datetime as dt

from django.http import Http404
from ninja import Field, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import ConfigDict

from asa.accounts.actions import mark_notifications_read, revoke_api_token
from asa.lib.schemas import TextInputSchema

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
