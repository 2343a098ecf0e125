"""The signed-in user's own API tokens: list and revoke. New tokens come from the tokens page
or `asa token create` (the secret is shown once, so the API never returns one)."""

import datetime as dt

from django.http import Http404
from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from asa.accounts.actions import revoke_api_token

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
