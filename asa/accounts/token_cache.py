"""API tokens' users and scopes, kept a few seconds in the shared cache.

Every API request looks its token up (asa.accounts.actions.user_for_token): one query joining
the token, its user, the lockout count and the scope's rows. A client sending many requests a
second reads them once per API_TOKEN_CACHE_SECONDS instead. Whatever would change the answer
drops the user's entries at once, in every process (the cache is shared): a role given or
taken away, a volunteer's status, a deactivation, a lock after failed sign-ins, a revocation
(`forget_tokens_of`, called from access.forget_scope and the actions). The entry is keyed by the
token's hash, holds the user's fields but not the password hash (left deferred), and only a
token that was accepted is kept: a refused token is looked up again every time. A signed-in
page reads the user's scope rows the same way (`recall_scope`), dropped by the same changes.
"""

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from asa.accounts.models import ApiToken, User

_PREFIX = "asa:api-token:"
_SCOPE_PREFIX = "asa:scope:"
_SCOPE_PREFIX = "asa:scope:"
_FIELDS = [field.attname for field in User._meta.concrete_fields if field.attname != "password"]


def _key(key_hash: str) -> str:
    return _PREFIX + key_hash


def recall(key_hash: str) -> tuple[User, list] | None:
    """The token's user (password deferred) and scope rows, if cached."""
    if settings.API_TOKEN_CACHE_SECONDS <= 0:
        return None
    found = cache.get(_key(key_hash))
    if found is None:
        return None
    values, rows = found
    return User.from_db("default", _FIELDS, values), rows


def remember(key_hash: str, user: User, rows: list) -> None:
    if settings.API_TOKEN_CACHE_SECONDS <= 0:
        return
    values = [getattr(user, name) for name in _FIELDS]
    cache.set(_key(key_hash), (values, rows), settings.API_TOKEN_CACHE_SECONDS)


def recall_scope(user_id: int) -> list | None:
    """The scope rows of a signed-in user (the pages' path), if cached."""
    if settings.API_TOKEN_CACHE_SECONDS <= 0:
        return None
    return cache.get(f"{_SCOPE_PREFIX}{user_id}")


def remember_scope_rows(user_id: int, rows: list) -> None:
    if settings.API_TOKEN_CACHE_SECONDS > 0:
        cache.set(f"{_SCOPE_PREFIX}{user_id}", rows, settings.API_TOKEN_CACHE_SECONDS)


def forget_tokens_of(user_id: int | None) -> None:
    """Drop the cached lookups of every token of the user and their cached scope, now and
    again after the commit (a request between the two could cache what the transaction is
    about to change)."""
    if user_id is None or settings.API_TOKEN_CACHE_SECONDS <= 0:
        return
    keys = [f"{_SCOPE_PREFIX}{user_id}"] + [
        _key(key_hash)
        for key_hash in ApiToken.objects.filter(user_id=user_id).values_list("key_hash", flat=True)
    ]
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))
