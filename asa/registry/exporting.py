"""Export the people a user may see as CSV (streamed) or XLSX: an audited action.

The columns are the import format's (docs/import-format.md) after the person's id, so an export
can be edited and imported back. A cell that a spreadsheet would run as a formula (starting with
= + - @, a tab or a carriage return) is written with a leading apostrophe: text, never a formula.
"""

import csv
import io

from django.db.models import Prefetch, QuerySet

from asa.accounts.events import record_event
from asa.lib.thai import format_be_date_numeric
from asa.registry.importing import COLUMNS, FORMULA_PREFIXES, THAI_HEADERS
from asa.registry.models import HouseholdMembership, Person, PersonProblem

EXPORT_COLUMNS = ["id", *COLUMNS]
CHUNK = 2000


def neutralise(value) -> str:
    """Text a spreadsheet shows as typed: formula-looking cells get a leading apostrophe."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def export_people(*, actor, people: QuerySet[Person], file_format: str, filters: dict) -> int:
    """Record that `actor` exports `people` (already scoped by the caller). Returns the count."""
    count = people.count()
    record_event(
        actor=actor,
        action="export_people",
        object_type="registry.person",
        object_id="",
        changes={"count": count, "format": file_format, "filters": filters},
    )
    return count


def _queryset(people: QuerySet[Person]) -> QuerySet[Person]:
    return people.order_by("id").prefetch_related(
        "target_groups",
        Prefetch("problems", queryset=PersonProblem.objects.select_related("problem_type")),
        Prefetch(
            "memberships",
            queryset=HouseholdMembership.objects.filter(ended_on__isnull=True).select_related(
                "household"
            ),
            to_attr="current_memberships",
        ),
    )


def person_row(person: Person) -> list[str]:
    membership = person.current_memberships[0] if person.current_memberships else None
    household_ref = ""
    if membership is not None:
        household = membership.household
        household_ref = household.source_ref or household.code
    values = {
        "id": person.pk,
        "source_ref": person.source_ref,
        "national_id": person.id_number,
        "id_type": person.id_type,
        "title": person.title,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "birth_date": (
            format_be_date_numeric(person.birth_date)
            if person.birth_date_precision == "exact"
            else str(person.birth_date.year + 543)
            if person.birth_date
            else ""
        ),
        "sex": person.get_sex_display(),
        "phone": person.phone,
        "house_number": person.house_number,
        "moo": person.moo,
        "village": person.village,
        "soi": person.soi,
        "road": person.road,
        "subdistrict_code": person.subdistrict_id or "",
        "postal_code": person.postal_code,
        "latitude": person.latitude if person.latitude is not None else "",
        "longitude": person.longitude if person.longitude is not None else "",
        "household_ref": household_ref,
        "relationship_to_head": membership.relationship if membership else "",
        "target_groups": ";".join(group.code for group in person.target_groups.all()),
        "problems": ";".join(problem.problem_type.code for problem in person.problems.all()),
    }
    return [neutralise(values[column]) for column in EXPORT_COLUMNS]


def header_row() -> list[str]:
    return ["id", *(THAI_HEADERS[column] for column in COLUMNS)]


class _Echo:
    def write(self, value):
        return value


def csv_lines(people: QuerySet[Person]):
    """CSV (UTF-8 with BOM, so Excel reads Thai) one line at a time, in chunks of rows."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(EXPORT_COLUMNS)
    for person in _queryset(people).iterator(chunk_size=CHUNK):
        yield writer.writerow(person_row(person))


def xlsx_bytes(people: QuerySet[Person]) -> bytes:
    """The export as an XLSX workbook (write-only mode; every cell written as text)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("people")
    sheet.append(EXPORT_COLUMNS)
    for person in _queryset(people).iterator(chunk_size=CHUNK):
        cells = []
        for value in person_row(person):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # a string, even if it starts with '=': never a formula
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def report_xlsx(job) -> bytes:
    """The row report of an import: row number, outcome, column, message, person id."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("report")
    sheet.append(["แถวที่", "ผล", "คอลัมน์", "รายละเอียด", "รหัสบุคคล"])
    rows = job.rows.order_by("row_number").values_list(
        "row_number", "outcome", "field", "message", "person_id"
    )
    labels = dict(job.rows.model._meta.get_field("outcome").choices)
    for number, outcome, field, message, person_id in rows.iterator(chunk_size=CHUNK):
        cells = [number]
        for value in (str(labels.get(outcome, outcome)), field, message):
            cell = WriteOnlyCell(sheet, value=neutralise(value))
            cell.data_type = "s"
            cells.append(cell)
        cells.append(person_id)
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
