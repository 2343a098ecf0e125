"""The batch duplicate finder: blocking keys + pairwise scoring over the whole registry.

One streaming pass reads the short keys of every active person (1,000,000 rows of a few short
strings fit in memory), groups them into blocks of people who share a key, scores each pair
inside a block once, and fills the review queue (DuplicateCandidate) in bulk. Pairs a reviewer
already decided (merged, distinct) are never flagged again; pending ones get their score
refreshed. Running it twice changes nothing the second time.

Blocking keys, chosen so a planted near-duplicate shares at least one with its original:
- the same sound-alike given and family name (LK82 soundex) and birth year;
- the same sound-alike given name in the same district, and the same sound-alike family name
  in the same district (one name misspelt, the birth date missing or mistyped);
- the same identity number;
- the same phone number.
Blocks larger than `max_block` (a shared office phone, a very common name) are split by the
exact name key, and skipped if still too large: they are counted in the summary.

At national scale the same blocking and scoring would run on an existing engine (DuckDB, Spark)
reading the same columns; this module keeps to the standard library.
"""

import functools
import time
from collections import defaultdict
from dataclasses import asdict, dataclass
from difflib import SequenceMatcher

from django.db import connection, transaction
from django.utils import timezone
from django_tasks import task

from asa.accounts.events import record_event
from asa.lib.thai_text import name_key
from asa.registry.models import (
    BirthDatePrecision,
    DuplicateCandidate,
    DuplicateStatus,
    IdType,
    Person,
)

THRESHOLD = 0.6
MAX_BLOCK = 60
CHUNK_SIZE = 20_000
WRITE_BATCH = 2_000

# Thai reasons shown in the review queue, one per signal.
SAME_ID = "เลขเอกสารเดียวกัน"
ID_TYPO = "เลขเอกสารต่างกันเพียง 1–2 หลัก (อาจพิมพ์ผิด)"
DIFFERENT_ID = "เลขเอกสารต่างกัน"
SAME_NAME = "ชื่อ-นามสกุลเหมือนกัน (ไม่นับวรรณยุกต์และคำนำหน้า)"
SOUND_ALIKE_NAME = "ชื่อ-นามสกุลออกเสียงเหมือนกัน"
SIMILAR_NAME = "ชื่อ-นามสกุลสะกดคล้ายกัน"
SAME_BIRTH_DATE = "วันเกิดเดียวกัน"
SWAPPED_BIRTH_DATE = "วันเกิดตรงกันเมื่อสลับวันกับเดือน"
SAME_BIRTH_YEAR = "ปีเกิดเดียวกัน"
DIFFERENT_BIRTH_YEAR = "ปีเกิดต่างกัน"
SAME_SUBDISTRICT = "แขวง/ตำบลเดียวกัน"
SAME_DISTRICT = "อำเภอ/เขตเดียวกัน"
SAME_PROVINCE = "จังหวัดเดียวกัน (อาจย้ายที่อยู่)"
SAME_PHONE = "หมายเลขโทรศัพท์เดียวกัน"
YEAR_ONLY_BIRTH = "ปีเกิดเดียวกัน (ระเบียนหนึ่งทราบเฉพาะปีเกิด)"
NEW_FAMILY_NAME = "ชื่อตัวและวันเกิดเดียวกัน นามสกุลเปลี่ยน (อาจเปลี่ยนหลังสมรส)"
DIFFERENT_GIVEN_NAME = "ชื่อตัวต่างกัน"

# Column order of the rows kept in memory.
FIELDS = (
    "pk",
    "name_key",
    "first_name_sound",
    "last_name_sound",
    "id_type",
    "id_number",
    "birth_date",
    "birth_date_precision",
    "subdistrict_id",
    "district_id",
    # The phone's keyed hash: equal hashes are equal numbers, and nothing to decrypt. The ID is
    # read decrypted (a one- or two-digit typo is scored, which a hash cannot show).
    "phone_hash",
    "first_name",
    "sex",
    "title",
    "province_id",
)
PK, NAME, FIRST_SOUND, LAST_SOUND, ID_TYPE, ID_NUMBER, BIRTH, PRECISION = range(8)
SUBDISTRICT, DISTRICT, PHONE, FIRST, SEX, TITLE, PROVINCE = range(8, 15)
# A woman's family name may change with marriage; her given name and birth date do not.
MARRIED_TITLES = {"นาง", "นางสาว", "น.ส.", "นส"}


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


# --- Scoring -----------------------------------------------------------------------------------


def _differing_digits(first: str, second: str) -> int:
    if len(first) != len(second):
        return 99
    return sum(1 for left, right in zip(first, second, strict=True) if left != right)


_given_key = functools.lru_cache(maxsize=200_000)(name_key)


def _given_alike(first: tuple, second: tuple) -> bool:
    """The same given name, allowing for how people misspell and mistype it."""
    if first[FIRST_SOUND] and first[FIRST_SOUND] == second[FIRST_SOUND]:
        return True
    left, right = _given_key(first[FIRST]), _given_key(second[FIRST])
    return bool(left and right) and SequenceMatcher(None, left, right).ratio() >= 0.75


def _year_only(row: tuple) -> bool:
    # Recorded as a year alone, or as 1 January (what many forms put for "year only").
    return row[PRECISION] == BirthDatePrecision.YEAR or (
        row[BIRTH] is not None and (row[BIRTH].month, row[BIRTH].day) == (1, 1)
    )


def _may_have_married(first: tuple, second: tuple) -> bool:
    women = first[SEX] == second[SEX] == "female"
    titles = {first[TITLE], second[TITLE]}
    return women and titles <= MARRIED_TITLES and bool(first[TITLE] or second[TITLE])


def score_pair(first: tuple, second: tuple) -> tuple[float, list[str]]:
    """Score two rows (FIELDS order) from 0 to 1, with the Thai reasons that made the score."""
    score = 0.0
    reasons: list[str] = []

    # Identity documents: equal is near proof; a one- or two-digit difference is a typo;
    # two different real numbers (twins, namesakes) are two people.
    if first[ID_NUMBER] and second[ID_NUMBER] and first[ID_TYPE] == second[ID_TYPE]:
        if first[ID_NUMBER] == second[ID_NUMBER]:
            score += 0.5
            reasons.append(SAME_ID)
        elif _differing_digits(first[ID_NUMBER], second[ID_NUMBER]) <= 2:
            score += 0.15
            reasons.append(ID_TYPO)
        else:
            score -= 0.5
            reasons.append(DIFFERENT_ID)

    # Names. The given name is who someone is (twins, a mother and her daughter share the
    # rest); the family name may change with marriage. Compared on keys without tone marks,
    # titles or spaces, and by sound.
    given_alike = _given_alike(first, second)
    born_first, born_second = first[BIRTH], second[BIRTH]
    exact = (
        born_first is not None
        and born_second is not None
        and first[PRECISION] == BirthDatePrecision.EXACT
        and second[PRECISION] == BirthDatePrecision.EXACT
    )
    if first[NAME] == second[NAME]:
        # A whole Thai given-and-family name is rare enough that, with the same area, it is
        # worth a look even when no birth date was recorded.
        score += 0.45
        reasons.append(SAME_NAME)
    elif not given_alike:
        score -= 0.5
        reasons.append(DIFFERENT_GIVEN_NAME)
    else:
        similarity = SequenceMatcher(None, first[NAME], second[NAME]).ratio()
        family_alike = first[LAST_SOUND] == second[LAST_SOUND] and first[LAST_SOUND] != ""
        if family_alike or similarity >= 0.8:
            score += 0.3 if family_alike or similarity >= 0.9 else 0.25
            reasons.append(SOUND_ALIKE_NAME if family_alike else SIMILAR_NAME)
        elif exact and born_first == born_second and _may_have_married(first, second):
            # นางสาว on one record and นาง on the other says the same thing once more.
            score += 0.3 if {first[TITLE], second[TITLE]} == {"นาง", "นางสาว"} else 0.25
            reasons.append(NEW_FAMILY_NAME)
        else:
            score -= 0.1  # the same given name, another family: another person as a rule

    # Birth dates: the same day, the day and month swapped, or only the same year.
    if born_first is not None and born_second is not None:
        if born_first.year != born_second.year:
            score -= 0.3
            reasons.append(DIFFERENT_BIRTH_YEAR)
        elif exact and born_first == born_second:
            score += 0.25
            reasons.append(SAME_BIRTH_DATE)
        elif exact and (born_first.day, born_first.month) == (born_second.month, born_second.day):
            score += 0.2
            reasons.append(SWAPPED_BIRTH_DATE)
        elif (_year_only(first) or _year_only(second)) and first[PROVINCE] == second[PROVINCE]:
            # Only the year is known of one: as good as the date when the place agrees (a
            # namesake of the same year elsewhere in the country is someone else as a rule).
            score += 0.2
            reasons.append(YEAR_ONLY_BIRTH)
        else:
            score += 0.05
            reasons.append(SAME_BIRTH_YEAR)

    if first[SUBDISTRICT] and first[SUBDISTRICT] == second[SUBDISTRICT]:
        score += 0.15
        reasons.append(SAME_SUBDISTRICT)
    elif first[DISTRICT] and first[DISTRICT] == second[DISTRICT]:
        score += 0.1
        reasons.append(SAME_DISTRICT)
    elif first[PROVINCE] and first[PROVINCE] == second[PROVINCE]:
        score += 0.05
        reasons.append(SAME_PROVINCE)

    if first[PHONE] and first[PHONE] == second[PHONE]:
        score += 0.15
        reasons.append(SAME_PHONE)

    return round(max(0.0, min(1.0, score)), 3), reasons


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


def _block_keys(row: tuple):
    if row[FIRST_SOUND]:
        born = row[BIRTH]
        if born is not None:
            yield ("born", row[FIRST_SOUND], row[LAST_SOUND], born.year)
            # Moved within the province with one name misspelt (its sound changed), or married
            # (a new family name): the given or the family name, the birth date and the
            # province still match.
            if row[PROVINCE]:
                yield ("first-born", row[FIRST_SOUND], born, row[PROVINCE])
                if row[LAST_SOUND]:
                    yield ("last-born", row[LAST_SOUND], born, row[PROVINCE])
        # One misspelt name changes its sound key; the other name and the district still match.
        if row[DISTRICT]:
            yield ("first", row[FIRST_SOUND], row[DISTRICT])
            if row[LAST_SOUND]:
                yield ("last", row[LAST_SOUND], row[DISTRICT])
    if row[ID_NUMBER]:
        yield ("id", row[ID_NUMBER])
    if row[PHONE]:
        yield ("phone", row[PHONE])


def _blocks(rows: list[tuple], max_block: int, summary: Summary):
    """Yield lists of row indexes that share a key; split or skip the oversized ones."""
    blocks: dict[tuple, list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        for key in _block_keys(row):
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
