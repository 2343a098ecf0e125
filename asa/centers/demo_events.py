"""Demo events, training certificates and volunteer hours (called by `asa/centers/demo.py`).

The seed's two openings in full (11 and 12 March 2562: the ceremony chaired by the deputy
director-general, the sermon, the two lectures, the field visit with the One Home team), the
nine earlier Bangkok openings, and recent meetings, trainings and a distribution drive, with
hand-entered hours some approved and some pending. Deterministic and idempotent: an event is
made once per center and title, hours once per center.
"""

import datetime as dt
import random

from django.db.models import F
from django.utils import timezone

from asa.centers.attendance import take_attendance as record_attendance
from asa.centers.events import create_event
from asa.centers.hours import approve_hours_entry, enter_hours, reject_hours_entry
from asa.centers.models import (
    COMMITTEE_ROLES,
    Center,
    Event,
    EventKind,
    HoursEntry,
    Volunteer,
    VolunteerRole,
    VolunteerStatus,
)
from asa.lib.thai import THAI_MONTHS

PRESIDING = "นายชูรินทร์ ขวัญทอง รองอธิบดีกรมพัฒนาสังคมและสวัสดิการ (ประธานในพิธี)"
SERMON_TOPIC = "พลังอาสาสมัครเพื่อพัฒนาแผ่นดิน"
OPENING_LECTURES = [
    "บทบาทหน้าที่และการจัดตั้งศูนย์ประสานงาน อพม. กทม.",
    "การจัดทำฐานข้อมูลผู้ประสบปัญหาทางสังคม",
]
# The seed's two openings: the center code and the place exactly as the press release says.
SEED_OPENINGS = {
    "BKK-1005": "ที่ทำการชุมชน หมู่บ้านพร้อมสุข (ซ. รามอินทรา 8) แขวงอนุสาวรีย์ เขตบางเขน",
    "BKK-1048": "ที่ทำการสุขภาพ เลียบคลองทวีวัฒนา แขวงศาลาธรรมสพน์ เขตทวีวัฒนา",
}
HOURS_WORK = [
    "ช่วยจัดถุงยังชีพให้ครัวเรือนเปราะบาง",
    "ประสานโรงพยาบาลพาผู้สูงอายุไปตรวจตามนัด",
    "ช่วยกรอกแบบคำขอเบี้ยความพิการให้ผู้พิการในชุมชน",
    "ร่วมประชุมคณะกรรมการชุมชนเรื่องผู้สูงอายุอยู่ลำพัง",
    "ช่วยงานวันผู้สูงอายุของชุมชน",
    "สำรวจครัวเรือนเปราะบางในซอยร่วมกับ อสม.",
]


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _event(center: Center, *, title: str, **fields) -> tuple[Event, bool]:
    found = Event.objects.filter(center=center, title=title).first()
    if found is not None:
        return found, False
    return create_event(actor=None, center=center, title=title, **fields), True


def _present(center: Center, day: dt.date, chooser: random.Random, share: float) -> dict:
    """Who came: the committee, the demo sign-ins, and a share of those who had joined by then."""
    volunteers = list(
        Volunteer.objects.filter(center=center, status=VolunteerStatus.ACTIVE).order_by("pk")
    )
    present = {}
    for volunteer in volunteers:
        expected = volunteer.role in COMMITTEE_ROLES or volunteer.user_id is not None
        if expected or (volunteer.joined_on <= day and chooser.random() < share):
            present[volunteer] = None
    return present


def _opening(center: Center, chooser: random.Random) -> int:
    day = center.opened_on
    district = center.district.name_th
    made = 0
    if center.code not in SEED_OPENINGS:
        event, created = _event(
            center,
            title=f"พิธีเปิด{center.name_th}",
            kind=EventKind.OPENING,
            starts_at=_at(day, 9),
            ends_at=_at(day, 12),
            # A center opened without a venue (the benchmark's 900 others, one an admin added)
            # held its opening at its own office: `asa demo` runs again on any database.
            place=center.venue or f"ที่ทำการ{center.name_th}",
            subdistrict=center.subdistrict,
            speakers="ผู้แทนกรมพัฒนาสังคมและสวัสดิการ\nผู้อำนวยการสำนักงาน" + district,
            description=(
                "เปิดศูนย์ประสานงานอาสาสมัครพัฒนาสังคมและความมั่นคงของมนุษย์ "
                "เป็นศูนย์กลางการขับเคลื่อนงานอาสาสมัครในพื้นที่"
            ),
            staff_count=8,
            guest_count=20,
        )
        if created:
            record_attendance(
                actor=None, event=event, attendees=_present(center, day, chooser, 0.6)
            )
            made += 1
        return made
    place = SEED_OPENINGS[center.code]
    program = [
        dict(
            title=f"พิธีเปิด{center.name_th}",
            kind=EventKind.OPENING,
            starts_at=_at(day, 9),
            ends_at=_at(day, 10),
            speakers=PRESIDING,
            description=(
                "พิธีเปิดศูนย์ประสานงานอาสาสมัครพัฒนาสังคมและความมั่นคงของมนุษย์ "
                "มอบรถจักรยานและเครื่องอุปโภคบริโภคให้กับประธาน อพม. "
                "นำไปช่วยเหลือผู้ประสบปัญหาทางสังคมในพื้นที่"
            ),
            staff_count=15,
            guest_count=40,
        ),
        dict(
            title=f"แสดงธรรมเทศนา เรื่อง “{SERMON_TOPIC}”",
            kind=EventKind.SERMON,
            starts_at=_at(day, 10),
            ends_at=_at(day, 10, 30),
            topics=SERMON_TOPIC,
            staff_count=15,
            guest_count=40,
        ),
        dict(
            title="บรรยายบทบาทหน้าที่ อพม. และการจัดทำฐานข้อมูลผู้ประสบปัญหาทางสังคม",
            kind=EventKind.TRAINING,
            starts_at=_at(day, 10, 30),
            ends_at=_at(day, 12),
            speakers="เจ้าหน้าที่กรมพัฒนาสังคมและสวัสดิการ",
            topics="\n".join(OPENING_LECTURES),
            staff_count=15,
            guest_count=10,
        ),
        dict(
            title="ลงพื้นที่ติดตามครอบครัวผู้อยู่ในสภาวะยากลำบาก ร่วมกับทีม One Home",
            kind=EventKind.FIELD_DAY,
            starts_at=_at(day, 13),
            ends_at=_at(day, 16),
            description=(
                "ร่วมลงพื้นที่เพื่อติดตามครอบครัวผู้อยู่ในสภาวะยากลำบาก เพื่อพิจารณาให้ความช่วยเหลือ "
                "และประสานส่งต่อให้กับเครือข่ายที่เกี่ยวข้อง"
            ),
            staff_count=10,
            guest_count=4,
        ),
    ]
    # Everyone registered on the day came to the ceremony; fewer went out in the afternoon.
    everyone = _present(center, day, chooser, 1.0)
    for fields in program:
        event, created = _event(center, place=place, subdistrict=center.subdistrict, **fields)
        if created:
            attendees = everyone
            if fields["kind"] == EventKind.FIELD_DAY:
                attendees = {
                    volunteer: None
                    for volunteer in everyone
                    if volunteer.role in COMMITTEE_ROLES or chooser.random() < 0.4
                }
            record_attendance(actor=None, event=event, attendees=attendees)
            made += 1
    return made


def _recent(center: Center, partner: Center | None, chooser: random.Random) -> int:
    today = timezone.localdate()
    made = 0
    venue = center.venue
    plans = [
        (
            40,
            13,
            16,
            EventKind.TRAINING,
            "อบรมการเยี่ยมบ้านและการประเมินครัวเรือน 5 มิติ",
            {
                "speakers": "นักพัฒนาสังคมชำนาญการ สำนักงานพัฒนาสังคมและความมั่นคงของมนุษย์",
                "topics": "การเยี่ยมบ้านและการบันทึกผลการเยี่ยม\nการประเมินครัวเรือน 5 มิติ",
            },
            0.5,
        ),
        (
            180,
            9,
            15,
            EventKind.TRAINING,
            "อบรมการส่งต่อผู้ประสบปัญหาผ่านเครือข่าย One Home",
            {
                "speakers": "ผู้แทนศูนย์คุ้มครองคนไร้ที่พึ่งกรุงเทพมหานคร",
                "topics": "การประสานส่งต่อผู้ประสบปัญหาทางสังคม",
                "other_centers": [partner] if partner else [],
            },
            0.4,
        ),
        (
            20,
            8,
            12,
            EventKind.DISTRIBUTION,
            "มอบถุงยังชีพแก่ครัวเรือนเปราะบาง",
            {
                "description": "มอบถุงยังชีพและเครื่องอุปโภคบริโภคแก่ครัวเรือนที่ประเมินแล้วว่าเปราะบาง",
                "guest_count": 6,
            },
            0.3,
        ),
        (75, 9, 15, EventKind.FIELD_DAY, "ลงพื้นที่สำรวจผู้สูงอายุที่อยู่ลำพัง", {}, 0.25),
    ]
    if center.code != "BKK-1005":
        # The One Home training is Bang Khen's, held jointly: the partner only attends it.
        plans = [plan for plan in plans if "other_centers" not in plan[5]]
    for months_ago in (1, 2, 3):
        day = today - dt.timedelta(days=30 * months_ago - 3)
        title = f"ประชุมประจำเดือน อพม. {THAI_MONTHS[day.month - 1]} {day.year + 543}"
        plans.append((30 * months_ago - 3, 13, 15, EventKind.MEETING, title, {}, 0.6))
    for days_ago, start, end, kind, title, extra, share in plans:
        day = today - dt.timedelta(days=days_ago)
        event, created = _event(
            center,
            title=title,
            kind=kind,
            starts_at=_at(day, start),
            ends_at=_at(day, end),
            place=extra.pop("place", venue),
            subdistrict=center.subdistrict,
            staff_count=extra.pop("staff_count", 2),
            **extra,
        )
        if created:
            attendees = _present(center, day, chooser, share)
            if partner is not None and partner in event.other_centers.all():
                attendees |= _present(partner, day, chooser, share / 2)
            record_attendance(actor=None, event=event, attendees=attendees)
            made += 1
    return made


def _hours(center: Center, chooser: random.Random) -> int:
    if HoursEntry.objects.filter(volunteer__center=center).exists():
        return 0
    chair = (
        Volunteer.objects.filter(center=center, role=VolunteerRole.CHAIR, status="active")
        .select_related("user")
        .first()
    )
    approver = chair.user if chair and chair.user_id else None
    members = list(
        Volunteer.objects.filter(center=center, status=VolunteerStatus.ACTIVE)
        .exclude(role=VolunteerRole.CHAIR)
        .order_by(F("user_id").desc(nulls_last=True), "pk")[
            :8
        ]  # the demo sign-in first, so its page shows both kinds
    )
    today = timezone.localdate()
    made = 0
    for index, volunteer in enumerate(members):
        for turn in range(2 if index == 0 else 1):
            entry = enter_hours(
                actor=volunteer.user,
                volunteer=volunteer,
                worked_on=today - dt.timedelta(days=chooser.randint(2, 50)),
                hours=chooser.choice([1, 1.5, 2, 3, 4]),
                description=chooser.choice(HOURS_WORK),
            )
            made += 1
            if turn == 1 or index % 4 == 3:
                continue  # left pending, for the chair's review list
            if index == 5:
                reject_hours_entry(actor=approver, entry=entry, note="ซ้ำกับกิจกรรมที่บันทึกผู้เข้าร่วมแล้ว")
            else:
                approve_hours_entry(actor=approver, entry=entry, note="")
    return made


def load_events_demo(*, stdout=None) -> dict:
    say = stdout.write if stdout else (lambda text: None)
    chooser = random.Random(2562)  # noqa: S311 (demo data, not secrets)
    centers = {
        center.code: center
        for center in Center.objects.select_related("district", "subdistrict").order_by("code")
    }
    bang_khen, thawi_watthana = centers.get("BKK-1005"), centers.get("BKK-1048")
    events = hours = 0
    for center in centers.values():
        events += _opening(center, chooser)
    for center, partner in ((bang_khen, thawi_watthana), (thawi_watthana, bang_khen)):
        if center is not None:
            events += _recent(center, partner, chooser)
            hours += _hours(center, chooser)
    if events or hours:
        say(f"Recorded {events} events and {hours} hand-entered hours.\n")
    return {"events": events, "hours_entries": hours}
