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
_TITLE_PATTERN = re.compile(r"^(?:" + "|".join(re.escape(word) for word in TITLE_WORDS) + r")\s*")
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


@functools.lru_cache(maxsize=100_000)
def sound_key(name: str) -> str:
    """A Thai sound-alike key (LK82 soundex) of one name; '' when there is nothing to sound.

    Cached: names repeat a great deal in a population and the soundex is the costly part."""
    key = name_key(name)
    if not key:
        return ""
    try:
        return soundex(key, engine="lk82")
    except (ValueError, IndexError, KeyError):
        return ""


def phone_key(text: str) -> str:
    """Digits only, Thai digits read, +66 folded to 0: '+66 81-234 5678' → '0812345678'."""
    digits = _NOT_DIGIT.sub("", to_arabic_digits(text or ""))
    if digits.startswith("66") and len(digits) in (10, 11):
        digits = "0" + digits[2:]
    return digits
