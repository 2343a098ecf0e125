"""Rows an import refused as likely duplicates: kept for a reviewer, not lost.

The row's data stays in the uploaded file (kept under MEDIA_ROOT/imports, never public) and is
read again for the reviewer, side by side with the person it matched. The reviewer takes over
what the row knows and the record lacks (an ID, a phone, an exact birth date) in one step,
registers the row as a new person after all, or sets it aside. Each decision is an action with
its audit event.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from asa.accounts.access import visible
from asa.accounts.events import record_event
from asa.registry import actions
from asa.registry.importing import Catalogues, Row, RowChecker, RowError, open_sheet
from asa.registry.models import (
    BirthDatePrecision,
    IdType,
    ImportReview,
    ImportRowResult,
    RowOutcome,
)

# What a row may add to the record it matched, when the record has none of it.
TAKEN_FIELDS = ("id_number", "phone", "birth_date")


def review_queue(user) -> QuerySet[ImportRowResult]:
    """Refused rows waiting for a decision, matched to people the user may change."""
    return visible(
        user,
        ImportRowResult.objects.filter(
            outcome=RowOutcome.DUPLICATE,
            review="",
            person__isnull=False,
            person__merged_into__isnull=True,
            job__dry_run=False,
        ),
        write=True,
    ).select_related("job", "person")


def read_row(result: ImportRowResult) -> Row:
    """The row as the import read it, from the kept file; ValidationError when it is gone."""
    try:
        sheet = open_sheet(result.job.file_path)
    except (OSError, ValidationError):
        raise ValidationError("ไม่พบไฟล์นำเข้าเดิมแล้ว (อาจถูกลบตามระยะเวลาเก็บรักษา)") from None
    checker = RowChecker(sheet.columns, Catalogues.load(), today=timezone.localdate())
    line = 1
    for raw in sheet.rows:
        line += 1
        if line == result.row_number:
            try:
                row = checker.check(raw)
            except RowError:
                break
            row.number = line
            return row
    raise ValidationError("อ่านแถวนี้จากไฟล์นำเข้าไม่ได้แล้ว")


def missing_from_person(result: ImportRowResult, row: Row) -> dict:
    """The fields the row knows and its matched person lacks."""
    person, data = result.person, row.data
    taken = {}
    if data["id_number"] and not person.id_number:
        taken |= {"id_type": data["id_type"], "id_number": data["id_number"]}
    if data["phone"] and not person.phone:
        taken["phone"] = data["phone"]
    row_exact = data["birth_date"] and data["birth_date_precision"] == BirthDatePrecision.EXACT
    if row_exact and (
        person.birth_date is None or person.birth_date_precision != BirthDatePrecision.EXACT
    ):
        taken |= {
            "birth_date": data["birth_date"],
            "birth_date_precision": BirthDatePrecision.EXACT,
        }
    return taken


@transaction.atomic
def review_import_row(
    *, actor, result: ImportRowResult, decision: str, reason: str = ""
) -> ImportRowResult:
    """Decide on a refused row: take over what the record lacks, register it, or set it aside."""
    result = (
        ImportRowResult.objects.select_for_update(of=("self",))
        .select_related("job", "person")
        .get(pk=result.pk)
    )
    if result.review:
        raise ValidationError({"decision": "แถวนี้ตรวจสอบไปแล้ว"})
    if decision not in ImportReview.values:
        raise ValidationError({"decision": "กรุณาเลือกสิ่งที่จะทำกับแถวนี้"})
    changes: dict = {"job": result.job_id, "row": result.row_number, "decision": decision}
    if decision == ImportReview.TAKEN_OVER:
        taken = missing_from_person(result, read_row(result))
        if not taken:
            raise ValidationError({"decision": "บุคคลเดิมมีข้อมูลที่แถวนี้มีครบแล้ว"})
        actions.update_person(actor=actor, person=result.person, **taken)
        changes["taken"] = sorted(taken)
    elif decision == ImportReview.REGISTERED:
        row = read_row(result)
        data = {name: value for name, value in row.data.items() if value not in (None, "")}
        data.setdefault("id_type", IdType.NONE)
        person = actions.register_person(
            actor=actor,
            source=result.job.source,
            source_ref=row.source_ref,
            duplicate_override_reason=reason or "ผู้ตรวจสอบยืนยันว่าไม่ใช่บุคคลเดียวกัน (แถวนำเข้า)",
            **data,
        )
        changes["person"] = person.pk
    result.review = decision
    result.reviewed_by = actor
    result.reviewed_at = timezone.now()
    result.save(update_fields=["review", "reviewed_by", "reviewed_at"])
    record_event(
        actor=actor,
        action="review_import_row",
        obj=result.person,
        changes=changes,
        reason=reason,
    )
    return result
