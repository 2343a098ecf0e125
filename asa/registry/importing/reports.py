"""The row report: results, the wording of duplicates and changes, the job's counts."""

import datetime as dt
from dataclasses import dataclass

from asa.lib.thai import BE_OFFSET
from asa.registry.matching import SAME_ID
from asa.registry.models import (
    ImportRowResult,
    RowOutcome,
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
        field="national_id" if any(reason == SAME_ID for _, reason in found) else "",
        message=f"อาจเป็นบุคคลเดียวกับที่มีอยู่แล้ว: {'; '.join(parts)} ไม่ได้นำเข้า",
    )


@dataclass
class Result:
    number: int
    outcome: str
    person_id: int | None = None
    field: str = ""
    message: str = ""


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
