"""Reading cells: text, dates (BE/CE, Excel serials, Thai months), sex, ID types, lists."""

import datetime as dt
import re

from asa.lib.thai import BE_OFFSET, THAI_MONTHS, THAI_MONTHS_SHORT, to_arabic_digits
from asa.registry.importing.columns import (
    _header_key,
)
from asa.registry.models import (
    BirthDatePrecision,
    IdType,
    Relationship,
    Sex,
)


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
