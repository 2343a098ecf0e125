"""The answer to an access or portability request: everything Asa holds on one person.

`collect(person)` gathers it into one dictionary; `to_json` writes it machine-readable
(schema below, stable keys, ISO dates, UTF-8) and `to_pdf` human-readable in Thai (Sarabun,
Buddhist Era dates, one heading per section).

JSON schema `asa.privacy.subject-data/1` (every key always present; lists may be empty):
    schema, generated_at, controller {name, contact}, request {id, kind, received_on},
    person {id, title, first_name, last_name, name_en, id_type, id_number, birth_date,
            birth_date_precision, sex, nationality, phone, disability_type,
            disability_card_number, address, district, province, center, notes, source,
            target_groups [..], created_at, updated_at},
    households [{code, relationship, started_on, ended_on, address,
                 assessments [{assessed_on, scores {dimension: n}, notes}]}],
    problems [{problem, severity, status, first_reported_on, notes}],
    consents [{basis, given_by, given_on, method, allows_sharing, guardian_name,
               withdrawn_on, withdrawal_reason}],
    cases [{number, center, status, source, urgency, reported_at, story, problems,
            target_groups, outcome, closure_note, closed_at,
            visits [{visited_at, met_whom, observations, needs, next_visit_on,
                     photos [{id, caption, uploaded_at}]}],
            plan_items [{need, action, due_on, status, progress_note, done_on}],
            referrals [{agency, service, need, status, sent_at, shared_fields}],
            conferences [{held_on, decisions}]}],
    assistance [{case, kind, description, amount, given_on, provider}],
    distributions [{receipt_number, center, distributed_on, items [{item, quantity}]}],
    loans [{piece, center, loaned_on, expected_return_on, returned_on, status}],
    access_history [{at, actor, action, action_label, record}]
Photos are listed, not copied: they are sent on request as separate files.
"""

import datetime as dt
import decimal
import json

from django.db.models import Q
from django.utils import timezone

from asa.accounts.events import action_label
from asa.accounts.models import AuditEvent
from asa.lib.thai import format_be_date, format_birth_date
from asa.privacy.ropa import CONTROLLER

SCHEMA = "asa.privacy.subject-data/1"
HISTORY_LIMIT = 2000  # the newest access events; older ones are in the audit log on request


def _choice(instance, field: str) -> str:
    return str(getattr(instance, f"get_{field}_display")())


def _person(person) -> dict:
    return {
        "id": person.pk,
        "title": person.title,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "name_en": person.name_en,
        "id_type": _choice(person, "id_type"),
        "id_number": person.id_number,
        "birth_date": person.birth_date,
        "birth_date_precision": _choice(person, "birth_date_precision"),
        "sex": _choice(person, "sex"),
        "nationality": person.nationality,
        "phone": person.phone,
        "disability_type": person.disability_type,
        "disability_card_number": person.disability_card_number,
        "address": person.address_line,
        "district": person.district.name_th if person.district_id else "",
        "province": person.province.name_th if person.province_id else "",
        "center": person.center.name_th if person.center_id else "",
        "notes": person.notes,
        "source": person.source,
        "target_groups": [group.name_th for group in person.target_groups.all()],
        "created_at": person.created_at,
        "updated_at": person.updated_at,
    }


def _households(person) -> list[dict]:
    memberships = person.memberships.select_related(
        "household__subdistrict__district__province"
    ).prefetch_related("household__assessments")
    return [
        {
            "code": membership.household.code,
            "relationship": _choice(membership, "relationship"),
            "started_on": membership.started_on,
            "ended_on": membership.ended_on,
            "address": membership.household.address_line,
            "assessments": [
                {
                    "assessed_on": assessment.assessed_on,
                    "scores": {
                        "income": assessment.income_score,
                        "housing": assessment.housing_score,
                        "health": assessment.health_score,
                        "education": assessment.education_score,
                        "public_services": assessment.public_services_score,
                    },
                    "notes": assessment.notes,
                }
                for assessment in membership.household.assessments.all()
            ],
        }
        for membership in memberships
    ]


def _problems(person) -> list[dict]:
    return [
        {
            "problem": problem.problem_type.name_th,
            "severity": _choice(problem, "severity"),
            "status": _choice(problem, "status"),
            "first_reported_on": problem.first_reported_on,
            "notes": problem.notes,
        }
        for problem in person.problems.select_related("problem_type")
    ]


def _consents(person) -> list[dict]:
    return [
        {
            "basis": _choice(consent, "basis"),
            "given_by": _choice(consent, "given_by"),
            "given_on": consent.given_on,
            "method": _choice(consent, "method"),
            "allows_sharing": consent.allows_sharing,
            "guardian_name": consent.guardian_name,
            "withdrawn_on": consent.withdrawn_on,
            "withdrawal_reason": consent.withdrawal_reason,
        }
        for consent in person.consents.all()
    ]


def _cases(cases) -> list[dict]:
    return [
        {
            "number": case.number,
            "center": case.center.name_th,
            "status": _choice(case, "status"),
            "source": _choice(case, "source"),
            "urgency": _choice(case, "urgency"),
            "reported_at": case.reported_at,
            "story": case.story,
            "problems": [problem.name_th for problem in case.problems.all()],
            "target_groups": [group.name_th for group in case.target_groups.all()],
            "outcome": _choice(case, "outcome") if case.outcome else "",
            "closure_note": case.closure_note,
            "closed_at": case.closed_at,
            "visits": [
                {
                    "visited_at": visit.visited_at,
                    "met_whom": visit.met_whom,
                    "observations": visit.observations,
                    "needs": visit.needs,
                    "next_visit_on": visit.next_visit_on,
                    "photos": [
                        {"id": photo.pk, "caption": photo.caption, "uploaded_at": photo.uploaded_at}
                        for photo in visit.photos.all()
                    ],
                }
                for visit in case.visits.all()
            ],
            "plan_items": [
                {
                    "need": item.need,
                    "action": item.action,
                    "due_on": item.due_on,
                    "status": _choice(item, "status"),
                    "progress_note": item.progress_note,
                    "done_on": item.done_on,
                }
                for item in case.plan_items.all()
            ],
            "referrals": [
                {
                    "agency": referral.agency.name_th,
                    "service": referral.service.name_th if referral.service_id else "",
                    "need": referral.need,
                    "status": _choice(referral, "status"),
                    "sent_at": referral.sent_at,
                    # Which of the person's details went to the partner (the values are above).
                    "shared_fields": sorted(referral.shared_data or {}),
                }
                for referral in case.referrals.all()
            ],
            "conferences": [
                {"held_on": conference.held_on, "decisions": conference.decisions}
                for conference in case.conferences.all()
            ],
        }
        for case in cases
    ]


def _assistance(person) -> list[dict]:
    return [
        {
            "case": help_given.case.number if help_given.case_id else "",
            "kind": _choice(help_given, "kind"),
            "description": help_given.description,
            "amount": help_given.amount,
            "given_on": help_given.given_on,
            "provider": help_given.provider,
        }
        for help_given in person.assistance.select_related("case")
    ]


def _distributions(person) -> list[dict]:
    return [
        {
            "receipt_number": distribution.receipt_number,
            "center": distribution.center.name_th,
            "distributed_on": distribution.distributed_on,
            "items": [
                {"item": line.item.name_th, "quantity": line.quantity}
                for line in distribution.lines.all()
            ],
        }
        for distribution in person.distributions.select_related("center").prefetch_related(
            "lines__item"
        )
    ]


def _loans(person) -> list[dict]:
    return [
        {
            "piece": str(loan.piece),
            "center": loan.center.name_th,
            "loaned_on": loan.loaned_on,
            "expected_return_on": loan.expected_return_on,
            "returned_on": loan.returned_on,
            "status": _choice(loan, "status"),
        }
        for loan in person.loans.select_related("center", "piece__item")
    ]


def _history(person, case_ids: list[int], household_codes: dict[int, str]) -> list[dict]:
    """Who read or changed the person's records (person, cases, households), newest first."""
    condition = Q(object_type="registry.person", object_id=str(person.pk))
    if case_ids:
        condition |= Q(object_type="cases.case", object_id__in=[str(pk) for pk in case_ids])
    if household_codes:
        condition |= Q(
            object_type="registry.household",
            object_id__in=[str(pk) for pk in household_codes],
        )
    events = AuditEvent.objects.filter(condition).order_by("-at", "-id")[:HISTORY_LIMIT]
    return [
        {
            "at": event.at,
            "actor": event.actor_label,
            "action": event.action,
            "action_label": str(action_label(event.action)),
            "record": f"{event.object_type}:{event.object_id}",
        }
        for event in events
    ]


def collect(person, *, privacy_request=None) -> dict:
    """Everything Asa holds on the person, in the documented schema (nothing of anyone else)."""
    from asa.cases.models import Case

    person = type(person).objects.select_related("district", "province", "center").get(pk=person.pk)
    cases = list(
        Case.objects.filter(person=person)
        .select_related("center")
        .prefetch_related(
            "problems",
            "target_groups",
            "visits__photos",
            "plan_items",
            "referrals__agency",
            "referrals__service",
            "conferences",
        )
        .order_by("reported_at", "pk")
    )
    households = _households(person)
    household_ids = dict(person.memberships.values_list("household_id", "household__code"))
    return {
        "schema": SCHEMA,
        "generated_at": timezone.now(),
        "controller": {"name": CONTROLLER["name"], "contact": CONTROLLER["contact"]},
        "request": {
            "id": privacy_request.pk if privacy_request else None,
            "kind": privacy_request.get_kind_display() if privacy_request else "",
            "received_on": privacy_request.received_on if privacy_request else None,
        },
        "person": _person(person),
        "households": households,
        "problems": _problems(person),
        "consents": _consents(person),
        "cases": _cases(cases),
        "assistance": _assistance(person),
        "distributions": _distributions(person),
        "loans": _loans(person),
        "access_history": _history(person, [case.pk for case in cases], household_ids),
    }


def _jsonable(value):
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def to_json(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2, default=_jsonable).encode()


# --- PDF ---------------------------------------------------------------------------------------

SECTIONS = [
    ("person", "ข้อมูลบุคคล"),
    ("households", "ครัวเรือน"),
    ("problems", "ปัญหาที่บันทึกไว้"),
    ("consents", "ฐานทางกฎหมายและความยินยอม"),
    ("cases", "กรณีการช่วยเหลือ"),
    ("assistance", "ความช่วยเหลือที่ได้รับ"),
    ("distributions", "สิ่งของที่ได้รับ"),
    ("loans", "อุปกรณ์ที่ยืม"),
    ("access_history", "ประวัติการเข้าถึงและแก้ไขข้อมูล"),
]

LABELS = {
    "id": "รหัสในระบบ",
    "title": "คำนำหน้า",
    "first_name": "ชื่อ",
    "last_name": "นามสกุล",
    "name_en": "ชื่อภาษาอังกฤษ",
    "id_type": "ประเภทเอกสาร",
    "id_number": "เลขเอกสาร",
    "birth_date": "วันเกิด",
    "birth_date_precision": "ความละเอียดวันเกิด",
    "sex": "เพศ",
    "nationality": "สัญชาติ",
    "phone": "โทรศัพท์",
    "disability_type": "ประเภทความพิการ",
    "disability_card_number": "เลขบัตรคนพิการ",
    "address": "ที่อยู่",
    "district": "เขต/อำเภอ",
    "province": "จังหวัด",
    "center": "ศูนย์ที่รับผิดชอบ",
    "notes": "บันทึก",
    "source": "แหล่งข้อมูล",
    "target_groups": "กลุ่มเป้าหมาย",
    "created_at": "บันทึกครั้งแรก",
    "updated_at": "แก้ไขล่าสุด",
    "code": "รหัสครัวเรือน",
    "relationship": "ความสัมพันธ์",
    "started_on": "ตั้งแต่",
    "ended_on": "ถึง",
    "assessments": "การประเมิน 5 มิติ",
    "assessed_on": "วันที่ประเมิน",
    "scores": "คะแนน",
    "income": "ด้านรายได้",
    "housing": "ด้านความเป็นอยู่",
    "health": "ด้านสุขภาพ",
    "education": "ด้านการศึกษา",
    "public_services": "ด้านการเข้าถึงบริการรัฐ",
    "problem": "ปัญหา",
    "severity": "ความรุนแรง",
    "status": "สถานะ",
    "first_reported_on": "รับแจ้งครั้งแรก",
    "basis": "ฐานทางกฎหมาย",
    "given_by": "ผู้ให้ความยินยอม",
    "given_on": "วันที่",
    "method": "วิธีการ",
    "allows_sharing": "ยินยอมให้ส่งต่อแก่ภาคี",
    "guardian_name": "ผู้ปกครอง/ผู้แทน",
    "withdrawn_on": "วันที่ถอน",
    "withdrawal_reason": "เหตุผลการถอน",
    "number": "เลขที่กรณี",
    "urgency": "ความเร่งด่วน",
    "reported_at": "วันที่รับแจ้ง",
    "story": "เรื่องโดยย่อ",
    "problems": "ปัญหา",
    "outcome": "ผลการช่วยเหลือ",
    "closure_note": "สรุปการปิดกรณี",
    "closed_at": "ปิดกรณีเมื่อ",
    "visits": "การเยี่ยมบ้าน",
    "visited_at": "วันที่เยี่ยม",
    "met_whom": "ผู้ที่พบ",
    "observations": "สิ่งที่พบเห็น",
    "needs": "ความต้องการ",
    "next_visit_on": "นัดครั้งถัดไป",
    "photos": "ภาพถ่าย",
    "caption": "คำอธิบายภาพ",
    "uploaded_at": "ถ่ายเมื่อ",
    "plan_items": "แผนการช่วยเหลือ",
    "need": "ความต้องการ",
    "action": "การดำเนินการ",
    "due_on": "กำหนดเสร็จ",
    "progress_note": "ความคืบหน้า",
    "done_on": "เสร็จเมื่อ",
    "referrals": "การส่งต่อหน่วยงานภาคี",
    "agency": "หน่วยงาน",
    "service": "บริการ",
    "sent_at": "ส่งต่อเมื่อ",
    "shared_fields": "ข้อมูลที่ส่งให้หน่วยงาน",
    "conferences": "การประชุมปรึกษารายกรณี",
    "held_on": "วันที่ประชุม",
    "decisions": "มติ",
    "case": "กรณี",
    "kind": "ประเภท",
    "description": "รายละเอียด",
    "amount": "จำนวนเงิน (บาท)",
    "provider": "ผู้ให้",
    "receipt_number": "เลขที่ใบรับ",
    "distributed_on": "วันที่ได้รับ",
    "items": "รายการ",
    "item": "สิ่งของ",
    "quantity": "จำนวน",
    "piece": "อุปกรณ์",
    "loaned_on": "วันที่ยืม",
    "expected_return_on": "กำหนดคืน",
    "returned_on": "วันที่คืน",
}


def _year_only_label() -> str:
    from asa.registry.models import BirthDatePrecision

    return str(BirthDatePrecision.YEAR.label)


def _text(value) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return "ใช่" if value else "ไม่ใช่"
    if isinstance(value, dt.datetime):
        local = timezone.localtime(value)
        return f"{format_be_date(local.date(), long=True)} {local:%H:%M} น."
    if isinstance(value, dt.date):
        return format_be_date(value, long=True)
    if isinstance(value, decimal.Decimal):
        return f"{value:,.2f}"
    if isinstance(value, list):
        return ", ".join(_text(item) for item in value) or "-"
    return str(value)


class _Document:
    def __init__(self):
        from fpdf import FPDF

        from asa.aid.receipts import FONT_FILES, _font_path

        self.pdf = FPDF(format="A4", unit="mm")
        self.pdf.set_auto_page_break(auto=True, margin=18)
        for style, relative in FONT_FILES.items():
            self.pdf.add_font("Sarabun", style=style, fname=_font_path(relative))
        self.pdf.set_text_shaping(use_shaping_engine=True, script="thai", language="tha")
        self.pdf.set_margins(18, 16, 18)
        self.pdf.add_page()

    def heading(self, text: str, size: int = 15) -> None:
        self.pdf.ln(2)
        self.pdf.set_font("Sarabun", "B", size)
        self.pdf.multi_cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")

    def line(self, label: str, value: str, indent: float = 0) -> None:
        pdf = self.pdf
        pdf.set_x(pdf.l_margin + indent)
        pdf.set_font("Sarabun", "B", 11)
        pdf.cell(48, 6, label)
        pdf.set_font("Sarabun", "", 11)
        pdf.multi_cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")

    def note(self, text: str) -> None:
        self.pdf.set_font("Sarabun", "", 11)
        self.pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")

    def record(self, row: dict, indent: float = 0) -> None:
        for key, value in row.items():
            label = LABELS.get(key, key)
            if isinstance(value, list) and value and isinstance(value[0], dict):
                self.line(label, "", indent)
                for index, item in enumerate(value, start=1):
                    self.pdf.set_x(self.pdf.l_margin + indent + 6)
                    self.pdf.set_font("Sarabun", "B", 11)
                    self.pdf.cell(0, 6, f"{label} ลำดับที่ {index}", new_x="LMARGIN", new_y="NEXT")
                    self.record(item, indent + 6)
            elif isinstance(value, dict):
                self.line(label, "", indent)
                self.record(value, indent + 6)
            elif key == "birth_date" and row.get("birth_date_precision") == _year_only_label():
                # Only the year is known: the stored 1 January is not the birthday.
                self.line(label, format_birth_date(value, "year"), indent)
            else:
                self.line(label, _text(value), indent)


def to_pdf(data: dict) -> bytes:
    document = _Document()
    pdf = document.pdf
    pdf.set_font("Sarabun", "B", 18)
    pdf.cell(0, 10, "สำเนาข้อมูลส่วนบุคคลที่ระบบ Asa เก็บรักษา", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Sarabun", "", 12)
    request = data["request"]
    controller = data["controller"]
    intro = (
        f"ตามพระราชบัญญัติคุ้มครองข้อมูลส่วนบุคคล พ.ศ. 2562 มาตรา 30 · "
        f"ผู้ควบคุมข้อมูล: {controller['name']} ({controller['contact']}) · "
        f"จัดทำเมื่อ {_text(data['generated_at'])}"
    )
    if request["id"]:
        intro += (
            f" · คำขอเลขที่ {request['id']} ({request['kind']}) รับเมื่อ {_text(request['received_on'])}"
        )
    document.note(intro)
    for key, heading in SECTIONS:
        document.heading(heading)
        value = data[key]
        if key == "person":
            document.record(value)
        elif key == "access_history":
            _history_table(document, value)
        elif not value:
            document.note("ไม่มีข้อมูล")
        else:
            for index, row in enumerate(value, start=1):
                document.heading(f"{heading} ลำดับที่ {index}", size=12)
                document.record(row)
    document.note(
        "ภาพถ่ายการเยี่ยมบ้านแสดงเป็นรายการ หากต้องการสำเนาภาพ โปรดแจ้งเจ้าหน้าที่คุ้มครองข้อมูล"
        " ข้อมูลชุดเดียวกันในรูปแบบที่เครื่องอ่านได้อยู่ในไฟล์ JSON ที่แนบมา"
    )
    return bytes(pdf.output())


def _history_table(document: _Document, rows: list[dict]) -> None:
    if not rows:
        document.note("ไม่มีข้อมูล")
        return
    pdf = document.pdf
    widths = (50, 45, 79)
    pdf.set_font("Sarabun", "B", 11)
    for width, heading in zip(widths, ("วันเวลา", "ผู้ใช้งาน", "การดำเนินการ"), strict=True):
        pdf.cell(width, 7, heading, border=1)
    pdf.ln()
    pdf.set_font("Sarabun", "", 10)
    for row in rows:
        pdf.cell(widths[0], 6, _text(row["at"]), border=1)
        pdf.cell(widths[1], 6, row["actor"][:30], border=1)
        pdf.cell(widths[2], 6, row["action_label"][:60], border=1)
        pdf.ln()
