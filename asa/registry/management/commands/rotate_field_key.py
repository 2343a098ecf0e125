"""`asa rotate_field_key`: re-encrypt national ID and phone numbers under the current key.

Key rotation, step by step (README, "Field encryption"):
1. put a new key first in ASA_FIELD_KEYS and keep the old one after it (both decrypt);
2. run `asa rotate_field_key`: rows still under an old key are re-encrypted, in batches;
3. when it reports 0 rows under old keys, drop the old key from ASA_FIELD_KEYS.
A new ASA_LOOKUP_KEY works the same way: the same run recomputes every hash that differs.
Idempotent and resumable: a row already right is left alone, so a stopped run just starts again.
`--generate` prints a new random key and changes nothing.
"""

from django.core.management.base import BaseCommand
from django.db import connection
from django.db.models import Q

from asa.lib.crypto import (
    SEALED_KEYS,
    current_key_id,
    decrypt,
    encrypt,
    generate_key,
    identity_hash,
    looks_encrypted,
    open_values,
    phone_hash,
    rewrite_columns,
    seal_values,
    stored_key_id,
)

# (table, encrypted columns, [(hash column, its source column, hash function)]).
ENCRYPTED_TABLES = [
    (
        "registry_person",
        ["id_number", "phone"],
        [("id_number_hash", "id_number", identity_hash), ("phone_hash", "phone", phone_hash)],
    ),
    (
        "centers_volunteer",
        ["national_id", "phone"],
        [("national_id_hash", "national_id", identity_hash), ("phone_hash", "phone", phone_hash)],
    ),
    ("cases_case", ["reporter_phone"], []),
]


def rotate_field_keys(*, batch_size: int = 2000, say=print) -> dict[str, tuple[int, int]]:
    """Re-encrypt every value not under the current key and fix every stale hash.

    Returns {table: (rows read, rows changed)}."""
    current = current_key_id()

    def stale(value: str) -> bool:
        return bool(value) and stored_key_id(value) != current

    counts = {}
    for table, columns, hashes in ENCRYPTED_TABLES:
        counts[table] = rewrite_columns(
            connection,
            table=table,
            columns=columns,
            hashes=hashes,
            read=decrypt,
            write=encrypt,
            stale=stale,
            batch_size=batch_size,
        )
        say(f"{table}: {counts[table][0]} rows read, {counts[table][1]} rewritten")
    counts["referrals_referral"] = _rotate_snapshots(stale)
    say(
        f"referrals_referral (shared data): {counts['referrals_referral'][0]} rows read, "
        f"{counts['referrals_referral'][1]} rewritten"
    )
    return counts


def _rotate_snapshots(stale) -> tuple[int, int]:
    """Referral snapshots hold the phone and ID in JSON: re-seal the values under an old key
    (and seal any written before sealing existed)."""
    from asa.referrals.models import Referral

    holding = Q()
    for key in SEALED_KEYS:
        holding |= Q(shared_data__has_key=key)
    seen = changed = 0
    rows = Referral.objects.filter(holding).order_by("pk").values_list("pk", "shared_data")
    for pk, data in rows.iterator(chunk_size=2000):
        seen += 1
        old = [data.get(key) for key in SEALED_KEYS if isinstance(data.get(key), str)]
        if any(value and (not looks_encrypted(value) or stale(value)) for value in old):
            Referral.objects.filter(pk=pk).update(shared_data=seal_values(open_values(data)))
            changed += 1
    return seen, changed


class Command(BaseCommand):
    help = (
        "Re-encrypt national ID and phone numbers under the first key of ASA_FIELD_KEYS and "
        "recompute lookup hashes under ASA_LOOKUP_KEY (idempotent, resumable)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--generate", action="store_true", help="print a new random key and exit"
        )
        parser.add_argument("--batch-size", type=int, default=2000)

    def handle(self, *args, generate=False, batch_size=2000, **options):
        if generate:
            self.stdout.write(generate_key())
            return
        self.stdout.write(f"current field key id: {current_key_id()}")
        rotate_field_keys(batch_size=batch_size, say=self.stdout.write)
        self.stdout.write("done: every value is under the current key; old keys may be dropped")
