"""The batch duplicate finder: blocking keys + pairwise scoring over the whole registry.

One streaming pass reads the short keys of every active person (1,000,000 rows of a few short
strings fit in memory), groups them into blocks of people who share a key, scores each pair
inside a block once, and fills the review queue (DuplicateCandidate) in bulk. Pairs a reviewer
already decided (merged, distinct) are never flagged again; pending ones get their score
refreshed. Running it twice changes nothing the second time.

The blocking keys, the normalisation and the scoring are `asa.registry.matching`'s, the ones
the capture-time check of registration and the import's check use. Blocks larger than
`max_block` (a shared office phone, a very common name) are split by the exact name key, and
skipped if still too large: they are counted in the summary.

At national scale the same blocking and scoring would run on an existing engine (DuckDB, Spark)
reading the same columns; this module keeps to the standard library.
"""

import time
from collections import defaultdict
from dataclasses import asdict, dataclass

from django.db import connection, transaction
from django.utils import timezone
from django_tasks import task

from asa.accounts.events import record_event
from asa.registry.matching import (
    BIRTH,
    DISTRICT,
    FIELDS,
    FIRST,
    FIRST_SOUND,
    ID_NUMBER,
    ID_TYPE,
    LAST_SOUND,
    MAX_BLOCK,
    NAME,
    PHONE,
    PK,
    PRECISION,
    PROVINCE,
    SEX,
    SUBDISTRICT,
    THRESHOLD,
    TITLE,
    block_keys,
    score_pair,
)
from asa.registry.models import DuplicateCandidate, DuplicateStatus, IdType, Person

CHUNK_SIZE = 20_000
WRITE_BATCH = 2_000


@dataclass
class Summary:
    people: int = 0
    blocks: int = 0
    skipped_blocks: int = 0
    pairs_compared: int = 0
    candidates_found: int = 0
    candidates_new: int = 0
    candidates_updated: int = 0
    already_decided: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)

    def lines(self) -> list[str]:
        return [
            f"ตรวจบุคคล {self.people:,} ราย",
            f"กลุ่มเปรียบเทียบ {self.blocks:,} กลุ่ม (ข้ามกลุ่มใหญ่เกิน {self.skipped_blocks:,})",
            f"เปรียบเทียบ {self.pairs_compared:,} คู่",
            f"พบคู่ที่อาจซ้ำ {self.candidates_found:,} คู่ "
            f"(ใหม่ {self.candidates_new:,}, ปรับคะแนน {self.candidates_updated:,}, "
            f"ตัดสินแล้วไม่แสดงซ้ำ {self.already_decided:,})",
            f"ใช้เวลา {self.seconds:.1f} วินาที",
        ]


# --- Blocking ----------------------------------------------------------------------------------


def _read_people() -> list[tuple]:
    """Every active person's keys, streamed in chunks (a server-side cursor on PostgreSQL)."""
    strings: dict[str, str] = {}  # share repeated short strings (areas, sounds, types)

    def shared(value):
        if value is None:
            return ""
        return strings.setdefault(value, value)

    rows = []
    queryset = Person.objects.filter(merged_into__isnull=True).order_by().values_list(*FIELDS)
    for row in queryset.iterator(chunk_size=CHUNK_SIZE):
        rows.append(
            (
                row[PK],
                row[NAME],
                shared(row[FIRST_SOUND]),
                shared(row[LAST_SOUND]),
                shared(row[ID_TYPE]),
                row[ID_NUMBER] if row[ID_TYPE] != IdType.NONE else "",
                row[BIRTH],
                shared(row[PRECISION]),
                shared(row[SUBDISTRICT]),
                shared(row[DISTRICT]),
                row[PHONE] or "",
                row[FIRST],
                shared(row[SEX]),
                shared(row[TITLE]),
                shared(row[PROVINCE]),
            )
        )
    return rows


def _blocks(rows: list[tuple], max_block: int, summary: Summary):
    """Yield lists of row indexes that share a key; split or skip the oversized ones."""
    blocks: dict[tuple, list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        for key in block_keys(row):
            blocks[key].append(index)
    for members in blocks.values():
        if len(members) < 2:
            continue
        if len(members) <= max_block:
            summary.blocks += 1
            yield members
            continue
        by_name: dict[str, list[int]] = defaultdict(list)
        for index in members:
            by_name[rows[index][NAME]].append(index)
        for part in by_name.values():
            if len(part) < 2:
                continue
            if len(part) <= max_block:
                summary.blocks += 1
                yield part
            else:
                summary.skipped_blocks += 1


def _find_pairs(rows: list[tuple], *, threshold: float, max_block: int, summary: Summary):
    """{(low pk, high pk): (score, reasons)} for every pair scoring at least `threshold`."""
    compared: set[int] = set()
    found: dict[tuple[int, int], tuple[float, list[str]]] = {}
    for members in _blocks(rows, max_block, summary):
        for position, left_index in enumerate(members):
            left = rows[left_index]
            for right_index in members[position + 1 :]:
                right = rows[right_index]
                low, high = (left, right) if left[PK] < right[PK] else (right, left)
                pair_id = (low[PK] << 32) | high[PK]
                if pair_id in compared:
                    continue
                compared.add(pair_id)
                score, reasons = score_pair(low, high)
                if score >= threshold:
                    found[(low[PK], high[PK])] = (score, reasons)
    summary.pairs_compared = len(compared)
    return found


# --- The action --------------------------------------------------------------------------------


def find_duplicates(
    *, actor=None, threshold: float = THRESHOLD, max_block: int = MAX_BLOCK
) -> Summary:
    """Scan every active person for likely duplicates and fill the review queue.

    New pairs become pending candidates; pending pairs get the new score and reasons; pairs a
    reviewer merged or marked distinct are left alone. Leaves one audit event with the summary.
    """
    started = time.monotonic()
    summary = Summary()
    rows = _read_people()
    summary.people = len(rows)
    found = _find_pairs(rows, threshold=threshold, max_block=max_block, summary=summary)
    del rows
    summary.candidates_found = len(found)
    _save_candidates(actor=actor, found=found, summary=summary, started=started)
    return summary


@transaction.atomic
def _save_candidates(*, actor, found: dict, summary: Summary, started: float) -> None:
    rows = DuplicateCandidate.objects.values_list(
        "pk", "person_a_id", "person_b_id", "status", "score", "reasons"
    )
    existing = {
        (person_a, person_b): (pk, status, score, reasons)
        for pk, person_a, person_b, status, score, reasons in rows.iterator(chunk_size=CHUNK_SIZE)
    }
    new, changed = [], []
    for (person_a, person_b), (score, reasons) in found.items():
        known = existing.get((person_a, person_b))
        if known is None:
            new.append(
                DuplicateCandidate(
                    person_a_id=person_a, person_b_id=person_b, score=score, reasons=reasons
                )
            )
        elif known[1] != DuplicateStatus.PENDING:
            summary.already_decided += 1
        elif known[2] != score or known[3] != reasons:
            changed.append(DuplicateCandidate(pk=known[0], score=score, reasons=reasons))
    DuplicateCandidate.objects.bulk_create(new, batch_size=WRITE_BATCH, ignore_conflicts=True)
    DuplicateCandidate.objects.bulk_update(changed, ["score", "reasons"], batch_size=WRITE_BATCH)
    summary.candidates_new = len(new)
    summary.candidates_updated = len(changed)
    summary.seconds = round(time.monotonic() - started, 1)
    record_event(
        actor=actor,
        action="find_duplicates",
        object_type="registry.duplicatecandidate",
        changes={**summary.as_dict(), "database": connection.vendor},
    )


@task()
def find_duplicates_in_background(actor_id: int | None = None) -> dict:
    """The batch finder as a background task (enqueue with `.enqueue(actor_id=...)`)."""
    from django.contrib.auth import get_user_model

    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    summary = find_duplicates(actor=actor)
    return {**summary.as_dict(), "finished_at": timezone.now().isoformat()}
