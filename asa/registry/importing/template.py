"""The XLSX template of the import format."""

from asa.registry.importing.columns import (
    COLUMNS,
    THAI_HEADERS,
)
from asa.registry.models import (
    IdType,
    ProblemType,
    Relationship,
    TargetGroup,
)

EXAMPLE_ROW = {
    "source_ref": "A-0001",
    "national_id": "1103702071811",
    "id_type": "national_id",
    "title": "นาง",
    "first_name": "บุญมี",
    "last_name": "ศรีสุข",
    "birth_date": "01/05/2493",
    "sex": "หญิง",
    "phone": "081-234-5678",
    "house_number": "12/3",
    "moo": "",
    "village": "ชุมชนพร้อมสุข",
    "soi": "รามอินทรา 8",
    "road": "รามอินทรา",
    "subdistrict_code": "100502",
    "postal_code": "10220",
    "latitude": "",
    "longitude": "",
    "household_ref": "H-0001",
    "relationship_to_head": "หัวหน้าครัวเรือน",
    "target_groups": "elderly;low_income",
    "problems": "debt",
}


def write_template(out) -> None:
    """The XLSX template: canonical headers, their Thai names, one example row, and lists."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "people"
    sheet.append(COLUMNS)
    sheet.append([EXAMPLE_ROW[column] for column in COLUMNS])
    for cell in sheet[2]:
        cell.data_type = "s"
    help_sheet = workbook.create_sheet("คำอธิบาย")
    help_sheet.append(["column", "หัวคอลัมน์ภาษาไทย (ใช้แทนได้)"])
    for column in COLUMNS:
        help_sheet.append([column, THAI_HEADERS[column]])
    lists = workbook.create_sheet("รายการรหัส")
    lists.append(["ชนิด", "รหัส", "ชื่อ"])
    for code, name in TargetGroup.objects.filter(is_active=True).values_list("code", "name_th"):
        lists.append(["target_groups", code, name])
    for code, name in ProblemType.objects.filter(is_active=True).values_list("code", "name_th"):
        lists.append(["problems", code, name])
    for value, label in Relationship.choices:
        lists.append(["relationship_to_head", value, str(label)])
    for value, label in IdType.choices:
        lists.append(["id_type", value, str(label)])
    workbook.save(out)
