"""Record of processing activities (PDPA s.39), kept as configuration in code.

Changing what Asa processes means changing this list in the same change, so the record cannot
drift from the software. Rendered as a page and exported as XLSX and PDF.
"""

import io
from dataclasses import dataclass

CONTROLLER = {
    "name": "กรมพัฒนาสังคมและสวัสดิการ กระทรวงการพัฒนาสังคมและความมั่นคงของมนุษย์",
    "contact": "เจ้าหน้าที่คุ้มครองข้อมูลส่วนบุคคล โทร 1300 · dpo@dsdw.go.th",
    "address": "1034 ถนนกรุงเกษม แขวงมหานาค เขตป้อมปราบศัตรูพ่าย กรุงเทพมหานคร 10100",
}

ONE_HOME = "หน่วยงานภาคีเครือข่าย One Home (เฉพาะเมื่อเจ้าของข้อมูลยินยอมให้ส่งต่อ หรือเพื่อป้องกันอันตรายต่อชีวิต)"
SECURITY = (
    "สิทธิ์เข้าถึงตามบทบาทและพื้นที่ (ศูนย์ เขต จังหวัด) ผ่านชั้นควบคุมสิทธิ์เดียว · "
    "บันทึกการใช้งานแบบต่อกันด้วยค่าแฮช (ส่งค่าหัวของบันทึกถึงเจ้าหน้าที่คุ้มครองข้อมูลทุกวัน): "
    "ทุกการแก้ไข · ทุกการเปิดดูบุคคล ครัวเรือน และกรณี ทั้งหน้าเว็บและ API · "
    "ทุกการเปิดดูการส่งต่อโดยหน่วยงานภาคี (ผู้ใช้ในระบบและลิงก์) · "
    "ทุกการค้นหาและการเปิดรายการบุคคล ครัวเรือน และกรณี ทุกหน้า (ผู้ค้น คำค้นและเงื่อนไข "
    "จำนวนผลลัพธ์ ขอบเขตสิทธิ์) · ทุกการส่งออก · "
    "ไม่บันทึกรายบุคคล: แดชบอร์ดและรายงานตัวเลขรวม รายการศูนย์ อาสาสมัคร กิจกรรม และสิ่งของ · "
    "เข้ารหัสเลขประจำตัวและโทรศัพท์ · "
    "ไฟล์ภาพและเอกสารไม่เปิดเป็นสาธารณะ · การยืนยันตัวตนสองชั้นสำหรับผู้ดูแล"
)


@dataclass(frozen=True)
class Activity:
    code: str
    name: str
    purpose: str
    legal_basis: str
    data_subjects: str
    data_categories: str
    sensitive_data: str
    sources: str
    recipients: str
    retention: str
    security: str = SECURITY
    cross_border: str = "ไม่มีการส่งข้อมูลไปต่างประเทศ"


ACTIVITIES = [
    Activity(
        code="registry",
        name="ฐานข้อมูลผู้ประสบปัญหาทางสังคมและครัวเรือน",
        purpose="ค้นหา ลงทะเบียน และติดตามผู้ประสบปัญหาทางสังคมเพื่อให้ความช่วยเหลือ",
        legal_basis=(
            "มาตรา 24(4) ภารกิจเพื่อประโยชน์สาธารณะ/การใช้อำนาจรัฐ · มาตรา 26(5)(ข)"
            " การคุ้มครองทางสังคม · มาตรา 24(2)/26(1) ป้องกันอันตรายต่อชีวิต"
        ),
        data_subjects="ผู้ประสบปัญหาทางสังคม สมาชิกครัวเรือน ผู้ปกครอง/ผู้แทนโดยชอบธรรม",
        data_categories=(
            "ชื่อ-นามสกุล เลขประจำตัวประชาชน วันเกิด เพศ ที่อยู่ พิกัด โทรศัพท์"
            " กลุ่มเป้าหมาย ปัญหา ผลการประเมินครัวเรือน 5 มิติ ความยินยอม"
        ),
        sensitive_data="ความพิการ ข้อมูลสุขภาพ (มาตรา 26)",
        sources="อพม. ในพื้นที่ สายด่วน 1300 การสำรวจ การนำเข้าจากหน่วยงานรัฐ",
        recipients="ศูนย์ประสานงาน อพม. เจ้าหน้าที่ พมจ./สำนักงานเขต ส่วนกลาง",
        retention="ตลอดระยะเวลาที่มีกรณีเปิดอยู่ และ 10 ปีหลังปิดกรณี; ไม่มีกรณีและไม่มีความเคลื่อนไหว 5 ปี",
    ),
    Activity(
        code="casework",
        name="การรับเรื่อง เยี่ยมบ้าน วางแผน และให้ความช่วยเหลือรายกรณี",
        purpose="บริหารกรณีตั้งแต่รับแจ้งจนปิดกรณี บันทึกการเยี่ยมบ้าน แผน และความช่วยเหลือ",
        legal_basis="มาตรา 24(4) · มาตรา 26(5)(ข) · มาตรา 24(2)/26(1) กรณีฉุกเฉิน",
        data_subjects="ผู้ประสบปัญหาทางสังคม ผู้แจ้งเหตุ สมาชิกครัวเรือน",
        data_categories=("เรื่องโดยย่อ บันทึกการเยี่ยม ภาพถ่าย ความต้องการ แผนช่วยเหลือ เงินและสิ่งของที่ได้รับ"),
        sensitive_data="ข้อมูลสุขภาพ ความพิการ ประวัติความรุนแรงในครอบครัว (มาตรา 26)",
        sources="อพม. เจ้าหน้าที่ และเจ้าของข้อมูล",
        recipients="ศูนย์ที่รับผิดชอบ เจ้าหน้าที่ในพื้นที่ " + ONE_HOME,
        retention="10 ปีหลังปิดกรณี จากนั้นทำให้ไม่สามารถระบุตัวตนได้ (คงสถิติไว้)",
    ),
    Activity(
        code="referrals",
        name="การส่งต่อหน่วยงานภาคีเครือข่าย One Home",
        purpose="ส่งต่อผู้ประสบปัญหาไปรับบริการที่หน่วยงานที่เหมาะสมและติดตามผล",
        legal_basis="มาตรา 19 ความยินยอม (ส่งต่อเฉพาะข้อมูลที่บริการต้องใช้) · มาตรา 26(1)",
        data_subjects="ผู้ประสบปัญหาทางสังคมที่ถูกส่งต่อ",
        data_categories="ชื่อ อายุ ที่อยู่ ความต้องการ สรุปครัวเรือน ตามที่บริการกำหนด",
        sensitive_data="เฉพาะที่บริการต้องใช้ (เช่น ความพิการ)",
        sources="ข้อมูลกรณีในระบบ",
        recipients=ONE_HOME,
        retention="ตามกรณีที่ส่งต่อ",
    ),
    Activity(
        code="aid",
        name="การรับบริจาคและแจกจ่ายสิ่งของ การยืมอุปกรณ์",
        purpose="บันทึกสิ่งของที่มอบให้และอุปกรณ์ที่ให้ยืม พร้อมลายมือชื่อผู้รับ",
        legal_basis="มาตรา 24(4) · มาตรา 24(6) การปฏิบัติตามกฎหมาย (ระเบียบพัสดุและการเงิน)",
        data_subjects="ผู้รับสิ่งของ ผู้ยืมอุปกรณ์ ผู้บริจาค",
        data_categories="ชื่อ ลายมือชื่อ รายการสิ่งของ วันที่",
        sensitive_data="ไม่มี",
        sources="เจ้าหน้าที่ศูนย์ ผู้รับ",
        recipients="ศูนย์ประสานงาน ผู้ตรวจสอบภายใน/สตง.",
        retention="10 ปีตามระเบียบการเงิน จากนั้นลบลายมือชื่อและชื่อผู้รับ",
    ),
    Activity(
        code="volunteers",
        name="ทะเบียน อพม. และผู้ใช้งานระบบ",
        purpose="บริหารอาสาสมัคร ศูนย์ประสานงาน สิทธิ์การใช้งาน และชั่วโมงจิตอาสา",
        legal_basis="มาตรา 24(4) · มาตรา 24(3) สัญญา/การเป็นอาสาสมัคร",
        data_subjects="อพม. ประธานศูนย์ เจ้าหน้าที่ ผู้ใช้งานของหน่วยงานภาคี",
        data_categories="ชื่อ เลขประจำตัวประชาชน วันเกิด ที่อยู่ โทรศัพท์ ทักษะ การอบรม",
        sensitive_data="ไม่มี",
        sources="เจ้าของข้อมูล ศูนย์ประสานงาน",
        recipients="ศูนย์ประสานงาน เจ้าหน้าที่ในพื้นที่ ส่วนกลาง",
        retention="ระหว่างเป็นอาสาสมัคร และ 5 ปีหลังพ้นสภาพ",
    ),
    Activity(
        code="audit",
        name="บันทึกการใช้งาน (audit log)",
        purpose="ตรวจสอบการเข้าถึงและแก้ไขข้อมูล ตอบคำขอของเจ้าของข้อมูล สอบสวนเหตุละเมิด",
        legal_basis="มาตรา 24(6) · มาตรา 37(1) หน้าที่จัดให้มีมาตรการรักษาความมั่นคงปลอดภัย",
        data_subjects=("ผู้ใช้งานระบบ เจ้าของข้อมูลที่ถูกอ่าน/แก้ไข (อ้างอิงรหัส) และบุคคลที่ถูกค้นหา (คำค้น)"),
        data_categories=(
            "ผู้ใช้ เวลา การดำเนินการ รหัสข้อมูล หมายเลข IP เหตุผลการเข้าถึง "
            "คำค้นและเงื่อนไขการค้นหา (อาจมีชื่อ เลขประจำตัว หรือโทรศัพท์ที่ค้น) "
            "จำนวนผลลัพธ์ ขอบเขตสิทธิ์ของผู้ค้น"
        ),
        sensitive_data="ไม่มี",
        sources="ระบบบันทึกอัตโนมัติ",
        recipients="เจ้าหน้าที่คุ้มครองข้อมูลส่วนบุคคล ส่วนกลาง",
        retention="10 ปี ไม่ทำให้เป็นนิรนาม (หลักฐานตามกฎหมาย)",
    ),
]

COLUMNS = [
    ("name", "กิจกรรมการประมวลผล"),
    ("purpose", "วัตถุประสงค์"),
    ("legal_basis", "ฐานทางกฎหมาย"),
    ("data_subjects", "ประเภทเจ้าของข้อมูล"),
    ("data_categories", "ประเภทข้อมูล"),
    ("sensitive_data", "ข้อมูลอ่อนไหว (มาตรา 26)"),
    ("sources", "แหล่งที่มา"),
    ("recipients", "ผู้รับข้อมูล"),
    ("retention", "ระยะเวลาการเก็บรักษา"),
    ("security", "มาตรการรักษาความมั่นคงปลอดภัย"),
    ("cross_border", "การส่งไปต่างประเทศ"),
]


def rows() -> list[list[str]]:
    return [[getattr(activity, key) for key, _label in COLUMNS] for activity in ACTIVITIES]


def to_xlsx() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "ROPA"
    sheet.append([f"บันทึกรายการกิจกรรมการประมวลผล (มาตรา 39) — {CONTROLLER['name']}"])
    sheet.append([f"ติดต่อ: {CONTROLLER['contact']} · {CONTROLLER['address']}"])
    sheet.append([label for _key, label in COLUMNS])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in rows():
        sheet.append(row)
    for column in sheet.iter_cols(min_row=3):
        sheet.column_dimensions[column[0].column_letter].width = 40
        for cell in column:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_pdf() -> bytes:
    from asa.privacy.answer import _Document

    document = _Document()
    pdf = document.pdf
    pdf.set_font("Sarabun", "B", 17)
    pdf.multi_cell(
        0,
        9,
        "บันทึกรายการกิจกรรมการประมวลผลข้อมูลส่วนบุคคล (มาตรา 39)",
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    document.note(f"ผู้ควบคุมข้อมูล: {CONTROLLER['name']}")
    document.note(f"ติดต่อ: {CONTROLLER['contact']} · {CONTROLLER['address']}")
    for index, activity in enumerate(ACTIVITIES, start=1):
        document.heading(f"{index}. {activity.name}", size=13)
        for key, label in COLUMNS[1:]:
            # Labels here are long: each on its own line, the text wrapped below it.
            pdf.set_font("Sarabun", "B", 11)
            pdf.multi_cell(0, 6, label, new_x="LMARGIN", new_y="NEXT")
            document.note(getattr(activity, key))
    return bytes(pdf.output())
