"""Reading files: sniffing CSV or XLSX by content, decoding Thai text, mapping the header."""

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError

from asa.registry.importing.columns import (
    HEADER_ALIASES,
    NOT_A_SPREADSHEET,
    _header_key,
)


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
