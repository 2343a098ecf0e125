"""PDF receipts: the donation receipt (ใบอนุโมทนาบัตร) and the distribution receipt (ใบรับสิ่งของ).

fpdf2 writes the PDF with the Sarabun TTF embedded; HarfBuzz (uharfbuzz) shapes the Thai, so
above and below vowels and tone marks sit where they belong. Dates are Buddhist Era; digits are
Arabic or Thai as asked.
"""

import io
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders

from asa.aid.models import Distribution, Donation
from asa.lib.thai import format_be_date, to_thai_digits

FONT_FILES = {
    "": "vendor/sarabun-ttf/Sarabun_400Regular.ttf",
    "B": "vendor/sarabun-ttf/Sarabun_700Bold.ttf",
}


class ReceiptFontMissing(RuntimeError):
    pass


def _font_path(relative: str) -> str:
    found = finders.find(relative)
    if not found:
        static_root = Path(settings.STATIC_ROOT or "") / relative
        if static_root.exists():
            return str(static_root)
        raise ReceiptFontMissing(f"{relative} is missing: run `make setup`")
    return found


class _Receipt:
    def __init__(self, *, thai_digits: bool):
        from fpdf import FPDF

        self.thai_digits = thai_digits
        self.pdf = FPDF(format="A4", unit="mm")
        self.pdf.set_auto_page_break(auto=True, margin=18)
        for style, relative in FONT_FILES.items():
            self.pdf.add_font("Sarabun", style=style, fname=_font_path(relative))
        self.pdf.set_text_shaping(use_shaping_engine=True, script="thai", language="tha")
        self.pdf.set_margins(20, 18, 20)
        self.pdf.add_page()

    def text(self, value) -> str:
        value = str(value)
        return to_thai_digits(value) if self.thai_digits else value

    def date(self, value) -> str:
        return self.text(format_be_date(value, long=True))

    def number(self, value) -> str:
        return self.text(f"{value:,}")

    def money(self, value) -> str:
        return self.text(f"{value:,.2f}")

    def title(self, center, heading: str, number: str) -> None:
        pdf = self.pdf
        pdf.set_font("Sarabun", "B", 18)
        pdf.cell(0, 10, self.text(heading), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Sarabun", "", 13)
        pdf.cell(0, 7, self.text(center.name_th), align="C", new_x="LMARGIN", new_y="NEXT")
        if center.address:
            pdf.set_font("Sarabun", "", 11)
            pdf.multi_cell(
                0, 6, self.text(center.address), align="C", new_x="LMARGIN", new_y="NEXT"
            )
        pdf.ln(3)
        pdf.set_font("Sarabun", "", 12)
        pdf.cell(0, 7, self.text(f"เลขที่ {number}"), align="R", new_x="LMARGIN", new_y="NEXT")

    def line(self, label: str, value: str) -> None:
        pdf = self.pdf
        pdf.set_font("Sarabun", "B", 12)
        pdf.cell(45, 8, self.text(label))
        pdf.set_font("Sarabun", "", 12)
        pdf.multi_cell(0, 8, value or "-", align="L", new_x="LMARGIN", new_y="NEXT")

    def table(self, rows: list[tuple[str, str, str]]) -> None:
        pdf = self.pdf
        pdf.ln(2)
        pdf.set_font("Sarabun", "B", 12)
        widths = (12, 100, 25, 33)
        for width, heading in zip(widths, ("ที่", "รายการ", "จำนวน", "หน่วย"), strict=True):
            pdf.cell(width, 8, heading, border=1, align="C")
        pdf.ln()
        pdf.set_font("Sarabun", "", 12)
        for index, (name, quantity, unit) in enumerate(rows, start=1):
            pdf.cell(widths[0], 8, self.number(index), border=1, align="C")
            pdf.cell(widths[1], 8, self.text(name), border=1)
            pdf.cell(widths[2], 8, quantity, border=1, align="R")
            pdf.cell(widths[3], 8, self.text(unit), border=1, align="C")
            pdf.ln()
        pdf.ln(4)

    def sign(self, label: str, name: str, image: bytes | None = None) -> None:
        pdf = self.pdf
        pdf.ln(6)
        x = pdf.w - pdf.r_margin - 80
        if image:
            pdf.image(
                io.BytesIO(image), x=x + 10, y=pdf.get_y(), w=60, h=22, keep_aspect_ratio=True
            )
            pdf.ln(23)
        else:
            pdf.ln(14)
        pdf.set_x(x)
        pdf.set_font("Sarabun", "", 12)
        pdf.cell(80, 7, self.text("ลงชื่อ ......................................."), align="C")
        pdf.ln()
        pdf.set_x(x)
        pdf.cell(
            80, 7, self.text(f"({name})" if name else "(                              )"), align="C"
        )
        pdf.ln()
        pdf.set_x(x)
        pdf.cell(80, 7, self.text(label), align="C")
        pdf.ln()

    def output(self) -> bytes:
        return bytes(self.pdf.output())


def donor_label(donation: Donation) -> str:
    if donation.donor_agency_id:
        return donation.donor_agency.name_th
    if donation.donor_kind == "anonymous":
        return "ผู้ไม่ประสงค์ออกนาม"
    return donation.donor_name


def donation_pdf(donation: Donation, *, thai_digits: bool = False) -> bytes:
    receipt = _Receipt(thai_digits=thai_digits)
    receipt.title(donation.center, "ใบอนุโมทนาบัตร / ใบรับบริจาค", donation.receipt_number)
    receipt.line("ได้รับจาก", receipt.text(donor_label(donation)))
    if donation.donor_contact:
        receipt.line("ที่อยู่/ติดต่อ", receipt.text(donation.donor_contact))
    receipt.line("วันที่รับ", receipt.date(donation.received_on))
    receipt.table(
        [
            (line.item.name_th, receipt.number(line.quantity), line.item.unit)
            for line in donation.lines.all()
        ]
    )
    receipt.line("มูลค่าโดยประมาณ", receipt.money(donation.value_estimate) + " บาท")
    receipt.pdf.ln(2)
    receipt.pdf.set_font("Sarabun", "", 12)
    receipt.pdf.multi_cell(
        0,
        7,
        receipt.text(
            f"{donation.center.name_th} ขออนุโมทนาและขอบคุณในความมีน้ำใจ "
            "สิ่งของที่ท่านบริจาคจะนำไปช่วยเหลือผู้ประสบปัญหาทางสังคมในพื้นที่"
        ),
        align="L",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    receipt.sign("ผู้รับบริจาค (ประธานศูนย์ประสานงาน อพม.)", "")
    return receipt.output()


def recipient_label(distribution: Distribution) -> str:
    if distribution.person_id:
        return distribution.person.full_name
    household = distribution.household
    head = household.head.full_name if household and household.head_id else ""
    return f"ครัวเรือน {household.code}" + (f" ({head})" if head else "")


def signature_bytes(distribution: Distribution) -> bytes | None:
    if not distribution.signature:
        return None
    try:
        with distribution.signature.open("rb") as handle:
            return handle.read()
    except (FileNotFoundError, OSError):
        return None


def distribution_pdf(distribution: Distribution, *, thai_digits: bool = False) -> bytes:
    receipt = _Receipt(thai_digits=thai_digits)
    receipt.title(distribution.center, "ใบรับสิ่งของ", distribution.receipt_number)
    receipt.line("ผู้รับ", receipt.text(recipient_label(distribution)))
    receipt.line("วันที่รับ", receipt.date(distribution.distributed_on))
    if distribution.case_id:
        receipt.line("เลขที่กรณี", receipt.text(distribution.case.number))
    rows = []
    for line in distribution.lines.all():
        name = line.item.name_th
        if line.piece_id:
            name += f" #{line.piece.serial_number}"
        rows.append((name, receipt.number(line.quantity), line.item.unit))
    receipt.table(rows)
    receipt.pdf.set_font("Sarabun", "", 12)
    receipt.pdf.multi_cell(
        0,
        7,
        receipt.text("ข้าพเจ้าได้รับสิ่งของตามรายการข้างต้นครบถ้วนแล้ว"),
        align="L",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    receipt.sign("ผู้รับสิ่งของ", distribution.signed_by_name, signature_bytes(distribution))
    return receipt.output()
