"""Thai dates and digits: stored as ISO / CE, shown in the Buddhist Era (BE = CE + 543)."""

import contextvars
import datetime as dt
import re

BE_OFFSET = 543
EARLIEST_BE_YEAR = 2443  # 1900 CE: no date Asa records (a birth, a consent, a visit) is older
THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"
_TO_ARABIC = str.maketrans(THAI_DIGITS, "0123456789")
_TO_THAI = str.maketrans("0123456789", THAI_DIGITS)

THAI_MONTHS = [
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
]
THAI_MONTHS_SHORT = [
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
]

# Whether the current request wants Thai digits; set per request by the display middleware.
thai_digits_preferred: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "thai_digits_preferred", default=False
)


def to_arabic_digits(text: str) -> str:
    return text.translate(_TO_ARABIC)


def to_thai_digits(text: str) -> str:
    return text.translate(_TO_THAI)


def display_digits(text: str) -> str:
    """Digits as the current user prefers to read them."""
    return to_thai_digits(text) if thai_digits_preferred.get() else text


def be_year(year_ce: int) -> int:
    return year_ce + BE_OFFSET


def format_be_date(value: dt.date | None, *, long: bool = False) -> str:
    """11 มี.ค. 2562 (or 11 มีนาคม 2562 with long=True).

    A datetime's date is its date in local time (Bangkok): 03:40 on 8 Dec there is 20:40 on
    7 Dec in UTC, and the user means the 8th.
    """
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = local_date(value)
    months = THAI_MONTHS if long else THAI_MONTHS_SHORT
    return display_digits(f"{value.day} {months[value.month - 1]} {be_year(value.year)}")


def format_birth_date(value: dt.date | None, precision: str = "", *, long: bool = False) -> str:
    """A birth date as far as it is known: "พ.ศ. 2498" when only the year is (precision
    "year"; the stored date is then 1 January, which is not the birthday), else the date."""
    if value is None:
        return ""
    if precision == "year":
        return display_digits(f"พ.ศ. {be_year(value.year)}")
    return format_be_date(value, long=long)


def local_date(value: dt.datetime) -> dt.date:
    """The date of a datetime in local time (settings.TIME_ZONE); naive ones are taken as is."""
    from django.utils import timezone

    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.date()


def format_be_date_numeric(value: dt.date | None) -> str:
    """dd/mm/yyyy in BE, the way Thai forms write a date."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = local_date(value)
    return f"{value.day:02d}/{value.month:02d}/{be_year(value.year)}"


def fiscal_year_be(value: dt.date) -> int:
    """Thai fiscal year (1 Oct – 30 Sep), named by the BE year it ends in."""
    return be_year(value.year + 1 if value.month >= 10 else value.year)


class ThaiDateError(ValueError):
    """A date the user typed that cannot be read; the message is Thai and says why."""


_DATE_PATTERN = re.compile(r"^\s*(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})\s*$")
_ISO_PATTERN = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")


def parse_be_date(text: str, *, today: dt.date | None = None) -> dt.date:
    """Read a date typed as dd/mm/yyyy in the Buddhist Era (Thai digits allowed).

    A year that looks like the Common Era (before 2400) is refused with a message saying so,
    instead of silently becoming a date five centuries ago.
    """
    text = to_arabic_digits(text or "").strip()
    if not text:
        raise ThaiDateError("กรุณากรอกวันที่")
    match = _DATE_PATTERN.match(text)
    if match:
        day, month, year = (int(part) for part in match.groups())
    elif iso := _ISO_PATTERN.match(text):
        year, month, day = (int(part) for part in iso.groups())
    else:
        raise ThaiDateError("รูปแบบวันที่ไม่ถูกต้อง กรุณากรอกเป็น วว/ดด/ปปปป (พ.ศ.) เช่น 11/03/2562")
    if 1900 <= year < 2400:
        raise ThaiDateError(f"ปี {year} ดูเหมือนเป็นปี ค.ศ. กรุณากรอกปี พ.ศ. (เช่น {year + BE_OFFSET})")
    if year < EARLIEST_BE_YEAR:
        raise ThaiDateError(f"ปี พ.ศ. {year} เก่าเกินไป (ก่อน พ.ศ. {EARLIEST_BE_YEAR}) กรุณาตรวจสอบปี")
    try:
        return dt.date(year - BE_OFFSET, month, day)
    except ValueError as error:
        raise ThaiDateError("ไม่มีวันที่นี้ในปฏิทิน กรุณาตรวจสอบวัน เดือน และปี") from error


def check_ce_date(value: dt.date) -> None:
    """Refuse a date given in the Common Era that is really a BE year (the API takes CE).

    Raises ThaiDateError when the year is past 2400 (2562 typed where 2019 was meant), or
    before 1900 (a consent "given" in 887 is a typing slip, not a record).
    """
    if value.year < EARLIEST_BE_YEAR - BE_OFFSET:
        raise ThaiDateError(
            f"ปี ค.ศ. {value.year} เก่าเกินไป (ก่อน ค.ศ. {EARLIEST_BE_YEAR - BE_OFFSET}) กรุณาตรวจสอบปี"
        )
    if value.year >= 2400:
        raise ThaiDateError(
            f"ปี {value.year} ดูเหมือนเป็นปี พ.ศ. ช่องนี้ใช้ปี ค.ศ. (เช่น {value.year - BE_OFFSET})"
        )
