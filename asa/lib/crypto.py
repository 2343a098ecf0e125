"""Field-level encryption at rest for national ID and phone numbers (PDPA), with keyed hashes.

- `encrypt` / `decrypt`: AES-256-GCM. A stored value reads `<key id>:<base64 of nonce +
  ciphertext + tag>`; the key id (8 hex digits of the key's SHA-256) tells `asa rotate_field_key`
  which rows still carry an old key. Keys come from `ASA_FIELD_KEYS` (comma-separated base64
  32-byte keys, the first encrypts, every one decrypts).
- `lookup_hash`: HMAC-SHA256 under `ASA_LOOKUP_KEY` (a separate key), so an exact search and a
  uniqueness constraint still work on a column nobody can read. Normalise before hashing:
  `identity_hash` (document numbers) and `phone_hash` (the first phone, digits only).
- `EncryptedCharField`: a CharField whose column holds the ciphertext (a text column: the
  ciphertext is longer than the value). It refuses every lookup but `isnull` and `= ''`: search
  through the `<field>_hash` column the actions fill.
"""

import base64
import functools
import hashlib
import os
import re
from collections.abc import Callable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core import checks
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import models, transaction
from django.db.models.lookups import Exact, IsNull

from asa.lib.thai_text import phone_key

# The keys `make run` and the tests use when the environment gives none. Public, so
# `asa check --deploy` refuses them (asa.E001) outside DEBUG.
DEMO_FIELD_KEY = "ZGVtby1vbmx5LWFzYS1maWVsZC1rZXktMzItYnl0ZXM="  # demo-only-asa-field-key-32-bytes
DEMO_LOOKUP_KEY = "demo-only-asa-lookup-key"
NONCE_BYTES = 12


class DecryptionError(ValueError):
    """A stored value that no configured key opens (a key was dropped too early)."""


def generate_key() -> str:
    """A new random field key, as ASA_FIELD_KEYS wants it."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:8]


@functools.lru_cache(maxsize=8)
def _parse_keys(keys: tuple[str, ...]) -> tuple[str, dict[str, AESGCM]]:
    ciphers: dict[str, AESGCM] = {}
    current = ""
    for text in keys:
        try:
            key = base64.urlsafe_b64decode(text.strip().encode() + b"==")
        except ValueError as error:
            raise ImproperlyConfigured("ASA_FIELD_KEYS: a key is not base64") from error
        if len(key) != 32:
            raise ImproperlyConfigured("ASA_FIELD_KEYS: each key must be 32 bytes (base64)")
        identifier = key_id(key)
        current = current or identifier
        ciphers.setdefault(identifier, AESGCM(key))
    if not current:
        raise ImproperlyConfigured("ASA_FIELD_KEYS is empty")
    return current, ciphers


_parsed: list = [None, None]  # (the settings value, its parsed keys): one lookup per call


def _keys() -> tuple[str, dict[str, AESGCM]]:
    source = settings.ASA_FIELD_KEYS
    if _parsed[0] is not source:
        _parsed[:] = [source, _parse_keys(tuple(source))]
    return _parsed[1]


def current_key_id() -> str:
    return _keys()[0]


def encrypt(value: str) -> str:
    """The stored form of a value; '' stays '' (an empty field tells nothing)."""
    if not value:
        return value
    current, ciphers = _keys()
    nonce = os.urandom(NONCE_BYTES)
    sealed = ciphers[current].encrypt(nonce, value.encode(), None)
    return f"{current}:{base64.b64encode(nonce + sealed).decode()}"


def decrypt(stored: str) -> str:
    if not stored:
        return stored
    identifier, _, body = stored.partition(":")
    cipher = _keys()[1].get(identifier)
    if cipher is None or not body:
        raise DecryptionError(f"no configured field key opens key id {identifier[:8]!r}")
    raw = base64.b64decode(body)
    try:
        return cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], None).decode()
    except InvalidTag as error:
        raise DecryptionError("a stored value failed its integrity check") from error


def stored_key_id(stored: str) -> str:
    """The key id a stored value was encrypted with ('' for an empty value)."""
    return stored.partition(":")[0] if stored else ""


@functools.lru_cache(maxsize=4)
def _lookup_states(text: str):
    """HMAC-SHA256's inner and outer hash states for this key, computed once (RFC 2104): each
    hash then costs two SHA-256 copies instead of hmac's per-call key setup (~3x faster)."""
    if not text:
        raise ImproperlyConfigured("ASA_LOOKUP_KEY is empty")
    key = text.encode()
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\0")
    return (
        hashlib.sha256(bytes(byte ^ 0x36 for byte in key)),
        hashlib.sha256(bytes(byte ^ 0x5C for byte in key)),
    )


def lookup_hash(normalized: str) -> str:
    """HMAC-SHA256 (hex) of an already normalised value under ASA_LOOKUP_KEY; '' for ''."""
    if not normalized:
        return ""
    inner, outer = _lookup_states(settings.ASA_LOOKUP_KEY)
    inner, outer = inner.copy(), outer.copy()
    inner.update(normalized.encode())
    outer.update(inner.digest())
    return outer.hexdigest()


def identity_hash(number: str) -> str:
    """The lookup hash of a document number: spaces and dashes dropped, upper case."""
    return lookup_hash("".join((number or "").split()).replace("-", "").upper())


def phone_hash(phones: str) -> str:
    """The lookup hash of the first phone in a 'phone, phone' field, digits only."""
    return lookup_hash(phone_key((phones or "").split(",")[0]))


# Numbers copied into JSON snapshots (a referral's shared data) are sealed value by value.
SEALED_KEYS = ("phone", "national_id")


def seal_values(data: dict, keys=SEALED_KEYS) -> dict:
    """The snapshot with these keys' values encrypted (others as they are)."""
    return {
        key: encrypt(value)
        if key in keys and isinstance(value, str) and value and not looks_encrypted(value)
        else value
        for key, value in (data or {}).items()
    }


def open_values(data: dict, keys=SEALED_KEYS) -> dict:
    """The snapshot readable again (values written before sealing pass through)."""
    return {
        key: decrypt(value)
        if key in keys and isinstance(value, str) and looks_encrypted(value)
        else value
        for key, value in (data or {}).items()
    }


class _EmptyOnlyExact(Exact):
    """`field=''` keeps working (is it filled?); any other value is a bug: use the hash."""

    def get_prep_lookup(self):
        if self.rhs != "":
            raise FieldError(
                f"{self.lhs.target.name} is encrypted: filter on {self.lhs.target.name}_hash "
                "with asa.lib.crypto.lookup_hash"
            )
        return super().get_prep_lookup()


class EncryptedCharField(models.CharField):
    """A CharField stored encrypted. max_length bounds the value, not the column (text)."""

    def db_type(self, connection):
        return models.TextField().db_type(connection)

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt(value) if value else value

    def get_lookup(self, lookup_name):
        if lookup_name == "exact":
            return _EmptyOnlyExact
        if lookup_name == "isnull":
            return IsNull
        return None  # Django then raises FieldError: unsupported lookup


@checks.register(checks.Tags.security, deploy=True)
def check_field_keys(app_configs=None, **kwargs):
    """asa.E001/E002: production must not run on the public demo keys; asa.W001: weak key."""
    if settings.DEBUG:
        return []
    errors = []
    if DEMO_FIELD_KEY in settings.ASA_FIELD_KEYS[:1]:
        errors.append(
            checks.Error(
                "ASA_FIELD_KEYS is the public demo key: national ID and phone numbers would be "
                "encrypted with a key anyone can read.",
                hint="Set ASA_FIELD_KEYS to a key from `asa rotate_field_key --generate`, "
                "then run `asa rotate_field_key`.",
                id="asa.E001",
            )
        )
    if settings.ASA_LOOKUP_KEY == DEMO_LOOKUP_KEY:
        errors.append(
            checks.Error(
                "ASA_LOOKUP_KEY is the public demo key.",
                hint="Set ASA_LOOKUP_KEY to a long random secret (not a field key), then run "
                "`asa rotate_field_key` (it recomputes every hash).",
                id="asa.E002",
            )
        )
    elif len(settings.ASA_LOOKUP_KEY) < 32:
        errors.append(
            checks.Warning(
                "ASA_LOOKUP_KEY is shorter than 32 characters: the lookup hashes of 13-digit "
                "numbers are only as strong as this key.",
                hint="Use `asa rotate_field_key --generate` for a key of full strength.",
                id="asa.W001",
            )
        )
    return errors


# --- Batch rewriting: the migrations that first encrypt a column, and key rotation ------------

_SEALED = re.compile(r"^[0-9a-f]{8}:[A-Za-z0-9+/]+=*$")


def looks_encrypted(stored: str) -> bool:
    return bool(stored) and _SEALED.match(stored) is not None


def rewrite_columns(
    connection,
    *,
    table: str,
    columns: list[str],
    hashes: list[tuple[str, str, Callable[[str], str]]] = (),
    read: Callable[[str], str],
    write: Callable[[str], str],
    stale: Callable[[str], bool],
    batch_size: int = 2000,
) -> tuple[int, int]:
    """Walk `table` by id in batches and rewrite each stale value of `columns` as
    `write(read(value))`, and each `(hash column, source column, function)` whose stored hash
    differs from `function(plaintext)`. Rows already right are left alone, so the walk is
    idempotent and a stopped run simply starts again. Returns (rows read, rows changed)."""
    quote = connection.ops.quote_name
    hash_columns = [hash_column for hash_column, _, _ in hashes]
    select = ", ".join(quote(name) for name in ["id", *columns, *hash_columns])
    assignments = ", ".join(f"{quote(name)} = %s" for name in [*columns, *hash_columns])
    width = len(columns)
    last = seen = changed = 0
    while True:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {select} FROM {quote(table)} WHERE id > %s ORDER BY id LIMIT %s",  # noqa: S608
                [last, batch_size],
            )
            rows = cursor.fetchall()
            updates = []
            for row in rows:
                stored = [value or "" for value in row[1 : 1 + width]]
                plain = {name: read(value) for name, value in zip(columns, stored, strict=True)}
                new = [
                    write(plain[name]) if stale(value) else value
                    for name, value in zip(columns, stored, strict=True)
                ]
                new_hashes = [function(plain[source]) for _, source, function in hashes]
                if new != stored or new_hashes != [value or "" for value in row[1 + width :]]:
                    updates.append([*new, *new_hashes, row[0]])
            if updates:
                cursor.executemany(
                    f"UPDATE {quote(table)} SET {assignments} WHERE id = %s",  # noqa: S608
                    updates,
                )
        if not rows:
            return seen, changed
        seen += len(rows)
        changed += len(updates)
        last = rows[-1][0]
