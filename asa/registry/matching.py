"""Duplicate matching: one normalisation, one set of blocking keys and one scoring for every
place that asks "is this person already registered?".

- the capture-time check of search-first registration (`queries.likely_duplicates`),
- the import's check of each batch of new rows (`importing.duplicates`),
- the batch finder over the whole registry (`dedup.find_duplicates`).

A person is a row of FIELDS (names as search keys, the ID as typed, the phone as its keyed
hash, the birth date and its precision, the places). Two rows are compared only when they
share a blocking key (`block_keys`), and a pair is a likely duplicate when `score_pair` gives it
at least THRESHOLD. What it catches: typos, sound-alike letters, a move within the province, a
marriage (นางสาว → นาง, a new family name), a birth date known only by its year or with day and
month swapped. What it leaves apart: members of one household, twins, namesakes elsewhere.

The capture and import checks ask the database for the people who share a key with the rows
they check (`candidate_ids`: one indexed query per kind of key, for a whole batch at once), then
block and score in memory (`Pool`) exactly as the batch finder does.
"""

import datetime as dt
import functools
from collections import defaultdict
from difflib import SequenceMatcher

from django.db import connection, transaction

from asa.lib.crypto import identity_hash
from asa.lib.thai_text import name_key
from asa.registry.models import BirthDatePrecision, IdType, Person

THRESHOLD = 0.6
MAX_BLOCK = 60
READ_CHUNK = 2_000

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
    return bool(left and right) and _ratio_at_least(left, right, 0.75) >= 0.75


def _ratio_at_least(first: str, second: str, least: float) -> float:
    """SequenceMatcher's ratio, or 0.0 when its cheap upper bounds already say it is below
    `least` (the same answer to `>= least`, at a fraction of the cost: most pairs a block
    brings together are not alike)."""
    matcher = SequenceMatcher(None, first, second)
    if matcher.real_quick_ratio() < least or matcher.quick_ratio() < least:
        return 0.0
    return matcher.ratio()


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
        family_alike = first[LAST_SOUND] == second[LAST_SOUND] and first[LAST_SOUND] != ""
        similarity = 0.0 if family_alike else _ratio_at_least(first[NAME], second[NAME], 0.8)
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


def block_keys(row: tuple):
    """The keys a row is blocked by: two rows are compared only when they share one."""
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


# --- Rows --------------------------------------------------------------------------------------


def row_of(person: Person) -> tuple:
    """A person (saved or not; its keys filled by `actions._keys`) as a row of FIELDS."""
    subdistrict_id = person.subdistrict_id
    return (
        person.pk,
        person.name_key,
        person.first_name_sound,
        person.last_name_sound,
        person.id_type,
        person.id_number if person.id_type != IdType.NONE else "",
        person.birth_date,
        person.birth_date_precision,
        subdistrict_id or "",
        person.district_id or (subdistrict_id[:4] if subdistrict_id else ""),
        person.phone_hash or "",
        person.first_name,
        person.sex,
        person.title,
        person.province_id or (subdistrict_id[:2] if subdistrict_id else ""),
    )


def clean_row(row: tuple) -> tuple:
    """A row as read from the database (values_list(*FIELDS)) with its blanks as ''."""
    return (
        row[PK],
        row[NAME],
        row[FIRST_SOUND] or "",
        row[LAST_SOUND] or "",
        row[ID_TYPE] or "",
        row[ID_NUMBER] if row[ID_TYPE] != IdType.NONE and row[ID_NUMBER] else "",
        _date(row[BIRTH]),
        row[PRECISION] or "",
        row[SUBDISTRICT] or "",
        row[DISTRICT] or "",
        row[PHONE] or "",
        row[FIRST],
        row[SEX] or "",
        row[TITLE] or "",
        row[PROVINCE] or "",
    )


def _date(value):
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def read_rows(person_ids) -> list[tuple]:
    """The rows of these people (the ID decrypted, to score a mistyped digit)."""
    person_ids = sorted(set(person_ids))
    rows = []
    for start in range(0, len(person_ids), READ_CHUNK):
        chunk = person_ids[start : start + READ_CHUNK]
        queryset = Person.objects.filter(pk__in=chunk).order_by().values_list(*FIELDS)
        rows += [clean_row(row) for row in queryset]
    return rows


# --- Asking the database for the people who share a key -----------------------------------------


def candidate_ids(rows: list[tuple], *, by_district: bool = True) -> set[int]:
    """Active people who share a blocking key with any of `rows`: one indexed query per kind of
    key for all the rows at once (a superset: `Pool` keeps the pairs that really share one).

    `by_district` adds the district keys (the given or the family name alone in the same
    district), a scan of each district's people with the name: the capture check of one
    person affords it; an import's batch, spread over hundreds of districts, does not.
    """
    if not rows:
        return set()
    found: set[int] = set()
    postgresql = connection.vendor == "postgresql"
    with transaction.atomic(), connection.cursor() as cursor:
        if postgresql:
            # Without JIT: the probes' estimated cost crosses jit_above_cost, and compiling
            # took longer than running.
            cursor.execute("SET LOCAL jit = off")
        queries = (_postgresql_queries if postgresql else _sqlite_queries)(rows, by_district)
        if postgresql:
            # Bound on the server, the arrays sent in binary (%b): quoting thousands of keys
            # into the SQL text cost more than the probes.
            import psycopg

            cursor = psycopg.Cursor(connection.connection)
        for sql, params in queries:
            cursor.execute(sql, params)
            found.update(pk for (pk,) in cursor.fetchall())
    return found


def _key_lists(rows: list[tuple], by_district: bool) -> dict[str, set]:
    keys: dict[str, set] = defaultdict(set)
    for row in rows:
        if row[ID_NUMBER]:
            keys["ids"].add((row[ID_TYPE], identity_hash(row[ID_NUMBER])))
        if row[PHONE]:
            keys["phones"].add(row[PHONE])
        first, last, born = row[FIRST_SOUND], row[LAST_SOUND], row[BIRTH]
        if not first:
            continue
        if born is not None:
            keys["born"].add((first, last, born.year))
            if row[PROVINCE]:
                keys["dated"].add((born, row[PROVINCE], first, last))
        if by_district and row[DISTRICT]:
            keys["district"].add((row[DISTRICT], first, last))
    return keys


# On PostgreSQL, one index probe per key whatever the statistics say: they underestimate the
# distinct keyed hashes five to tenfold (family members share phones), so `= ANY(...)` with a
# batch's keys was planned as a scan of the whole table. OFFSET 0 keeps each lateral probe from
# being flattened into a join.
_PG_IDS = (
    "SELECT p.id FROM unnest(%b::text[], %b::text[]) AS k(t, h) CROSS JOIN LATERAL "
    "(SELECT id FROM registry_person WHERE id_type = k.t AND id_number_hash = k.h "
    "AND NOT id_number_hash = '' AND merged_into_id IS NULL OFFSET 0) AS p"
)
_PG_PHONES = (
    "SELECT p.id FROM unnest(%b::text[]) AS k(h) CROSS JOIN LATERAL "
    "(SELECT id FROM registry_person WHERE phone_hash = k.h "
    "AND merged_into_id IS NULL OFFSET 0) AS p"
)
# The (first, last) sound index; the birth year as a range on the row's date.
_PG_BORN = (
    "SELECT p.id FROM unnest(%b::text[], %b::text[], %b::int[]) AS k(f, l, y) CROSS JOIN LATERAL "
    "(SELECT id FROM registry_person WHERE first_name_sound = k.f AND last_name_sound = k.l "
    "AND birth_date >= make_date(k.y, 1, 1) AND birth_date < make_date(k.y + 1, 1, 1) "
    "AND merged_into_id IS NULL OFFSET 0) AS p"
)
# The birth date index: a few dozen people a day in a national table, then the province and
# either name.
_PG_DATED = (
    "SELECT p.id FROM unnest(%b::date[], %b::text[], %b::text[], %b::text[]) AS k(b, r, f, l) "
    "CROSS JOIN LATERAL (SELECT id FROM registry_person WHERE birth_date = k.b "
    "AND province_id = k.r "
    "AND (first_name_sound = k.f OR (NOT k.l = '' AND last_name_sound = k.l)) "
    "AND merged_into_id IS NULL OFFSET 0) AS p"
)
# The (district, name_key) index: the district's people, then either name.
_PG_DISTRICT = (
    "SELECT p.id FROM unnest(%b::text[], %b::text[], %b::text[]) AS k(d, f, l) "
    "CROSS JOIN LATERAL (SELECT id FROM registry_person WHERE district_id = k.d "
    "AND (first_name_sound = k.f OR (NOT k.l = '' AND last_name_sound = k.l)) "
    "AND merged_into_id IS NULL OFFSET 0) AS p"
)


def _columns(pairs) -> list[list]:
    return [list(column) for column in zip(*pairs, strict=True)]


def _postgresql_queries(rows: list[tuple], by_district: bool):
    keys = _key_lists(rows, by_district)
    for name, sql in (
        ("ids", _PG_IDS),
        ("phones", None),
        ("born", _PG_BORN),
        ("dated", _PG_DATED),
        ("district", _PG_DISTRICT),
    ):
        if not keys.get(name):
            continue
        if name == "phones":
            yield _PG_PHONES, [sorted(keys[name])]
        else:
            yield sql, _columns(sorted(keys[name]))


def _in(column: str, values) -> tuple[str, list]:
    values = sorted(values)
    return f"{column} IN ({', '.join(['%s'] * len(values))})", values


def _sqlite_queries(rows: list[tuple], by_district: bool):
    """SQLite (development, small registries): plain IN lists, a wider superset."""
    keys = _key_lists(rows, by_district)
    select = "SELECT id FROM registry_person WHERE merged_into_id IS NULL AND "
    if keys.get("ids"):
        sql, params = _in("id_number_hash", {number for _, number in keys["ids"]})
        yield select + sql + " AND NOT id_number_hash = ''", params
    if keys.get("phones"):
        sql, params = _in("phone_hash", keys["phones"])
        yield select + sql, params
    names = [*keys.get("born", ()), *keys.get("dated", ()), *keys.get("district", ())]
    if names:
        firsts = {key[0] for key in keys.get("born", ())} | {
            key[-2] for key in [*keys.get("dated", ()), *keys.get("district", ())]
        }
        lasts = {key[1] for key in keys.get("born", ())} | {
            key[-1] for key in [*keys.get("dated", ()), *keys.get("district", ())]
        }
        first_sql, first_params = _in("first_name_sound", firsts)
        last_sql, last_params = _in("last_name_sound", lasts - {""} or {"\x00"})
        yield f"{select}({first_sql} OR {last_sql})", [*first_params, *last_params]


# --- Matching in memory ------------------------------------------------------------------------


class Pool:
    """Rows to compare with, by blocking key; `matches` scores a row against those sharing a key
    with it, as the batch finder scores a block (an oversized block: the same name only)."""

    def __init__(self, threshold: float = THRESHOLD, max_block: int = MAX_BLOCK):
        self.threshold = threshold
        self.max_block = max_block
        self.by_key: dict[tuple, list[tuple[tuple, object]]] = defaultdict(list)
        self.labels: set = set()

    def add(self, row: tuple, label) -> None:
        """Add a row; `label` is what a match names (a person's id, or an earlier row)."""
        if label in self.labels:
            return
        self.labels.add(label)
        for key in block_keys(row):
            self.by_key[key].append((row, label))

    def matches(self, row: tuple) -> list[tuple[object, float, list[str]]]:
        """(label, score, reasons) of the rows this one may be, best first. The same identity
        document is always a match: the registry holds one person per document."""
        compared: set = set()
        found = []
        for key in block_keys(row):
            members = self.by_key.get(key, ())
            if len(members) > self.max_block:
                members = [member for member in members if member[0][NAME] == row[NAME]]
            for other, label in members:
                if label in compared:
                    continue
                compared.add(label)
                score, reasons = score_pair(row, other)
                if score >= self.threshold or _same_document(row, other):
                    found.append((label, score, reasons))
        found.sort(key=lambda match: -match[1])
        return found


def _same_document(first: tuple, second: tuple) -> bool:
    return bool(first[ID_NUMBER]) and (first[ID_TYPE], first[ID_NUMBER]) == (
        second[ID_TYPE],
        second[ID_NUMBER],
    )


def likely_matches(row: tuple, *, exclude: int | None = None) -> list[tuple[int, float, list]]:
    """(person id, score, reasons) of the registered people one row (a person being captured)
    may be, best first: the capture-time check."""
    pool = Pool()
    for other in read_rows(candidate_ids([row], by_district=True) - {exclude, None}):
        pool.add(other, other[PK])
    return pool.matches(row)
