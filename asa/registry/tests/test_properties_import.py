"""Property-based tests of the import parsers: any cell, any file, never a crash.

Dates (BE, CE, ISO, Excel serials, Thai digits and month names), national IDs, cells of every
type, whole CSV files in every encoding and XLSX files with random cells: each gives a value
or a Thai error for the cell (a per-row error in the import), never an exception of another
kind. Round trips check the parsers read what the app itself writes.
"""

import csv
import datetime as dt
import io
import string

import pytest
from django.core.exceptions import ValidationError
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from asa.lib.national_id import (
    NationalIdError,
    format_national_id,
    make_national_id,
    normalize_national_id,
)
from asa.lib.tests.strategies import TEXT, THAI
from asa.lib.thai import (
    ThaiDateError,
    format_be_date_numeric,
    parse_be_date,
    to_thai_digits,
)
from asa.registry import importing
from asa.registry.importing import (
    COLUMNS,
    THAI_HEADERS,
    Catalogues,
    CellError,
    RowChecker,
    RowError,
    cell_text,
    parse_date,
)
from asa.registry.models import ImportJob, ImportRowResult, ImportStatus

# Dates a Thai form can hold: BE years 2400..9999 (CE 1857..9456).
FORM_DATES = st.dates(min_value=dt.date(1857, 1, 1), max_value=dt.date(9456, 12, 31))
CELLS = st.one_of(
    st.none(),
    TEXT,
    st.booleans(),
    st.integers(min_value=-(2**64), max_value=2**64),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(),
    st.datetimes(),
)


# --- Dates typed into forms (asa/lib/thai.py) ---------------------------------------------------


@given(TEXT)
def test_parse_be_date_gives_a_date_or_a_thai_error(text):
    try:
        value = parse_be_date(text)
    except ThaiDateError as error:
        assert any("\u0e00" <= char <= "\u0e7f" for char in str(error))
    else:
        assert isinstance(value, dt.date)


@given(FORM_DATES, st.booleans())
def test_parse_be_date_reads_what_the_app_writes(day, thai_digits):
    text = format_be_date_numeric(day)
    if thai_digits:
        text = to_thai_digits(text)
    assert parse_be_date(text) == day


@given(st.dates(max_value=dt.date(1856, 12, 31)))
def test_a_common_era_year_is_refused_not_moved_five_centuries(day):
    with pytest.raises(ThaiDateError):
        parse_be_date(day.strftime("%d/%m/") + str(day.year).zfill(4))


# --- National ID ------------------------------------------------------------------------------


@given(TEXT)
def test_normalize_national_id_gives_13_digits_or_a_thai_error(text):
    try:
        digits = normalize_national_id(text)
    except NationalIdError as error:
        assert any("\u0e00" <= char <= "\u0e7f" for char in str(error))
    else:
        assert len(digits) == 13 and digits.isascii() and digits.isdigit()
        assert digits[0] != "0"


@given(
    st.text(string.digits, min_size=11, max_size=11),
    st.sampled_from("123456789"),
    st.sampled_from(["plain", "dashes", "spaces", "thai"]),
)
def test_normalize_national_id_reads_every_way_it_is_written(rest, first, style):
    number = make_national_id(first + rest)
    written = {
        "plain": number,
        "dashes": format_national_id(number),
        "spaces": " ".join(format_national_id(number).split("-")),
        "thai": to_thai_digits(format_national_id(number)),
    }[style]
    assert normalize_national_id(written) == number


@given(st.text(string.digits, min_size=12, max_size=12).filter(lambda text: text[0] != "0"))
def test_a_wrong_check_digit_is_refused(first_twelve):
    number = make_national_id(first_twelve)
    wrong = first_twelve + str((int(number[-1]) + 1) % 10)
    with pytest.raises(NationalIdError):
        normalize_national_id(wrong)


# --- Cells of an import (asa/registry/importing/) ----------------------------------------------


@given(CELLS)
def test_parse_date_gives_a_date_or_a_cell_error(value):
    try:
        day, precision = parse_date(value)
    except CellError as error:
        assert str(error)
    else:
        assert day is None or isinstance(day, dt.date)
        assert precision in ("exact", "year", "unknown", "")


@given(CELLS)
def test_cell_text_reads_every_cell(value):
    assert isinstance(cell_text(value), str)


@given(FORM_DATES.filter(lambda day: day.year >= 1900), st.sampled_from(["be", "ce", "iso"]))
def test_parse_date_reads_be_ce_and_iso(day, style):
    text = {
        "be": format_be_date_numeric(day),
        "ce": day.strftime("%d/%m/") + str(day.year),
        "iso": f"{day.year + 543:04d}-{day.month:02d}-{day.day:02d}",
    }[style]
    if style == "ce" and day.year >= 2400:
        return  # a CE year past 2400 reads as BE, by design
    assert parse_date(text) == (day, "exact")
    assert parse_date(to_thai_digits(text)) == (day, "exact")


@given(st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2100, 12, 31)))
def test_parse_date_reads_excel_serials(day):
    serial = (day - importing.EXCEL_EPOCH).days
    assume(not (1800 <= serial <= 2200 or 2400 <= serial <= 2800))  # those read as years
    assert parse_date(serial) == (day, "exact")
    assert parse_date(float(serial)) == (day, "exact")


@pytest.fixture
def catalogues(db):
    return Catalogues.load()


# A row: any subset of the columns, in any order, with cells of any type.
ROWS = st.tuples(
    st.lists(st.sampled_from([*COLUMNS, None]), min_size=1, max_size=12),
    st.lists(CELLS, max_size=14),
)


def test_check_row_gives_a_row_or_errors_naming_columns(catalogues):
    @given(ROWS)
    def check(row):
        columns, cells = row
        checker = RowChecker(columns, catalogues, today=dt.date(2026, 11, 25))
        try:
            checked = checker.check(cells)
        except RowError as error:
            assert error.errors
            assert set(error.errors) <= set(COLUMNS), error.errors
            assert all(isinstance(message, str) and message for message in error.errors.values())
        else:
            assert checked.data["first_name"]

    check()


# --- Whole files ------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _check_job(job: ImportJob) -> None:
    job.refresh_from_db()
    assert job.status in (ImportStatus.DONE, ImportStatus.FAILED)
    if job.status == ImportStatus.FAILED:
        assert job.error
        return
    results = ImportRowResult.objects.filter(job=job)
    assert results.count() <= job.total_rows
    for outcome, field, message in results.values_list("outcome", "field", "message"):
        if outcome == "error":
            assert message, field


def _try_import(actor, content: bytes, name: str) -> None:
    try:
        job = importing.start_import(actor=actor, file=content, file_name=name, source="fuzz")
    except ValidationError as error:
        assert set(error.message_dict) <= {"file", "source", "center"}, error.message_dict
        return
    _check_job(importing.run_import(job.pk))


FILE_BYTES = st.one_of(
    st.binary(max_size=300),
    st.just(b""),
    st.just(b"PK\x03\x04" + b"\x00" * 40),  # a zip header and nothing else
    st.just(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),  # an old .xls
    st.text(max_size=200).map(lambda text: text.encode("utf-8")),
)


def test_an_xlsx_named_csv_is_read_by_its_content(chair_a):
    """Regression: openpyxl refused the stored `.csv` path of a renamed XLSX (a 500)."""
    workbook = Workbook()
    workbook.active.append(["first_name", "last_name", "subdistrict_code"])
    workbook.active.append(["นำเข้า", "ชื่อไฟล์ผิด", "100502"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    job = importing.start_import(
        actor=chair_a, file=buffer.getvalue(), file_name="people.csv", source="renamed"
    )
    job = importing.run_import(job.pk)
    assert job.status == ImportStatus.DONE
    assert ImportRowResult.objects.filter(job=job, outcome="imported").count() == 1


def test_any_bytes_are_refused_in_thai_or_imported(chair_a):
    @settings(max_examples=15)
    @given(FILE_BYTES, st.sampled_from(["people.csv", "people.xlsx", "x", "ภาพ.jpg"]))
    def check(content, name):
        _try_import(chair_a, content, name)

    check()


# Header cells: real column names (English and Thai), aliases that don't exist, garbage.
HEADERS = st.lists(
    st.one_of(st.sampled_from(COLUMNS), st.sampled_from(list(THAI_HEADERS.values())), TEXT),
    min_size=1,
    max_size=8,
).map(lambda header: ["first_name", *header])
CSV_CELLS = st.one_of(TEXT, st.text(THAI, max_size=20), st.sampled_from(["100502", "=1+1", ""]))


def test_random_csv_files_give_per_row_errors(chair_a):
    @settings(max_examples=10)
    @given(
        HEADERS,
        st.lists(st.lists(CSV_CELLS, max_size=10), max_size=6),
        st.sampled_from(["utf-8", "utf-8-sig", "cp874"]),
        st.sampled_from([",", ";", "\t"]),
    )
    def check(header, rows, encoding, delimiter):
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
        try:
            content = buffer.getvalue().encode(encoding)
        except UnicodeEncodeError:
            content = buffer.getvalue().encode("utf-8")
        _try_import(chair_a, content, "people.csv")

    check()


XLSX_CELLS = st.one_of(
    st.none(),
    st.text(st.characters(blacklist_categories=["Cc", "Cs"]), max_size=30),
    st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(min_value=dt.date(1900, 3, 1)),
    st.datetimes(min_value=dt.datetime(1900, 3, 1)),
)


def test_random_xlsx_files_give_per_row_errors(chair_a):
    @settings(max_examples=8)
    @given(HEADERS, st.lists(st.lists(XLSX_CELLS, max_size=10), max_size=5))
    def check(header, rows):
        workbook = Workbook()
        sheet = workbook.active
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", str(cell)) for cell in header])
        for row in rows:
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        _try_import(chair_a, buffer.getvalue(), "people.xlsx")

    check()


# --- The One Home directory import (asa/referrals/importing.py) -------------------------------


def test_the_directory_import_reports_bad_rows(admin_user):
    from asa.referrals.importing import COLUMNS as DIRECTORY_COLUMNS
    from asa.referrals.importing import import_directory

    @settings(max_examples=10)
    @given(
        st.lists(st.sampled_from(DIRECTORY_COLUMNS), min_size=1, max_size=6),
        st.lists(st.lists(CSV_CELLS, max_size=8), max_size=4),
        FILE_BYTES,
        st.booleans(),
    )
    def check(header, rows, raw, as_csv):
        if as_csv:
            buffer = io.StringIO()
            csv.writer(buffer).writerows([["name_th", *header], *rows])
            raw = buffer.getvalue().encode("utf-8")
        try:
            report = import_directory(actor=admin_user, data=raw, file_name="x.csv")
        except ValidationError as error:
            assert set(error.message_dict) == {"file"}
            return
        for row in report.rows:
            assert row.outcome in ("created", "updated", "unchanged", "error")
            if row.outcome == "error":
                assert row.message

    check()
