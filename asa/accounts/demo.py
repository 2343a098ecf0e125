"""Demo reads for the DPO: who opened whose record this month, with the reasons given.

Idempotent: nothing is added once the Bangkok officer has a logged read.
"""

from asa.accounts.models import AuditEvent, User
from asa.accounts.reads import record_read
from asa.cases.models import Case
from asa.lib.request_context import client_ip

READS = [
    # (username, address, reason, what) — officers and the ministry give a reason.
    ("chair.bangkhen", "10.20.1.15", "", "person"),
    ("volunteer.bangkhen", "10.20.1.37", "", "case"),
    (
        "officer.bangkok",
        "10.10.4.22",
        "ตรวจสอบเรื่องร้องเรียนจากสายด่วน 1300 เรื่องการดูแลผู้สูงอายุ",
        "person",
    ),
    ("officer.bangkok", "10.10.4.22", "ตรวจสอบเรื่องร้องเรียนจากสายด่วน 1300 เรื่องการดูแลผู้สูงอายุ", "case"),
    ("admin", "10.1.0.8", "ตรวจสอบข้อมูลเพื่อตอบหนังสือสอบถามจากกระทรวง", "person"),
]


def load_audit_demo(*, stdout=None) -> int:
    if AuditEvent.objects.filter(action="view_record", actor__username="officer.bangkok").exists():
        return 0
    users = {
        user.username: user for user in User.objects.filter(username__in=[r[0] for r in READS])
    }
    cases = list(
        Case.objects.filter(center__code="BKK-1005").select_related("person").order_by("id")[:2]
    )
    made = 0
    for case in cases:
        for username, address, reason, what in READS:
            if username not in users:
                continue
            token = client_ip.set(address)
            try:
                record_read(
                    users[username], case.person if what == "person" else case, reason=reason
                )
            finally:
                client_ip.reset(token)
            made += 1
    if stdout and made:
        stdout.write(f"Logged {made} demo reads for the DPO's audit search.\n")
    return made
