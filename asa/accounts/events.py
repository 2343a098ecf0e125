"""Write audit events. Every action calls `record_event` inside its own transaction."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from asa.accounts.models import AuditEvent
from asa.lib.request_context import client_ip


def record_event(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    changes: dict | None = None,
    reason: str = "",
) -> AuditEvent:
    """Append one audit event: who (actor), what (action, object, changes), why (reason)."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    actor_is_user = actor is not None and getattr(actor, "is_authenticated", False)
    event = AuditEvent.objects.create(
        actor=actor if actor_is_user else None,
        actor_label=(actor.get_username() if actor_is_user else "system"),
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=str(obj)[:200] if obj is not None else "",
        changes=_jsonable(changes or {}),
        reason=reason,
        ip_address=client_ip.get(),
    )
    # Inserted unsealed, without a lock: the scheduler's seal_audit job chains it within seconds,
    # outside the request (asa/accounts/audit.py).
    return event


def _jsonable(value):
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(item) for item in value]
    if isinstance(value, models.Model):
        return str(value.pk)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def diff(instance: models.Model, data: dict) -> dict:
    """{field: [old, new]} for the fields in data whose value would change."""
    changes = {}
    for field, new in data.items():
        old = getattr(instance, field)
        if old != new:
            changes[field] = [old, new]
    return changes


# Thai labels of audit actions, for every timeline (person, household, case, referral).
ACTION_LABELS = {
    "add_conference_action": _("เพิ่มงานจากที่ประชุม"),
    "add_event_photos": _("เพิ่มภาพกิจกรรม"),
    "add_household_member": _("เพิ่มสมาชิกครัวเรือน"),
    "add_plan_item": _("เพิ่มแผนการช่วยเหลือ"),
    "assign_role": _("เพิ่มบทบาท"),
    "anonymise_people": _("ทำให้ข้อมูลไม่สามารถระบุตัวตนได้"),
    "answer_privacy_request": _("ตอบคำขอใช้สิทธิ"),
    "approve_closure": _("อนุมัติปิดกรณี"),
    "approve_hours_entry": _("อนุมัติชั่วโมงจิตอาสา"),
    "assign_case": _("มอบหมาย อพม."),
    "assign_privacy_request": _("มอบหมายผู้รับผิดชอบคำขอใช้สิทธิ"),
    "change_case_status": _("เปลี่ยนสถานะ"),
    "change_password": _("เปลี่ยนรหัสผ่าน"),
    "close_breach": _("ปิดเรื่องเหตุละเมิด"),
    "complete_conference_action": _("งานจากที่ประชุมเสร็จ"),
    "create_event": _("บันทึกกิจกรรม"),
    "create_household": _("เปิดครัวเรือน"),
    "create_user": _("สร้างบัญชีผู้ใช้"),
    "deactivate_user": _("ระงับบัญชี"),
    "download_privacy_answer": _("ดาวน์โหลดสำเนาข้อมูลส่วนบุคคล"),
    "end_household_membership": _("สมาชิกย้ายออกจากครัวเรือน"),
    "enrol_two_factor": _("ตั้งค่าการยืนยันตัวตนสองขั้นตอน"),
    "enter_hours": _("บันทึกชั่วโมงจิตอาสา"),
    "export_audit_events": _("ส่งออกประวัติการเข้าถึงข้อมูล"),
    "export_breach_affected_people": _("ส่งออกรายชื่อผู้ได้รับผลกระทบจากเหตุละเมิด"),
    "export_dashboard": _("ส่งออกรายงานสถิติ"),
    "export_people": _("ส่งออกข้อมูล"),
    "forget_import_files": _("ลบไฟล์นำเข้าที่พ้นระยะเก็บรักษา"),
    "generate_access_answer": _("จัดทำสำเนาข้อมูลส่วนบุคคล"),
    "hold_conference": _("ประชุมปรึกษารายกรณี"),
    "import_centers": _("นำเข้าศูนย์จากไฟล์"),
    "import_person": _("นำเข้าข้อมูลจากไฟล์"),
    "import_volunteers": _("นำเข้า อพม. จากไฟล์"),
    "issue_referral_link": _("สร้างลิงก์สำหรับหน่วยงาน"),
    "login_locked": _("ระงับการเข้าสู่ระบบชั่วคราว (ผิดหลายครั้ง)"),
    "mark_distinct": _("ยืนยันว่าเป็นคนละคน"),
    "merge_people": _("รวมข้อมูลบุคคลซ้ำ"),
    "notify_breach_people": _("แจ้งเหตุละเมิดต่อเจ้าของข้อมูล"),
    "notify_regulator": _("แจ้งเหตุละเมิดต่อ สคส."),
    "open_case": _("รับเรื่อง"),
    "receive_privacy_request": _("รับคำขอใช้สิทธิของเจ้าของข้อมูล"),
    "record_assistance": _("บันทึกความช่วยเหลือ"),
    "record_breach": _("บันทึกเหตุละเมิดข้อมูลส่วนบุคคล"),
    "record_consent": _("บันทึกฐานทางกฎหมาย/ความยินยอม"),
    "record_household_assessment": _("ประเมินครัวเรือน 5 มิติ"),
    "record_problem": _("บันทึกปัญหา"),
    "record_visit": _("บันทึกการเยี่ยมบ้าน"),
    "referral_accepted": _("หน่วยงานตอบรับการส่งต่อ"),
    "referral_completed": _("หน่วยงานให้บริการเสร็จสิ้น"),
    "referral_declined": _("หน่วยงานปฏิเสธการส่งต่อ"),
    "referral_in_service": _("หน่วยงานเริ่มให้บริการ"),
    "referral_link_opened": _("หน่วยงานเปิดลิงก์"),
    "referral_opened": _("หน่วยงานเปิดดูการส่งต่อ"),
    "referral_link_refused": _("ปฏิเสธการใช้ลิงก์"),
    "revoke_referral_links": _("ยกเลิกลิงก์สำหรับหน่วยงาน"),
    "referral_not_completed": _("หน่วยงานให้บริการไม่สำเร็จ"),
    "referral_withdrawn": _("ถอนการส่งต่อ"),
    "refuse_privacy_request": _("ปฏิเสธคำขอใช้สิทธิ"),
    "regenerate_recovery_codes": _("สร้างรหัสกู้คืนชุดใหม่"),
    "register_person": _("ลงทะเบียนบุคคล"),
    "reject_hours_entry": _("ไม่อนุมัติชั่วโมงจิตอาสา"),
    "reactivate_user": _("เปิดใช้บัญชีอีกครั้ง"),
    "remove_role": _("นำบทบาทออก"),
    "reopen_case": _("เปิดกรณีอีกครั้ง"),
    "request_closure": _("ขอปิดกรณี"),
    "reset_two_factor": _("ล้างการยืนยันตัวตนสองขั้นตอน"),
    "send_password_reset": _("ส่งลิงก์ตั้งรหัสผ่านใหม่"),
    "send_referral": _("ส่งต่อหน่วยงานภาคี"),
    "take_attendance": _("บันทึกผู้เข้าร่วมกิจกรรม"),
    "transfer_case": _("โอนกรณีไปศูนย์อื่น"),
    "two_factor_failed": _("รหัสยืนยันตัวตนสองขั้นตอนไม่ถูกต้อง"),
    "unassign_volunteer": _("ยกเลิกการมอบหมาย อพม."),
    "undo_merge": _("ยกเลิกการรวมข้อมูล"),
    "update_event": _("แก้ไขกิจกรรม"),
    "update_person": _("แก้ไขข้อมูลบุคคล"),
    "update_plan_item": _("ปรับความคืบหน้าของแผน"),
    "update_user": _("แก้ไขบัญชีผู้ใช้"),
    "update_problem_status": _("เปลี่ยนสถานะปัญหา"),
    "use_recovery_code": _("ใช้รหัสกู้คืน"),
    "verify_requester_identity": _("ยืนยันตัวตนผู้ขอใช้สิทธิ"),
    "view_record": _("เปิดดูข้อมูล"),
    "search_records": _("ค้นหาหรือเปิดรายการข้อมูล"),
    "publish_audit_head": _("ส่งค่าแฮชหัวของบันทึก"),
    "withdraw_consent": _("ถอนความยินยอม"),
    "withdraw_privacy_request": _("ถอนคำขอใช้สิทธิ"),
}


# Audit-only actions: they are for the DPO's audit search, not for casework timelines.
VIEW_RECORD = "view_record"
SEARCH_RECORDS = "search_records"
AUDIT_ONLY_ACTIONS = (VIEW_RECORD, "export_audit_events", SEARCH_RECORDS)


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)
