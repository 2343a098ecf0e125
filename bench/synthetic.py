"""A synthetic national registry: people in households across all 77 provinces, with planted
near-duplicates recorded as ground truth. Used by `bench/generate` and the tests.

Deterministic for a given seed. PostgreSQL: COPY (psycopg 3) into the tables, secondary indexes
dropped during the load and rebuilt after; SQLite: bulk_create.
"""

import csv
import datetime as dt
import functools
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone
from pythainlp.corpus import thai_family_names, thai_female_names, thai_male_names

from asa.centers.models import Center
from asa.geo.models import Subdistrict
from asa.lib.crypto import encrypt, identity_hash, phone_hash
from asa.lib.national_id import make_national_id
from asa.lib.thai_text import name_key, sound_key
from asa.registry.models import (
    BirthDatePrecision,
    Household,
    HouseholdMembership,
    IdType,
    Person,
    Relationship,
    TargetGroup,
)

SOURCE = "bench"
DUPLICATE_SHARE = 0.05
# How a planted duplicate came about, in rough proportions of what registries hold. Any of them
# may also carry a misspelling ("+misspelt"). The registry refuses one document twice, so each
# has its ID missing (moved and married: always) or mistyped.
DUPLICATE_KINDS = {
    "typo": 30,  # typed again in the same place: tone marks, spelling, title, phone
    "moved": 20,  # registered again after moving within the province: new phone, no ID
    "married": 15,  # นางสาว → นาง, a new family name, same given name and birth date
    "birth_year": 15,  # the birth date known only by its year (1 January, or year only)
    "swapped": 10,  # day and month swapped
    "thai_variants": 10,  # ศ/ส, ธ/ท, ณ/น, ใ/ไ, a decomposed ำ
}
MISSPELT_SHARE = 0.35
# People who look alike and are not the same person, planted or recorded as they come.
NAMESAKE_SHARE = 0.01  # the same name, born the same year, in another province
TODAY = dt.date(2025, 6, 1)

PERSON_COLUMNS = [
    "id",
    "title",
    "first_name",
    "last_name",
    "name_en",
    "id_type",
    "id_number",
    "birth_date",
    "birth_date_precision",
    "sex",
    "phone",
    "nationality",
    "disability_type",
    "disability_card_number",
    "notes",
    "name_key",
    "first_name_sound",
    "last_name_sound",
    "phone_hash",
    "id_number_hash",
    "source",
    "source_ref",
    "house_number",
    "moo",
    "village",
    "soi",
    "road",
    "subdistrict_id",
    "postal_code",
    "district_id",
    "province_id",
    "center_id",
    "created_at",
    "updated_at",
    "version",
]
HOUSEHOLD_COLUMNS = [
    "id",
    "code",
    "head_id",
    "source",
    "source_ref",
    "house_number",
    "moo",
    "village",
    "soi",
    "road",
    "subdistrict_id",
    "postal_code",
    "district_id",
    "province_id",
    "center_id",
    "created_at",
    "updated_at",
    "version",
]
MEMBERSHIP_COLUMNS = ["household_id", "person_id", "relationship", "started_on"]
COLUMN = {name: position for position, name in enumerate(PERSON_COLUMNS)}

# Household sizes and their shares: a mean of about 2.9, so 1,000,000 people make ~330,000.
HOUSEHOLD_SIZES = [1, 2, 3, 4, 5, 6, 7]
HOUSEHOLD_WEIGHTS = [18, 25, 25, 17, 9, 4, 2]
# Spelling variants people really write for the same name (both directions are planted).
SPELLING_VARIANTS = [
    ("ศ", "ส"),
    ("ษ", "ส"),
    ("ณ", "น"),
    ("ธ", "ท"),
    ("ภ", "พ"),
    ("ฐ", "ถ"),
    ("ญ", "ย"),
    ("ฎ", "ด"),
    ("ฬ", "ล"),
    ("ร", "ล"),
]
TONE_MARKS = "\u0e48\u0e49\u0e4a\u0e4b"
THAI_CONSONANTS = "กขคงจฉชซญดตถทธนบปผพฟภมยรลวศษสหอฮ"
ROADS = ["พหลโยธิน", "สุขุมวิท", "เพชรเกษม", "มิตรภาพ", "รามอินทรา", "ลาดพร้าว", "ประชาอุทิศ", "เทศบาล 1"]
VILLAGES = ["ชุมชนร่วมใจ", "บ้านหนองบัว", "บ้านโคกสูง", "ชุมชนริมคลอง", "บ้านดอนแดง", "บ้านใหม่"]
FOREIGN_NATIONALITIES = ["เมียนมา", "กัมพูชา", "ลาว", "ไร้สัญชาติ"]


@dataclass
class Result:
    people: int = 0
    households: int = 0
    memberships: int = 0
    target_groups: int = 0
    planted_pairs: int = 0
    seconds: float = 0.0
    planted_file: str = ""
    timings: dict = field(default_factory=dict)


@lru_cache(maxsize=200_000)
def _name_key(first: str, last: str) -> str:
    return name_key(f"{first}{last}")


@lru_cache(maxsize=200_000)
def _sound(name: str) -> str:
    return sound_key(name)


class Generator:
    def __init__(self, *, people: int, seed: int = 2568, duplicate_share: float = DUPLICATE_SHARE):
        self.total = people
        self.random = random.Random(seed)
        self.duplicate_share = duplicate_share
        self.female = sorted(n for n in thai_female_names() if 2 <= len(n) <= 12)
        self.male = sorted(n for n in thai_male_names() if 2 <= len(n) <= 12)
        self.family = sorted(n for n in thai_family_names() if 3 <= len(n) <= 16)
        self.used_ids: set[str] = set()
        self.lookalikes: list[tuple[int, int, str]] = []  # (pk, pk, kind): must not match
        self.last_person_id = 0
        self.now = timezone.now()
        self._areas()

    # --- areas ---------------------------------------------------------------------------------

    def _areas(self) -> None:
        centers = dict(Center.objects.values_list("district_id", "pk"))
        self.subdistricts = []
        weights = []
        self.by_district: dict[str, list[tuple]] = defaultdict(list)
        self.by_province: dict[str, list[tuple]] = defaultdict(list)
        for code, district, postal_codes in Subdistrict.objects.order_by("code").values_list(
            "code", "district_id", "postal_codes"
        ):
            area = (code, district, district[:2], postal_codes.split()[0], centers.get(district))
            self.subdistricts.append(area)
            self.by_district[district].append(area)
            self.by_province[district[:2]].append(area)
            # Bangkok and the big cities' subdistricts hold many more people than a rural one.
            base = 6 if code.startswith("10") else 1
            weights.append(base * self.random.lognormvariate(0, 0.6))
        if not self.subdistricts:
            raise RuntimeError("ไม่มีข้อมูลแขวง/ตำบล: ต้อง migrate ฐานข้อมูลก่อน")
        total = sum(weights)
        running, self.cumulative = 0.0, []
        for weight in weights:
            running += weight / total
            self.cumulative.append(running)

    def _subdistrict(self) -> tuple:
        return self.random.choices(self.subdistricts, cum_weights=self.cumulative)[0]

    # --- one person ----------------------------------------------------------------------------

    def national_id(self, born: dt.date | None) -> str:
        kind = "1" if born is None or born.year >= 1984 else "3"
        while True:
            number = make_national_id(kind + str(self.random.randrange(10**10, 10**11)))
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def _unique(self, make) -> str:
        while (number := make()) in self.used_ids:
            pass
        self.used_ids.add(number)
        return number

    def phone(self) -> str:
        return f"0{self.random.choice('689')}{self.random.randrange(10**7, 10**8)}"

    def birth(self, low_age: int, high_age: int) -> dt.date:
        age = self.random.randint(max(0, low_age), max(0, min(100, high_age)))
        return dt.date(TODAY.year - age, self.random.randint(1, 12), self.random.randint(1, 28))

    def person(self, *, pk, sex, born, last, address, phone, exact=False) -> list:
        pick = self.random.random()
        if sex == "male":
            first = self.random.choice(self.male)
            title = "เด็กชาย" if TODAY.year - born.year < 15 else "นาย"
        else:
            first = self.random.choice(self.female)
            title = (
                "เด็กหญิง" if TODAY.year - born.year < 15 else self.random.choice(["นาง", "นางสาว"])
            )
        nationality = "ไทย"
        if pick < 0.85:
            id_type, id_number = IdType.NATIONAL_ID, self.national_id(born)
        elif pick < 0.94:
            id_type, id_number = IdType.NONE, ""
        elif pick < 0.98:
            id_type = IdType.NON_THAI_ID
            id_number = self._unique(
                lambda: make_national_id("0" + str(self.random.randrange(10**10, 10**11)))
            )
            nationality = self.random.choice(FOREIGN_NATIONALITIES)
        else:
            id_type = IdType.PASSPORT
            id_number = self._unique(lambda: f"M{self.random.randrange(10**7, 10**8)}")
            nationality = self.random.choice(FOREIGN_NATIONALITIES[:3])
        precision = BirthDatePrecision.EXACT
        chance = 1.0 if exact else self.random.random()
        if chance < 0.04:
            born, precision = dt.date(born.year, 1, 1), BirthDatePrecision.YEAR
        elif chance < 0.06:
            born, precision = None, BirthDatePrecision.UNKNOWN
        disabled = self.random.random() < 0.05
        subdistrict, district, province, postal_code, center = address["area"]
        return [
            pk,
            title,
            first,
            last,
            "",
            id_type,
            id_number,
            born,
            precision,
            sex,
            phone,
            nationality,
            "ความพิการทางการเคลื่อนไหวหรือทางร่างกาย" if disabled else "",
            "",
            "",
            _name_key(first, last),
            _sound(first),
            _sound(last),
            phone_hash(phone),
            identity_hash(id_number),
            SOURCE,
            "",
            address["house_number"],
            address["moo"],
            address["village"],
            address["soi"],
            address["road"],
            subdistrict,
            postal_code,
            district,
            province,
            center,
            self.now,
            self.now,
            1,
        ]

    def address(self) -> dict:
        area = self._subdistrict()
        bangkok = area[0].startswith("10")
        return {
            "area": area,
            "house_number": f"{self.random.randint(1, 999)}/{self.random.randint(1, 99)}",
            "moo": "" if bangkok else str(self.random.randint(1, 15)),
            "village": self.random.choice(VILLAGES) if self.random.random() < 0.4 else "",
            "soi": str(self.random.randint(1, 120)) if bangkok else "",
            "road": self.random.choice(ROADS) if bangkok else "",
        }

    # --- households ----------------------------------------------------------------------------

    def households(self, count_people: int):
        """Yield (household row, [(person row, relationship)]) until count_people are made."""
        made, household_id = 0, 0
        while made < count_people:
            size = min(
                self.random.choices(HOUSEHOLD_SIZES, weights=HOUSEHOLD_WEIGHTS)[0],
                count_people - made,
            )
            household_id += 1
            address = self.address()
            surname = self.random.choice(self.family)
            head_sex = self.random.choice(["female", "male"])
            head_born = self.birth(25, 85)
            self.shared_phone = self.phone() if self.random.random() < 0.75 else ""
            members = []

            def add(
                sex, born, relationship, last=surname, exact=False, *, home=address, into=members
            ):
                # Bound as defaults: the closure lives for this household only.
                into.append((self._member(sex, born, last, home, exact), relationship))

            add(head_sex, head_born, Relationship.HEAD)
            head_age = TODAY.year - head_born.year
            for index in range(1, size):
                sex = self.random.choice(["female", "male"])
                if index == 1 and self.random.random() < 0.7:
                    sex = "male" if head_sex == "female" else "female"
                    kept = self.random.random() < 0.7
                    last = surname if kept else self.random.choice(self.family)
                    add(sex, self.birth(head_age - 8, head_age + 8), Relationship.SPOUSE, last)
                elif index == size - 1 and head_age < 55 and self.random.random() < 0.3:
                    add(sex, self.birth(head_age + 20, head_age + 35), Relationship.PARENT)
                elif head_age > 60 and self.random.random() < 0.5:
                    add(sex, self.birth(0, 17), Relationship.GRANDCHILD)
                else:
                    born = self.birth(head_age - 42, head_age - 18)
                    twins = made + len(members) + 1 < count_people and self.random.random() < 0.02
                    add(sex, born, Relationship.CHILD, exact=twins)
                    if twins:
                        # Twins: same family, same birth date, different names and IDs.
                        twin_sex = self.random.choice(["female", "male"])
                        add(twin_sex, born, Relationship.CHILD, exact=True)
                        self.lookalikes.append((members[-2][0][0], members[-1][0][0], "twins"))
            head = members[0][0]
            daughters = [
                row
                for row, relationship in members[1:]
                if relationship == Relationship.CHILD and row[COLUMN["sex"]] == "female"
            ]
            if head[COLUMN["sex"]] == "female" and daughters:
                # Mother and daughter: one address, family name and often one phone.
                self.lookalikes.append((head[0], daughters[0][0], "mother_daughter"))
            made += len(members)
            subdistrict, district, province, postal_code, center = address["area"]
            household = [
                household_id,
                f"BH{household_id:08d}",
                members[0][0][0],
                SOURCE,
                "",
                address["house_number"],
                address["moo"],
                address["village"],
                address["soi"],
                address["road"],
                subdistrict,
                postal_code,
                district,
                province,
                center,
                self.now,
                self.now,
                1,
            ]
            yield household, members

    def _member(self, sex, born, last, address, exact) -> list:
        self.last_person_id += 1
        # Half the members give the household's phone; some have their own.
        chance = self.random.random()
        phone = self.shared_phone if chance < 0.5 else (self.phone() if chance < 0.75 else "")
        return self.person(
            pk=self.last_person_id,
            sex=sex,
            born=born,
            last=last,
            address=address,
            phone=phone,
            exact=exact,
        )

    # --- planted near-duplicates ---------------------------------------------------------------

    def _tone(self, name: str) -> str | None:
        marks = [i for i, char in enumerate(name) if char in TONE_MARKS]
        if marks:
            i = self.random.choice(marks)
            if self.random.random() < 0.5:
                return name[:i] + name[i + 1 :]
            return name[:i] + self.random.choice(TONE_MARKS.replace(name[i], "")) + name[i + 1 :]
        consonants = [i for i, char in enumerate(name) if char in THAI_CONSONANTS]
        if not consonants:
            return None
        i = self.random.choice(consonants)
        return name[: i + 1] + self.random.choice(TONE_MARKS[:2]) + name[i + 1 :]

    def _spelling(self, name: str) -> str | None:
        options = [
            (left, right)
            for one, other in SPELLING_VARIANTS
            for left, right in ((one, other), (other, one))
            if left in name
        ]
        if not options:
            return None
        left, right = self.random.choice(options)
        return name.replace(left, right, 1)

    def duplicate(self, original: list, pk: int) -> tuple[list, list[str]]:
        """A second record of the same person; returns it and its kind ("moved+misspelt")."""
        row = list(original)
        row[0] = pk
        kinds, weights = zip(*DUPLICATE_KINDS.items(), strict=True)
        while True:
            kind = self.random.choices(kinds, weights=weights)[0]
            if self._plant(row, kind):
                break
            row = list(original)
            row[0] = pk
        # The registry refuses the same document twice: a duplicate has it missing or mistyped.
        if row[COLUMN["id_number"]]:
            if kind in ("moved", "married") or self.random.random() < 0.6:
                row[COLUMN["id_type"]], row[COLUMN["id_number"]] = IdType.NONE, ""
            else:
                row[COLUMN["id_number"]] = self._id_typo(row[COLUMN["id_number"]])
            row[COLUMN["id_number_hash"]] = identity_hash(row[COLUMN["id_number"]])
        changes = [kind]
        misspelt = kind != "thai_variants" and self.random.random() < MISSPELT_SHARE
        if misspelt and self._vary(row, self.random.choice(["tone", "spelling"])):
            changes.append("misspelt")
        return row, changes

    def _plant(self, row: list, kind: str) -> bool:
        if kind == "typo":
            options = ["tone", "spelling", "phone", "title"]
            self.random.shuffle(options)
            wanted = self.random.choices([1, 2], weights=[70, 30])[0]
            done = sum(1 for option in options[:wanted] if self._vary(row, option))
            return done > 0
        if kind == "moved":
            return self._move(row, same_district=self.random.random() < 0.5) and self._vary(
                row, "phone"
            )
        if kind == "married":
            born = row[COLUMN["birth_date"]]
            adult = born is not None and TODAY.year - born.year >= 18
            if row[COLUMN["title"]] != "นางสาว" or not adult:
                return False  # registered before her marriage as นางสาว
            row[COLUMN["title"]] = "นาง"
            row[COLUMN["last_name"]] = self.random.choice(self.family)
            self._rekey(row)
            if self.random.random() < 0.5:
                self._move(row, same_district=self.random.random() < 0.5)
            self._vary(row, "phone")
            return True
        if kind == "birth_year":
            born = row[COLUMN["birth_date"]]
            if born is None or row[COLUMN["birth_date_precision"]] != BirthDatePrecision.EXACT:
                return False
            row[COLUMN["birth_date"]] = dt.date(born.year, 1, 1)
            if self.random.random() < 0.5:  # else kept as an "exact" 1 January
                row[COLUMN["birth_date_precision"]] = BirthDatePrecision.YEAR
            return born != dt.date(born.year, 1, 1)
        if kind == "swapped":
            return self._vary(row, "swap")
        if kind == "thai_variants":
            return self._thai_variant(row)
        return False

    def _rekey(self, row: list) -> None:
        first, last = row[COLUMN["first_name"]], row[COLUMN["last_name"]]
        row[COLUMN["name_key"]] = _name_key(first, last)
        row[COLUMN["first_name_sound"]] = _sound(first)
        row[COLUMN["last_name_sound"]] = _sound(last)

    def _move(self, row: list, *, same_district: bool) -> bool:
        pool = (
            self.by_district[row[COLUMN["district_id"]]]
            if same_district
            else self.by_province[row[COLUMN["province_id"]]]
        )
        others = [area for area in pool if area[0] != row[COLUMN["subdistrict_id"]]]
        if not others:
            return False
        subdistrict, district, province, postal_code, center = self.random.choice(others)
        row[COLUMN["subdistrict_id"]], row[COLUMN["postal_code"]] = subdistrict, postal_code
        row[COLUMN["district_id"]], row[COLUMN["province_id"]] = district, province
        row[COLUMN["center_id"]] = center
        row[COLUMN["house_number"]] = f"{self.random.randint(1, 999)}"
        return True

    def _thai_variant(self, row: list) -> bool:
        """A letter written as another that sounds the same, or ำ typed as ํ + า."""
        column = COLUMN[self.random.choice(["first_name", "last_name"])]
        name = row[column]
        pairs = [
            ("ศ", "ส"),
            ("ส", "ศ"),
            ("ธ", "ท"),
            ("ท", "ธ"),
            ("ณ", "น"),
            ("น", "ณ"),
            ("ใ", "ไ"),
            ("ไ", "ใ"),
            ("ำ", "\u0e4d\u0e32"),
        ]
        options = [(left, right) for left, right in pairs if left in name]
        if not options:
            return False
        left, right = self.random.choice(options)
        row[column] = name.replace(left, right, 1)
        self._rekey(row)
        return True

    def namesake(self, original: list, pk: int) -> list | None:
        """Someone else with the same name, born the same year, in another province."""
        born = original[COLUMN["birth_date"]]
        if born is None:
            return None
        row = list(original)
        row[0] = pk
        provinces = [code for code in self.by_province if code != original[COLUMN["province_id"]]]
        area = self.random.choice(self.by_province[self.random.choice(provinces)])
        subdistrict, district, province, postal_code, center = area
        row[COLUMN["subdistrict_id"]], row[COLUMN["postal_code"]] = subdistrict, postal_code
        row[COLUMN["district_id"]], row[COLUMN["province_id"]] = district, province
        row[COLUMN["center_id"]] = center
        other_day = dt.date(born.year, self.random.randint(1, 12), self.random.randint(1, 28))
        row[COLUMN["birth_date"]] = other_day
        row[COLUMN["birth_date_precision"]] = BirthDatePrecision.EXACT
        phone = self.phone()
        row[COLUMN["phone"]], row[COLUMN["phone_hash"]] = phone, phone_hash(phone)
        if row[COLUMN["id_number"]]:
            row[COLUMN["id_type"]] = IdType.NATIONAL_ID
            row[COLUMN["id_number"]] = self.national_id(other_day)
            row[COLUMN["id_number_hash"]] = identity_hash(row[COLUMN["id_number"]])
        return row

    def _vary(self, row: list, option: str) -> bool:
        if option in ("tone", "spelling"):
            column = COLUMN[self.random.choice(["first_name", "last_name"])]
            changed = (self._tone if option == "tone" else self._spelling)(row[column])
            if not changed or changed == row[column]:
                return False
            row[column] = changed
            first, last = row[COLUMN["first_name"]], row[COLUMN["last_name"]]
            row[COLUMN["name_key"]] = _name_key(first, last)
            row[COLUMN["first_name_sound"]] = _sound(first)
            row[COLUMN["last_name_sound"]] = _sound(last)
            return True
        if option == "swap":
            born = row[COLUMN["birth_date"]]
            if (
                born is None
                or row[COLUMN["birth_date_precision"]] != BirthDatePrecision.EXACT
                or born.day > 12
                or born.day == born.month
            ):
                return False
            row[COLUMN["birth_date"]] = dt.date(born.year, born.day, born.month)
            return True
        if option == "phone":
            phone = self.phone() if self.random.random() < 0.6 else ""
            row[COLUMN["phone"]], row[COLUMN["phone_hash"]] = phone, phone_hash(phone)
            return True
        if option == "moved":
            others = [
                area
                for area in self.by_district[row[COLUMN["district_id"]]]
                if area[0] != row[COLUMN["subdistrict_id"]]
            ]
            if not others:
                return False
            area = self.random.choice(others)
            row[COLUMN["subdistrict_id"]], row[COLUMN["postal_code"]] = area[0], area[3]
            row[COLUMN["house_number"]] = f"{self.random.randint(1, 999)}"
            return True
        if option == "title":
            row[COLUMN["title"]] = {"นาง": "นางสาว", "นางสาว": "นาง"}.get(row[COLUMN["title"]], "")
            return True
        return False

    def _id_typo(self, number: str) -> str:
        """One mistyped digit; national IDs keep a valid check digit (as a form would force)."""
        while True:
            position = self.random.randrange(1, min(12, len(number)))
            digit = self.random.choice([d for d in "0123456789" if d != number[position]])
            typed = number[:position] + digit + number[position + 1 :]
            if len(number) == 13 and number.isdigit():
                typed = make_national_id(typed[:12])
            if typed not in self.used_ids and typed != number:
                self.used_ids.add(typed)
                return typed

    # --- target groups -------------------------------------------------------------------------

    def target_groups(self, row: list, codes: dict[str, int], vulnerable: bool) -> list[int]:
        groups = []
        born = row[COLUMN["birth_date"]]
        age = TODAY.year - born.year if born else None
        if age is not None:
            if age < 18:
                groups.append(codes["child"])
            elif age < 25:
                groups.append(codes["youth"])
            if age >= 60:
                groups.append(codes["elderly"])
        if row[COLUMN["sex"]] == "female" and (age or 30) >= 18 and self.random.random() < 0.2:
            groups.append(codes["woman"])
        if row[COLUMN["disability_type"]]:
            groups.append(codes["disability"])
        if self.random.random() < 0.4:
            groups.append(codes["low_income"])
        if self.random.random() < 0.01:
            groups.append(codes["homeless"])
        if vulnerable:
            groups.append(codes["vulnerable_household"])
        return groups


# --- Loading -----------------------------------------------------------------------------------


def generate(
    *,
    people: int,
    seed: int = 2568,
    out_dir: Path,
    reset: bool = False,
    duplicate_share: float = DUPLICATE_SHARE,
    say=None,
) -> Result:
    """Build the dataset in the default database; write the planted pairs to out_dir."""
    say = say or functools.partial(print, flush=True)
    started = time.monotonic()
    result = Result()
    if Person.objects.exists():
        if not reset:
            raise RuntimeError("ฐานข้อมูลมีข้อมูลบุคคลอยู่แล้ว ใช้ --reset เพื่อล้างข้อมูลทะเบียนก่อน")
        _clear()
    generator = Generator(people=people, seed=seed, duplicate_share=duplicate_share)
    duplicates = round(people * duplicate_share)
    namesakes = round(people * NAMESAKE_SHARE)
    codes = dict(TargetGroup.objects.values_list("code", "pk"))

    person_rows, household_rows, membership_rows, group_rows = [], [], [], []
    started_on = dt.date(2024, 10, 1)
    for household, members in generator.households(people - duplicates - namesakes):
        household_rows.append(household)
        vulnerable = generator.random.random() < 0.2
        for row, relationship in members:
            person_rows.append(row)
            membership_rows.append((household[0], row[0], relationship.value, started_on))
            group_rows.extend(
                (row[0], group) for group in generator.target_groups(row, codes, vulnerable)
            )
    result.timings["build_people"] = round(time.monotonic() - started, 1)

    planted = []
    originals = generator.random.sample(range(len(person_rows)), duplicates)
    next_pk = len(person_rows) + 1
    for offset, index in enumerate(originals):
        original = person_rows[index]
        row, changes = generator.duplicate(original, next_pk + offset)
        person_rows.append(row)
        group_rows.extend((row[0], group) for group in generator.target_groups(row, codes, False))
        planted.append((original[0], row[0], "+".join(changes)))
    next_pk += duplicates
    made = 0
    while made < namesakes:
        original = person_rows[generator.random.randrange(len(person_rows) - duplicates)]
        row = generator.namesake(original, next_pk + made)
        if row is None:
            continue
        person_rows.append(row)
        generator.lookalikes.append((original[0], row[0], "namesake"))
        made += 1
    result.timings["build_duplicates"] = round(time.monotonic() - started, 1)
    say(f"สร้างข้อมูลในหน่วยความจำแล้ว {len(person_rows):,} คน ({time.monotonic() - started:.1f} วินาที)")

    load = _copy if connection.vendor == "postgresql" else _bulk_create
    load(person_rows, household_rows, membership_rows, group_rows, say=say, result=result)

    out_dir.mkdir(parents=True, exist_ok=True)
    planted_file = out_dir / "planted_pairs.csv"
    with planted_file.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["original_id", "duplicate_id", "variations"])
        writer.writerows(planted)
    with (out_dir / "lookalike_pairs.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["first_id", "second_id", "kind"])
        writer.writerows(generator.lookalikes)
    result.people = len(person_rows)
    result.households = len(household_rows)
    result.memberships = len(membership_rows)
    result.target_groups = len(group_rows)
    result.planted_pairs = len(planted)
    result.planted_file = str(planted_file)
    result.seconds = round(time.monotonic() - started, 1)
    return result


def _clear() -> None:
    tables = [
        "registry_duplicatecandidate",
        "registry_merge",
        "registry_householdmembership",
        "registry_householdassessment",
        "registry_person_target_groups",
        "registry_personproblem",
        "registry_consent",
        "registry_household",
        "registry_person",
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")


def _bulk_create(person_rows, household_rows, membership_rows, group_rows, *, say, result):
    started = time.monotonic()
    with transaction.atomic():
        Person.objects.bulk_create(
            (Person(**dict(zip(PERSON_COLUMNS, row, strict=True))) for row in person_rows),
            batch_size=500,
        )
        Household.objects.bulk_create(
            (Household(**dict(zip(HOUSEHOLD_COLUMNS, row, strict=True))) for row in household_rows),
            batch_size=500,
        )
        HouseholdMembership.objects.bulk_create(
            (
                HouseholdMembership(**dict(zip(MEMBERSHIP_COLUMNS, row, strict=True)))
                for row in membership_rows
            ),
            batch_size=500,
        )
        through = Person.target_groups.through
        through.objects.bulk_create(
            (through(person_id=person, targetgroup_id=group) for person, group in group_rows),
            batch_size=500,
        )
    result.timings["load"] = round(time.monotonic() - started, 1)
    say(f"บันทึกด้วย bulk_create แล้ว ({result.timings['load']:.1f} วินาที)")


def _sealed(columns: list[str], rows):
    """The rows as stored: ID and phone numbers encrypted (asa.lib.crypto); the hashes were
    computed with the rows."""
    if columns is not PERSON_COLUMNS:
        yield from rows
        return
    id_number, phone = COLUMN["id_number"], COLUMN["phone"]
    for row in rows:
        row = list(row)
        row[id_number], row[phone] = encrypt(row[id_number]), encrypt(row[phone])
        yield row


def _copy(person_rows, household_rows, membership_rows, group_rows, *, say, result):
    """COPY into each table with its secondary indexes dropped, then rebuild them."""
    tables = [
        ("registry_person", PERSON_COLUMNS, person_rows),
        ("registry_household", HOUSEHOLD_COLUMNS, household_rows),
        ("registry_householdmembership", MEMBERSHIP_COLUMNS, membership_rows),
        ("registry_person_target_groups", ["person_id", "targetgroup_id"], group_rows),
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for table, columns, rows in tables:
            started = time.monotonic()
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
                "AND indexname NOT IN (SELECT conname FROM pg_constraint)",
                [table],
            )
            indexes = cursor.fetchall()
            # Foreign keys too: deferred checks would queue a trigger event per row, and adding
            # a key back validates the whole table in one join.
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'f'",
                [table],
            )
            foreign_keys = cursor.fetchall()
            for name, _definition in foreign_keys:
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            for index_name, _definition in indexes:
                cursor.execute(f'DROP INDEX "{index_name}"')
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in _sealed(columns, rows):
                    copy.write_row(row)
            loaded = time.monotonic() - started
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            for _index_name, definition in indexes:
                cursor.execute(definition)
            for name, definition in foreign_keys:
                cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            if "id" in columns:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
            result.timings[table] = round(time.monotonic() - started, 1)
            say(
                f"{table}: {len(rows):,} แถว COPY {loaded:.1f} วินาที "
                f"(~{len(rows) / max(loaded, 0.001):,.0f} แถว/วินาที), "
                f"สร้างดัชนี {len(indexes)} ตัวและ foreign key {len(foreign_keys)} ตัวใหม่ "
                f"{time.monotonic() - started - loaded:.1f} วินาที"
            )
        cursor.execute(
            "ANALYZE registry_person, registry_household, registry_householdmembership, "
            "registry_person_target_groups"
        )


def open_centers() -> int:
    """The demo users and centers, then a coordination center in every other district."""
    from asa.centers.actions import open_center
    from asa.centers.demo import load_demo
    from asa.geo.models import District

    load_demo()
    taken = set(Center.objects.values_list("district_id", flat=True))
    opened = 0
    for district in District.objects.exclude(code__in=taken).order_by("code"):
        subdistrict = Subdistrict.objects.filter(district=district).order_by("code").first()
        if subdistrict is None:
            continue
        open_center(
            actor=None,
            code=f"C-{district.code}",
            name_th=f"ศูนย์ประสานงาน อพม. {district.name_th}",
            subdistrict=subdistrict,
            opened_on=dt.date(2019, 10, 1),
        )
        opened += 1
    return opened
