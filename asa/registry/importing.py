"""Import people and households from CSV and XLSX: the import actions and the engine.

`start_import` checks and stores an uploaded file and opens an ImportJob; `run_import(job_id)`
imports it in batches of BATCH_SIZE rows, each batch in one transaction that also records the
row results and the job's progress, so a killed import re-run resumes after the last committed
batch with nothing lost or doubled. `import_file` does both in the foreground (CLI, benchmark).

Rows are validated with the registry's own rules (`check_person`) without a query per row:
areas, centers, target groups and problem types are loaded once into dictionaries, and each
batch asks the database a fixed handful of questions (existing source refs, identity numbers,
phones, sound-alike names) before writing plain tuples with COPY (`insert_rows`). On
PostgreSQL a BatchWriter thread commits each batch while the next one is read and checked.
The format is in docs/import-format.md.
"""

import csv
import datetime as dt
import hashlib
import io
import queue
import re
import threading
import uuid
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import Enum
from functools import partial
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from asa.accounts.access import Scope, scope_of
from asa.accounts.events import record_event
from asa.centers.models import Center
from asa.geo.models import Subdistrict
from asa.lib.crypto import encrypt, identity_hash, phone_hash
from asa.lib.env import envint
from asa.lib.thai import BE_OFFSET, THAI_MONTHS, THAI_MONTHS_SHORT, to_arabic_digits
from asa.lib.thai_text import name_key, sound_key
from asa.registry import actions
from asa.registry.models import (
    BirthDatePrecision,
    Household,
    HouseholdMembership,
    IdType,
    ImportJob,
    ImportRowResult,
    ImportStatus,
    Person,
    PersonProblem,
    ProblemType,
    Relationship,
    RowOutcome,
    Severity,
    Sex,
    TargetGroup,
)
from asa.reports.actions import mark_people_rollups_stale, mark_rollups_stale_many

BATCH_SIZE = 5000
DEFAULT_MAX_BYTES = 20 * 1024 * 1024

# The stable import format (docs/import-format.md). Order is the template's column order.
COLUMNS = [
    "source_ref",
    "national_id",
    "id_type",
    "title",
    "first_name",
    "last_name",
    "birth_date",
    "sex",
    "phone",
    "house_number",
    "moo",
    "village",
    "soi",
    "road",
    "subdistrict_code",
    "postal_code",
    "latitude",
    "longitude",
    "household_ref",
    "relationship_to_head",
    "target_groups",
    "problems",
]
THAI_HEADERS = {
    "source_ref": "รหัสอ้างอิง",
    "national_id": "เลขประจำตัวประชาชน",
    "id_type": "ประเภทเอกสาร",
    "title": "คำนำหน้า",
    "first_name": "ชื่อ",
    "last_name": "นามสกุล",
    "birth_date": "วันเกิด",
    "sex": "เพศ",
    "phone": "โทรศัพท์",
    "house_number": "บ้านเลขที่",
    "moo": "หมู่",
    "village": "หมู่บ้าน",
    "soi": "ซอย",
    "road": "ถนน",
    "subdistrict_code": "รหัสตำบล",
    "postal_code": "รหัสไปรษณีย์",
    "latitude": "ละติจูด",
    "longitude": "ลองจิจูด",
    "household_ref": "รหัสครัวเรือน",
    "relationship_to_head": "ความสัมพันธ์กับหัวหน้าครัวเรือน",
    "target_groups": "กลุ่มเป้าหมาย",
    "problems": "ปัญหา",
}
_MORE_ALIASES = {
    "source_ref": ["รหัสอ้างอิงต้นทาง", "ลำดับ", "id", "ref"],
    "national_id": [
        "เลขบัตรประชาชน",
        "เลขประจำตัวประชาชน13หลัก",
        "เลขบัตร",
        "เลขเอกสาร",
        "id_number",
        "cid",
    ],
    "title": ["คำนำหน้าชื่อ", "prefix"],
    "first_name": ["ชื่อจริง", "ชื่อตัว", "firstname", "name"],
    "last_name": ["สกุล", "lastname", "surname"],
    "birth_date": ["วันเดือนปีเกิด", "วันที่เกิด", "ว/ด/ปเกิด", "birthdate", "dob"],
    "phone": ["เบอร์โทรศัพท์", "เบอร์โทร", "โทร", "หมายเลขโทรศัพท์", "telephone", "mobile"],
    "moo": ["หมู่ที่"],
    "village": ["หมู่บ้าน/ชุมชน", "ชุมชน"],
    "subdistrict_code": ["รหัสแขวง/ตำบล", "รหัสแขวง", "subdistrict", "tambon_code"],
    "household_ref": ["รหัสครอบครัว", "household"],
    "relationship_to_head": ["ความสัมพันธ์", "relationship"],
    "target_groups": ["กลุ่มเป้าหมาย/ประเภท"],
    "problems": ["สภาพปัญหา", "ปัญหาที่พบ"],
}
# Errors name the column of the file, not the model field.
COLUMN_OF_FIELD = {"id_number": "national_id", "subdistrict": "subdistrict_code"}
MAX_LENGTHS = {
    name: Person._meta.get_field(name).max_length
    for name in (
        "title",
        "first_name",
        "last_name",
        "house_number",
        "moo",
        "village",
        "soi",
        "road",
        "phone",
        "source_ref",
    )
}
MAX_LENGTHS["national_id"] = Person._meta.get_field("id_number").max_length
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

NOT_A_SPREADSHEET = "ไฟล์นี้ไม่ใช่ตารางข้อมูล CSV หรือ XLSX ที่อ่านได้ กรุณาตรวจสอบไฟล์"
NO_ROWS = "ไฟล์นี้มีแต่หัวตาราง ไม่มีแถวข้อมูลให้นำเข้า"


def _header_key(text) -> str:
    text = str(text or "").replace("\ufeff", "")
    text = re.sub(r"\(.*?\)|\*", "", text)
    return "".join(text.split()).lower()


HEADER_ALIASES: dict[str, str] = {}
for _column in COLUMNS:
    HEADER_ALIASES[_header_key(_column)] = _column
    HEADER_ALIASES[_header_key(THAI_HEADERS[_column])] = _column
    for _alias in _MORE_ALIASES.get(_column, []):
        HEADER_ALIASES[_header_key(_alias)] = _column


def max_bytes() -> int:
    return getattr(settings, "IMPORT_MAX_BYTES", None) or envint(
        "IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES
    )


# --- Reading files -----------------------------------------------------------------------------


class FileRefused(ValidationError):
    """The whole file cannot be imported; the message (Thai) says why."""

    def __init__(self, message: str):
        super().__init__({"file": message})


def sniff_kind(head: bytes) -> str:
    """'xlsx' or 'csv' from the file's first bytes (its content, not its name)."""
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRefused("ไฟล์ Excel รุ่นเก่า (.xls) อ่านไม่ได้ กรุณาบันทึกเป็น .xlsx หรือ CSV")
    if b"\x00" in head:
        raise FileRefused(NOT_A_SPREADSHEET)
    return "csv"


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM); TIS-620/cp874 when the bytes are not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("cp874")
        except UnicodeDecodeError:
            raise FileRefused(
                "อ่านอักขระในไฟล์ไม่ได้ (ไม่ใช่ UTF-8 หรือ TIS-620) กรุณาบันทึกเป็น CSV UTF-8"
            ) from None


@dataclass
class Sheet:
    columns: list[str | None]  # canonical column per position, None when not ours
    rows: object  # iterator of lists of cell values
    total: int
    ignored_headers: list[str] = field(default_factory=list)


def _map_header(header: list) -> tuple[list[str | None], list[str]]:
    columns, ignored, seen = [], [], set()
    for cell in header:
        column = HEADER_ALIASES.get(_header_key(cell))
        if column in seen:
            column = None
        if column is None and str(cell or "").strip():
            ignored.append(str(cell).strip())
        seen.add(column)
        columns.append(column)
    if "first_name" not in columns:
        known = [column for column in columns if column]
        if not known:
            raise FileRefused(NOT_A_SPREADSHEET + " (แถวแรกต้องเป็นหัวคอลัมน์ เช่น first_name หรือ ชื่อ)")
        raise FileRefused("ไม่พบคอลัมน์ first_name (ชื่อ) ในแถวหัวตาราง")
    return columns, ignored


def open_sheet(path: str | Path) -> Sheet:
    """Open a CSV or XLSX file for reading rows; FileRefused (Thai) when it is not one."""
    path = Path(path)
    with path.open("rb") as handle:
        head = handle.read(8)
    kind = sniff_kind(head)
    if kind == "xlsx":
        return _open_xlsx(path)
    text = decode_text(path.read_bytes())
    if not text.strip():
        raise FileRefused("ไฟล์ว่างเปล่า ไม่มีข้อมูล")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
        columns, ignored = _map_header(header)
        total = sum(1 for row in reader if any(cell.strip() for cell in row))
    except csv.Error:
        raise FileRefused(NOT_A_SPREADSHEET) from None
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    next(reader)
    return Sheet(columns=columns, rows=reader, total=total, ignored_headers=ignored)


def _open_xlsx(path: Path) -> Sheet:
    from openpyxl import load_workbook

    try:
        # A file object: the content decides, not the name (openpyxl refuses a .csv path).
        workbook = load_workbook(path.open("rb"), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        raise FileRefused(NOT_A_SPREADSHEET) from None
    worksheet = workbook.worksheets[0]
    rows = worksheet.iter_rows(values_only=True)
    try:
        header = next(rows)
    except StopIteration:
        raise FileRefused("ไฟล์ว่างเปล่า ไม่มีข้อมูล") from None
    columns, ignored = _map_header(list(header))
    total = max((worksheet.max_row or 1) - 1, 0)
    return Sheet(columns=columns, rows=rows, total=total, ignored_headers=ignored)


# --- Reading cells -----------------------------------------------------------------------------


def cell_text(value) -> str:
    """A cell as text: numbers without '.0', dates ISO, everything else as typed (never run)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return str(value).strip()


_DMY = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
_MONTH_NUMBER = {name: number for number, name in enumerate(THAI_MONTHS, 1)} | {
    name.replace(".", ""): number for number, name in enumerate(THAI_MONTHS_SHORT, 1)
}
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})\s*([\u0e00-\u0e7f.]+)\s*(\d{4})$")
EXCEL_EPOCH = dt.date(1899, 12, 30)


class CellError(ValueError):
    """A cell that cannot be read; the message is Thai."""


def _ce_year(year: int) -> int:
    # A year of 2400 or later is the Buddhist Era (no one alive was born after CE 2400).
    return year - BE_OFFSET if year >= 2400 else year


def _year_only(year: int) -> tuple[dt.date, str]:
    return dt.date(_ce_year(year), 1, 1), BirthDatePrecision.YEAR


def parse_date(value) -> tuple[dt.date | None, str]:
    """(date, precision) from a cell: BE or CE, dd/mm/yyyy, ISO, Excel serial, Thai digits,
    Thai month names; a four-digit year alone means the year is known, not the day."""
    if value is None or value == "":
        return None, BirthDatePrecision.UNKNOWN
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        if value.year >= 2400:  # a BE year typed into a date-formatted cell
            value = value.replace(year=value.year - BE_OFFSET)
        return value, BirthDatePrecision.EXACT
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
        if number.is_integer() and (1800 <= number <= 2200 or 2400 <= number <= 2800):
            return _year_only(int(number))
        if 1 <= number < 2958466:
            return EXCEL_EPOCH + dt.timedelta(days=int(number)), BirthDatePrecision.EXACT
        raise CellError(f"อ่านวันที่ไม่ได้: {value}")
    text = " ".join(to_arabic_digits(str(value)).split())
    try:
        if re.fullmatch(r"\d{4}", text):
            return _year_only(int(text))
        if match := _DMY.match(text):
            day, month, year = (int(part) for part in match.groups())
            return dt.date(_ce_year(year), month, day), BirthDatePrecision.EXACT
        if match := _YMD.match(text):
            year, month, day = (int(part) for part in match.groups())
            return dt.date(_ce_year(year), month, day), BirthDatePrecision.EXACT
        if match := _DAY_MONTH_YEAR.match(text):
            month = _MONTH_NUMBER.get(match.group(2).replace(".", ""))
            if month:
                day, year = int(match.group(1)), int(match.group(3))
                return dt.date(_ce_year(year), month, day), BirthDatePrecision.EXACT
        if re.fullmatch(r"\d+(\.\d+)?", text):
            return parse_date(float(text))
    except ValueError:
        raise CellError(f"ไม่มีวันที่ {value} ในปฏิทิน กรุณาตรวจสอบวัน เดือน ปี") from None
    raise CellError(f"อ่านวันที่ '{value}' ไม่ได้ (ใช้ วว/ดด/ปปปป พ.ศ. หรือ ค.ศ. หรือ ปปปป-ดด-วว)")


SEX_WORDS = {
    "ชาย": Sex.MALE,
    "ช": Sex.MALE,
    "male": Sex.MALE,
    "m": Sex.MALE,
    "หญิง": Sex.FEMALE,
    "ญ": Sex.FEMALE,
    "female": Sex.FEMALE,
    "f": Sex.FEMALE,
    "อื่นๆ": Sex.OTHER,
    "อื่น": Sex.OTHER,
    "other": Sex.OTHER,
    "ไม่ทราบ": Sex.UNKNOWN,
    "unknown": Sex.UNKNOWN,
    "": Sex.UNKNOWN,
}
ID_TYPE_WORDS = (
    {_header_key(value): value for value in IdType.values}
    | {_header_key(str(label)): value for value, label in IdType.choices}
    | {"บัตรประชาชน": IdType.NATIONAL_ID, "passport": IdType.PASSPORT, "ไม่มี": IdType.NONE}
)
RELATIONSHIP_WORDS = (
    {_header_key(value): value for value in Relationship.values}
    | {_header_key(str(label)): value for value, label in Relationship.choices}
    | {
        "หัวหน้า": Relationship.HEAD,
        "ภรรยา": Relationship.SPOUSE,
        "สามี": Relationship.SPOUSE,
        "ลูก": Relationship.CHILD,
        "บุตร": Relationship.CHILD,
        "บิดา": Relationship.PARENT,
        "มารดา": Relationship.PARENT,
        "พ่อ": Relationship.PARENT,
        "แม่": Relationship.PARENT,
        "หลาน": Relationship.GRANDCHILD,
        "ปู่": Relationship.GRANDPARENT,
        "ย่า": Relationship.GRANDPARENT,
        "ตา": Relationship.GRANDPARENT,
        "ยาย": Relationship.GRANDPARENT,
        "พี่": Relationship.SIBLING,
        "น้อง": Relationship.SIBLING,
        "ผู้อาศัย": Relationship.OTHER,
        "อื่นๆ": Relationship.OTHER,
    }
)


# --- The engine --------------------------------------------------------------------------------


@dataclass
class Catalogues:
    """Reference data loaded once per import, so rows are checked without queries."""

    subdistricts: dict[str, Subdistrict]
    center_by_district: dict[str, int]
    target_groups: dict[str, int]
    problem_types: dict[str, int]

    @classmethod
    def load(cls) -> "Catalogues":
        centers: dict[str, int] = {}
        for center_id, district_id in Center.objects.order_by("id").values_list(
            "id", "district_id"
        ):
            centers.setdefault(district_id, center_id)
        return cls(
            subdistricts={sub.code: sub for sub in Subdistrict.objects.all()},
            center_by_district=centers,
            target_groups=_catalogue(TargetGroup),
            problem_types=_catalogue(ProblemType),
        )


def _catalogue(model) -> dict[str, int]:
    found = {}
    for pk, code, name_th, name_en in model.objects.values_list("pk", "code", "name_th", "name_en"):
        for word in (code, name_th, name_en):
            if word:
                found.setdefault(_header_key(word), pk)
    return found


class Row:
    """A checked row: Person field values (`data`), its keys, and what links it."""

    __slots__ = (
        "data",
        "household_ref",
        "keys",
        "number",
        "problems",
        "relationship",
        "source_ref",
        "target_groups",
    )

    def __init__(
        self, number, source_ref, data, target_groups, problems, household_ref, relationship
    ):
        self.number = number  # the row's line in the sheet (header = 1)
        self.source_ref = source_ref
        self.data = data
        self.target_groups = target_groups
        self.problems = problems
        self.household_ref = household_ref
        self.relationship = relationship
        # name_key, first and last name sounds, keyed hashes of the phone and the ID number
        self.keys = ("", "", "", "", "")


class RowError(Exception):
    def __init__(self, errors: dict[str, str]):
        self.errors = errors


def _row_ref(values: dict) -> str:
    """source_ref, or a content hash when the file has none: the same row is the same ref."""
    if values.get("source_ref"):
        return values["source_ref"]
    return _content_ref([values.get(column, "") for column in COLUMNS[1:]])


def _content_ref(texts: list[str]) -> str:
    content = "\x1f".join(texts)
    return "#" + hashlib.sha1(content.encode()).hexdigest()[:24]  # noqa: S324 (not security)


def _list(text: str, lookup: dict[str, int], column: str, errors: dict) -> list[int]:
    found, unknown = [], []
    for word in (part.strip() for part in text.replace("；", ";").split(";")):
        if not word:
            continue
        pk = lookup.get(_header_key(word))
        if pk is None:
            unknown.append(word)
        elif pk not in found:
            found.append(pk)
    if unknown:
        errors[column] = f"ไม่รู้จัก: {', '.join(unknown)} (ใช้รหัสหรือชื่อตามรายการ คั่นด้วย ;)"
    return found


_COLUMN_INDEX = {column: index for index, column in enumerate(COLUMNS)}
_MAX_LENGTH_CHECKS = [
    (column, _COLUMN_INDEX[column], limit) for column, limit in MAX_LENGTHS.items()
]
_NOT_GIVEN = object()


class RowChecker:
    """Checks rows of one sheet: `check_row` with the sheet's column positions worked out once
    and every lookup whose answer depends only on a cell's text (dates, sex, lists, postal
    codes) memoised, since an import repeats those values thousands of times.

    The rules are `actions.check_person`'s, through the same helpers in the same order, so a
    row gets exactly the message the form would give.
    """

    def __init__(self, columns: list[str | None], catalogues: Catalogues, *, today: dt.date):
        positions = {}
        for index, column in enumerate(columns):
            if column is not None:
                positions.setdefault(column, index)
        self.positions = [positions.get(column) for column in COLUMNS]
        self.birth_position = positions.get("birth_date")
        self.catalogues = catalogues
        self.today = today
        self.dates: dict = {}
        self.birth_errors: dict = {}
        self.words: dict = {}
        self.lists: dict = {}
        self.postal: dict = {}

    def _word(self, kind: str, text: str, table: dict):
        key = (kind, text)
        found = self.words.get(key, _NOT_GIVEN)
        if found is _NOT_GIVEN:
            word = _header_key(text)
            found = self.words[key] = table.get(word.rstrip(".") if kind == "sex" else word)
        return found

    def _list(self, text: str, lookup: dict, column: str, errors: dict) -> list[int]:
        key = (column, text)
        found = self.lists.get(key)
        if found is None:
            own: dict[str, str] = {}
            found = self.lists[key] = (_list(text, lookup, column, own), own.get(column))
        if found[1]:
            errors[column] = found[1]
        return found[0]

    def _date(self, value):
        if type(value) is not str:
            return parse_date(value)
        found = self.dates.get(value)
        if found is None:
            try:
                found = parse_date(value)
            except CellError as error:
                found = error
            self.dates[value] = found
        if isinstance(found, CellError):
            raise found
        return found

    def check(self, raw) -> Row:
        """One row's cells (a sequence, in the sheet's order) → Row; RowError {column: reason}."""
        size = len(raw)
        text = []
        for index in self.positions:
            if index is None or index >= size:
                text.append("")
                continue
            value = raw[index]
            text.append(value.strip() if type(value) is str else cell_text(value))
        (
            source_ref,
            national_id,
            id_type_text,
            title,
            first_name,
            last_name,
            _birth_text,
            sex_text,
            phone,
            house_number,
            moo,
            village,
            soi,
            road,
            code,
            postal_code,
            latitude,
            longitude,
            household_ref,
            relationship_text,
            groups_text,
            problems_text,
        ) = text
        errors: dict[str, str] = {}
        for column, index, limit in _MAX_LENGTH_CHECKS:
            if len(text[index]) > limit:
                errors[column] = f"ยาวเกิน {limit} ตัวอักษร"
        number = to_arabic_digits(national_id)
        if id_type_text:
            id_type = self._word("id_type", id_type_text, ID_TYPE_WORDS)
            if id_type is None:
                errors["id_type"] = f"ไม่รู้จักประเภทเอกสาร '{id_type_text}'"
                id_type = IdType.NONE
        else:
            id_type = IdType.NATIONAL_ID if number else IdType.NONE
        birth_date, precision = None, None
        position = self.birth_position
        if position is not None and position < size:
            try:
                birth_date, precision = self._date(raw[position])
            except CellError as error:
                errors["birth_date"] = str(error)
        sex = self._word("sex", sex_text, SEX_WORDS)
        if sex is None:
            errors["sex"] = f"ไม่รู้จักเพศ '{sex_text}' (ใช้ ชาย หญิง อื่น ๆ หรือ ไม่ทราบ)"
            sex = Sex.UNKNOWN
        subdistrict = None
        if code:
            code = to_arabic_digits(code)
            subdistrict = self.catalogues.subdistricts.get(code)
            if subdistrict is None:
                errors["subdistrict_code"] = f"ไม่พบรหัสแขวง/ตำบล {code}"
        coordinates = []
        for column, raw_value in (("latitude", latitude), ("longitude", longitude)):
            value = None
            if raw_value:
                try:
                    value = Decimal(to_arabic_digits(raw_value)).quantize(Decimal("0.000001"))
                except InvalidOperation:
                    errors[column] = "พิกัดต้องเป็นตัวเลขทศนิยม"
            coordinates.append(value)
        catalogues = self.catalogues
        groups = self._list(groups_text, catalogues.target_groups, "target_groups", errors)
        problems = self._list(problems_text, catalogues.problem_types, "problems", errors)
        relationship = ""
        if relationship_text:
            relationship = self._word("relationship", relationship_text, RELATIONSHIP_WORDS)
            if not relationship:
                errors["relationship_to_head"] = f"ไม่รู้จักความสัมพันธ์ '{relationship_text}'"
        if household_ref and len(household_ref) > 100:
            errors["household_ref"] = "ยาวเกิน 100 ตัวอักษร"

        # actions.check_person, field by field; its errors do not replace the row's own.
        title, first_name, last_name = (
            " ".join(title.split()),
            *(" ".join(name.split()) for name in (first_name, last_name)),
        )
        if not first_name:
            errors.setdefault("first_name", "กรุณากรอกชื่อ")
        id_type, number, field, message = actions.clean_identity(id_type, number)
        if field:
            errors.setdefault(COLUMN_OF_FIELD.get(field, field), message)
        if birth_date is not None:
            message = self.birth_errors.get(birth_date)
            if message is None:
                message = self.birth_errors[birth_date] = actions.birth_date_error(
                    birth_date, self.today
                )
            if message:
                errors.setdefault("birth_date", message)
            if precision in (None, "", BirthDatePrecision.UNKNOWN):
                precision = BirthDatePrecision.EXACT
        else:
            precision = BirthDatePrecision.UNKNOWN
        phone, message = actions.clean_phones(to_arabic_digits(phone))
        if message:
            errors.setdefault("phone", message)
        key = (to_arabic_digits(postal_code), subdistrict)
        postal = self.postal.get(key)
        if postal is None:
            postal = self.postal[key] = actions.clean_postal_code(*key)
        if postal[1]:
            errors.setdefault("postal_code", postal[1])
        for (field, low, high), value in zip(actions.COORDINATE_RANGES, coordinates, strict=True):
            if message := actions.coordinate_error(value, low, high):
                errors.setdefault(field, message)
        if errors:
            raise RowError(errors)
        data = {
            "title": title,
            "first_name": first_name,
            "last_name": last_name,
            "village": " ".join(village.split()),
            "soi": " ".join(soi.split()),
            "road": " ".join(road.split()),
            "house_number": " ".join(to_arabic_digits(house_number).split()),
            "moo": " ".join(to_arabic_digits(moo).split()),
            "phone": phone,
            "id_type": id_type,
            "id_number": number,
            "birth_date": birth_date,
            "birth_date_precision": precision,
            "sex": sex,
            "subdistrict": subdistrict,
            "postal_code": postal[0],
            "latitude": coordinates[0],
            "longitude": coordinates[1],
        }
        row = Row(
            0,
            source_ref or _content_ref(text[1:]),
            data,
            groups,
            problems,
            household_ref,
            relationship or (Relationship.OTHER if household_ref else ""),
        )
        # The same keys register_person computes (actions._keys); soundex is memoised.
        row.keys = (
            name_key(f"{first_name}{last_name}"),
            sound_key(first_name),
            sound_key(last_name),
            phone_hash(phone) if phone else "",
            identity_hash(number) if number else "",
        )
        return row


def check_row(values: dict, catalogues: Catalogues, *, today: dt.date) -> Row:
    """One row's cells (canonical column → raw value) → Row; RowError {column: Thai reason}.

    Person fields pass the rules of `check_person`, the ones the form and the API use.
    """
    return RowChecker(list(values), catalogues, today=today).check(list(values.values()))


def _may_write(scope: Scope | None, center_id, district_id) -> bool:
    if scope is None or scope.national:
        return True
    if center_id is not None and center_id in scope.center_ids:
        return True
    return bool(district_id) and (
        district_id in scope.district_codes or district_id[:2] in scope.province_codes
    )


def _earlier_row(number: int, source_ref: str) -> str:
    return f"แถวที่ {number}" + (f" ({source_ref})" if source_ref else "")


OUTSIDE_SCOPE_MESSAGE = (
    "ตรงกับบุคคลที่ลงทะเบียนไว้แล้วนอกพื้นที่ของคุณ ไม่ได้นำเข้า "
    "หากเป็นบุคคลเดียวกัน โปรดขอให้เจ้าหน้าที่ พมจ. ของคุณขอโอนข้อมูล"
)


IMPORT_LOCKED_MESSAGE = (
    "การนำเข้าถูกระงับ: มีแถวที่ตรงกับบุคคลนอกพื้นที่ของคุณมากเกินกำหนดภายใน 24 ชั่วโมง "
    "เจ้าหน้าที่คุ้มครองข้อมูลส่วนบุคคลได้รับแจ้งแล้ว"
)
OUTSIDE_SCOPE_COUNT = "outside_scope"


def outside_matches_lately(user, *, but: int | None = None) -> int:
    """Rows of the user's imports of the last 24 hours that matched people outside their area."""
    if user is None:
        return 0
    since = timezone.now() - dt.timedelta(hours=24)
    jobs = ImportJob.objects.filter(uploaded_by=user, created_at__gte=since).exclude(pk=but)
    return sum(
        counts.get(OUTSIDE_SCOPE_COUNT, 0)
        for counts in jobs.values_list("counts", flat=True)[:1000]
    )


IDENTITY_FIELDS = (
    "title",
    "first_name",
    "last_name",
    "id_type",
    "id_number",
    "birth_date",
    "phone",
)
IDENTITY_LABELS = {
    "title": "คำนำหน้า",
    "first_name": "ชื่อ",
    "last_name": "นามสกุล",
    "id_type": "ประเภทเอกสาร",
    "id_number": "เลขเอกสาร",
    "birth_date": "วันเกิด",
    "phone": "โทรศัพท์",
}


def _shown(name: str, value) -> str:
    """A value for the row report: numbers masked to their last four digits (the report is
    kept as plain text, unlike the encrypted columns), dates in the Buddhist Era."""
    if value in (None, ""):
        return "(ว่าง)"
    if name in ("id_number", "phone"):
        return ", ".join("•" * max(len(part) - 4, 0) + part[-4:] for part in str(value).split(", "))
    if isinstance(value, dt.date):
        return f"{value.day}/{value.month}/{value.year + BE_OFFSET}"
    return str(value)


def _duplicate_result(row, found: list[tuple[int, str]], outside: set[int]) -> "Result":
    """The row report of a likely duplicate: each person matched named once, with every
    reason; a person outside the importer's area neither named nor described."""
    if any(pk in outside for pk, _ in found):
        return Result(row.number, RowOutcome.DUPLICATE, message=OUTSIDE_SCOPE_MESSAGE)
    reasons_of: dict[int, list[str]] = {}
    for pk, reason in found:
        reasons_of.setdefault(pk, []).append(reason)
    parts = [
        f"รหัสบุคคล {pk} ({', '.join(reasons)})" if pk else ", ".join(reasons)
        for pk, reasons in reasons_of.items()
    ]  # in-file reasons name the earlier row themselves
    person_id = next((pk for pk in reasons_of if pk), None)
    return Result(
        row.number,
        RowOutcome.DUPLICATE,
        person_id=person_id,
        field="national_id" if any("เลขเอกสาร" in reason for _, reason in found) else "",
        message=f"อาจเป็นบุคคลเดียวกับที่มีอยู่แล้ว: {'; '.join(parts)} ไม่ได้นำเข้า",
    )


@dataclass
class Result:
    number: int
    outcome: str
    person_id: int | None = None
    field: str = ""
    message: str = ""


class _AllOrNothingFailed(Exception):
    pass


class BatchWriter:
    """Commits the import's batches in order. On PostgreSQL, outside a transaction, it does so in
    a thread with a connection of its own, so the database writes one batch (COPY, the upkeep of
    a dozen person indexes, the commit's foreign-key checks: ~0.6 s for 5,000 rows at a million
    people) while this thread reads and checks the next (~0.45 s); a batch's reads never need
    the batch before it (`Importer.in_flight`). Otherwise (SQLite, whose ids come from MAX(id)
    under the write lock; all-or-nothing; inside a caller's transaction) each batch is
    committed at once, here.

    At most one batch is in flight: `submit` waits for the one before. The first error in the
    thread is raised by the next `submit` or by `close`; batches after it are not written. A
    batch once submitted is written even if the importer then stops (it is whole: its rows,
    results and progress), so a re-run resumes after it.
    """

    def __init__(self, threaded: bool):
        self.error: BaseException | None = None
        self.thread = None
        if threaded:
            self.work: queue.Queue = queue.Queue(maxsize=1)
            self.thread = threading.Thread(target=self._loop, name="import-writer", daemon=True)
            self.thread.start()

    def _loop(self) -> None:
        try:
            while (work := self.work.get()) is not None:
                try:
                    if self.error is None:
                        work()
                except BaseException as error:  # handed to the importer's thread
                    self.error = error
                finally:
                    self.work.task_done()
        finally:
            connection.close()  # this thread's own connection

    def submit(self, work) -> None:
        if self.thread is None:
            work()
            return
        self.work.join()  # the batch before is committed
        self._raise()
        self.work.put(work)

    def close(self, *, raise_error: bool = True) -> None:
        """Wait for the submitted batch, then stop the thread; raise its error, if any."""
        if self.thread is None:
            return
        self.work.put(None)
        self.thread.join()
        if raise_error:
            self._raise()

    def _raise(self) -> None:
        if self.error is not None:
            raise self.error


class Importer:
    """Imports one job's rows batch by batch. Holds only per-job dictionaries in memory."""

    def __init__(self, job: ImportJob):
        self.job = job
        self.actor = job.uploaded_by
        self.scope = scope_of(self.actor) if self.actor is not None else None
        self.catalogues = Catalogues.load()
        self.today = timezone.localdate()
        self.seen_refs: dict[str, int] = {}  # source_ref → first row number in this file
        self.households: dict[str, int] = {}  # household_ref → household id
        self.kept_results: list[Result] = []
        self.places: dict[str | None, tuple] = {}  # subdistrict code → (district, center)
        # The writes of the batch being prepared, committed together by the BatchWriter.
        self.pending: list = []
        # The previous batch's new people by identity number, name and phone: it may not be
        # committed yet when the next batch looks for duplicates (BatchWriter).
        self.in_flight: tuple[dict, dict, dict] = ({}, {}, {})
        # Rows that matched someone outside the importer's area (see _outside_scope).
        self.outside_matches = 0
        self.earlier_outside_matches = outside_matches_lately(self.actor, but=job.pk)

    # -- running

    def run(self) -> ImportJob:
        job = self.job
        sheet = open_sheet(job.file_path)
        resume_after = job.processed_rows  # rows of batches already committed
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.RUNNING,
            total_rows=max(sheet.total, resume_after),
            started_at=job.started_at or timezone.now(),
            error="",
        )
        if job.all_or_nothing:
            try:
                with transaction.atomic():
                    self._run_batches(sheet, resume_after)
                    failed = [r for r in self.kept_results if r.outcome in ("error", "duplicate")]
                    if failed:
                        raise _AllOrNothingFailed
            except _AllOrNothingFailed:
                return self._finish_refused()
        else:
            self._run_batches(sheet, resume_after)
        counts = _counts(job.pk)
        if not any(counts.values()) and not resume_after:  # rows that were all blank
            ImportJob.objects.filter(pk=job.pk).update(error=NO_ROWS)
        if self.outside_matches:
            counts[OUTSIDE_SCOPE_COUNT] = self.outside_matches
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.DONE,
            counts=counts,
            total_rows=F("processed_rows"),
            finished_at=timezone.now(),
        )
        record_event(
            actor=self.actor,
            action="finish_import",
            object_type="registry.importjob",
            object_id=str(job.pk),
            changes={"counts": counts, "source": job.source, "dry_run": job.dry_run},
        )
        job.refresh_from_db()
        return job

    def _finish_refused(self) -> ImportJob:
        job = self.job
        failed = [r for r in self.kept_results if r.outcome in ("error", "duplicate")]
        with transaction.atomic():
            ImportRowResult.objects.filter(job=job).delete()
            insert_rows(
                ImportRowResult,
                ("job_id", "row_number", "outcome", "person_id", "field", "message"),
                [
                    (job.pk, r.number, r.outcome, r.person_id, r.field[:60], r.message)
                    for r in failed
                ],
            )
            counts = {"imported": 0, "error": 0, "duplicate": 0}
            for result in failed:
                counts[result.outcome] += 1
            processed = len(self.kept_results)
            ImportJob.objects.filter(pk=job.pk).update(
                status=ImportStatus.FAILED,
                counts=counts,
                processed_rows=processed,
                total_rows=processed,
                finished_at=timezone.now(),
                error=(
                    f"ไม่ได้นำเข้าข้อมูลใด ๆ (เลือกนำเข้าทั้งหมดหรือไม่นำเข้าเลย) เพราะมี"
                    f"แถวที่ผิดพลาด {counts['error']} แถว และอาจซ้ำ {counts['duplicate']} แถว"
                ),
            )
            record_event(
                actor=self.actor,
                action="refuse_import",
                object_type="registry.importjob",
                object_id=str(job.pk),
                changes={"counts": counts},
            )
        job.refresh_from_db()
        return job

    def _run_batches(self, sheet: Sheet, resume_after: int) -> None:
        self.checker = RowChecker(sheet.columns, self.catalogues, today=self.today)
        self.writer = BatchWriter(
            threaded=connection.vendor == "postgresql"
            and not connection.in_atomic_block
            and not self.job.all_or_nothing
        )
        try:
            self._read_batches(sheet, resume_after)
        except BaseException:
            self.writer.close(raise_error=False)
            raise
        self.writer.close()

    def _read_batches(self, sheet: Sheet, resume_after: int) -> None:
        batch: list[tuple[int, list]] = []
        position = 0
        line = 1
        for raw in sheet.rows:
            line += 1
            if not raw or not any(cell not in (None, "") and str(cell).strip() for cell in raw):
                continue
            position += 1
            if position <= resume_after:
                # Committed before a crash: remember what later rows need, write nothing.
                self._remember_done(raw)
                continue
            batch.append((line, raw))
            if len(batch) >= BATCH_SIZE:
                self._import_batch(batch, position)
                batch = []
        if batch:
            self._import_batch(batch, position)

    def _remember_done(self, raw) -> None:
        size = len(raw)
        text = [
            "" if index is None or index >= size else cell_text(raw[index])
            for index in self.checker.positions
        ]
        self.seen_refs.setdefault(text[0] or _content_ref(text[1:]), 0)

    # -- one batch

    def _import_batch(self, batch: list[tuple[int, list]], last_position: int) -> None:
        job = self.job
        results: list[Result] = []
        rows: list[Row] = []
        check = self.checker.check
        seen_refs = self.seen_refs
        for number, raw in batch:
            try:
                row = check(raw)
            except RowError as error:
                column, message = next(iter(error.errors.items()))
                if len(error.errors) > 1:
                    message = "; ".join(f"{name}: {text}" for name, text in error.errors.items())
                results.append(Result(number, RowOutcome.ERROR, field=column, message=message))
                continue
            row.number = number
            first = seen_refs.get(row.source_ref)
            if first is not None:
                results.append(
                    Result(
                        number,
                        RowOutcome.UNCHANGED,
                        field="source_ref",
                        message=f"แถวซ้ำกับแถวที่ {first} ในไฟล์เดียวกัน" if first else "แถวนี้นำเข้าแล้ว",
                    )
                )
                continue
            seen_refs[row.source_ref] = number
            rows.append(row)
        results += self._write(rows)
        if self.outside_matches and self.actor is not None:
            self._refuse_probing(results)
        results.sort(key=lambda result: result.number)
        writes, self.pending = self.pending, []
        span = [batch[0][0], batch[-1][0]]
        self.writer.submit(partial(self._commit, writes, results, span, last_position))
        if job.all_or_nothing:
            self.kept_results += results

    def _commit(self, writes, results: list[Result], span: list[int], last_position: int):
        """Write one batch and its results and progress, in one transaction."""
        job = self.job
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # A batch lost in a server crash is imported again by the re-run (its progress
                # commits with it), so its commit need not wait for the disk; the job's final
                # update does, and that makes every batch before it durable too.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit = off")
            for write in writes:
                write()
            insert_rows(
                ImportRowResult,
                ("job_id", "row_number", "outcome", "person_id", "field", "message"),
                [
                    (job.pk, r.number, r.outcome, r.person_id, r.field[:60], r.message)
                    for r in results
                ],
            )
            counts: dict[str, int] = {}
            for result in results:
                counts[result.outcome] = counts.get(result.outcome, 0) + 1
            ImportJob.objects.filter(pk=job.pk).update(processed_rows=last_position)
            record_event(
                actor=self.actor,
                action="import_people",
                object_type="registry.importjob",
                object_id=str(job.pk),
                changes={"rows": span, "counts": counts, "source": job.source},
            )

    def _write(self, rows: list[Row]) -> list[Result]:
        """Create or update the batch's people; answer each row's result."""
        scope = self.scope
        results: list[Result] = []
        existing = self._existing([row.source_ref for row in rows])
        new_rows: list[Row] = []
        updated_people: list[tuple[Row, Person]] = []
        place = self._place_of
        for row in rows:
            person = existing.get(row.source_ref)
            subdistrict = row.data["subdistrict"]
            district_id, center_id = place(subdistrict.code if subdistrict else None)
            if not _may_write(scope, center_id, district_id):
                results.append(
                    Result(
                        row.number,
                        RowOutcome.ERROR,
                        field="subdistrict_code",
                        message="ที่อยู่นี้อยู่นอกพื้นที่ที่คุณรับผิดชอบ",
                    )
                )
                continue
            if person is None:
                new_rows.append(row)
            elif person.merged_into_id is not None:
                results.append(
                    Result(
                        row.number,
                        RowOutcome.UNCHANGED,
                        person_id=person.merged_into_id,
                        message=f"บุคคลนี้ถูกรวมกับรหัสบุคคล {person.merged_into_id} แล้ว",
                    )
                )
            elif not _may_write(scope, person.center_id, person.district_id):
                results.append(
                    Result(
                        row.number,
                        RowOutcome.ERROR,
                        field="source_ref",
                        message="บุคคลนี้อยู่นอกพื้นที่ที่คุณรับผิดชอบ",
                    )
                )
            else:
                updated_people.append((row, person))
        duplicates = self._find_duplicates(new_rows)
        outside = self._outside_scope({pk for found in duplicates.values() for pk, _ in found})
        to_create: list[Row] = []
        for row in new_rows:
            found = duplicates.get(row.number)
            if found:
                results.append(_duplicate_result(row, found, outside))
            else:
                to_create.append(row)
        if outside:
            self.outside_matches += sum(
                1 for found in duplicates.values() if any(pk in outside for pk, _ in found)
            )
        created = self._create(to_create)
        dry_run = self.job.dry_run
        for row, person_id in created:  # a dry run's new people have no row to point at
            results.append(
                Result(row.number, RowOutcome.IMPORTED, person_id=None if dry_run else person_id)
            )
        results += self._update(updated_people)
        self._link(created, [(row, person.pk) for row, person in updated_people], updated_people)
        # Dashboards: once per center-month of the batch, not once per row. New people count
        # this month (registered, target groups, problems first reported today).
        this_month = self.today.replace(day=1)
        centers = {
            place(row.data["subdistrict"].code if row.data["subdistrict"] else None)[1]
            for row, _ in created
        }
        self._later(
            mark_rollups_stale_many,
            marks={(center_id, this_month) for center_id in centers},
        )
        if updated_people:
            self._later(
                mark_people_rollups_stale,
                person_ids=[person.pk for _, person in updated_people],
                with_problems=True,
            )
        return results

    def _refuse_probing(self, results: list[Result]) -> None:
        """Past IMPORT_OUTSIDE_MATCH_LIMIT rows matching people outside the importer's area in
        a day, an import is a way of asking who is registered: stop it (this batch is not
        written), keep the user from importing for the rest of the day and tell the DPO."""
        rows = [r.number for r in results if r.message == OUTSIDE_SCOPE_MESSAGE]
        record_event(
            actor=self.actor,
            action="import_outside_scope_matches",
            object_type="registry.importjob",
            object_id=str(self.job.pk),
            changes={"rows": rows[:100], "count": len(rows)},
        )
        total = self.earlier_outside_matches + self.outside_matches
        if total <= settings.IMPORT_OUTSIDE_MATCH_LIMIT:
            return
        counts = {**_counts(self.job.pk), OUTSIDE_SCOPE_COUNT: self.outside_matches}
        ImportJob.objects.filter(pk=self.job.pk).update(counts=counts)
        record_event(
            actor=self.actor,
            action="lock_imports",
            object_type="registry.importjob",
            object_id=str(self.job.pk),
            changes={"outside_scope_matches": total},
        )
        from asa.accounts.actions import notify
        from asa.accounts.models import Role

        for officer in (
            get_user_model()
            .objects.filter(is_active=True, role_assignments__role=Role.DATA_PROTECTION_OFFICER)
            .distinct()[:20]
        ):
            notify(
                user=officer,
                kind="import_probe",
                message=(
                    f"ผู้ใช้ {self.actor.get_username()} นำเข้าแถวที่ตรงกับบุคคลนอกพื้นที่ของตน "
                    f"{total} แถวใน 24 ชั่วโมง การนำเข้าของผู้ใช้นี้ถูกระงับ"
                ),
                dedupe_key=f"import_probe:{self.job.pk}",
            )
        raise ValidationError(IMPORT_LOCKED_MESSAGE)

    def _outside_scope(self, person_ids: set[int]) -> set[int]:
        """The matched people the importing user may not see: a row report must not tell
        them that an identity number is registered, nor whose it is."""
        scope = self.scope
        person_ids.discard(0)
        if scope is None or scope.national or not person_ids:
            return set()
        places = Person.objects.filter(pk__in=person_ids).values_list(
            "pk", "center_id", "district_id"
        )
        # People of this import's previous batch may not be committed yet: they are the
        # importer's own rows, inside its area (checked before they were written).
        return {
            pk
            for pk, center_id, district_id in places
            if not _may_write(scope, center_id, district_id)
        }

    def _later(self, write, *args, **kwargs) -> None:
        """A write of this batch, done when the batch is committed (BatchWriter); none in a
        dry run, which writes only its row report and progress."""
        if not self.job.dry_run:
            self.pending.append(partial(write, *args, **kwargs))

    def _existing(self, refs: list[str]) -> dict[str, Person]:
        """People of this source already holding these refs (one indexed query)."""
        if not refs:
            return {}
        column, params = _any("source_ref", refs)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM registry_person "  # noqa: S608 (fixed SQL, values as parameters)
                f"WHERE source = %s AND {column} AND NOT source_ref = ''",
                [self.job.source, *params],
            )
            ids = [pk for (pk,) in cursor.fetchall()]
        if not ids:
            return {}
        return {person.source_ref: person for person in Person.objects.filter(pk__in=ids)}

    def _place_of(self, code: str | None) -> tuple[str | None, int | None]:
        """(district, center) of a subdistrict code; rows without an address go to the job's
        center, or the importer's only center."""
        found = self.places.get(code)
        if found is None:
            district_id = center_id = None
            if code is not None:
                district_id = self.catalogues.subdistricts[code].district_id
                center_id = self.catalogues.center_by_district.get(district_id)
            if center_id is None:
                center_id = self.job.center_id
                scope = self.scope
                if center_id is None and scope is not None and len(scope.center_ids) == 1:
                    center_id = next(iter(scope.center_ids))
            found = self.places[code] = (district_id, center_id)
        return found

    def _place(self, person: Person) -> None:
        subdistrict = person.subdistrict
        if subdistrict is not None:
            person.district_id = subdistrict.district_id
            person.province_id = subdistrict.district_id[:2]
            person.center_id = self.catalogues.center_by_district.get(subdistrict.district_id)
        if person.center_id is None:
            person.center_id = self._place_of(None)[1]

    def _create(self, rows: list[Row]) -> list[tuple[Row, int]]:
        """Insert new people in one COPY (executemany on SQLite); answer (row, person id)."""
        if not rows:
            return []
        ids = _take_ids(Person, len(rows))
        job = self.job
        source = job.source
        actor_id = self.actor.pk if self.actor is not None else None
        now = timezone.now()
        place = self._place_of
        values = []
        for row, pk in zip(rows, ids, strict=True):
            data = row.data
            subdistrict = data["subdistrict"]
            code = subdistrict.code if subdistrict is not None else None
            district_id, center_id = place(code)
            values.append(
                (
                    pk,
                    source,
                    row.source_ref,
                    data["title"],
                    data["first_name"],
                    data["last_name"],
                    data["id_type"],
                    encrypt(data["id_number"]),  # at rest (asa.lib.crypto): ~5 µs a value
                    data["birth_date"],
                    data["birth_date_precision"],
                    data["sex"],
                    encrypt(data["phone"]),
                    data["house_number"],
                    data["moo"],
                    data["village"],
                    data["soi"],
                    data["road"],
                    code,
                    data["postal_code"],
                    data["latitude"],
                    data["longitude"],
                    district_id,
                    district_id[:2] if district_id else None,
                    center_id,
                    *row.keys,
                    actor_id,
                    now,
                    now,
                )
            )
        self._later(insert_rows, Person, PERSON_COLUMNS, values)
        # Until committed, the next batch finds these by their keys here (_find_duplicates).
        # A dry run commits none of them: its later batches look for all of them here.
        if not job.dry_run:
            self.in_flight = ({}, {}, {})
        numbers, names, phones = self.in_flight
        for row, pk in zip(rows, ids, strict=True):
            _key, first_sound, _last_sound, phone, number_hash = row.keys
            if number_hash:
                numbers.setdefault((row.data["id_type"], number_hash), pk)
            name = _name_of(row)
            if name[0] and name[2] and name[3]:
                names.setdefault(name, pk)
            if phone:
                phones.setdefault((phone, first_sound), pk)
        return list(zip(rows, ids, strict=True))

    def _find_duplicates(self, rows: list[Row]) -> dict[int, list[tuple[int, str]]]:
        """Likely duplicates of new rows (by row number), among existing people and earlier
        rows of the batch: the same identity number; the same sound-alike name and birth year
        in the same subdistrict; the same phone and sound-alike first name (family members
        share phones). Three indexed queries per batch, then dictionary lookups."""
        found: dict[int, list[tuple[int, str]]] = {}
        if not rows:
            return found
        by_number: dict[tuple, int] = {}
        by_phone: dict[tuple, int] = {}
        by_name: dict[tuple, int] = {}
        # Identity numbers are compared through their keyed hashes (stored encrypted).
        numbers = {(row.data["id_type"], row.keys[4]) for row in rows}
        numbers = {pair for pair in numbers if pair[1]}
        phones = {row.keys[3] for row in rows if row.keys[3]}
        names = {
            (row.keys[1], row.keys[2])
            for row in rows
            if row.keys[1] and row.data["birth_date"] and row.data["subdistrict"]
        }
        places = {row.data["subdistrict"].code for row in rows if row.data["subdistrict"]}
        postgresql = connection.vendor == "postgresql"
        with transaction.atomic(), connection.cursor() as cursor:
            # On PostgreSQL, one index probe per key whatever the statistics say: it samples the
            # keyed hashes and underestimates their distinct values five to tenfold (family
            # members share phones; people without an ID share ''), so `= ANY(...)` with a
            # batch's keys was planned as a scan of the whole table (~350 ms a query). OFFSET 0
            # keeps the lateral probe from being flattened into a join. Without JIT: the probes'
            # estimated cost crosses jit_above_cost, and compiling took longer than running.
            if postgresql:
                cursor.execute("SET LOCAL jit = off")
            if numbers:
                if postgresql:
                    types, hashes = zip(*numbers, strict=True)
                    cursor.execute(
                        "SELECT p.id, k.t, k.h FROM unnest(%s::text[], %s::text[]) AS k(t, h) "
                        "CROSS JOIN LATERAL (SELECT id FROM registry_person "
                        "WHERE id_type = k.t AND id_number_hash = k.h AND NOT id_number_hash = '' "
                        "AND merged_into_id IS NULL OFFSET 0) AS p",
                        [list(types), list(hashes)],
                    )
                else:
                    types, type_params = _any("id_type", {t for t, _ in numbers})
                    given, number_params = _any("id_number_hash", {n for _, n in numbers})
                    cursor.execute(
                        "SELECT id, id_type, id_number_hash FROM registry_person "  # noqa: S608
                        f"WHERE {types} AND {given} AND NOT id_number_hash = '' "
                        "AND merged_into_id IS NULL",
                        [*type_params, *number_params],
                    )
                by_number.update(((t, h), pk) for pk, t, h in cursor.fetchall())
            if phones:
                if postgresql:
                    cursor.execute(
                        "SELECT p.id, k.h, p.first_name_sound FROM unnest(%s::text[]) AS k(h) "
                        "CROSS JOIN LATERAL (SELECT id, first_name_sound FROM registry_person "
                        "WHERE phone_hash = k.h AND merged_into_id IS NULL OFFSET 0) AS p "
                        "ORDER BY p.id",
                        [list(phones)],
                    )
                else:
                    given, params = _any("phone_hash", phones)
                    cursor.execute(
                        "SELECT id, phone_hash, first_name_sound FROM registry_person "  # noqa: S608
                        f"WHERE {given} AND merged_into_id IS NULL ORDER BY id",
                        params,
                    )
                for pk, key, sound in cursor.fetchall():
                    by_phone.setdefault((key, sound), pk)
            if names:
                if postgresql:
                    # Pairs joined to the (first, last) sound index: never a scan by first
                    # sound alone, which in a national table matches a great many people.
                    firsts, lasts = zip(*names, strict=True)
                    cursor.execute(
                        "SELECT p.id, p.first_name_sound, p.last_name_sound, p.birth_date, "
                        "p.subdistrict_id FROM registry_person p "
                        "JOIN unnest(%s::text[], %s::text[]) AS k(f, l) "
                        "ON p.first_name_sound = k.f AND p.last_name_sound = k.l "
                        "WHERE p.subdistrict_id = ANY(%s) AND p.birth_date IS NOT NULL "
                        "AND p.merged_into_id IS NULL ORDER BY p.id",
                        [list(firsts), list(lasts), list(places)],
                    )
                else:
                    sounds, sound_params = _any("first_name_sound", {f for f, _ in names})
                    given, place_params = _any("subdistrict_id", places)
                    cursor.execute(
                        "SELECT id, first_name_sound, last_name_sound, birth_date, "  # noqa: S608
                        f"subdistrict_id FROM registry_person WHERE {sounds} AND {given} "
                        "AND birth_date IS NOT NULL AND merged_into_id IS NULL ORDER BY id",
                        [*sound_params, *place_params],
                    )
                for pk, first, last, birth, place in cursor.fetchall():
                    if isinstance(birth, str):
                        birth = dt.date.fromisoformat(birth)
                    by_name.setdefault((first, last, birth.year, place), pk)
        for found_by, in_flight in zip((by_number, by_name, by_phone), self.in_flight, strict=True):
            for key, pk in in_flight.items():
                found_by.setdefault(key, pk)
        # Earlier rows of this batch by identity number and name: (row number, source_ref).
        batch_number: dict[tuple, tuple[int, str]] = {}
        batch_name: dict[tuple, tuple[int, str]] = {}
        for row in rows:
            data = row.data
            reasons = []
            _key, first_sound, _last_sound, phone, number_hash = row.keys
            number = (data["id_type"], number_hash)
            birth_date, subdistrict = data["birth_date"], data["subdistrict"]
            name = _name_of(row)
            if number[1]:
                if number in by_number:
                    reasons.append((by_number[number], "เลขเอกสารเดียวกัน"))
                elif number in batch_number:
                    reasons.append((0, f"เลขเอกสารเดียวกับ{_earlier_row(*batch_number[number])}"))
            if first_sound and birth_date and subdistrict:
                if name in by_name:
                    reasons.append((by_name[name], "ชื่อออกเสียงเหมือนกัน ปีเกิดเดียวกัน ในแขวง/ตำบลเดียวกัน"))
                elif name in batch_name:
                    reasons.append((0, f"ชื่อและปีเกิดเดียวกับ{_earlier_row(*batch_name[name])}"))
            if phone and (phone, first_sound) in by_phone:
                reasons.append((by_phone[(phone, first_sound)], "หมายเลขโทรศัพท์และชื่อเหมือนกัน"))
            if reasons:
                found[row.number] = reasons
                continue
            if number[1]:
                batch_number[number] = (row.number, row.source_ref)
            if name[0] and name[2] and name[3]:
                batch_name[name] = (row.number, row.source_ref)
        return found

    def _update(self, pairs: list[tuple[Row, Person]]) -> list[Result]:
        """Rows whose (source, source_ref) is already a person: change what differs."""
        results = []
        changed: list[Person] = []
        fields: set[str] = set()
        groups_to_add = []
        through = Person.target_groups.through
        current: dict[int, set[int]] = {}
        for person_id, group_id in through.objects.filter(
            person_id__in=[person.pk for _, person in pairs]
        ).values_list("person_id", "targetgroup_id"):
            current.setdefault(person_id, set()).add(group_id)
        for row, person in pairs:
            changes = {}
            for name, value in row.data.items():
                if name == "subdistrict":
                    if (value.pk if value else None) != person.subdistrict_id:
                        changes[name] = value
                elif getattr(person, name) != value:
                    changes[name] = value
            have = current.get(person.pk, set())
            missing_groups = [pk for pk in row.target_groups if pk not in have]
            groups_to_add += [(person.pk, pk) for pk in missing_groups]
            before = {name: getattr(person, name) for name in IDENTITY_FIELDS if name in changes}
            if changes:
                for name, value in changes.items():
                    setattr(person, name, value)
                if "subdistrict" in changes:
                    self._place(person)
                    changes.update(district=1, province=1, center=1)
                _fill_keys(person)
                person.version += 1
                fields |= set(changes) | {"name_key", "first_name_sound", "last_name_sound"}
                fields |= {"phone_hash", "id_number_hash", "version", "updated_at"}
                person.updated_at = timezone.now()
                changed.append(person)
            identity = [name for name in IDENTITY_FIELDS if name in changes]
            if identity:
                outcome = RowOutcome.CHANGED
                message = "; ".join(
                    f"{IDENTITY_LABELS[name]}: {_shown(name, before[name])} → "
                    f"{_shown(name, changes[name])}"
                    for name in identity
                )
            else:
                outcome = RowOutcome.UPDATED if changes or missing_groups else RowOutcome.UNCHANGED
                message = ", ".join(COLUMN_OF_FIELD.get(name, name) for name in changes)
            results.append(Result(row.number, outcome, person_id=person.pk, message=message))
        if changed:
            self._later(Person.objects.bulk_update, changed, sorted(fields), batch_size=500)
        if groups_to_add:
            self._later(
                through.objects.bulk_create,
                [through(person_id=p, targetgroup_id=g) for p, g in groups_to_add],
                ignore_conflicts=True,
            )
        return results

    def _link(self, created: list[tuple[Row, int]], updated: list[tuple[Row, int]], people):
        """Target groups, problems and household memberships of the batch, in bulk."""
        self._later(
            insert_rows,
            Person.target_groups.through,
            ("person_id", "targetgroup_id"),
            [(pk, group) for row, pk in created for group in row.target_groups],
        )
        today = self.today
        problem_rows = [
            (pk, problem, Severity.MEDIUM.value, today)
            for row, pk in [*created, *updated]
            for problem in row.problems
        ]
        if updated:  # people already known may have these problems on record
            known = set(
                PersonProblem.objects.filter(person_id__in=[pk for _, pk in updated]).values_list(
                    "person_id", "problem_type_id"
                )
            )
            problem_rows = [row for row in problem_rows if (row[0], row[1]) not in known]
        self._later(
            insert_rows,
            PersonProblem,
            ("person_id", "problem_type_id", "severity", "first_reported_on"),
            problem_rows,
        )
        self._households(created, updated, {person.pk: person for _, person in people})

    def _households(self, created, updated, known_people: dict[int, Person]) -> None:
        job = self.job
        members = [(row, pk) for row, pk in [*created, *updated] if row.household_ref]
        if not members:
            return
        wanted = {row.household_ref for row, _ in members} - set(self.households)
        if wanted:
            column, params = _any("source_ref", wanted)
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT id, source_ref FROM registry_household "  # noqa: S608
                    f"WHERE source = %s AND {column} AND NOT source_ref = ''",
                    [job.source, *params],
                )
                for pk, ref in cursor.fetchall():
                    self.households[ref] = pk
        new_households: dict[str, list] = {}
        for row, pk in members:
            ref = row.household_ref
            if ref in self.households:
                continue
            household = new_households.get(ref)
            if household is None or row.relationship == Relationship.HEAD:
                person = known_people.get(pk)
                if person is not None:
                    address = [getattr(person, name) for name in actions.ADDRESS_FIELDS]
                    subdistrict_id = person.subdistrict_id
                    district_id, center_id = person.district_id, person.center_id
                else:
                    data = row.data
                    address = [data[name] for name in actions.ADDRESS_FIELDS]
                    subdistrict_id = data["subdistrict"].code if data["subdistrict"] else None
                    district_id, center_id = self._place_of(subdistrict_id)
                address[actions.ADDRESS_FIELDS.index("subdistrict")] = subdistrict_id
                new_households[ref] = [
                    _household_code(job.pk, ref),
                    job.source,
                    ref,
                    district_id,
                    district_id[:2] if district_id else None,
                    center_id,
                    pk if row.relationship == Relationship.HEAD else None,
                    *address,
                ]
        if new_households:
            now = timezone.now()
            ids = _take_ids(Household, len(new_households))
            for household, pk in zip(new_households.values(), ids, strict=True):
                household[:0] = [pk]
                household += [now, now]
            self._later(
                insert_rows,
                Household,
                (
                    "id",
                    "code",
                    "source",
                    "source_ref",
                    "district_id",
                    "province_id",
                    "center_id",
                    "head_id",
                    *(
                        "subdistrict_id" if name == "subdistrict" else name
                        for name in actions.ADDRESS_FIELDS
                    ),
                    "created_at",
                    "updated_at",
                ),
                [tuple(household) for household in new_households.values()],
            )
            for ref, household in new_households.items():
                self.households[ref] = household[0]
        created_ids = {pk for _, pk in created}
        current = dict(
            HouseholdMembership.objects.filter(
                person_id__in=[pk for _, pk in members if pk not in created_ids],
                ended_on__isnull=True,
            ).values_list("person_id", "household_id")
        )
        memberships, heads = [], {}
        for row, pk in members:
            household_id = self.households[row.household_ref]
            if row.relationship == Relationship.HEAD:
                heads[household_id] = pk
            elsewhere = current.get(pk)
            if elsewhere == household_id:
                continue
            if elsewhere is not None:
                # Moving between households keeps history: the action ends the old one.
                self._later(
                    _move,
                    actor=self.actor,
                    household_id=household_id,
                    person=known_people[pk],
                    relationship=row.relationship,
                )
                continue
            memberships.append((household_id, pk, row.relationship, self.today))
        self._later(
            insert_rows,
            HouseholdMembership,
            ("household_id", "person_id", "relationship", "started_on"),
            memberships,
        )
        for household in new_households.values():
            heads.pop(household[0], None)  # created with their head already
        for household_id, person_id in heads.items():
            self._later(_set_head, household_id, person_id)


def _name_of(row: Row) -> tuple:
    """The duplicate check's name key: sound-alike first and last name, birth year, subdistrict."""
    birth_date, subdistrict = row.data["birth_date"], row.data["subdistrict"]
    return (
        row.keys[1],
        row.keys[2],
        birth_date.year if birth_date else None,
        subdistrict.code if subdistrict else None,
    )


def _move(*, actor, household_id: int, person: Person, relationship: str) -> None:
    actions.add_household_member(
        actor=actor,
        household=Household.objects.get(pk=household_id),
        person=person,
        relationship=relationship,
    )


def _set_head(household_id: int, person_id: int) -> None:
    Household.objects.filter(pk=household_id).exclude(head_id=person_id).update(head_id=person_id)


# --- Fast inserts ------------------------------------------------------------------------------
# bulk_create spends most of an import in per-field Python; these write plain tuples instead:
# COPY on PostgreSQL, executemany on SQLite, with ids taken up front so rows can point at them.


def _adapter(field):
    from django.db import connection, models

    if connection.vendor != "sqlite":
        return None  # psycopg adapts dates, decimals and datetimes itself
    if isinstance(field, models.DateTimeField):
        adapt = connection.ops.adapt_datetimefield_value
        return lambda value: None if value is None else adapt(value)
    if isinstance(field, models.DateField):
        return lambda value: None if value is None else value.isoformat()
    if isinstance(field, models.DecimalField):
        return lambda value: None if value is None else str(value)
    if isinstance(field, models.BooleanField):
        return lambda value: None if value is None else int(value)
    return None


def _take_ids(model, count: int) -> list[int]:
    from django.db import connection

    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite: the write lock is held (IMMEDIATE transactions), so max + 1 onwards is ours.
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')  # noqa: S608
        highest = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        start = max(highest, row[0] if row else 0) + 1
    return list(range(start, start + count))


# The columns an import fills, in the order _create builds its tuples; the others take their
# defaults (insert_rows).
PERSON_COLUMNS = (
    "id",
    "source",
    "source_ref",
    "title",
    "first_name",
    "last_name",
    "id_type",
    "id_number",
    "birth_date",
    "birth_date_precision",
    "sex",
    "phone",
    "house_number",
    "moo",
    "village",
    "soi",
    "road",
    "subdistrict_id",
    "postal_code",
    "latitude",
    "longitude",
    "district_id",
    "province_id",
    "center_id",
    "name_key",
    "first_name_sound",
    "last_name_sound",
    "phone_hash",
    "id_number_hash",
    "created_by_id",
    "created_at",
    "updated_at",
)


def _plain(value):
    # TextChoices members are str and Enum at once; the database wants the str.
    return value.value if isinstance(value, Enum) else value


def insert_rows(model, attnames: tuple[str, ...] | list[str], rows: list[tuple]) -> None:
    """Insert plain tuples (values for `attnames`, in that order) into the model's table; every
    other concrete field takes its default. COPY on PostgreSQL, executemany on SQLite.

    A model instance per row costs more than the database's work for it; tuples cost nothing.
    """
    if not rows:
        return
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    fields = [by_attname[name] for name in attnames]
    rest = [
        f for f in model._meta.concrete_fields if f.attname not in attnames and not f.primary_key
    ]
    now = timezone.now()
    constants = tuple(
        now
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        else _plain(f.get_default())
        for f in rest
    )
    fields += rest
    table = model._meta.db_table
    columns = ", ".join(f'"{f.column}"' for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy:
                write = copy.write_row
                if constants:
                    for values in rows:
                        write(values + constants)
                else:
                    for values in rows:
                        write(values)
            return
        adapters = [(index, adapt) for index, f in enumerate(fields) if (adapt := _adapter(f))]
        prepared = []
        for values in rows:
            values = [_plain(value) for value in values + constants]
            for index, adapt in adapters:
                values[index] = adapt(values[index])
            prepared.append(values)
        marks = ", ".join(["%s"] * len(fields))
        cursor.executemany(f'INSERT INTO "{table}" ({columns}) VALUES ({marks})', prepared)  # noqa: S608


def _any(column: str, values) -> tuple[str, list]:
    """`column = ANY(%s)` with one array parameter on PostgreSQL (no SQL text as long as the
    list to parse); `column IN (%s, ...)` on SQLite."""
    values = list(values)
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [values]
    return f"{column} IN ({', '.join(['%s'] * len(values))})", values


def _fill_keys(person: Person) -> None:
    # The same keys register_person computes (actions._keys), with the soundex memoised.
    person.name_key = name_key(f"{person.first_name}{person.last_name}")
    person.first_name_sound = sound_key(person.first_name)
    person.last_name_sound = sound_key(person.last_name)
    person.phone_hash = phone_hash(person.phone)
    person.id_number_hash = identity_hash(person.id_number)


def _household_code(job_id: int, ref: str) -> str:
    code = f"IM{job_id}-{ref}"
    if len(code) > 30:
        code = f"IM{job_id}-" + hashlib.sha1(ref.encode()).hexdigest()[:16]  # noqa: S324
    return code


def _counts(job_id: int) -> dict[str, int]:
    from django.db.models import Count

    counts = {outcome: 0 for outcome in RowOutcome.values}
    for outcome, number in (
        ImportRowResult.objects.filter(job_id=job_id)
        .values_list("outcome")
        .annotate(number=Count("id"))
        .values_list("outcome", "number")
    ):
        counts[outcome] = number
    return counts


# --- Actions -----------------------------------------------------------------------------------


def _import_dir() -> Path:
    directory = Path(settings.MEDIA_ROOT) / "imports"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def check_import_center(actor, center: Center | None) -> None:
    if center is None or actor is None:
        return
    from asa.accounts.access import writable_centers

    if not writable_centers(actor).filter(pk=center.pk).exists():
        raise ValidationError({"center": "คุณไม่มีสิทธิ์นำเข้าข้อมูลให้ศูนย์นี้"})


@transaction.atomic
def start_import(
    *,
    actor,
    file,
    file_name: str,
    source: str,
    center: Center | None = None,
    all_or_nothing: bool = False,
    dry_run: bool = False,
) -> ImportJob:
    """Check and keep an uploaded file (a file object or bytes) and open its import job.

    Refused with a Thai message on `file`: larger than IMPORT_MAX_BYTES, not a CSV/XLSX by its
    content (whatever its name says), unreadable text, no `first_name` column.
    """
    source = " ".join((source or "").split())
    if not source:
        raise ValidationError({"source": "กรุณาระบุชื่อแหล่งข้อมูล (เช่น ชื่อระบบหรือหน่วยงานต้นทาง)"})
    if len(source) > 60:
        raise ValidationError({"source": "ชื่อแหล่งข้อมูลยาวเกิน 60 ตัวอักษร"})
    if actor is not None and not scope_of(actor).authenticated:
        raise ValidationError({"file": "กรุณาเข้าสู่ระบบ"})
    check_import_center(actor, center)
    if actor is not None:
        from asa.registry.api import may_import

        if not may_import(actor):
            raise ValidationError({"file": "นำเข้าข้อมูลได้เฉพาะประธาน อพม. และเจ้าหน้าที่"})
        if outside_matches_lately(actor) > settings.IMPORT_OUTSIDE_MATCH_LIMIT:
            raise ValidationError({"file": IMPORT_LOCKED_MESSAGE})
    if center is None and actor is not None:
        # Rows without an address go to the importer's center, when they have exactly one.
        centers = scope_of(actor).center_ids
        if len(centers) == 1:
            center = Center.objects.filter(pk=next(iter(centers))).first()
    limit = max_bytes()
    size = getattr(file, "size", None)
    if size is None and isinstance(file, bytes | bytearray):
        size = len(file)
    if size is not None and size > limit:
        raise FileRefused(_too_large(size, limit))
    suffix = Path(file_name).suffix.lower()[:6] or ".dat"
    path = _import_dir() / f"{uuid.uuid4().hex}{suffix if suffix in ('.csv', '.xlsx') else '.dat'}"
    digest = hashlib.sha256()
    written = 0
    chunks = [bytes(file)] if isinstance(file, bytes | bytearray) else _chunks(file)
    try:
        with path.open("wb") as out:
            for chunk in chunks:
                written += len(chunk)
                if written > limit:
                    raise FileRefused(_too_large(written, limit))
                digest.update(chunk)
                out.write(chunk)
        sheet = open_sheet(path)  # refuses what is not a spreadsheet, before a job exists
        if sheet.total == 0:
            raise FileRefused(NO_ROWS)
    except ValidationError:
        path.unlink(missing_ok=True)
        raise
    job = ImportJob.objects.create(
        uploaded_by=actor if actor is not None and actor.is_authenticated else None,
        center=center,
        file_name=Path(file_name).name[:255],
        file_path=str(path),
        file_sha256=digest.hexdigest(),
        source=source,
        all_or_nothing=all_or_nothing,
        dry_run=dry_run,
        total_rows=sheet.total,
    )
    record_event(
        actor=actor,
        action="start_import",
        obj=job,
        changes={
            "file": job.file_name,
            "sha256": job.file_sha256,
            "source": source,
            "rows": sheet.total,
            "center": center.pk if center else None,
            "all_or_nothing": all_or_nothing,
            "dry_run": dry_run,
            "ignored_columns": sheet.ignored_headers,
        },
    )
    return job


def _chunks(file):
    if hasattr(file, "chunks"):
        yield from file.chunks()
        return
    while chunk := file.read(1024 * 1024):
        yield chunk


def _too_large(size: int, limit: int) -> str:
    return (
        f"ไฟล์ใหญ่เกินกำหนด ({size / 1048576:.1f} MB; ไม่เกิน {limit / 1048576:.0f} MB) "
        "กรุณาแบ่งไฟล์เป็นหลายไฟล์"
    )


def run_import(job_id: int) -> ImportJob:
    """Import (or finish importing) a job. Safe to run again after a crash: committed batches
    are skipped; a finished job is left as it is."""
    job = ImportJob.objects.select_related("uploaded_by").get(pk=job_id)
    if job.status == ImportStatus.DONE or (
        job.status == ImportStatus.FAILED and job.finished_at is not None
    ):
        return job
    try:
        return Importer(job).run()
    except ValidationError as error:
        message = " ".join(error.messages)
    except Exception as error:  # the job records the failure for the user, then re-raise
        message = f"การนำเข้าหยุดกลางคัน ({type(error).__name__}) นำเข้าซ้ำได้โดยไม่เกิดข้อมูลซ้ำ"
        ImportJob.objects.filter(pk=job_id).update(status=ImportStatus.FAILED, error=message)
        raise
    ImportJob.objects.filter(pk=job_id).update(
        status=ImportStatus.FAILED, error=message, finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job


def import_file(
    path: str | Path,
    *,
    actor,
    source: str,
    center: Center | None = None,
    all_or_nothing: bool = False,
) -> ImportJob:
    """Start and run an import in the foreground (CLI, benchmarks)."""
    path = Path(path)
    with path.open("rb") as handle:
        job = start_import(
            actor=actor,
            file=handle,
            file_name=path.name,
            source=source,
            center=center,
            all_or_nothing=all_or_nothing,
        )
    return run_import(job.pk)


def enqueue_import(job: ImportJob) -> None:
    """Run the job in the background once the transaction that created it commits."""
    from asa.registry.tasks import run_import_job

    transaction.on_commit(lambda: run_import_job.enqueue(job.pk))


# --- Template ----------------------------------------------------------------------------------

EXAMPLE_ROW = {
    "source_ref": "A-0001",
    "national_id": "1103702071811",
    "id_type": "national_id",
    "title": "นาง",
    "first_name": "บุญมี",
    "last_name": "ศรีสุข",
    "birth_date": "01/05/2493",
    "sex": "หญิง",
    "phone": "081-234-5678",
    "house_number": "12/3",
    "moo": "",
    "village": "ชุมชนพร้อมสุข",
    "soi": "รามอินทรา 8",
    "road": "รามอินทรา",
    "subdistrict_code": "100502",
    "postal_code": "10220",
    "latitude": "",
    "longitude": "",
    "household_ref": "H-0001",
    "relationship_to_head": "หัวหน้าครัวเรือน",
    "target_groups": "elderly;low_income",
    "problems": "debt",
}


def write_template(out) -> None:
    """The XLSX template: canonical headers, their Thai names, one example row, and lists."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "people"
    sheet.append(COLUMNS)
    sheet.append([EXAMPLE_ROW[column] for column in COLUMNS])
    for cell in sheet[2]:
        cell.data_type = "s"
    help_sheet = workbook.create_sheet("คำอธิบาย")
    help_sheet.append(["column", "หัวคอลัมน์ภาษาไทย (ใช้แทนได้)"])
    for column in COLUMNS:
        help_sheet.append([column, THAI_HEADERS[column]])
    lists = workbook.create_sheet("รายการรหัส")
    lists.append(["ชนิด", "รหัส", "ชื่อ"])
    for code, name in TargetGroup.objects.filter(is_active=True).values_list("code", "name_th"):
        lists.append(["target_groups", code, name])
    for code, name in ProblemType.objects.filter(is_active=True).values_list("code", "name_th"):
        lists.append(["problems", code, name])
    for value, label in Relationship.choices:
        lists.append(["relationship_to_head", value, str(label)])
    for value, label in IdType.choices:
        lists.append(["id_type", value, str(label)])
    workbook.save(out)
