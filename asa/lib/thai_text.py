"""Thai text keys for search and duplicate detection.

PostgreSQL's trigram tokenizer (C.UTF-8) treats Thai tone marks and the thanthakhat as word
breaks, so names are indexed through a normalised key: no tone marks or thanthakhat, sara am
composed, spaces and title words dropped, lower case.
"""

import functools
import re
import unicodedata

from pythainlp.soundex import soundex

from asa.lib.thai import to_arabic_digits

# ่ ้ ๊ ๋ (tone marks), ์ (thanthakhat), ็ (maitaikhu), ํ left alone only inside sara am.
_DROPPED = dict.fromkeys(map(ord, "\u0e48\u0e49\u0e4a\u0e4b\u0e4c\u0e47"), None)
TITLE_WORDS = sorted(
    [
        "นางสาว",
        "นาง",
        "นาย",
        "เด็กชาย",
        "เด็กหญิง",
        "ด.ช.",
        "ด.ญ.",
        "น.ส.",
        "ดช",
        "ดญ",
        "นส",
        "คุณ",
        "พระ",
        "สามเณร",
        "แม่",
        "mr.",
        "mrs.",
        "ms.",
        "miss",
        "mr",
        "mrs",
        "ms",
    ],
    key=len,
    reverse=True,
)
# A title is a whole leading word: followed by a space, or ending in a full stop (น.ส.สมใจ).
# Titles glued to the name are left alone, since they are also the start of real names
# (คุณัญญา, the family name นางาม, the given name นาย alone).
_TITLE_PATTERN = re.compile(
    r"^(?:(?:"
    + "|".join(re.escape(word) for word in TITLE_WORDS if word.endswith("."))
    + r")\s*|(?:"
    + "|".join(re.escape(word) for word in TITLE_WORDS if not word.endswith("."))
    + r")\s+)"
)
_NOT_NAME = re.compile(r"[^0-9a-z\u0e01-\u0e4f]")
_NOT_DIGIT = re.compile(r"\D")


def strip_title(text: str) -> str:
    return _TITLE_PATTERN.sub("", text.strip().lower(), count=1)


def name_key(text: str) -> str:
    """The search key of a name: สมชาย ใจดี → สมชายใจดี; แก้ว → แกว; นางสาว ก้อย → กอย."""
    text = unicodedata.normalize("NFC", to_arabic_digits(text or ""))
    text = strip_title(text)
    text = text.translate(_DROPPED)
    text = text.replace("\u0e4d\u0e32", "\u0e33")  # decomposed sara am (ํ + า) → ำ
    return _NOT_NAME.sub("", text.lower())


# Letters that sound the same as a commoner one. LK82 codes them alike, except where one of its
# rules reads the letter with the vowel after it: ขันธุลา and ขันทุลา got different keys.
_SOUND_ALIKE = str.maketrans("ธฑฒฐฏฎศษณ", "ททททตดสสน")


@functools.lru_cache(maxsize=100_000)
def sound_key(name: str) -> str:
    """A Thai sound-alike key (LK82 soundex) of one name; '' when there is nothing to sound.

    Cached: names repeat a great deal in a population and the soundex is the costly part."""
    key = name_key(name).translate(_SOUND_ALIKE)
    if not key:
        return ""
    try:
        return soundex(key, engine="lk82")
    except (ValueError, IndexError, KeyError):
        return ""


def phone_key(text: str) -> str:
    """One phone number in its one stored form; '' when it cannot be a phone number.

    Thai numbers as 0XXXXXXXX(X): '+66 81-234 5678', '66812345678', '081-234-5678', Thai digits
    and the 812345678 that Excel leaves of a number typed as one all give '0812345678'. Other
    countries' numbers in E.164: '+856 20 5555 1234' → '+8562055551234'.
    """
    text = to_arabic_digits(text or "").strip()
    international = text.startswith("+") or text.startswith("00")
    digits = _NOT_DIGIT.sub("", text)
    if text.startswith("00"):
        digits = digits[2:]
    if international or (digits.startswith("66") and len(digits) in (10, 11)):
        if digits.startswith("66") and len(digits) in (10, 11):
            digits = "0" + digits[2:]
        elif 8 <= len(digits) <= 15 and digits[0] != "0":
            return "+" + digits
        else:
            return ""
    elif len(digits) == 9 and digits[0] in "689":
        digits = "0" + digits  # a mobile number that lost its leading zero (06, 08, 09)
    elif len(digits) == 8 and digits[0] in "23457":
        digits = "0" + digits  # a land line that lost its leading zero (02 Bangkok, 03-07)
    if digits.startswith("0") and (
        (len(digits) == 10 and digits[1] in "689") or (len(digits) == 9 and digits[1] in "23457")
    ):
        return digits
    return ""
