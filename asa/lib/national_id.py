"""The Thai 13-digit national identification number (เลขประจำตัวประชาชน)."""

from operator import mul

from asa.lib.thai import THAI_DIGITS, to_arabic_digits

_WEIGHTS = tuple(range(13, 1, -1))
_ZEROS = ord("0") * sum(_WEIGHTS)


class NationalIdError(ValueError):
    """The number cannot be a national ID; the message is Thai and says why."""


def checksum_digit(first_twelve: str) -> int:
    # Byte arithmetic on the ASCII digits: an import checks a hundred thousand of these.
    total = sum(map(mul, first_twelve.encode("ascii"), _WEIGHTS)) - _ZEROS
    return (11 - total % 11) % 10


def normalize_national_id(text: str) -> str:
    """Validate and return the 13 digits, without dashes or spaces.

    Thai digits are refused when mixed with Arabic ones (a sign of a copy-paste accident) but
    accepted when the whole number is written in Thai digits.
    """
    if text and len(text) == 13 and text.isascii() and text.isdigit():
        digits = text  # the common case: thirteen plain digits, nothing to clean
        if digits[0] == "0":
            raise NationalIdError("เลขประจำตัวประชาชนหลักแรกต้องไม่เป็น 0")
        if checksum_digit(digits[:12]) != ord(digits[12]) - 48:
            raise NationalIdError("เลขประจำตัวประชาชนไม่ถูกต้อง (หลักตรวจสอบไม่ตรง)")
        return digits
    raw = "".join((text or "").split()).replace("-", "")
    if not raw:
        raise NationalIdError("กรุณากรอกเลขประจำตัวประชาชน")
    has_thai = any(char in THAI_DIGITS for char in raw)
    has_arabic = any(char in "0123456789" for char in raw)
    if has_thai and has_arabic:
        raise NationalIdError("เลขประจำตัวประชาชนมีทั้งเลขไทยและเลขอารบิกปนกัน กรุณาใช้แบบเดียว")
    digits = to_arabic_digits(raw)
    if not digits.isdigit() or not digits.isascii():
        raise NationalIdError("เลขประจำตัวประชาชนต้องเป็นตัวเลขเท่านั้น")
    if len(digits) != 13:
        raise NationalIdError(f"เลขประจำตัวประชาชนต้องมี 13 หลัก (กรอกมา {len(digits)} หลัก)")
    if digits[0] == "0":
        raise NationalIdError("เลขประจำตัวประชาชนหลักแรกต้องไม่เป็น 0")
    if checksum_digit(digits[:12]) != int(digits[12]):
        raise NationalIdError("เลขประจำตัวประชาชนไม่ถูกต้อง (หลักตรวจสอบไม่ตรง)")
    return digits


def format_national_id(digits: str) -> str:
    """1-2345-67890-12-3, the way the card prints it."""
    if len(digits) != 13:
        return digits
    return f"{digits[0]}-{digits[1:5]}-{digits[5:10]}-{digits[10:12]}-{digits[12]}"


def make_national_id(first_twelve: str) -> str:
    """Complete twelve digits with their check digit (used for synthetic demo IDs)."""
    return first_twelve + str(checksum_digit(first_twelve))
