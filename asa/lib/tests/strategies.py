"""Hypothesis strategies for bad input: what people (and attackers) type into Thai forms."""

from hypothesis import strategies as st

# Thai letters, vowels, tone marks and digits (U+0E01..U+0E5B).
THAI = st.characters(min_codepoint=0x0E01, max_codepoint=0x0E5B)
CONTROL = st.sampled_from(["\x00", "\x01", "\x08", "\x1b", "\u200b", "\u202e", "\ufeff", "\r"])

# Strings that break naive code: markup, template syntax, SQL, numbers at the edges, dates
# written every wrong way, huge and empty values.
NASTY = [
    "",
    " ",
    "\x00",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{7*7}}",
    "{% debug %}",
    "' OR 1=1 --",
    "%' ; DROP TABLE registry_person; --",
    "\u2019 OR \u20181\u2019=\u20181",
    "-1",
    "0",
    "1.5",
    "1e20",
    "1e309",
    "NaN",
    "Infinity",
    "-0",
    "999999999999",
    "99999999999999999999999999",
    "2147483648",
    "9223372036854775808",
    "๑๒๓",
    "๓๑/๑๒/๒๕๖๗",
    "31/02/2567",
    "29/02/2568",
    "00/00/0000",
    "1/1/1",
    "01/01/9999",
    "9999-12-31",
    "0001-01-01",
    "2567-13-45",
    "25:61",
    "1-2345-67890-12-3",
    "1234567890123",
    "data:image/png;base64,AAAA",
    "data:image/png;base64,iVBORw0KGgo=",
    "true",
    "on",
    "null",
    "[]",
    "{}",
    "ก" * 10_000,
    "a" * 100_001,
    "\u0e01\u0e34\u0e48\u0e49\u0e4a\u0e4b" * 50,
    "\ud7ff\ue000\U0010ffff",
    "../../etc/passwd",
    "%00",
    "\\",
]

TEXT = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.text(THAI, max_size=40),
    st.text(st.one_of(THAI, CONTROL, st.characters()), max_size=60),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.dates().map(lambda day: day.strftime("%d/%m/") + str(day.year + 543)),
)
