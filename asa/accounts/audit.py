"""The audit trail's tamper evidence: the hash chain, sealing and verification.

Every audit event is hashed (SHA-256) over a canonical form of its content — sorted-key JSON of
the time (ISO, UTC), actor id and name, action, object, changes, reason, address — together with
its place in the chain (`sequence`) and the hash of the event before it (`previous_hash`).
Changing, removing or re-ordering any sealed event breaks the chain at that point, and
`asa audit verify` names the first broken link.

How events join the chain
-------------------------
`record_event` inserts a row *unsealed* (sequence NULL) and takes no lock, so writers never wait
for one another — and neither do readers, whose every record read writes a `view_record` event.
Chaining happens outside the request, in batches: `seal_pending()` runs in the scheduler every
few seconds (the `seal_audit` job, asa/ops/jobs.py; `asa run` and production's `asa scheduler`
run it). Under one lock (PostgreSQL: a transaction-level advisory lock; SQLite: its IMMEDIATE
write transaction, which already lets one writer in at a time) it reads the last sealed event
and gives every unsealed row, in id order, the next sequence number, the previous hash and its
own hash. `asa audit verify` and `asa audit seal`, the anchor check and the daily head
publication seal first, so what they report covers every committed event.

The trade-off: sealing inside the writer's own transaction, behind the lock, would chain each
row at once but make every writer wait for every other one until it commits — a global
bottleneck on the busiest table — and a rolled-back transaction would leave sequence numbers to
hand out again. Sealing after each commit, still in the request (as Asa first did), kept writers
apart but queued every read in the country behind that one lock, one short transaction each.
Sealing in batches outside the request keeps requests free of the lock and the sequence
gap-free, since only committed rows are ever sealed; the price is a window of a few seconds (the
job's period, longer if the scheduler is stopped) in which the newest rows are written, protected
by the append-only triggers below, but not yet chained. A row changed inside that window is
sealed as changed: the chain proves nothing about an event before it is sealed, which is why the
window is kept short. The unique index on `sequence` stops two sealers from ever producing a
fork, even if the lock were bypassed.

Append-only at the database: on PostgreSQL a trigger (migration 0007) refuses every UPDATE and
DELETE of an audit row except the sealing update itself (sequence NULL → set, content unchanged).
TRUNCATE is left alone (the test suite's flush uses it). SQLite has the same two refusals as
triggers (migration 0009); `asa flush` lifts them for the flush alone.

The anchor: the chain proves that no sealed event was changed or removed *before* its head, but
deleting the newest events leaves a shorter chain that still verifies. So the head is kept
elsewhere too: `publish_audit_head` (a daily job) mails it to the data protection officers and
lists it on their anchor page, and `asa audit verify --head HASH` (or the page) fails when the
chain no longer contains that head — the tail after it was deleted or rewritten.
"""

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection, transaction

from asa.accounts.models import AuditEvent

# The fields whose values the hash covers, in the order they are read.
HASHED_FIELDS = (
    "at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "changes",
    "reason",
    "ip_address",
)
GENESIS = ""  # the previous_hash of event 1
SEAL_BATCH = 2000
VERIFY_BATCH = 5000
# pg_advisory_xact_lock key: "ASA" + "audit" as a number, any constant no other code uses.
_SEAL_LOCK = 0x41534141_75646974


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def event_hash(values: dict, *, sequence: int, previous_hash: str) -> str:
    """SHA-256 (hex) of one event's canonical form: its content, place and predecessor."""
    content = {
        "at": _utc(values["at"]),
        "actor_id": values["actor_id"],
        "actor_label": values["actor_label"],
        "action": values["action"],
        "object_type": values["object_type"],
        "object_id": values["object_id"],
        "object_repr": values["object_repr"],
        "changes": values["changes"],
        "reason": values["reason"],
        "ip_address": None if values["ip_address"] is None else str(values["ip_address"]),
        "sequence": sequence,
        "previous_hash": previous_hash,
    }
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


# --- Sealing -----------------------------------------------------------------------------------


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_SEAL_LOCK])
    # SQLite: the atomic block began with BEGIN IMMEDIATE (settings), so this connection
    # already holds the database's only write lock.


def seal_pending(*, batch: int = SEAL_BATCH, limit: int | None = None) -> int:
    """Chain every unsealed event (or the first `limit` or so), in id order, one transaction
    per batch. Returns how many were sealed."""
    sealed = 0
    while limit is None or sealed < limit:
        with transaction.atomic():
            _lock_chain()
            # Read under the lock: whatever an earlier sealer committed is seen here.
            last = (
                AuditEvent.objects.filter(sequence__isnull=False)
                .order_by("-sequence")
                .values_list("sequence", "hash")
                .first()
            )
            sequence, previous = last if last else (0, GENESIS)
            rows = list(
                AuditEvent.objects.filter(sequence__isnull=True)
                .order_by("id")
                .values("id", *HASHED_FIELDS)[:batch]
            )
            if not rows:
                return sealed
            updates = []
            for row in rows:
                sequence += 1
                digest = event_hash(row, sequence=sequence, previous_hash=previous)
                updates.append((sequence, previous, digest, row["id"]))
                previous = digest
            table = connection.ops.quote_name(AuditEvent._meta.db_table)
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {table} SET sequence = %s, previous_hash = %s, hash = %s "  # noqa: S608
                    "WHERE id = %s AND sequence IS NULL",
                    updates,
                )
            sealed += len(rows)
        if len(rows) < batch:
            return sealed
    return sealed


# --- Verification ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BrokenLink:
    sequence: int
    event_id: int | None
    kind: str  # "gap" | "content" | "link"
    detail: str

    def __str__(self) -> str:
        where = f"sequence {self.sequence}"
        if self.event_id is not None:
            where += f" (event id {self.event_id})"
        return f"{where}: {self.detail}"


@dataclass(frozen=True)
class Verdict:
    checked: int
    broken: BrokenLink | None
    head_sequence: int
    head_hash: str
    unsealed: int
    # The sequence at which the anchor (a head hash kept elsewhere) was found; None when an
    # anchor was given and is not in the chain, 0 when none was given.
    anchor_sequence: int | None = 0

    @property
    def anchor_missing(self) -> bool:
        return self.anchor_sequence is None

    @property
    def ok(self) -> bool:
        return self.broken is None and self.unsealed == 0 and not self.anchor_missing


def _chain(batch: int) -> Iterator[dict]:
    """The sealed events in sequence order, one batch (keyset page) at a time."""
    after = 0
    while True:
        rows = list(
            AuditEvent.objects.filter(sequence__gt=after)
            .order_by("sequence")
            .values("id", "sequence", "previous_hash", "hash", *HASHED_FIELDS)[:batch]
        )
        yield from rows
        if len(rows) < batch:
            return
        after = rows[-1]["sequence"]


def verify_chain(*, batch: int = VERIFY_BATCH, head: str = "") -> Verdict:
    """Walk the chain from event 1, recomputing every hash; stop at the first broken link.

    `head`: a head hash kept elsewhere (published earlier); the chain must still contain it,
    or its tail was deleted. Constant memory (keyset pages of `batch` rows through the unique
    index on sequence).
    """
    head = head.strip().lower()
    anchor: int | None = None if head else 0
    expected, previous, checked = 1, GENESIS, 0
    for row in _chain(batch):
        sequence = row["sequence"]
        if sequence != expected:
            missing = f"{expected}" if sequence == expected + 1 else f"{expected}–{sequence - 1}"
            return _verdict(
                checked,
                BrokenLink(
                    expected,
                    None,
                    "gap",
                    f"missing from the chain (deleted?): sequence {missing}; "
                    f"the next event present is {sequence} (id {row['id']})",
                ),
            )
        digest = event_hash(row, sequence=sequence, previous_hash=row["previous_hash"])
        if digest != row["hash"]:
            return _verdict(
                checked,
                BrokenLink(
                    sequence,
                    row["id"],
                    "content",
                    "its content does not match its hash (the row was changed after sealing)",
                ),
            )
        if row["previous_hash"] != previous:
            return _verdict(
                checked,
                BrokenLink(
                    sequence,
                    row["id"],
                    "link",
                    f"its previous_hash does not match the hash of event {sequence - 1} "
                    "(that event, or this link, was rewritten)",
                ),
            )
        if head and row["hash"] == head:
            anchor = sequence
        previous, expected, checked = row["hash"], expected + 1, checked + 1
    return _verdict(checked, None, head=(expected - 1, previous), anchor=anchor)


def _verdict(checked, broken, head=(0, ""), anchor: int | None = 0) -> Verdict:
    unsealed = AuditEvent.objects.filter(sequence__isnull=True).count()
    return Verdict(checked, broken, head[0], head[1], unsealed, anchor)


# --- The anchor --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnchorCheck:
    """Whether a head hash kept elsewhere is still in the chain (the page's quick check)."""

    found: bool
    sequence: int | None  # where the anchor is in the chain
    later: int  # sealed events after it
    intact: bool  # the anchored event's own hash still matches its content


def check_anchor(head: str) -> AnchorCheck:
    """Find the event whose hash is `head` and recompute it (two queries; the full walk is
    `asa audit verify --head`)."""
    seal_pending()
    head = head.strip().lower()
    row = (
        AuditEvent.objects.filter(hash=head, sequence__isnull=False)
        .values("sequence", "previous_hash", "hash", *HASHED_FIELDS)
        .first()
        if head
        else None
    )
    if row is None:
        return AnchorCheck(False, None, 0, False)
    digest = event_hash(row, sequence=row["sequence"], previous_hash=row["previous_hash"])
    later = AuditEvent.objects.filter(sequence__gt=row["sequence"]).count()
    return AnchorCheck(True, row["sequence"], later, digest == row["hash"])


def chain_head() -> tuple[int, str]:
    """(sequence, hash) of the newest sealed event, (0, "") for an empty chain."""
    last = (
        AuditEvent.objects.filter(sequence__isnull=False)
        .order_by("-sequence")
        .values_list("sequence", "hash")
        .first()
    )
    return last if last else (0, GENESIS)


PUBLISH_HEAD = "publish_audit_head"


def published_heads(limit: int = 60) -> list[dict]:
    """The heads published so far, newest first: {"at", "date", "sequence", "hash"}."""
    rows = AuditEvent.objects.filter(action=PUBLISH_HEAD).order_by("-id")[:limit]
    return [
        {
            "at": row.at,
            "date": row.changes.get("date", ""),
            "sequence": row.changes.get("sequence"),
            "hash": row.changes.get("hash", ""),
        }
        for row in rows
    ]


def publish_audit_head(*, today: dt.date | None = None) -> dict:
    """Seal what is pending and send the chain's head to every data protection officer.

    The head goes by email to each active DPO with an address (their mailbox is the copy kept
    outside this database) and is listed on their anchor page; the publication itself is an
    audit event (action `publish_audit_head`). Once a day: a second run on the same local date
    publishes nothing. Returns {"date", "sequence", "hash", "recipients", "published"}.
    """
    from django.conf import settings
    from django.core.mail import send_mail
    from django.utils import timezone

    from asa.accounts.events import record_event
    from asa.accounts.models import Role, User

    today = today or timezone.localdate()
    seal_pending()
    sequence, head = chain_head()
    answer = {"date": today.isoformat(), "sequence": sequence, "hash": head, "published": False}
    if AuditEvent.objects.filter(action=PUBLISH_HEAD, changes__date=today.isoformat()).exists():
        return answer | {"recipients": 0}
    officers = list(
        User.objects.filter(
            is_active=True, role_assignments__role=Role.DATA_PROTECTION_OFFICER
        ).distinct()
    )
    addresses = sorted({officer.email for officer in officers if officer.email})
    with transaction.atomic():
        record_event(
            actor=None,
            action=PUBLISH_HEAD,
            object_type="accounts.auditevent",
            object_id=str(sequence),
            changes={
                "date": today.isoformat(),
                "sequence": sequence,
                "hash": head,
                "recipients": [officer.get_username() for officer in officers],
            },
        )
    if addresses:
        # Thai first; the hash line is what a DPO pastes back (`asa audit verify --head`).
        send_mail(
            subject=f"Asa: หัวของบันทึกการใช้งาน {today.isoformat()} (sequence {sequence})",
            message=(
                "หัวของห่วงโซ่บันทึกการใช้งาน (audit chain head) ประจำวัน\n"
                "โปรดเก็บอีเมลนี้ไว้ หากแถวท้ายของบันทึกถูกลบ การตรวจสอบด้วยค่านี้จะไม่ผ่าน\n\n"
                f"date: {today.isoformat()}\nsequence: {sequence}\nhash: {head}\n\n"
                f"asa audit verify --head {head}\n"
            ),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=addresses,
        )
    return answer | {"recipients": len(addresses), "published": True}
