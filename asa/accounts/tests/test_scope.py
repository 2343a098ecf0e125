"""The scope walker: every page and every API operation, as every persona, looking for leaks.

Each URL pattern of `asa.urls` (admin/ aside) and each operation of the API's OpenAPI schema
must have an entry in PAGES or API below, saying who may use it and how to point it at
something of center A (Bang Khen). A URL without an entry fails `test_it_classifies_every_url`:
whoever adds a URL classifies it here.

For every persona the walker then checks:
- allowed personas get an answer (2xx, or a redirect that is not to the login page);
- refused personas get the login page (anonymous), 401 (anonymous, API), 403 or 404;
- no response to a persona who may not read center A contains center A's private data
  (a volunteer's national ID, name or phone), whether the request was refused or not;
- a write aimed at center A by a persona who may not make it changes nothing (no audit event,
  no changed row), and the same write by one who may does succeed (so the data is valid).
"""

import contextlib
import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from asa.accounts.actions import create_api_token
from asa.accounts.models import ApiToken, AuditEvent
from asa.api import api
from asa.centers.actions import open_center
from asa.centers.models import Center, Volunteer
from asa.conftest import make_volunteer, new_national_id
from asa.geo.models import Subdistrict
from asa.lib.national_id import format_national_id

PERSONAS = [
    "anonymous",
    "admin_user",
    "officer",
    "district_officer_a",
    "outside_officer",
    "chair_a",
    "volunteer_a",
    "chair_b",
    "volunteer_b",
    "agency_user",
    "dpo",
]
SIGNED_IN = frozenset(PERSONAS) - {"anonymous"}
READERS_OF_A = frozenset({"admin_user", "officer", "district_officer_a", "chair_a", "volunteer_a"})
WRITERS_OF_A = READERS_OF_A - {"volunteer_a"}

# Who may use a URL, by kind.
KINDS: dict[str, frozenset[str]] = {
    "public": frozenset(PERSONAS),  # no login needed
    "any_user": SIGNED_IN,  # any signed-in user; lists are filtered to the user's scope
    "self": SIGNED_IN,  # the signed-in user's own things (profile, tokens)
    "owner": frozenset({"chair_a"}),  # one object that belongs to chair_a (a token)
    "volunteer": frozenset({"chair_a", "volunteer_a", "chair_b", "volunteer_b"}),  # own record
    "manager": frozenset(  # manages at least one center (the world has one in Chiang Mai)
        {"admin_user", "officer", "district_officer_a", "outside_officer", "chair_a", "chair_b"}
    ),
    "read": READERS_OF_A,  # readers of center A's data
    "write": WRITERS_OF_A,  # those who may change center A's data
    "open_center": frozenset({"admin_user", "officer"}),  # in a Bangkok district without one
    "admin": frozenset({"admin_user"}),
    # Field and office workers: everyone who works in a center or an area (exports).
    "worker": SIGNED_IN - {"agency_user", "dpo"},
    # Imports: chairs, officers and the ministry (not volunteers: an import answers whether
    # identity numbers are registered, which their work does not need).
    "importer": SIGNED_IN - {"agency_user", "dpo", "volunteer_a", "volunteer_b"},
    "nobody": frozenset(),  # a URL that answers 404 to everyone (the API's bare root)
    "auditor": frozenset({"admin_user", "dpo"}),  # the audit trail: the DPO and the ministry
    # Dashboards: Bangkok's (province 10) and Bang Khen's (district 1005) figures.
    "dashboard_province": frozenset({"admin_user", "officer"}),
    "dashboard_district": frozenset({"admin_user", "officer", "district_officer_a"}),
}


@dataclass
class World:
    center_a: Center
    center_b: Center
    center_chiang_mai: Center
    secret: Volunteer  # a volunteer of A whose details must never leak
    target_page: Volunteer  # a volunteer of A that the page writes act on
    target_api: Volunteer  # a volunteer of A that the API writes act on
    chair_a_token: ApiToken
    clients: dict[str, Client] = field(default_factory=dict)
    api_clients: dict[str, Client] = field(default_factory=dict)
    a_secrets: list[str] = field(default_factory=list)  # only readers of A may see these
    chair_a_secrets: list[str] = field(default_factory=list)  # only chair_a may see these


@dataclass(frozen=True)
class Entry:
    kind: str  # who may use it: a key of KINDS
    kwargs: Callable[[World], dict] = lambda world: {}
    query: Callable[[World], str] = lambda world: ""
    methods: tuple[str, ...] = ("GET",)
    # Valid data for a write aimed at center A; those in `writers` succeed, others change nothing.
    data: Callable[[World], dict] | None = None
    writers: str | None = None  # a key of KINDS; defaults to `kind`
    multipart: bool = False  # the API operation takes multipart/form-data (files), not JSON


def _center_a(world):
    return {"pk": world.center_a.pk}


def _secret(world):
    return {"pk": world.secret.pk}


def _target(world):
    return {"pk": world.target_page.pk}


def _address(world) -> dict:
    subdistrict = world.center_a.subdistrict
    return {
        "province": subdistrict.district.province_id,
        "district": subdistrict.district_id,
        "subdistrict": subdistrict.code,
        "postal_code": subdistrict.postal_code_list[0],
    }


def _new_volunteer_form(world) -> dict:
    return {
        "center": world.center_a.pk,
        "title": "นาย",
        "first_name": "ทดลอง",
        "last_name": "ลงทะเบียน",
        "national_id": new_national_id(),
        "birth_date": "01/06/2518",
        "sex": "male",
        "phone": "0811111111",
        "role": "member",
        "joined_on": "15/01/2563",
        **_address(world),
    }


def _edit_volunteer_form(world) -> dict:
    volunteer = world.target_page
    return {
        "title": volunteer.title,
        "first_name": volunteer.first_name,
        "last_name": volunteer.last_name,
        "national_id": volunteer.national_id,
        "birth_date": "01/06/2518",
        "sex": volunteer.sex,
        "phone": "0822222222",
        "joined_on": "15/01/2563",
        **_address(world),
    }


def _edit_center_form(world) -> dict:
    center = world.center_a
    return {
        "name_th": center.name_th + " (แก้ไข)",
        "name_en": center.name_en,
        "venue": center.venue,
        "address": center.address,
        "phone": "021234567",
        "email": "",
        "status": center.status,
    }


def _worker_alive() -> dict:
    """A heartbeat from the task worker: /healthz answers 503 without one (asa/ops)."""
    from asa.ops.actions import run_job

    run_job(name="heartbeat", scheduled_for=dt.datetime.now(dt.UTC))
    return {}


# Pages, by URL name.
PAGES: dict[str, Entry] = {
    "home": Entry("any_user"),
    "about": Entry("public"),
    "healthz": Entry("public", kwargs=lambda world: _worker_alive()),
    "ops:job_list": Entry("admin"),  # the periodic jobs (asa/ops)
    "set_language": Entry("public", methods=("POST",)),
    "accounts:login": Entry("public"),
    "accounts:logout": Entry("public", methods=("POST",)),
    "accounts:two_factor": Entry("self"),  # signed-in sessions already verified: on to home
    "accounts:two_factor_enrol": Entry("self"),  # own authenticator only
    "accounts:recovery_codes": Entry("self", methods=("POST",)),  # own codes only
    "accounts:profile": Entry("self"),
    "accounts:tokens": Entry("self"),
    "accounts:revoke_token": Entry(
        "owner",
        kwargs=lambda world: {"pk": world.chair_a_token.pk},
        methods=("POST",),
        data=lambda world: {},
    ),
    "accounts:set_digits": Entry("public", methods=("POST",)),
    "audit:access_reason": Entry(
        "read",
        methods=("POST",),
        data=lambda world: {
            "object_type": "registry.person",
            "object_id": _registry(world)["person"].pk,
            "reason": "ตรวจสอบเรื่องร้องเรียนจากญาติ",
        },
    ),
    "audit:search": Entry("auditor", query=lambda world: "?user=chair.a"),
    "audit:anchor": Entry("auditor", query=lambda world: "?head=" + "0" * 64),
    "audit:export": Entry(
        "auditor",
        kwargs=lambda world: {"file_format": "csv"},
        query=lambda world: "?action=view_record",  # all events would name A's volunteers
    ),
    "geo:district_options": Entry("any_user", query=lambda world: "?province=10"),
    "geo:subdistrict_options": Entry("any_user", query=lambda world: "?district=1005"),
    "geo:postal_code_options": Entry("any_user", query=lambda world: "?subdistrict=100502"),
    "geo:address_match": Entry("any_user", query=lambda world: "?q=แขวงอนุสาวรีย์ เขตบางเขน"),
    "centers:center_list": Entry("any_user"),
    "centers:center_detail": Entry("read", kwargs=_center_a),
    "centers:center_edit": Entry(
        "write", kwargs=_center_a, methods=("GET", "POST"), data=_edit_center_form
    ),
    "centers:volunteer_list": Entry(
        "any_user", query=lambda world: f"?center={world.center_a.pk}&q=ลับ"
    ),
    "centers:volunteer_create": Entry(
        "manager",
        query=lambda world: f"?center={world.center_a.pk}",
        methods=("GET", "POST"),
        data=_new_volunteer_form,
        writers="write",
    ),
    "centers:own_profile_edit": Entry("volunteer"),
    "centers:volunteer_detail": Entry("read", kwargs=_secret),
    "centers:volunteer_edit": Entry(
        "write", kwargs=_target, methods=("GET", "POST"), data=_edit_volunteer_form
    ),
    "centers:volunteer_status": Entry(
        "write",
        kwargs=_target,
        methods=("GET", "POST"),
        data=lambda world: {"status": "inactive", "reason": "ทดสอบสิทธิ์"},
    ),
    "centers:volunteer_role": Entry(
        "write",
        kwargs=_target,
        methods=("GET", "POST"),
        data=lambda world: {"role": "secretary", "reason": "ทดสอบสิทธิ์"},
    ),
    "api:api-root": Entry("nobody"),
    "api:openapi-json": Entry("public"),
    "api:openapi-view": Entry("public"),
}


def _api_center(world):
    return {"center_id": world.center_a.pk}


def _api_secret(world):
    return {"volunteer_id": world.secret.pk}


def _api_target(world):
    return {"volunteer_id": world.target_api.pk}


# API operations, by "METHOD /path" as the OpenAPI schema spells them.
API: dict[str, Entry] = {
    "GET /api/v1/provinces": Entry("any_user"),
    "GET /api/v1/provinces/{code}": Entry("any_user", kwargs=lambda world: {"code": "10"}),
    "GET /api/v1/districts": Entry("any_user", query=lambda world: "?province=10"),
    "GET /api/v1/districts/{code}": Entry("any_user", kwargs=lambda world: {"code": "1005"}),
    "GET /api/v1/subdistricts": Entry("any_user", query=lambda world: "?district=1005"),
    "GET /api/v1/subdistricts/{code}": Entry("any_user", kwargs=lambda world: {"code": "100502"}),
    "GET /api/v1/addresses/match": Entry(
        "any_user", query=lambda world: "?q=แขวงอนุสาวรีย์ เขตบางเขน"
    ),
    "GET /api/v1/centers": Entry("any_user"),
    "POST /api/v1/centers": Entry(
        "open_center",
        data=lambda world: {
            "code": "BKK-1001",
            "name_th": "ศูนย์ประสานงาน อพม. เขตพระนคร",
            "subdistrict": "100101",
            "opened_on": "2020-01-01",
        },
    ),
    "GET /api/v1/centers/{center_id}": Entry("read", kwargs=_api_center),
    "PATCH /api/v1/centers/{center_id}": Entry(
        "write", kwargs=_api_center, data=lambda world: {"phone": "029999999"}
    ),
    "GET /api/v1/volunteers": Entry("any_user", query=lambda world: f"?center={world.center_a.pk}"),
    "POST /api/v1/volunteers": Entry(
        "write",
        data=lambda world: {
            "center": world.center_a.pk,
            "title": "นาง",
            "first_name": "ทดลอง",
            "last_name": "ผ่านเอพีไอ",
            "national_id": new_national_id(),
            "birth_date": "1975-06-01",
            "sex": "female",
            "subdistrict": world.center_a.subdistrict.code,
            "joined_on": "2020-01-15",
        },
    ),
    "GET /api/v1/volunteers/{volunteer_id}": Entry("read", kwargs=_api_secret),
    "PATCH /api/v1/volunteers/{volunteer_id}": Entry(
        "write", kwargs=_api_target, data=lambda world: {"phone": "0833333333"}
    ),
    "POST /api/v1/volunteers/{volunteer_id}/status": Entry(
        "write",
        kwargs=_api_target,
        data=lambda world: {"status": "inactive", "reason": "ทดสอบสิทธิ์"},
    ),
    "POST /api/v1/volunteers/{volunteer_id}/role": Entry(
        "write", kwargs=_api_target, data=lambda world: {"role": "committee", "reason": ""}
    ),
    "GET /api/v1/tokens": Entry("self"),
    "GET /api/v1/audit-events": Entry("auditor", query=lambda world: "?action=view_record"),
    "GET /api/v1/tokens/{token_id}": Entry(
        "owner", kwargs=lambda world: {"token_id": world.chair_a_token.pk}
    ),
    "POST /api/v1/tokens/{token_id}/revoke": Entry(
        "owner", kwargs=lambda world: {"token_id": world.chair_a_token.pk}, data=lambda w: {}
    ),
}


# --- Casework of center A for the API walk, made once per world on first use ----------------
# (made from an entry's kwargs/query, which the walker reads before any write is fingerprinted)


def _casework(world) -> dict:
    made = getattr(world, "_casework", None)
    if made is not None:
        return made
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone
    from PIL import Image

    from asa.cases import actions as case_actions
    from asa.registry.actions import create_household, register_person

    person = register_person(
        actor=None,
        first_name="ลับกรณี",
        last_name="ผู้ประสบปัญหาเอ",
        birth_date=dt.date(1948, 2, 1),
        subdistrict=world.center_a.subdistrict.code,
    )
    create_household(actor=None, head=person)
    member = Volunteer.objects.get(user__username="volunteer.a")

    def new_case(story: str):
        case = case_actions.open_case(actor=None, person=person, source="field", story=story)
        return case_actions.assign_case(actor=None, case=case, volunteers=[member])

    main = new_case("เรื่องลับของศูนย์เอ")
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "white").save(buffer, format="JPEG")
    visit = case_actions.record_visit(
        actor=None,
        case=main,
        visited_at=timezone.now(),
        observations="สิ่งที่พบ",
        photos=[SimpleUploadedFile("p.jpg", buffer.getvalue(), content_type="image/jpeg")],
    )
    item = case_actions.add_plan_item(
        actor=None,
        case=main,
        need="อาหาร",
        action="ถุงยังชีพ",
        due_on=timezone.localdate(),
        responsible_other="เขต",
    )
    given = case_actions.record_assistance(
        actor=None, case=main, kind="service", description="บริการ", given_on=timezone.localdate()
    )
    closing = new_case("ขอปิด")
    case_actions.request_closure(actor=None, case=closing, outcome="resolved")
    closed = new_case("ปิดแล้ว")
    case_actions.close_case(actor=None, case=closed, outcome="resolved")
    made = {
        "person": person,
        "case": main,
        "visit": visit,
        "photo": visit.photos.get(),
        "plan_item": item,
        "assistance": given,
        "approve-closure": closing,
        "reopen": closed,
        **{
            name: new_case(name)
            for name in ("assign", "unassign", "transfer", "status", "closure-request")
        },
        "close": new_case("ปิดทันที"),
    }
    world.a_secrets += [person.first_name, person.last_name, main.story]
    world._casework = made
    return made


def _case_kwargs(name: str = "case"):
    return lambda world: {"case_id": _casework(world)[name].pk}


def _in_a(world) -> str:
    _casework(world)
    return f"?center={world.center_a.pk}"


def _case_write(name: str, kind: str, writers: str, data: Callable[[World], dict]) -> Entry:
    """A case action aimed at its own case of center A, with the case's current version."""

    def body(world) -> dict:
        from asa.cases.models import Case

        version = Case.objects.get(pk=_casework(world)[name].pk).version
        return data(world) | {"version": version}

    return Entry(kind, kwargs=_case_kwargs(name), data=body, writers=writers)


def _today(world) -> str:
    from django.utils import timezone

    return str(timezone.localdate())


def _now(world) -> str:
    from django.utils import timezone

    return timezone.now().isoformat()


def _of_case_a(world) -> str:
    return f"?case={_casework(world)['case'].pk}"


CASEWORK_API: dict[str, Entry] = {
    "GET /api/v1/cases": Entry("any_user", query=_in_a),
    "POST /api/v1/cases": Entry(
        "read",
        data=lambda world: {
            "person": _casework(world)["person"].pk,
            "source": "hotline",
            "story": "แจ้งผ่านสายด่วน",
        },
    ),
    "GET /api/v1/cases/{case_id}": Entry("read", kwargs=_case_kwargs()),
    "POST /api/v1/cases/{case_id}/assign": _case_write(
        "assign", "read", "write", lambda world: {"volunteers": [world.secret.pk]}
    ),
    "POST /api/v1/cases/{case_id}/unassign": Entry(
        "read",
        kwargs=_case_kwargs("unassign"),
        data=lambda world: {
            "volunteer": Volunteer.objects.get(user__username="volunteer.a").pk,
            "reason": "สลับเวร",
        },
        writers="write",
    ),
    "POST /api/v1/cases/{case_id}/transfer": _case_write(
        "transfer",
        "read",
        "write",
        lambda world: {"to_center": world.center_b.pk, "reason": "ย้ายที่อยู่"},
    ),
    "POST /api/v1/cases/{case_id}/status": _case_write(
        "status", "read", "read", lambda world: {"status": "assessed"}
    ),
    "POST /api/v1/cases/{case_id}/closure-request": _case_write(
        "closure-request", "read", "read", lambda world: {"outcome": "resolved"}
    ),
    "POST /api/v1/cases/{case_id}/approve-closure": _case_write(
        "approve-closure", "read", "write", lambda world: {}
    ),
    "POST /api/v1/cases/{case_id}/close": _case_write(
        "close", "read", "write", lambda world: {"outcome": "moved_away"}
    ),
    "POST /api/v1/cases/{case_id}/reopen": _case_write(
        "reopen", "read", "write", lambda world: {"reason": "ปัญหากลับมา"}
    ),
    "GET /api/v1/cases/{case_id}/timeline": Entry("read", kwargs=_case_kwargs()),
    "GET /api/v1/watch": Entry("any_user", query=_in_a),
    "GET /api/v1/visits": Entry("any_user", query=_of_case_a),
    "POST /api/v1/visits": Entry(
        "read",
        data=lambda world: {
            "case": _casework(world)["case"].pk,
            "visited_at": _now(world),
            "observations": "เยี่ยมบ้าน",
        },
    ),
    "GET /api/v1/visits/{visit_id}": Entry(
        "read", kwargs=lambda world: {"visit_id": _casework(world)["visit"].pk}
    ),
    "GET /api/v1/visits/{visit_id}/photos/{photo_id}": Entry(
        "read",
        kwargs=lambda world: {
            "visit_id": _casework(world)["visit"].pk,
            "photo_id": _casework(world)["photo"].pk,
        },
    ),
    "GET /api/v1/cases/{case_id}/plan": Entry("read", kwargs=_case_kwargs()),
    "POST /api/v1/cases/{case_id}/plan": Entry(
        "read",
        kwargs=_case_kwargs(),
        data=lambda world: {
            "need": "ค่าเช่า",
            "action": "ประสานทุน",
            "due_on": _today(world),
            "responsible_other": "พมจ.",
        },
    ),
    "PATCH /api/v1/plan-items/{item_id}": Entry(
        "read",
        kwargs=lambda world: {"item_id": _casework(world)["plan_item"].pk},
        data=lambda world: {"status": "in_progress", "progress_note": "เริ่มแล้ว"},
    ),
    "GET /api/v1/assistance": Entry("any_user", query=_of_case_a),
    "POST /api/v1/assistance": Entry(
        "read",
        data=lambda world: {
            "case": _casework(world)["case"].pk,
            "kind": "goods",
            "description": "ถุงยังชีพ",
            "given_on": _today(world),
        },
    ),
    "GET /api/v1/assistance/{assistance_id}": Entry(
        "read", kwargs=lambda world: {"assistance_id": _casework(world)["assistance"].pk}
    ),
    "GET /api/v1/notifications": Entry("self", query=lambda world: "?unread=true"),
    "POST /api/v1/notifications/read": Entry("self", data=lambda world: {}),
}
API.update(CASEWORK_API)


# --- Casework pages: their own cases of center A, so page and API writes never collide --------


def _page_casework(world) -> dict:
    made = getattr(world, "_page_casework", None)
    if made is not None:
        return made
    from asa.cases import actions as case_actions

    shared = _casework(world)
    member = Volunteer.objects.get(user__username="volunteer.a")

    def new_case(story: str):
        case = case_actions.open_case(
            actor=None, person=shared["person"], source="field", story=story
        )
        return case_actions.assign_case(actor=None, case=case, volunteers=[member])

    made = {name: new_case(f"หน้า {name}") for name in ("assign", "transfer", "status")}
    made["unassign"] = new_case("หน้า unassign")
    case_actions.assign_case(actor=None, case=made["unassign"], volunteers=[world.secret])
    made["closure"] = new_case("หน้า closure")
    made["approve"] = new_case("หน้า approve")
    case_actions.request_closure(actor=None, case=made["approve"], outcome="resolved")
    made["reopen"] = new_case("หน้า reopen")
    case_actions.close_case(actor=None, case=made["reopen"], outcome="resolved")
    world._page_casework = made
    return made


def _page_case(name: str = ""):
    def kwargs(world) -> dict:
        cases = _page_casework(world)
        return {"pk": (cases[name] if name else _casework(world)["case"]).pk}

    return kwargs


def _page_case_write(name: str, writers: str, data: Callable[[World], dict]) -> Entry:
    def body(world) -> dict:
        from asa.cases.models import Case

        version = Case.objects.get(pk=_page_casework(world)[name].pk).version
        return data(world) | {"version": version}

    return Entry("read", kwargs=_page_case(name), methods=("POST",), data=body, writers=writers)


def _be_today(world) -> str:
    from django.utils import timezone

    from asa.lib.thai import format_be_date_numeric

    return format_be_date_numeric(timezone.localdate())


CASEWORK_PAGES: dict[str, Entry] = {
    "cases:today": Entry("any_user"),
    "cases:watch": Entry("any_user", query=_in_a),
    "cases:case_list": Entry("any_user", query=_in_a),
    "cases:caseload": Entry("manager", query=_in_a),
    "cases:my_reports": Entry("self"),  # only the user's own reports, never another's
    "cases:notification_list": Entry("self"),
    "cases:notification_read": Entry("self", methods=("POST",), data=lambda world: {}),
    "cases:case_create": Entry(
        "read",
        query=lambda world: f"?person={_casework(world)['person'].pk}",
        methods=("GET", "POST"),
        data=lambda world: {
            "person": _casework(world)["person"].pk,
            "source": "walk_in",
            "urgency": "urgent",
            "reported_on": _be_today(world),
            "story": "มาติดต่อที่ศูนย์",
        },
    ),
    "cases:case_detail": Entry("read", kwargs=_page_case()),
    # The map and the paper forms of center A: readers of A only (404 to the others).
    "cases:case_map": Entry("read", query=_in_a),
    "cases:paper_intake_form": Entry("read", query=_in_a),
    "cases:paper_visit_form": Entry("read", query=_in_a),
    "cases:paper_visit_sheet": Entry("any_user"),  # the user's own day, empty for most
    "cases:paper_case_visit_form": Entry("read", kwargs=_page_case()),
    "cases:visit_photo": Entry("read", kwargs=lambda world: {"pk": _casework(world)["photo"].pk}),
    "cases:visit_create": Entry(
        "read",
        kwargs=_page_case(),
        methods=("GET", "POST"),
        data=lambda world: {
            "visited_on": _be_today(world),
            "observations": "เยี่ยมบ้านจากหน้าเว็บ",
        },
    ),
    "cases:case_assign": _page_case_write(
        "assign", "write", lambda world: {"volunteers": [world.secret.pk]}
    ),
    "cases:case_unassign": Entry(
        "read",
        kwargs=_page_case("unassign"),
        methods=("POST",),
        data=lambda world: {"volunteer": world.secret.pk, "reason": "ทดสอบสิทธิ์"},
        writers="write",
    ),
    "cases:case_transfer": _page_case_write(
        "transfer", "write", lambda world: {"to_center": world.center_b.pk, "reason": "ย้ายบ้าน"}
    ),
    "cases:case_status": _page_case_write("status", "read", lambda world: {"status": "assessed"}),
    "cases:closure_request": _page_case_write(
        "closure", "read", lambda world: {"outcome": "resolved", "note": "เสร็จแล้ว"}
    ),
    "cases:closure_approve": _page_case_write("approve", "write", lambda world: {}),
    "cases:case_reopen": _page_case_write("reopen", "write", lambda world: {"reason": "กลับมาอีก"}),
    "cases:plan_item_create": Entry(
        "read",
        kwargs=_page_case(),
        methods=("POST",),
        data=lambda world: {
            "need": "ค่าเดินทาง",
            "action": "ประสาน อบต.",
            "responsible_other": "อบต.",
            "due_on": _be_today(world),
        },
    ),
    "cases:plan_item_update": Entry(
        "read",
        kwargs=lambda world: {"pk": _casework(world)["plan_item"].pk},
        methods=("POST",),
        data=lambda world: {"status": "done", "progress_note": "เสร็จ"},
    ),
    "cases:assistance_create": Entry(
        "read",
        kwargs=_page_case(),
        methods=("POST",),
        data=lambda world: {
            "kind": "emergency_grant",
            "regulation": "ระเบียบฯ",
            "amount": "3000",
            "description": "เงินสงเคราะห์",
            "given_on": _be_today(world),
        },
    ),
}
PAGES.update(CASEWORK_PAGES)


# --- One Home API: a partner agency that is NOT agency_user's, and center A's referrals ------
# (agency_user answers only for its own agency: this world's referrals are none of its business)

KINDS["directory"] = frozenset(  # everyone who works with cases reads the partner directory
    {
        "admin_user",
        "officer",
        "district_officer_a",
        "outside_officer",
        "chair_a",
        "volunteer_a",
        "chair_b",
        "volunteer_b",
    }
)
KINDS["bangkok_directory"] = frozenset({"admin_user", "officer", "district_officer_a"})


def _one_home(world) -> dict:
    made = getattr(world, "_one_home", None)
    if made is not None:
        return made
    from django.utils import timezone

    from asa.geo.models import Province
    from asa.referrals import actions as referral_actions
    from asa.referrals.models import Service
    from asa.registry.actions import record_consent

    casework = _casework(world)
    partner = referral_actions.register_agency(
        actor=None,
        name_th="บ้านพักทดสอบสิทธิ์",
        kind="child_family_shelter",
        province=Province.objects.get(code="10"),
    )
    referral_actions.update_agency(
        actor=None,
        agency=partner,
        services=[Service.objects.get(code="shelter")],
        area_codes=["10"],
    )
    record_consent(
        actor=None,
        person=casework["person"],
        basis="consent",
        given_by="self",
        given_on=timezone.localdate(),
        method="signed_paper",
        allows_sharing=True,
    )

    def refer(need: str):
        return referral_actions.send_referral(
            actor=None,
            case=casework["case"],
            agency=partner,
            service=Service.objects.get(code="shelter"),
            need=need,
        )

    conference = referral_actions.hold_conference(
        actor=None,
        case=casework["case"],
        held_on=timezone.localdate(),
        decisions="มติลับของศูนย์เอ",
        agencies=[partner],
    )
    made = {
        "agency": partner,
        "referral": refer("ที่พักชั่วคราว"),
        "withdraw": refer("ถอน"),
        "links": refer("ลิงก์"),
        "conference": conference,
        "action": referral_actions.add_conference_action(
            actor=None,
            conference=conference,
            action="รับเข้าพัก",
            due_on=timezone.localdate(),
            owner_agency=partner,
        ),
    }
    world._one_home = made
    return made


def _one_home_kwargs(name: str, key: str):
    return lambda world: {key: _one_home(world)[name].pk}


def _referral_write(name: str, writers: str, data: Callable[[World], dict]) -> Entry:
    def body(world) -> dict:
        from asa.referrals.models import Referral

        return data(world) | {"version": Referral.objects.get(pk=_one_home(world)[name].pk).version}

    return Entry("read", kwargs=_one_home_kwargs(name, "referral_id"), data=body, writers=writers)


ONE_HOME_API: dict[str, Entry] = {
    "GET /api/v1/agencies": Entry("any_user", query=lambda world: "?area=1005"),
    "GET /api/v1/agencies/export": Entry("any_user", query=lambda world: "?format=csv"),
    # The walker sends JSON; the import takes a multipart file, so every walker write is a 4xx
    # that changes nothing. test_directory_import.py imports real files as each role.
    "POST /api/v1/agencies/import": Entry(
        "bangkok_directory", data=lambda world: {}, writers="nobody"
    ),
    "GET /api/v1/agencies/{agency_id}": Entry(
        "directory", kwargs=_one_home_kwargs("agency", "agency_id")
    ),
    "POST /api/v1/agencies": Entry(
        "bangkok_directory",
        data=lambda world: {
            "name_th": "สถานีตำรวจทดสอบสิทธิ์",
            "kind": "police",
            "province": "10",
            "services": ["legal_aid"],
            "areas": ["1005"],
        },
    ),
    "PATCH /api/v1/agencies/{agency_id}": Entry(
        "directory",
        kwargs=_one_home_kwargs("agency", "agency_id"),
        data=lambda world: {"phone": "021112222"},
        writers="bangkok_directory",
    ),
    "POST /api/v1/agencies/{agency_id}/contacts": Entry(
        "directory",
        kwargs=_one_home_kwargs("agency", "agency_id"),
        data=lambda world: {"name": "ผู้ประสานงานเอพีไอ", "phone": "021113333"},
        writers="bangkok_directory",
    ),
    "GET /api/v1/services": Entry("any_user"),
    "GET /api/v1/referrals": Entry("any_user", query=_of_case_a),
    "GET /api/v1/referrals/{referral_id}": Entry(
        "read", kwargs=_one_home_kwargs("referral", "referral_id")
    ),
    "POST /api/v1/referrals": Entry(
        "read",
        data=lambda world: {
            "case": _casework(world)["case"].pk,
            "agency": _one_home(world)["agency"].pk,
            "service": "shelter",
            "need": "ที่พักพิง",
        },
    ),
    # Only the addressed agency's users answer; none of the personas is one (403 or 404).
    "POST /api/v1/referrals/{referral_id}/answer": _referral_write(
        "referral", "nobody", lambda world: {"status": "accepted"}
    ),
    "POST /api/v1/referrals/{referral_id}/withdraw": _referral_write(
        "withdraw", "read", lambda world: {"reason": "ได้ที่พักแล้ว"}
    ),
    "POST /api/v1/referrals/{referral_id}/links": Entry(
        "read", kwargs=_one_home_kwargs("links", "referral_id"), data=lambda world: {}
    ),
    "GET /api/v1/conferences": Entry("any_user", query=_of_case_a),
    "POST /api/v1/conferences": Entry(
        "read",
        data=lambda world: {
            "case": _casework(world)["case"].pk,
            "held_on": _today(world),
            "decisions": "ประชุมทีมสหวิชาชีพ",
            "agencies": [_one_home(world)["agency"].pk],
        },
    ),
    "GET /api/v1/conferences/{conference_id}": Entry(
        "read", kwargs=_one_home_kwargs("conference", "conference_id")
    ),
    "POST /api/v1/conferences/{conference_id}/actions": Entry(
        "read",
        kwargs=_one_home_kwargs("conference", "conference_id"),
        data=lambda world: {
            "action": "ติดตามผล",
            "due_on": _today(world),
            "owner_center": world.center_a.pk,
        },
    ),
    "POST /api/v1/conference-actions/{action_id}/done": Entry(
        "read", kwargs=_one_home_kwargs("action", "action_id"), data=lambda world: {"note": "เสร็จ"}
    ),
    "GET /api/v1/notification-channels": Entry("self"),
    # One's own LINE link only: a new one-time code (shown once) and unlinking.
    "POST /api/v1/notification-channels/line/link": Entry("self", data=lambda world: {}),
    "POST /api/v1/notification-channels/line/unlink": Entry("self", data=lambda world: {}),
    "PUT /api/v1/notification-channels": Entry(
        "self",
        # LINE is linked by the LINE webhook only, so the walker sets SMS.
        data=lambda world: {
            "items": [{"channel": "sms", "address": "0812223333", "enabled": True}]
        },
    ),
}
API.update(ONE_HOME_API)


# --- The registry of center A (people, households, duplicates, imports), made on first use --


def _registry(world) -> dict:
    made = getattr(world, "_registry_made", None)
    if made is not None:
        return made
    import io

    from django.utils import timezone

    from asa.registry import actions as registry_actions
    from asa.registry import importing
    from asa.registry.models import DuplicateCandidate, ProblemType

    code = world.center_a.subdistrict.code

    def person(first, last, **extra):
        return registry_actions.register_person(
            actor=None,
            first_name=first,
            last_name=last,
            subdistrict=code,
            birth_date=dt.date(1955, 3, 1),
            check_duplicates=False,
            **extra,
        )

    head = person("ลับทะเบียน", "ผู้ประสบปัญหาเอ")
    household = registry_actions.create_household(actor=None, head=head)
    member = person("สมาชิกบ้าน", "ทะเบียนเอ")
    membership = registry_actions.add_household_member(
        actor=None, household=household, person=member, relationship="child"
    )
    consent = registry_actions.record_consent(
        actor=None,
        person=head,
        basis="consent",
        given_by="self",
        given_on=timezone.localdate(),
        method="signed_paper",
        allows_sharing=True,
    )
    problem = registry_actions.record_problem(
        actor=None, person=head, problem_type=ProblemType.objects.get(code="poverty")
    )
    first, second = person("คู่ซ้ำ", "หนึ่ง"), person("คู่ซ้ำ", "สอง")
    low, high = sorted([first, second], key=lambda p: p.pk)
    candidate = DuplicateCandidate.objects.create(
        person_a=low, person_b=high, score=0.9, reasons=["ทดสอบ"]
    )
    distinct_pair = sorted([person("คนละคน", "หนึ่ง"), person("คนละคน", "สอง")], key=lambda p: p.pk)
    distinct = DuplicateCandidate.objects.create(
        person_a=distinct_pair[0], person_b=distinct_pair[1], score=0.5, reasons=["ทดสอบ"]
    )

    def pair(first_name: str):
        low, high = sorted(
            [person(first_name, "หนึ่ง"), person(first_name, "สอง")], key=lambda p: p.pk
        )
        return DuplicateCandidate.objects.create(
            person_a=low, person_b=high, score=0.7, reasons=["ทดสอบ"]
        )

    api_candidate, api_distinct = pair("คู่เอพีไอ"), pair("คู่แยกเอพีไอ")
    survivor, merged = person("รวมแล้ว", "หลัก"), person("รวมแล้ว", "รอง")
    merge = registry_actions.merge_people(actor=None, survivor=survivor, merged=merged)
    api_merge = registry_actions.merge_people(
        actor=None, survivor=person("รวมเอพีไอ", "หลัก"), merged=person("รวมเอพีไอ", "รอง")
    )
    chair = Volunteer.objects.get(user__username="chair.a").user
    csv = "first_name,last_name,subdistrict_code\nนำเข้า,ทดสอบ,100502\n".encode()
    job = importing.start_import(
        actor=chair,
        file=io.BytesIO(csv),
        file_name="people.csv",
        source="scope-walker",
        center=world.center_a,
    )
    # A row refused as a likely duplicate of `head`, waiting in the import review queue.
    again = (
        "first_name,last_name,birth_date,subdistrict_code\n"
        "ลับทะเบียน,ผู้ประสบปัญหาเอ,1955-03-01,100502\n"
    )
    review_job = importing.start_import(
        actor=chair,
        file=io.BytesIO(again.encode()),
        file_name="again.csv",
        source="scope-walker-again",
        center=world.center_a,
    )
    importing.run_import(review_job.pk)
    made = {
        "review_row": review_job.rows.get(outcome="duplicate"),
        "person": head,
        "household": household,
        "membership": membership,
        "consent": consent,
        "problem": problem,
        "candidate": candidate,
        "distinct": distinct,
        "merge": merge,
        "api_merge": api_merge,
        "job": job,
        "api_candidate": api_candidate,
        "api_distinct": api_distinct,
    }
    world.a_secrets += [head.first_name, head.last_name]
    world._registry_made = made
    return made


def _reg(name: str, key: str = "pk"):
    return lambda world: {key: _registry(world)[name].pk}


REGISTRY_PAGES: dict[str, Entry] = {
    "registry:person_list": Entry("any_user", query=lambda world: "?q=ลับทะเบียน"),
    "registry:person_create": Entry(
        "worker",
        methods=("GET", "POST"),
        data=lambda world: {
            "title": "นาง",
            "first_name": "ลงทะเบียน",
            "last_name": "หน้าเว็บ",
            "id_type": "none",
            "sex": "female",
            "nationality": "ไทย",
            **_address(world),
        },
        writers="read",
    ),
    "registry:person_detail": Entry("read", kwargs=_reg("person")),
    "registry:person_edit": Entry("read", kwargs=_reg("person"), methods=("GET", "POST")),
    "registry:problem_create": Entry(
        "read",
        kwargs=_reg("person"),
        methods=("GET", "POST"),
        data=lambda world: {
            "problem_type": __import__("asa.registry.models", fromlist=["ProblemType"])
            .ProblemType.objects.get(code="debt")
            .pk,
            "severity": "high",
        },
    ),
    "registry:problem_status": Entry(
        "read",
        kwargs=_reg("problem"),
        methods=("POST",),
        data=lambda world: {"status": "improving"},
    ),
    "registry:consent_create": Entry(
        "read",
        kwargs=_reg("person"),
        methods=("GET", "POST"),
        data=lambda world: {
            "basis": "public_task",
            "given_by": "not_applicable",
            "given_on": _be_today(world),
            "method": "not_applicable",
        },
    ),
    "registry:consent_withdraw": Entry("read", kwargs=_reg("consent"), methods=("GET", "POST")),
    "registry:household_list": Entry("any_user"),
    "registry:household_create": Entry(
        "read", query=lambda world: f"?head={_registry(world)['person'].pk}"
    ),
    "registry:household_detail": Entry("read", kwargs=_reg("household")),
    "registry:household_add_member": Entry("read", kwargs=_reg("household"), methods=("POST",)),
    "registry:household_assess": Entry(
        "read",
        kwargs=_reg("household"),
        methods=("GET", "POST"),
        data=lambda world: {"assessed_on": _be_today(world), "indicator_clean_water": "on"},
    ),
    "registry:membership_end": Entry("read", kwargs=_reg("membership"), methods=("POST",)),
    "registry:duplicate_list": Entry("any_user"),
    "registry:duplicate_detail": Entry("read", kwargs=_reg("candidate")),
    "registry:duplicate_merge": Entry(
        "read",
        kwargs=_reg("candidate"),
        methods=("POST",),
        data=lambda world: {
            "survivor": _registry(world)["candidate"].person_a_id,
            "reason": "คนเดียวกัน",
        },
        writers="write",
    ),
    "registry:duplicate_distinct": Entry(
        "read",
        kwargs=_reg("distinct"),
        methods=("POST",),
        data=lambda world: {"reason": "คนละคน"},
        writers="write",
    ),
    "registry:merge_undo": Entry(
        "read",
        kwargs=_reg("merge"),
        methods=("POST",),
        data=lambda world: {"reason": "รวมผิด"},
        writers="write",
    ),
    "imports:import_list": Entry("importer"),
    "imports:import_create": Entry("importer", methods=("GET", "POST")),
    "imports:import_template": Entry("any_user"),  # a blank template
    "imports:import_review_list": Entry("importer"),
    "imports:import_review_detail": Entry("write", kwargs=_reg("review_row")),
    "imports:import_detail": Entry("write", kwargs=_reg("job")),
    "imports:import_progress": Entry("write", kwargs=_reg("job")),
    "imports:import_report": Entry("write", kwargs=_reg("job")),
    "imports:export_csv": Entry("any_user"),  # scoped: exports only what the user may see
    "imports:export_xlsx": Entry("any_user"),
}
PAGES.update(REGISTRY_PAGES)


def _api_reg(name: str, key: str):
    return lambda world: {key: _registry(world)[name].pk}


def _with_version(name: str, data: Callable[[World], dict]):
    def body(world) -> dict:
        from asa.registry.models import Person

        return data(world) | {"version": Person.objects.get(pk=_registry(world)[name].pk).version}

    return body


REGISTRY_API: dict[str, Entry] = {
    "GET /api/v1/people": Entry("any_user", query=lambda world: "?q=ลับทะเบียน"),
    "POST /api/v1/people": Entry(
        "read",
        data=lambda world: {
            "first_name": "ผ่านเอพีไอ",
            "last_name": "ทะเบียน",
            "subdistrict": world.center_a.subdistrict.code,
        },
    ),
    "GET /api/v1/people/export": Entry("any_user"),
    "GET /api/v1/people/{person_id}": Entry("read", kwargs=_api_reg("person", "person_id")),
    "PATCH /api/v1/people/{person_id}": Entry(
        "read",
        kwargs=_api_reg("person", "person_id"),
        data=_with_version("person", lambda world: {"notes": "แก้ไขผ่านเอพีไอ"}),
    ),
    "GET /api/v1/people/{person_id}/timeline": Entry(
        "read", kwargs=_api_reg("person", "person_id")
    ),
    "GET /api/v1/people/{person_id}/consents": Entry(
        "read", kwargs=_api_reg("person", "person_id")
    ),
    "POST /api/v1/people/{person_id}/consents": Entry(
        "read",
        kwargs=_api_reg("person", "person_id"),
        data=lambda world: {
            "basis": "public_task",
            "given_by": "not_applicable",
            "given_on": str(__import__("django.utils.timezone", fromlist=["x"]).localdate()),
            "method": "not_applicable",
        },
    ),
    "POST /api/v1/people/{person_id}/problems": Entry(
        "read",
        kwargs=_api_reg("person", "person_id"),
        data=lambda world: {"problem_type": "debt", "severity": "high"},
    ),
    "POST /api/v1/people/{person_id}/problems/{problem_type}/status": Entry(
        "read",
        kwargs=lambda world: {
            "person_id": _registry(world)["person"].pk,
            "problem_type": "poverty",
        },
        data=lambda world: {"status": "resolved"},
    ),
    "POST /api/v1/consents/{consent_id}/withdraw": Entry(
        "read",
        kwargs=_api_reg("consent", "consent_id"),
        data=lambda world: {"reason": "เจ้าของข้อมูลขอถอนความยินยอม"},
    ),
    "GET /api/v1/households": Entry("any_user"),
    "POST /api/v1/households": Entry(
        "read", data=lambda world: {"head": _registry(world)["distinct"].person_a_id}
    ),
    "GET /api/v1/households/{household_id}": Entry(
        "read", kwargs=_api_reg("household", "household_id")
    ),
    "POST /api/v1/households/{household_id}/members": Entry(
        "read",
        kwargs=_api_reg("household", "household_id"),
        data=lambda world: {
            "person": _registry(world)["distinct"].person_b_id,
            "relationship": "relative",
        },
    ),
    "POST /api/v1/households/{household_id}/members/{person_id}/end": Entry(
        "read",
        kwargs=lambda world: {
            "household_id": _registry(world)["household"].pk,
            "person_id": _registry(world)["membership"].person_id,
        },
        data=lambda world: {},
    ),
    "POST /api/v1/households/{household_id}/assessments": Entry(
        "read",
        kwargs=_api_reg("household", "household_id"),
        data=lambda world: {"indicators": {"clean_water": True}},
    ),
    "GET /api/v1/duplicates": Entry("any_user"),
    "POST /api/v1/duplicates/{candidate_id}/merge": Entry(
        "read",
        kwargs=_api_reg("api_candidate", "candidate_id"),
        data=lambda world: {"survivor": _registry(world)["api_candidate"].person_a_id},
        writers="write",
    ),
    "GET /api/v1/merges/{merge_id}": Entry("read", kwargs=_api_reg("api_merge", "merge_id")),
    "POST /api/v1/merges/{merge_id}/undo": Entry(
        "read",
        kwargs=_api_reg("api_merge", "merge_id"),
        data=lambda world: {"reason": "รวมผิด"},
        writers="write",
    ),
    "POST /api/v1/duplicates/{candidate_id}/distinct": Entry(
        "read",
        kwargs=_api_reg("api_distinct", "candidate_id"),
        data=lambda world: {},
        writers="write",
    ),
    "GET /api/v1/imports": Entry("any_user"),
    "POST /api/v1/imports": Entry("importer", data=lambda world: {}, writers="nobody"),
    "GET /api/v1/imports/{job_id}": Entry("write", kwargs=_api_reg("job", "job_id")),
    "GET /api/v1/imports/{job_id}/rows": Entry("write", kwargs=_api_reg("job", "job_id")),
    "POST /api/v1/import-rows/{row_id}/review": Entry(
        "write",
        kwargs=_api_reg("review_row", "row_id"),
        data=lambda world: {"decision": "dismissed", "reason": "ตรวจแล้วเป็นข้อมูลซ้ำ"},
    ),
}
API.update(REGISTRY_API)

# --- One Home pages: a case of center A referred to agency_user's agency and to a partner ------
# without users. Its person's names are not secrets here: the partner is meant to see them (the
# shared fields); the case's story is, so a partner page that showed it would fail the walk.

KINDS["partner_directory"] = SIGNED_IN - {"dpo"}  # workers and partner users
KINDS["agency_editors"] = frozenset({"admin_user", "agency_user"})  # ministry, its own users
KINDS["referral_readers"] = READERS_OF_A | {"agency_user"}  # the case's readers, the partner
KINDS["referral_partner"] = frozenset({"agency_user"})


def _referral_pages(world) -> dict:
    made = getattr(world, "_referral_pages", None)
    if made is not None:
        return made
    from django.utils import timezone

    from asa.accounts.models import Role, RoleAssignment
    from asa.cases import actions as case_actions
    from asa.referrals import actions as referral_actions
    from asa.referrals.models import AgencyKind, Service
    from asa.registry.actions import record_consent, register_person

    shelter = Service.objects.get(code="shelter")
    partner = RoleAssignment.objects.get(role=Role.AGENCY_USER, user__username="agency.user").agency
    referral_actions.update_agency(
        actor=None, agency=partner, services=[shelter], area_codes=["10"]
    )
    linkless = referral_actions.register_agency(
        actor=None, name_th="บ้านพักไม่มีผู้ใช้", kind=AgencyKind.CHILD_FAMILY_SHELTER
    )
    referral_actions.update_agency(
        actor=None, agency=linkless, services=[shelter], area_codes=["10"]
    )
    referral_actions.add_agency_contact(
        actor=None, agency=linkless, name="ผู้ประสานงาน", email="contact@example.org"
    )
    person = register_person(
        actor=None,
        first_name="ผู้รับบริการ",
        last_name="ส่งต่อ",
        birth_date=dt.date(1950, 5, 5),
        subdistrict=world.center_a.subdistrict.code,
    )
    record_consent(
        actor=None,
        person=person,
        basis="consent",
        given_by="self",
        given_on=timezone.localdate(),
        method="signed_paper",
        allows_sharing=True,
    )
    case = case_actions.open_case(
        actor=None, person=person, source="field", story="เรื่องลับของการส่งต่อศูนย์เอ"
    )
    case_actions.assign_case(
        actor=None, case=case, volunteers=[Volunteer.objects.get(user__username="volunteer.a")]
    )

    def refer(agency, need):
        return referral_actions.send_referral(
            actor=None, case=case, agency=agency, service=shelter, need=need
        )

    conference = referral_actions.hold_conference(
        actor=None,
        case=case,
        held_on=timezone.localdate(),
        decisions="ประชุมทีม One Home",
        agencies=[partner],
    )
    linked = refer(linkless, "ทางลิงก์")
    made = {
        "partner": partner,
        "case": case,
        "referral": refer(partner, "ที่พักชั่วคราว"),
        "withdraw": refer(partner, "ถอน"),
        "link": refer(linkless, "สร้างลิงก์"),
        "token": referral_actions.issue_referral_link(actor=None, referral=linked).split("/")[2],
        "conference": conference,
        "action": referral_actions.add_conference_action(
            actor=None,
            conference=conference,
            action="รับเข้าพัก",
            due_on=timezone.localdate(),
            owner_agency=partner,
        ),
    }
    world.a_secrets.append(case.story)
    world._referral_pages = made
    return made


def _referral_page(name: str, key: str = "pk"):
    return lambda world: {key: _referral_pages(world)[name].pk}


REFERRAL_PAGES: dict[str, Entry] = {
    "referrals:agency_list": Entry("any_user", query=lambda world: "?service=shelter&area=100502"),
    "referrals:agency_detail": Entry("partner_directory", kwargs=_referral_page("partner")),
    "referrals:agency_edit": Entry(
        "agency_editors",
        kwargs=_referral_page("partner"),
        methods=("GET", "POST"),
        data=lambda world: {
            "services": [_referral_pages(world)["partner"].services.get().pk],
            "area_codes": "10 1005",
            "phone": "021234567",
            "is_active": "on",
        },
    ),
    "referrals:contact_create": Entry(
        "agency_editors",
        kwargs=_referral_page("partner"),
        methods=("POST",),
        data=lambda world: {"name": "ผู้ประสานงานใหม่", "phone": "021112222"},
    ),
    "referrals:case_referrals": Entry("read", kwargs=_referral_page("case", "case_id")),
    "referrals:referral_create": Entry(
        "read",
        kwargs=_referral_page("case", "case_id"),
        query=lambda world: "?service=shelter",
        methods=("GET", "POST"),
        data=lambda world: {
            "service": "shelter",
            "agency": _referral_pages(world)["partner"].pk,
            "need": "ที่พักพิง",
        },
    ),
    "referrals:conference_create": Entry(
        "read",
        kwargs=_referral_page("case", "case_id"),
        methods=("GET", "POST"),
        data=lambda world: {"held_on": _be_today(world), "decisions": "ประชุมทีมสหวิชาชีพ"},
    ),
    "referrals:inbox": Entry("any_user"),
    "referrals:outbox": Entry("any_user", query=lambda world: "?tab=all"),
    "referrals:referral_detail": Entry("referral_readers", kwargs=_referral_page("referral")),
    "referrals:referral_answer": Entry(
        "referral_readers",
        kwargs=_referral_page("referral"),
        methods=("POST",),
        data=lambda world: {"action": "accept"},
        writers="referral_partner",
    ),
    "referrals:referral_withdraw": Entry(
        "read",
        kwargs=_referral_page("withdraw"),
        methods=("POST",),
        data=lambda world: {"reason": "ได้ที่พักแล้ว"},
    ),
    "referrals:referral_link": Entry(
        "read", kwargs=_referral_page("link"), methods=("POST",), data=lambda world: {}
    ),
    # No login: the token is the key. Answering spends it; test_pages_referrals.py covers that.
    "referrals:link_page": Entry(
        "public", kwargs=lambda world: {"token": _referral_pages(world)["token"]}
    ),
    "referrals:conference_detail": Entry("referral_readers", kwargs=_referral_page("conference")),
    "referrals:conference_action_create": Entry(
        "referral_readers",
        kwargs=_referral_page("conference"),
        methods=("POST",),
        data=lambda world: {"action": "ติดตามผล", "owner": "center", "due_on": _be_today(world)},
        writers="read",
    ),
    "referrals:conference_action_done": Entry(
        "referral_readers",
        kwargs=_referral_page("action"),
        methods=("POST",),
        data=lambda world: {"note": "เสร็จแล้ว"},
    ),
    "channels:settings": Entry(
        "self",
        methods=("GET", "POST"),
        data=lambda world: {"email-enabled": "on", "email-address": "walker@example.org"},
    ),
    # A new one-time LINE code for oneself, shown on the answer (no redirect to check).
    "channels:line_link": Entry("self", methods=("POST",)),
    "channels:line_unlink": Entry("self", methods=("POST",), data=lambda world: {}),
    # LINE's servers only: no valid X-Line-Signature, no change, for everyone (test_channels.py
    # checks the signed case).
    "channels:line_webhook": Entry(
        "public",
        methods=("POST",),
        data=lambda world: {"events": "[]"},
        writers="nobody",
    ),
}
PAGES.update(REFERRAL_PAGES)


# --- Goods and equipment of center A: stock, a household, a signed distribution, loans, a drive --


def _aid(world) -> dict:
    made = getattr(world, "_aid_made", None)
    if made is not None:
        return made
    import base64

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from asa.aid import actions as aid_actions
    from asa.aid.models import Item, Piece
    from asa.registry.actions import create_household, register_person

    today = timezone.localdate()
    bicycle, kit = Item.objects.get(code="bicycle"), Item.objects.get(code="consumer-kit")
    donation = aid_actions.receive_donation(
        actor=None,
        center=world.center_a,
        donor_kind="agency",
        donor_name="กรมพัฒนาสังคมและสวัสดิการ",
        received_on=today,
        lines=[(bicycle, 10, [f"SCOPE-{n:02d}" for n in range(10)]), (kit, 50, [])],
    )
    head = register_person(
        actor=None,
        first_name="ลับของแจก",
        last_name="ครัวเรือนเอ",
        birth_date=dt.date(1950, 1, 1),
        subdistrict=world.center_a.subdistrict.code,
        check_duplicates=False,
    )
    household = create_household(actor=None, head=head)
    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
    )
    distribution = aid_actions.distribute_items(
        actor=None,
        center=world.center_a,
        household=household,
        lines=[(kit, 2)],
        signature=ContentFile(png, name="s.png"),
        signed_by_name="ลับของแจก ครัวเรือนเอ",
    )
    pieces = list(Piece.objects.filter(item=bicycle).order_by("serial_number")[:2])
    loans = [
        aid_actions.lend_piece(
            actor=None,
            piece=piece,
            volunteer=world.secret,
            condition_out="ใหม่",
            expected_return_on=today,
        )
        for piece in pieces
    ]
    drive = aid_actions.plan_distribution_drive(
        actor=None,
        center=world.center_a,
        title="แจกของประจำเดือน",
        planned_on=today,
        households=[household],
    )
    made = {
        "donation": donation,
        "household": household,
        "distribution": distribution,
        "page_loan": loans[0],
        "api_loan": loans[1],
        "drive": drive,
        "bicycle": bicycle,
        "kit": kit,
    }
    world.a_secrets += [head.first_name, head.last_name]
    world._aid_made = made
    return made


def _aid_center(world) -> dict:
    _aid(world)
    return {"pk": world.center_a.pk}


def _aid_pk(name: str):
    return lambda world: {"pk": _aid(world)[name].pk}


def _free_bicycle(world) -> int:
    from asa.aid.models import Piece

    return (
        Piece.objects.filter(item=_aid(world)["bicycle"], center=world.center_a, status="in_stock")
        .order_by("serial_number")
        .values_list("pk", flat=True)
        .first()
    )


def _aid_lines(world, quantity: int) -> dict:
    return {
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "30",
        "lines-0-item": _aid(world)["kit"].pk,
        "lines-0-quantity": str(quantity),
    }


AID_PAGES: dict[str, Entry] = {
    "aid:catalogue": Entry("any_user"),
    "aid:stock": Entry("read", kwargs=_aid_center),
    "aid:item_detail": Entry(
        "read",
        kwargs=lambda world: {"pk": _aid(world)["kit"].pk},
        query=lambda world: f"?center={world.center_a.pk}",
    ),
    "aid:threshold_edit": Entry(
        "read",
        kwargs=_aid_center,
        methods=("GET", "POST"),
        data=lambda world: {"item": _aid(world)["kit"].pk, "threshold": "7"},
    ),
    "aid:transfer_create": Entry(
        "read",
        kwargs=_aid_center,
        methods=("GET", "POST"),
        data=lambda world: {
            "to_center": world.center_b.pk,
            "item": _aid(world)["kit"].pk,
            "quantity": "1",
            "on": _be_today(world),
            "reason": "ช่วยศูนย์ข้างเคียง",
        },
    ),
    "aid:write_off_create": Entry(
        "read",
        kwargs=_aid_center,
        methods=("GET", "POST"),
        data=lambda world: {
            "item": _aid(world)["kit"].pk,
            "quantity": "1",
            "on": _be_today(world),
            "reason": "ชำรุด",
        },
    ),
    "aid:stock_take_create": Entry(
        "read",
        kwargs=_aid_center,
        methods=("GET", "POST"),
        data=lambda world: {
            "counted_on": _be_today(world),
            f"count_{_aid(world)['kit'].pk}": "40",
        },
    ),
    "aid:donation_list": Entry("read", kwargs=_aid_center),
    "aid:donation_create": Entry(
        "read",
        kwargs=_aid_center,
        methods=("GET", "POST"),
        data=lambda world: {
            "donor_kind": "person",
            "donor_name": "นายใจดี มีสุข",
            "received_on": _be_today(world),
            **_aid_lines(world, 5),
        },
    ),
    "aid:donation_receipt": Entry("read", kwargs=_aid_pk("donation")),
    "aid:distribution_list": Entry("read", kwargs=_aid_center),
    "aid:distribution_create": Entry(
        "read",
        kwargs=_aid_center,
        methods=("GET", "POST"),
        data=lambda world: {
            "distributed_on": _be_today(world),
            "household": _aid(world)["household"].code,
            "signed_by_name": "ผู้รับของ",
            **_aid_lines(world, 1),
        },
    ),
    "aid:distribution_receipt": Entry("read", kwargs=_aid_pk("distribution")),
    "aid:distribution_signature": Entry("read", kwargs=_aid_pk("distribution")),
    "aid:loan_list": Entry("read", kwargs=_aid_center),
    "aid:loan_create": Entry(
        "read",
        kwargs=_aid_center,
        methods=("GET", "POST"),
        data=lambda world: {
            "piece": _free_bicycle(world),
            "volunteer": world.secret.pk,
            "loaned_on": _be_today(world),
            "expected_return_on": _be_today(world),
            "condition_out": "ดี",
        },
    ),
    "aid:loan_return": Entry(
        "read",
        kwargs=_aid_pk("page_loan"),
        methods=("GET", "POST"),
        data=lambda world: {"returned_on": _be_today(world), "condition_in": "ดี"},
    ),
    "aid:drive_list": Entry(
        "read",
        kwargs=_aid_center,
        methods=("GET", "POST"),
        data=lambda world: {
            "title": "แจกของเดือนหน้า",
            "planned_on": _be_today(world),
            "households": _aid(world)["household"].code,
        },
    ),
    "aid:drive_detail": Entry("read", kwargs=_aid_pk("drive")),
}
PAGES.update(AID_PAGES)


def _aid_in_a(world) -> str:
    _aid(world)
    return f"?center={world.center_a.pk}"


AID_API: dict[str, Entry] = {
    "GET /api/v1/items": Entry("any_user"),
    "GET /api/v1/items/{item_id}": Entry(
        "any_user", kwargs=lambda world: {"item_id": _aid(world)["kit"].pk}
    ),
    "GET /api/v1/stock": Entry("any_user", query=_aid_in_a),
    "GET /api/v1/stock/movements": Entry("any_user", query=_aid_in_a),
    "GET /api/v1/pieces": Entry("any_user", query=_aid_in_a),
    "GET /api/v1/donations": Entry("any_user", query=_aid_in_a),
    "GET /api/v1/donations/{donation_id}": Entry(
        "read", kwargs=lambda world: {"donation_id": _aid(world)["donation"].pk}
    ),
    "POST /api/v1/donations": Entry(
        "read",
        data=lambda world: {
            "center": world.center_a.pk,
            "donor_kind": "company",
            "donor_name": "ร้านใจดี",
            "received_on": _today(world),
            "lines": [{"item": _aid(world)["kit"].pk, "quantity": 5}],
        },
    ),
    "GET /api/v1/distributions": Entry("any_user", query=_aid_in_a),
    "GET /api/v1/distributions/{distribution_id}": Entry(
        "read", kwargs=lambda world: {"distribution_id": _aid(world)["distribution"].pk}
    ),
    "POST /api/v1/distributions": Entry(
        "read",
        data=lambda world: {
            "center": world.center_a.pk,
            "household": _aid(world)["household"].pk,
            "lines": [{"item": _aid(world)["kit"].pk, "quantity": 1}],
            "signed_by_name": "ผู้รับของ",
        },
    ),
    "GET /api/v1/drives": Entry("any_user", query=_aid_in_a),
    "GET /api/v1/drives/{drive_id}": Entry(
        "read", kwargs=lambda world: {"drive_id": _aid(world)["drive"].pk}
    ),
    "POST /api/v1/drives": Entry(
        "read",
        data=lambda world: {
            "center": world.center_a.pk,
            "title": "แจกของผ่านเอพีไอ",
            "planned_on": _today(world),
            "households": [_aid(world)["household"].pk],
        },
    ),
    "GET /api/v1/loans": Entry("any_user", query=lambda world: _aid_in_a(world) + "&overdue=true"),
    "POST /api/v1/loans": Entry(
        "read",
        data=lambda world: {
            "piece": _free_bicycle(world),
            "volunteer": world.secret.pk,
            "expected_return_on": _today(world),
            "condition_out": "ดี",
        },
    ),
    "POST /api/v1/loans/{loan_id}/return": Entry(
        "read",
        kwargs=lambda world: {"loan_id": _aid(world)["api_loan"].pk},
        data=lambda world: {"condition_in": "ดี"},
    ),
    "POST /api/v1/transfers": Entry(
        "read",
        data=lambda world: {
            "from_center": world.center_a.pk,
            "to_center": world.center_b.pk,
            "item": _aid(world)["kit"].pk,
            "quantity": 1,
        },
    ),
    "POST /api/v1/write-offs": Entry(
        "read",
        data=lambda world: {
            "center": world.center_a.pk,
            "item": _aid(world)["kit"].pk,
            "quantity": 1,
            "reason": "ถุงยังชีพหมดอายุ",
        },
    ),
    "POST /api/v1/stock-thresholds": Entry(
        "read",
        data=lambda world: {
            "center": world.center_a.pk,
            "item": _aid(world)["kit"].pk,
            "threshold": 5,
        },
    ),
    "POST /api/v1/stock-takes": Entry(
        "read",
        data=lambda world: {
            "center": world.center_a.pk,
            "counts": [{"item": _aid(world)["kit"].pk, "counted": 30}],
        },
    ),
}
API.update(AID_API)


def _agency_user_agency():
    from asa.accounts.models import Role, RoleAssignment

    return RoleAssignment.objects.get(role=Role.AGENCY_USER, user__username="agency.user").agency


REPORTS_API: dict[str, Entry] = {
    "GET /api/v1/dashboards/nation": Entry("admin", query=lambda world: "?fiscal_year=2569"),
    "GET /api/v1/dashboards/provinces/{code}": Entry(
        "dashboard_province", kwargs=lambda world: {"code": "10"}
    ),
    "GET /api/v1/dashboards/districts/{code}": Entry(
        "dashboard_district", kwargs=lambda world: {"code": "1005"}
    ),
    "GET /api/v1/dashboards/centers/{center_id}": Entry(
        "write", kwargs=lambda world: {"center_id": world.center_a.pk}
    ),
    "GET /api/v1/dashboards/nation/outcomes": Entry(
        "admin", query=lambda world: "?fiscal_year=2569"
    ),
    "GET /api/v1/dashboards/provinces/{code}/outcomes": Entry(
        "dashboard_province", kwargs=lambda world: {"code": "10"}
    ),
    "GET /api/v1/dashboards/districts/{code}/outcomes": Entry(
        "dashboard_district", kwargs=lambda world: {"code": "1005"}
    ),
    "GET /api/v1/dashboards/centers/{center_id}/outcomes": Entry(
        "write", kwargs=lambda world: {"center_id": world.center_a.pk}
    ),
    # A partner's scorecard: the ministry, and that partner's own users (issue 20).
    "GET /api/v1/dashboards/partners/{agency_id}": Entry(
        "agency_editors", kwargs=lambda world: {"agency_id": _agency_user_agency().pk}
    ),
}
API.update(REPORTS_API)

# Dashboard pages and their files: the same areas and kinds as the API's dashboards.
REPORTS_PAGES: dict[str, Entry] = {
    "reports:home": Entry("manager"),  # redirects to the user's own area; 403 without one
    "reports:nation": Entry("admin", query=lambda world: "?fiscal_year=2569"),
    "reports:province": Entry("dashboard_province", kwargs=lambda world: {"code": "10"}),
    "reports:district": Entry("dashboard_district", kwargs=lambda world: {"code": "1005"}),
    "reports:center": Entry("write", kwargs=_center_a),
    "reports:nation_outcomes": Entry("admin", query=lambda world: "?fiscal_year=2569"),
    "reports:province_outcomes": Entry("dashboard_province", kwargs=lambda world: {"code": "10"}),
    "reports:district_outcomes": Entry("dashboard_district", kwargs=lambda world: {"code": "1005"}),
    "reports:center_outcomes": Entry("write", kwargs=_center_a),
    "reports:partner_scorecard": Entry(
        "agency_editors", kwargs=lambda world: {"agency_id": _agency_user_agency().pk}
    ),
    "reports:export": Entry(
        "write",
        kwargs=lambda world: {
            "level": "center",
            "code": str(world.center_a.pk),
            "file_format": "pdf",
        },
    ),
}
PAGES.update(REPORTS_PAGES)


# --- Events, training certificates and volunteer hours of center A ----------------------------


def _events(world) -> dict:
    made = getattr(world, "_events_made", None)
    if made is not None:
        return made
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone
    from PIL import Image

    from asa.centers import attendance as attendance_actions
    from asa.centers import events as event_actions
    from asa.centers import hours as hours_actions

    member = Volunteer.objects.get(user__username="volunteer.a")
    day = timezone.localdate() - dt.timedelta(days=3)
    starts = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))
    event = event_actions.create_event(
        actor=None,
        center=world.center_a,
        kind="training",
        title="อบรมการจัดทำฐานข้อมูลผู้ประสบปัญหาทางสังคม",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=3),
        place="ที่ทำการชุมชน หมู่บ้านพร้อมสุข",
        topics="การจัดทำฐานข้อมูลผู้ประสบปัญหาทางสังคม",
    )
    attendance_actions.take_attendance(
        actor=None, event=event, attendees={member: None, world.secret: None}
    )
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "green").save(buffer, format="JPEG")
    photo = event_actions.add_event_photos(
        actor=None,
        event=event,
        photos=[SimpleUploadedFile("p.jpg", buffer.getvalue(), content_type="image/jpeg")],
    )[0]

    def entry(text):
        return hours_actions.enter_hours(
            actor=None, volunteer=member, worked_on=day, hours=2, description=text
        )

    made = {
        "event": event,
        "photo": photo,
        "certificate": event.training_records.get(volunteer=member),
        "member": member,
        "page_entry": entry("ช่วยจัดของบริจาค"),
        "api_approve": entry("เยี่ยมผู้สูงอายุร่วมกับ อสม."),
        "api_reject": entry("ประชุมชุมชน"),
    }
    world._events_made = made
    return made


def _event_pk(name: str, key: str = "pk"):
    return lambda world: {key: _events(world)[name].pk}


def _new_event_form(world) -> dict:
    return {
        "center": world.center_a.pk,
        "kind": "meeting",
        "title": "ประชุมประจำเดือน อพม.",
        "starts_on": _be_today(world),
        "starts_time": "09:00",
        "ends_time": "11:00",
        "place": "ศูนย์ประสานงาน อพม. เขตบางเขน",
    }


def _edit_event_form(world) -> dict:
    return {
        "kind": "training",
        "title": "อบรมการจัดทำฐานข้อมูล (แก้ไข)",
        "starts_on": _be_today(world),
        "starts_time": "09:00",
        "ends_time": "12:00",
        "place": "ที่ทำการชุมชน หมู่บ้านพร้อมสุข",
        "topics": "การจัดทำฐานข้อมูลผู้ประสบปัญหาทางสังคม",
    }


def _event_photo_upload(world) -> dict:
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "blue").save(buffer, format="JPEG")
    return {"photos": SimpleUploadedFile("n.jpg", buffer.getvalue(), content_type="image/jpeg")}


EVENT_PAGES: dict[str, Entry] = {
    "centers:event_list": Entry("any_user", query=lambda world: f"?center={world.center_a.pk}"),
    "centers:event_create": Entry(
        "manager",
        query=lambda world: f"?center={world.center_a.pk}",
        methods=("GET", "POST"),
        data=_new_event_form,
        writers="write",
    ),
    "centers:event_detail": Entry("read", kwargs=_event_pk("event")),
    "centers:event_edit": Entry(
        "write", kwargs=_event_pk("event"), methods=("GET", "POST"), data=_edit_event_form
    ),
    "centers:event_attendance": Entry(
        "write",
        kwargs=_event_pk("event"),
        methods=("GET", "POST"),
        data=lambda world: {
            "present": [_events(world)["member"].pk],
            f"hours-{_events(world)['member'].pk}": "2",
        },
    ),
    "centers:event_photo_add": Entry(
        "write", kwargs=_event_pk("event"), methods=("POST",), data=_event_photo_upload
    ),
    "centers:event_photo": Entry("read", kwargs=_event_pk("photo")),
    "centers:certificate": Entry("read", kwargs=_event_pk("certificate")),
    "centers:my_hours": Entry("self"),
    "centers:hours_entry_create": Entry(
        "volunteer",
        methods=("GET", "POST"),
        data=lambda world: {
            "worked_on": _be_today(world),
            "hours": "2",
            "description": "ช่วยงานศูนย์",
        },
    ),
    "centers:hours_review": Entry("manager"),
    "centers:hours_entry_decide": Entry(
        "write",
        kwargs=_event_pk("page_entry"),
        methods=("GET", "POST"),
        data=lambda world: {"decision": "approve", "note": ""},
    ),
    "centers:center_hours": Entry("write", kwargs=_center_a),
    "centers:outstanding": Entry("manager"),
}
PAGES.update(EVENT_PAGES)

EVENT_API: dict[str, Entry] = {
    "GET /api/v1/events": Entry("any_user", query=lambda world: f"?center={world.center_a.pk}"),
    "POST /api/v1/events": Entry(
        "write",
        data=lambda world: {
            "center": world.center_a.pk,
            "kind": "meeting",
            "title": "ประชุมผ่านเอพีไอ",
            "starts_at": _now(world),
            "ends_at": _now(world),
            "place": "ศูนย์ประสานงาน อพม. เขตบางเขน",
        },
    ),
    "GET /api/v1/events/{event_id}": Entry("read", kwargs=_event_pk("event", "event_id")),
    "PATCH /api/v1/events/{event_id}": Entry(
        "write",
        kwargs=_event_pk("event", "event_id"),
        data=lambda world: {"title": "อบรมฐานข้อมูล (แก้ไขผ่านเอพีไอ)"},
    ),
    "GET /api/v1/events/{event_id}/attendance": Entry(
        "read", kwargs=_event_pk("event", "event_id")
    ),
    "POST /api/v1/events/{event_id}/photos": Entry(
        "write", kwargs=_event_pk("event", "event_id"), data=_event_photo_upload, multipart=True
    ),
    "PUT /api/v1/events/{event_id}/attendance": Entry(
        "write",
        kwargs=_event_pk("event", "event_id"),
        data=lambda world: {"attendees": [{"volunteer": _events(world)["member"].pk, "hours": 2}]},
    ),
    "GET /api/v1/training-records": Entry(
        "any_user", query=lambda world: f"?event={_events(world)['event'].pk}"
    ),
    "GET /api/v1/volunteers/{volunteer_id}/hours": Entry(
        "read", kwargs=_event_pk("member", "volunteer_id")
    ),
    "GET /api/v1/hours-entries": Entry(
        "any_user", query=lambda world: f"?center={world.center_a.pk}"
    ),
    "GET /api/v1/hours-entries/{entry_id}": Entry(
        "read", kwargs=_event_pk("api_approve", "entry_id")
    ),
    "POST /api/v1/hours-entries": Entry(
        "volunteer",
        data=lambda world: {
            "worked_on": _today(world),
            "hours": 1.5,
            "description": "ช่วยงานศูนย์",
        },
    ),
    "POST /api/v1/hours-entries/{entry_id}/approve": Entry(
        "write", kwargs=_event_pk("api_approve", "entry_id"), data=lambda world: {"note": ""}
    ),
    "POST /api/v1/hours-entries/{entry_id}/reject": Entry(
        "write",
        kwargs=_event_pk("api_reject", "entry_id"),
        data=lambda world: {"note": "ซ้ำกับกิจกรรมที่บันทึกแล้ว"},
    ),
}
API.update(EVENT_API)


# --- Privacy (PDPA): data-subject requests, retention, ROPA, breaches: the DPO and the ministry --

KINDS["privacy"] = frozenset({"admin_user", "dpo"})


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    # Generated answers (PDF/JSON) are written under MEDIA_ROOT: keep them out of var/.
    settings.MEDIA_ROOT = tmp_path / "media"


def _privacy(world) -> dict:
    made = getattr(world, "_privacy_made", None)
    if made is not None:
        return made
    from asa.accounts.models import User
    from asa.privacy import actions as privacy_actions
    from asa.registry.actions import register_person

    dpo = User.objects.get(username="dpo.user")
    subject = register_person(
        actor=None,
        first_name="เจ้าของข้อมูล",
        last_name="ทดสอบสิทธิ",
        subdistrict=world.center_a.subdistrict.code,
    )

    def receive(kind="access", verified=False):
        item = privacy_actions.receive_privacy_request(
            actor=dpo,
            kind=kind,
            requester_name="ผู้ขอใช้สิทธิ",
            received_on=dt.date.today() - dt.timedelta(days=3),
            person=subject,
        )
        if verified:
            privacy_actions.verify_requester_identity(
                actor=dpo, privacy_request=item, method="id_card_in_person"
            )
        return item

    answered = receive(verified=True)
    privacy_actions.generate_access_answer(actor=dpo, privacy_request=answered)
    now = dt.datetime.now(dt.UTC)

    def breach(description):
        return privacy_actions.record_breach(
            actor=dpo,
            discovered_at=now,
            description=description,
            kind="confidentiality",
            period_start=now - dt.timedelta(days=2),
            period_end=now,
        )

    made = {
        "dpo": dpo,
        "subject": subject,
        "page": receive(),
        "page_act": receive(),
        "answered": answered,
        "api_assign": receive(),
        "api_verify": receive(),
        "api_generate": receive(verified=True),
        "api_answer": receive(kind="objection"),
        "api_erase": receive(kind="erasure", verified=True),
        "api_refuse": receive(),
        "api_withdraw": receive(),
        "breach": breach("บัญชีผู้ใช้ถูกใช้จากเครื่องที่ไม่รู้จัก"),
        "api_breach": breach("รหัสผ่านของบัญชีศูนย์ถูกเปิดเผย"),
        "api_breach_close": breach("ส่งอีเมลรายชื่อผิดผู้รับ"),
    }
    world._privacy_made = made
    return made


def _privacy_pk(name: str, key: str = "pk"):
    return lambda world: {key: _privacy(world)[name].pk}


PRIVACY_PAGES: dict[str, Entry] = {
    "privacy:home": Entry("privacy", kwargs=lambda world: _privacy(world) and {}),
    "privacy:request_list": Entry("privacy", query=lambda world: "?status=received&overdue=1"),
    "privacy:request_create": Entry(
        "privacy",
        methods=("GET", "POST"),
        data=lambda world: {
            "kind": "access",
            "requester_name": "ผู้ขอใช้สิทธิหน้าเว็บ",
            "received_on": _be_today(world),
        },
    ),
    "privacy:request_detail": Entry("privacy", kwargs=_privacy_pk("page")),
    "privacy:request_act": Entry(
        "privacy",
        kwargs=_privacy_pk("page_act"),
        methods=("POST",),
        data=lambda world: {"action": "withdraw", "reason": "ผู้ขอแจ้งถอนทางโทรศัพท์"},
    ),
    "privacy:request_file": Entry(
        "privacy",
        kwargs=lambda world: {"pk": _privacy(world)["answered"].pk, "file_format": "json"},
    ),
    "privacy:retention": Entry("privacy"),
    "privacy:retention_run": Entry("privacy", methods=("POST",), data=lambda world: {}),
    "privacy:ropa": Entry("privacy"),
    "privacy:ropa_export": Entry("privacy", kwargs=lambda world: {"file_format": "xlsx"}),
    "privacy:breach_list": Entry("privacy"),
    "privacy:breach_create": Entry(
        "privacy",
        methods=("GET", "POST"),
        data=lambda world: {
            "discovered_on": _be_today(world),
            "kind": "availability",
            "description": "เครื่องคอมพิวเตอร์ของศูนย์สูญหาย",
            "suspected": "",
            "period_start": _be_today(world),
            "period_end": _be_today(world),
        },
    ),
    "privacy:breach_detail": Entry("privacy", kwargs=_privacy_pk("breach")),
    "privacy:breach_act": Entry(
        "privacy",
        kwargs=_privacy_pk("breach"),
        methods=("POST",),
        data=lambda world: {"action": "notify_regulator"},
    ),
    "privacy:breach_export": Entry("privacy", kwargs=_privacy_pk("breach")),
}
PAGES.update(PRIVACY_PAGES)

PRIVACY_API: dict[str, Entry] = {
    "GET /api/v1/privacy-requests": Entry(
        "privacy", query=lambda world: _privacy(world) and "?overdue=true&kind=access"
    ),
    "POST /api/v1/privacy-requests": Entry(
        "privacy",
        data=lambda world: {
            "kind": "rectification",
            "requester_name": "ผู้ขอใช้สิทธิทาง API",
            "person": _privacy(world)["subject"].pk,
        },
    ),
    "GET /api/v1/privacy-requests/{request_id}": Entry(
        "privacy", kwargs=_privacy_pk("page", "request_id")
    ),
    "POST /api/v1/privacy-requests/{request_id}/assign": Entry(
        "privacy",
        kwargs=_privacy_pk("api_assign", "request_id"),
        data=lambda world: {"assigned_to": _privacy(world)["dpo"].pk},
    ),
    "POST /api/v1/privacy-requests/{request_id}/verify-identity": Entry(
        "privacy",
        kwargs=_privacy_pk("api_verify", "request_id"),
        data=lambda world: {"method": "id_card_copy"},
    ),
    "POST /api/v1/privacy-requests/{request_id}/generate-answer": Entry(
        "privacy", kwargs=_privacy_pk("api_generate", "request_id"), data=lambda world: {}
    ),
    "POST /api/v1/privacy-requests/{request_id}/answer": Entry(
        "privacy",
        kwargs=_privacy_pk("api_answer", "request_id"),
        data=lambda world: {"answer": "ระงับการใช้ข้อมูลเพื่อการประชาสัมพันธ์แล้ว"},
    ),
    "POST /api/v1/privacy-requests/{request_id}/erase": Entry(
        "privacy", kwargs=_privacy_pk("api_erase", "request_id"), data=lambda world: {}
    ),
    "POST /api/v1/privacy-requests/{request_id}/refuse": Entry(
        "privacy",
        kwargs=_privacy_pk("api_refuse", "request_id"),
        data=lambda world: {"reason": "ไม่สามารถยืนยันตัวตนผู้ขอได้"},
    ),
    "POST /api/v1/privacy-requests/{request_id}/withdraw": Entry(
        "privacy", kwargs=_privacy_pk("api_withdraw", "request_id"), data=lambda world: {}
    ),
    "GET /api/v1/privacy-requests/{request_id}/answer.{file_format}": Entry(
        "privacy",
        kwargs=lambda world: {"request_id": _privacy(world)["answered"].pk, "file_format": "pdf"},
    ),
    "POST /api/v1/retention/run": Entry("privacy", data=lambda world: {}),
    "GET /api/v1/breaches": Entry("privacy", query=lambda world: _privacy(world) and ""),
    "POST /api/v1/breaches": Entry(
        "privacy",
        data=lambda world: {
            "discovered_at": _now(world),
            "kind": "availability",
            "description": "เครื่องคอมพิวเตอร์ของศูนย์สูญหาย (แจ้งผ่านเอพีไอ)",
            "suspected_accounts": ["volunteer.a"],
            "period_start": _now(world),
            "period_end": _now(world),
        },
    ),
    "GET /api/v1/breaches/{breach_id}": Entry("privacy", kwargs=_privacy_pk("breach", "breach_id")),
    "POST /api/v1/breaches/{breach_id}/notify-regulator": Entry(
        "privacy", kwargs=_privacy_pk("api_breach", "breach_id"), data=lambda world: {}
    ),
    "POST /api/v1/breaches/{breach_id}/notify-people": Entry(
        "privacy", kwargs=_privacy_pk("api_breach", "breach_id"), data=lambda world: {}
    ),
    "POST /api/v1/breaches/{breach_id}/close": Entry(
        "privacy",
        kwargs=_privacy_pk("api_breach_close", "breach_id"),
        data=lambda world: {"notes": "แจ้งผู้รับให้ลบอีเมลแล้ว"},
    ),
}
API.update(PRIVACY_API)


# --- Accounts: passwords, user management, the chair's work waiting ---------------------------

KINDS["user_managers"] = frozenset(  # the ministry and officers (each sees their own area)
    {"admin_user", "officer", "district_officer_a", "outside_officer"}
)
KINDS["user_admins_of_a"] = frozenset({"admin_user", "officer", "district_officer_a"})


def _account(world) -> dict:
    """An account of center A (a volunteer, with an email and an authenticator) to manage."""
    made = getattr(world, "_account", None)
    if made is not None:
        return made
    from asa.accounts.actions import assign_role, create_user
    from asa.accounts.models import Role
    from asa.accounts.security import enrol_known_secret
    from asa.conftest import TOTP_SECRET

    user = create_user(
        actor=None, username="walker.account", password=None, email="walker@example.org"
    )
    assignment = assign_role(actor=None, user=user, role=Role.VOLUNTEER, scope=world.center_a)
    enrol_known_secret(user=user, secret=TOTP_SECRET)
    world._account = {"user": user, "assignment": assignment}
    return world._account


def _account_pk(world) -> dict:
    return {"pk": _account(world)["user"].pk}


ACCOUNT_PAGES: dict[str, Entry] = {
    "accounts:password_change": Entry("self", methods=("GET", "POST")),
    "accounts:password_reset": Entry("public"),
    "accounts:password_reset_done": Entry("public"),
    "accounts:password_reset_confirm": Entry(
        "public", kwargs=lambda world: {"uidb64": "MQ", "token": "set-password"}
    ),
    "accounts:password_reset_complete": Entry("public"),
    "accounts:work_waiting": Entry("write", kwargs=_center_a),
    "accounts:user_list": Entry("user_managers", query=lambda world: "?q=walker"),
    "accounts:user_create": Entry(
        "user_managers",
        methods=("GET", "POST"),
        data=lambda world: {
            "username": "walker.new",
            "first_name": "ทดสอบ",
            "last_name": "สร้างบัญชี",
            "email": "",
            "password": "a long temporary password 1",
            "role": "volunteer",
            "center": world.center_a.pk,
        },
        writers="user_admins_of_a",
    ),
    "accounts:user_detail": Entry("user_admins_of_a", kwargs=_account_pk),
    "accounts:user_role_add": Entry(
        "user_admins_of_a",
        kwargs=_account_pk,
        methods=("POST",),
        data=lambda world: {"role": "center_chair", "center": world.center_a.pk},
    ),
    "accounts:user_role_remove": Entry(
        "user_admins_of_a",
        kwargs=lambda world: {
            "pk": _account(world)["user"].pk,
            "assignment_pk": _account(world)["assignment"].pk,
        },
        methods=("POST",),
        data=lambda world: {},
    ),
    "accounts:user_active": Entry(
        "user_admins_of_a",
        kwargs=_account_pk,
        methods=("POST",),
        data=lambda world: {"active": "0", "reason": "ทดสอบสิทธิ์"},
    ),
    "accounts:user_two_factor_reset": Entry(
        "user_admins_of_a", kwargs=_account_pk, methods=("POST",), data=lambda world: {}
    ),
    "accounts:user_password_reset": Entry(
        "user_admins_of_a", kwargs=_account_pk, methods=("POST",), data=lambda world: {}
    ),
    # Bulk imports answer with their row report (200), so the walker checks who may open them;
    # asa/centers/tests/test_bulk_import.py checks what they write, and for whom.
    "centers:center_import": Entry("user_managers", methods=("GET", "POST")),
    "centers:volunteer_import": Entry("manager", methods=("GET", "POST")),
}
PAGES.update(ACCOUNT_PAGES)


def _centers_file(world) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    csv = (
        "code,name_th,subdistrict_code,opened_on\n"
        "BKK-1001,ศูนย์ประสานงาน อพม. เขตพระนคร,100101,01/10/2563\n"
    )
    return {"file": SimpleUploadedFile("centers.csv", csv.encode())}


def _volunteers_file(world) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from asa.centers.tests.test_bulk_import import _volunteers_xlsx

    row = [world.center_a.code, "นาง", "นำเข้า", "ทางเอพีไอ", new_national_id(), "01/06/2518"]
    data = _volunteers_xlsx([[*row, "หญิง", "100502", "15/01/2563", "สมาชิก"]])
    return {"file": SimpleUploadedFile("volunteers.xlsx", data)}


def _api_account(world) -> dict:
    """A second account of center A for the API's user management (the pages act on the
    first one before the API's writes run)."""
    made = getattr(world, "_api_account", None)
    if made is not None:
        return made
    from asa.accounts.actions import assign_role, create_user
    from asa.accounts.models import Role
    from asa.accounts.security import enrol_known_secret
    from asa.conftest import TOTP_SECRET

    user = create_user(
        actor=None, username="walker.apiaccount", password=None, email="walker.api@example.org"
    )
    assignment = assign_role(actor=None, user=user, role=Role.VOLUNTEER, scope=world.center_a)
    enrol_known_secret(user=user, secret=TOTP_SECRET)
    world._api_account = {"user": user, "assignment": assignment}
    return world._api_account


def _api_account_id(world) -> dict:
    return {"user_id": _api_account(world)["user"].pk}


# User management over the API: the same rule as the pages (the ministry; officers whose area
# holds every role of the account). Deactivation last: the other writes need the account active.
API.update(
    {
        "POST /api/v1/users": Entry(
            "user_managers",
            data=lambda world: {
                "username": "walker.apinew",
                "first_name": "ทดสอบ",
                "last_name": "สร้างผ่านเอพีไอ",
                "password": "a long temporary password 2",
                "role": "volunteer",
                "center": world.center_a.pk,
            },
            writers="user_admins_of_a",
        ),
        "POST /api/v1/users/{user_id}/roles": Entry(
            "user_admins_of_a",
            kwargs=_api_account_id,
            data=lambda world: {"role": "center_chair", "center": world.center_a.pk},
        ),
        "POST /api/v1/users/{user_id}/roles/{assignment_id}/remove": Entry(
            "user_admins_of_a",
            kwargs=lambda world: {
                "user_id": _api_account(world)["user"].pk,
                "assignment_id": _api_account(world)["assignment"].pk,
            },
            data=lambda world: {},
        ),
        "POST /api/v1/users/{user_id}/two-factor-reset": Entry(
            "user_admins_of_a", kwargs=_api_account_id, data=lambda world: {"reason": "ทำโทรศัพท์หาย"}
        ),
        "POST /api/v1/users/{user_id}/password-reset": Entry(
            "user_admins_of_a", kwargs=_api_account_id, data=lambda world: {}
        ),
        "POST /api/v1/users/{user_id}/active": Entry(
            "user_admins_of_a",
            kwargs=_api_account_id,
            data=lambda world: {"active": False, "reason": "ทดสอบสิทธิ์"},
        ),
    }
)


# The import pages' work over the API: the answer is the row report (200, bad rows included).
API.update(
    {
        "POST /api/v1/centers/import": Entry("user_managers", data=_centers_file, multipart=True),
        "POST /api/v1/volunteers/import": Entry("manager", data=_volunteers_file, multipart=True),
        # A volunteer's own record (others have none: 404).
        "PATCH /api/v1/volunteers/me": Entry(
            "volunteer", data=lambda world: {"phone": "0812345678", "road": "พหลโยธิน"}
        ),
    }
)


def _offline_submission(world) -> dict:
    """An item a volunteer of A sent from their phone that waits for A's chair (asa/field)."""
    made = getattr(world, "_offline", None)
    if made is not None:
        return made
    import uuid

    from django.core.files.base import ContentFile

    from asa.field.models import OfflineSubmission, OfflineSubmissionFile

    submission = OfflineSubmission.objects.create(
        client_id=uuid.uuid4(),
        kind="visit",
        center=world.center_a,
        volunteer=world.target_page,
        payload={"observations": "เยี่ยมบ้านตอนออฟไลน์"},
        reason="กรณีถูกโอนไปยังศูนย์อื่นระหว่างที่คุณออฟไลน์",
    )
    kept = OfflineSubmissionFile(submission=submission, role="photo", name="photo.jpg")
    kept.file.save("photo-1", ContentFile(b"\xff\xd8\xff"), save=True)
    world._offline = {"submission": submission, "file": kept}
    return world._offline


# The field app (asa/field): its page for volunteers, the pack and outbox endpoints it calls, the
# service worker and manifest at the root, and the chair's review of items kept from phones.
FIELD_PAGES: dict[str, Entry] = {
    "service_worker": Entry("public"),
    "manifest": Entry("public"),
    "field:app": Entry("volunteer"),
    "field:pack": Entry("any_user"),  # an empty pack for whoever has no volunteer record
    "field:sync": Entry("volunteer", methods=("POST",)),
    "field:review_list": Entry("manager"),
    "field:review_detail": Entry(
        "write",
        kwargs=lambda world: {"pk": _offline_submission(world)["submission"].pk},
        methods=("GET", "POST"),
        data=lambda world: {"decision": "discard", "note": "ศูนย์อื่นเยี่ยมแล้ว"},
    ),
    "field:review_file": Entry(
        "write", kwargs=lambda world: {"pk": _offline_submission(world)["file"].pk}
    ),
}
PAGES.update(FIELD_PAGES)


def _api_offline_submission(world):
    """A second kept item of center A for the API (the page decides the first one)."""
    made = getattr(world, "_api_offline", None)
    if made is None:
        import uuid

        from asa.field.models import OfflineSubmission

        made = world._api_offline = OfflineSubmission.objects.create(
            client_id=uuid.uuid4(),
            kind="visit",
            center=world.center_a,
            volunteer=world.target_api,
            payload={"observations": "เยี่ยมบ้านตอนออฟไลน์ ส่งทางเอพีไอ"},
            reason="กรณีถูกโอนไปยังศูนย์อื่นระหว่างที่คุณออฟไลน์",
        )
    return {"submission_id": made.pk}


API.update(
    {
        # Applying needs a case to record into; discarding is the write the walker makes.
        "POST /api/v1/offline-submissions/{submission_id}/apply": Entry(
            "write",
            kwargs=_api_offline_submission,
            data=lambda world: {"note": "x"},
            writers="nobody",
        ),
        "POST /api/v1/offline-submissions/{submission_id}/discard": Entry(
            "write",
            kwargs=_api_offline_submission,
            data=lambda world: {"note": "ศูนย์อื่นเยี่ยมแล้ว"},
        ),
    }
)


SKIPPED_NAMESPACES = {"admin"}  # the admin site has its own test (test_security.py)


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            if inner in SKIPPED_NAMESPACES:
                continue
            joined = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), joined)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace else (pattern.name or "")
            yield prefix + str(pattern.pattern), name, pattern


def _api_operations() -> list[str]:
    paths = api.get_openapi_schema()["paths"]
    return sorted(f"{method.upper()} {path}" for path, item in paths.items() for method in item)


def _page_names() -> set[str]:
    names = set()
    for route, name, pattern in _walk(get_resolver().url_patterns):
        if pattern.callback.__module__.startswith("ninja.operation"):
            continue  # API operations are walked from the OpenAPI schema
        names.add(name or f"<unnamed {route}>")
    return names


def test_it_classifies_every_url():
    pages = _page_names()
    missing = sorted(pages - set(PAGES))
    assert not missing, (
        f"classify these URLs in PAGES (asa/accounts/tests/test_scope.py): {missing}"
    )
    stale = sorted(set(PAGES) - pages)
    assert not stale, f"these PAGES entries match no URL any more: {stale}"


def test_it_classifies_every_api_operation():
    operations = set(_api_operations())
    missing = sorted(operations - set(API))
    assert not missing, (
        f"classify these operations in API (asa/accounts/tests/test_scope.py): {missing}"
    )
    stale = sorted(set(API) - operations)
    assert not stale, f"these API entries match no operation any more: {stale}"


@pytest.fixture
def world(
    request,
    center_a,
    center_b,
    chair_a,
    volunteer_a,
    chair_b,
    volunteer_b,
    officer,
    district_officer_a,
    outside_officer,
    agency_user,
    dpo,
    admin_user,
) -> World:
    center_chiang_mai = open_center(
        actor=None,
        code="CMI-5001",
        name_th="ศูนย์ประสานงาน อพม. อำเภอเมืองเชียงใหม่",
        subdistrict=Subdistrict.objects.filter(district__province_id="50").first(),
        opened_on=dt.date(2020, 1, 1),
    )
    make_volunteer(center_chiang_mai, first_name="เชียงใหม่")
    secret = make_volunteer(
        center_a, first_name="ลับเฉพาะ", last_name="ศูนย์เอเท่านั้น", phone="0861234567"
    )
    token, _ = create_api_token(actor=chair_a, user=chair_a, name="โทเคนลับของประธานเอ")
    world = World(
        center_a=center_a,
        center_b=center_b,
        center_chiang_mai=center_chiang_mai,
        secret=secret,
        target_page=make_volunteer(center_a, first_name="เป้าหมายหน้าเว็บ"),
        target_api=make_volunteer(center_a, first_name="เป้าหมายเอพีไอ"),
        chair_a_token=token,
    )
    world.a_secrets = [
        secret.national_id,
        format_national_id(secret.national_id),
        secret.first_name,
        secret.last_name,
        secret.phone,
        # (center A's name is public: partners see which center referred someone to them)
    ]
    world.chair_a_secrets = [token.name, token.prefix]
    for persona in PERSONAS:
        if persona == "anonymous":
            world.clients[persona] = Client()
            world.api_clients[persona] = Client()
            continue
        user = request.getfixturevalue(persona)
        client = Client()
        client.force_login(user)
        world.clients[persona] = client
        _, secret_key = create_api_token(actor=user, user=user, name="scope walker")
        # A reason for out-of-routine reads (officers opening a record): the walker checks
        # scope; test_audit_reads checks the 428 without one.
        world.api_clients[persona] = Client(
            headers={"Authorization": f"Bearer {secret_key}", "X-Access-Reason": "scope walker"}
        )
    return world


def _fingerprint() -> str:
    """Everything a write could change, in one value: audit rows, volunteers, centers, tokens."""
    rows = [
        AuditEvent.objects.count(),
        list(
            Volunteer.objects.order_by("pk").values_list(
                "pk", "status", "role", "phone", "first_name"
            )
        ),
        list(Center.objects.order_by("pk").values_list("pk", "name_th", "phone", "status")),
        list(ApiToken.objects.order_by("pk").values_list("pk", "revoked_at")),
    ]
    return hashlib.sha256(json.dumps(rows, default=str).encode()).hexdigest()


def _text(response) -> str:
    # Streamed answers (photos served through the access layer) are read whole too.
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    body = raw.decode(errors="replace")
    if response.get("Content-Type", "").startswith("application/json"):
        with contextlib.suppress(ValueError):
            body += json.dumps(response.json(), ensure_ascii=False)
    return body


def _check_no_leak(persona: str, world: World, label: str, response, problems: list) -> None:
    text = _text(response)
    if persona not in READERS_OF_A:
        leaked = [value for value in world.a_secrets if value and value in text]
        if leaked:
            problems.append(f"{persona} {label}: shows center A's {leaked}")
    if persona != "chair_a":
        leaked = [value for value in world.chair_a_secrets if value in text]
        if leaked:
            problems.append(f"{persona} {label}: shows chair_a's token {leaked}")


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def _check_page_get(persona, kind, allowed, label, response, problems):
    status = response.status_code
    if kind == "nobody":
        if status != 404:
            problems.append(f"{persona} {label}: expected 404, got {status}")
    elif allowed:
        if status >= 400 or _is_login_redirect(response):
            problems.append(f"{persona} {label}: allowed but got {status}")
    elif persona == "anonymous":
        if not _is_login_redirect(response):
            problems.append(f"{persona} {label}: expected the login page, got {status}")
    elif status not in (403, 404):
        problems.append(f"{persona} {label}: expected 403/404, got {status}")


def _walk_pages(persona: str, world: World, problems: list) -> list:
    writes = []
    client = world.clients[persona]
    for name, entry in PAGES.items():
        url = reverse(name, kwargs=entry.kwargs(world)) + entry.query(world)
        allowed = persona in KINDS[entry.kind]
        label = f"GET {url} ({name})"
        response = client.get(url)
        _check_no_leak(persona, world, label, response, problems)
        if "GET" in entry.methods:
            _check_page_get(persona, entry.kind, allowed, label, response, problems)
        elif response.status_code < 300:
            problems.append(
                f"{persona} {label}: a POST-only URL answered GET with {response.status_code}"
            )
        if "POST" in entry.methods and entry.data is not None:
            writes.append((name, entry, url))
    return writes


def _page_write(persona: str, world: World, name: str, entry: Entry, url: str, problems: list):
    label = f"POST {url} ({name})"
    may_open = persona in KINDS[entry.kind]
    may_write = persona in KINDS[entry.writers or entry.kind]
    before = _fingerprint()
    response = world.clients[persona].post(url, entry.data(world))
    _check_no_leak(persona, world, label, response, problems)
    status = response.status_code
    if may_write:
        if status != 302 or _is_login_redirect(response):
            problems.append(f"{persona} {label}: a valid write by a writer got {status}")
        return
    if _fingerprint() != before:
        problems.append(f"{persona} {label}: LEAK - a refused write changed data ({status})")
    if may_open:
        if status not in (200, 403, 404):
            problems.append(f"{persona} {label}: refused write answered {status}")
    elif persona == "anonymous":
        if not _is_login_redirect(response) and status < 400:
            problems.append(f"{persona} {label}: expected the login page, got {status}")
    elif status not in (403, 404, 405):
        problems.append(f"{persona} {label}: expected 403/404, got {status}")


def _api_request(client, method: str, url: str, data=None, multipart: bool = False):
    if method == "GET":
        return client.get(url)
    if multipart:
        return client.post(url, data or {})  # the test client encodes files as multipart
    return client.generic(method, url, json.dumps(data or {}), content_type="application/json")


def _walk_api(persona: str, world: World, problems: list) -> list:
    writes = []
    client = world.api_clients[persona]
    for key, entry in API.items():
        method, path = key.split(" ", 1)
        url = path.format(**entry.kwargs(world)) + entry.query(world)
        if method != "GET":
            writes.append((method, url, entry, key))
            continue
        label = f"GET {url}"
        response = _api_request(client, "GET", url)
        _check_no_leak(persona, world, label, response, problems)
        status = response.status_code
        if persona in KINDS[entry.kind]:
            if status >= 400:
                problems.append(f"{persona} {label}: allowed but got {status}")
        elif persona == "anonymous":
            if status != 401:
                problems.append(f"{persona} {label}: expected 401, got {status}")
        elif status not in (403, 404):
            problems.append(f"{persona} {label}: expected 403/404, got {status}")
    return writes


def _api_write(persona, world, method, url, entry, problems):
    label = f"{method} {url}"
    before = _fingerprint()
    response = _api_request(
        world.api_clients[persona], method, url, entry.data(world), entry.multipart
    )
    _check_no_leak(persona, world, label, response, problems)
    status = response.status_code
    if persona in KINDS[entry.writers or entry.kind]:
        if status >= 300:
            problems.append(
                f"{persona} {label}: a valid write by a writer got {status}:"
                f" {_text(response)[:200]}"
            )
        return
    if _fingerprint() != before:
        problems.append(f"{persona} {label}: LEAK - a refused write changed data ({status})")
    if persona == "anonymous":
        if status != 401:
            problems.append(f"{persona} {label}: expected 401, got {status}")
    elif not 400 <= status < 500:
        problems.append(f"{persona} {label}: expected 4xx, got {status}")


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_lets_no_persona_past_its_scope(persona, world):
    problems: list[str] = []
    page_writes = _walk_pages(persona, world, problems)
    api_writes = _walk_api(persona, world, problems)
    # Writes last: the reads above see the world as the fixtures made it.
    for name, entry, url in page_writes:
        _page_write(persona, world, name, entry, url, problems)
    for method, url, entry, _key in api_writes:
        if entry.data is None:
            problems.append(f"{method} {url}: give the API entry valid `data`")
            continue
        _api_write(persona, world, method, url, entry, problems)
    assert not problems, "\n".join(problems)


# --- History states: the same URLs after the case's or the user's history moved on ------------
# (issue 15: an ended assignment, a transferred case, a withdrawn referral, withdrawn consent, a
# deactivated volunteer and a locked user each take access away; the walker walks them too,
# each state made through the real actions, for every persona)

CASE_API = [  # the API operations on center A's main case and what hangs off it
    "GET /api/v1/cases/{case_id}",
    "GET /api/v1/cases/{case_id}/timeline",
    "GET /api/v1/cases/{case_id}/plan",
    "GET /api/v1/visits/{visit_id}",
    "GET /api/v1/visits/{visit_id}/photos/{photo_id}",
    "GET /api/v1/assistance/{assistance_id}",
    "POST /api/v1/visits",
    "POST /api/v1/cases/{case_id}/plan",
    "POST /api/v1/assistance",
]
CASE_PAGES = [  # the pages of the same case
    "cases:case_detail",
    "cases:paper_case_visit_form",
    "cases:visit_photo",
    "cases:visit_create",
    "cases:plan_item_create",
    "cases:assistance_create",
]
CASE_SECRETS = ("เรื่องลับของศูนย์เอ", "สิ่งที่พบ", "ลับกรณี")  # its story, visit, person


def _volunteer_a(world) -> Volunteer:
    return Volunteer.objects.get(user__username="volunteer.a")


def _end_assignment(world) -> None:
    from asa.cases.actions import unassign_volunteer

    unassign_volunteer(actor=None, case=_casework(world)["case"], volunteer=_volunteer_a(world))


def _transfer(world) -> None:
    from asa.cases.actions import transfer_case

    transfer_case(
        actor=None, case=_casework(world)["case"], to_center=world.center_b, reason="ย้ายบ้าน"
    )


def _deactivate_volunteer_a(world) -> None:
    from asa.accounts.models import User
    from asa.centers.actions import change_volunteer_status

    change_volunteer_status(
        actor=User.objects.get(username="chair.a"),
        volunteer=_volunteer_a(world),
        status="inactive",
        reason="พักการปฏิบัติงาน",
    )


def _lock_chair_a(world) -> None:
    from django.conf import settings

    from asa.accounts import security

    for _ in range(settings.LOGIN_FAILURES_PER_USER):
        # Typed as an attacker might: the lock is on the name sign-in uses.
        security.record_login_failure(username=" Chair.A", ip_address="203.0.113.5")


@dataclass(frozen=True)
class History:
    build: Callable[[World], None]
    readers: frozenset[str]  # who still reads (and works on) the case through pages
    api_readers: frozenset[str] | None = None  # through the API, when it differs
    stopped: frozenset[str] = frozenset()  # whose API tokens stop (401 on every operation)


CASE_HISTORY: dict[str, History] = {
    "ended_assignment": History(_end_assignment, READERS_OF_A - {"volunteer_a"}),
    # The new center's chair takes it over; nobody of center A but the area's officers keeps it.
    "transferred_case": History(_transfer, frozenset({"admin_user", "officer", "chair_b"})),
    "deactivated_volunteer": History(
        _deactivate_volunteer_a, READERS_OF_A - {"volunteer_a"}, stopped=frozenset({"volunteer_a"})
    ),
    # A lock stops the tokens; a session already signed in goes on (the lock is on sign-in).
    "locked_user": History(
        _lock_chair_a,
        READERS_OF_A,
        api_readers=READERS_OF_A - {"chair_a"},
        stopped=frozenset({"chair_a"}),
    ),
}


def _case_fingerprint(world) -> str:
    from asa.cases.models import Assistance, PlanItem, Visit

    case = _casework(world)["case"]
    rows = [
        AuditEvent.objects.count(),
        Visit.objects.filter(case=case).count(),
        PlanItem.objects.filter(case=case).count(),
        Assistance.objects.filter(case=case).count(),
    ]
    return json.dumps(rows)


def _leaks(text: str, secrets) -> list[str]:
    return [value for value in secrets if value and value in text]


def _walk_case_history(persona: str, world: World, history: History, problems: list) -> None:
    api_readers = history.readers if history.api_readers is None else history.api_readers
    client = world.api_clients[persona]
    for key in CASE_API:
        entry = API[key]
        method, path = key.split(" ", 1)
        url = path.format(**entry.kwargs(world)) + entry.query(world)
        label = f"{method} {url}"
        before = _case_fingerprint(world)
        data = entry.data(world) if entry.data else None
        response = _api_request(client, method, url, data)
        status = response.status_code
        if persona in api_readers:
            if status >= 300:
                problems.append(f"{persona} {label}: allowed but got {status}")
            continue
        if persona == "anonymous" or persona in history.stopped:
            if status != 401:
                problems.append(f"{persona} {label}: expected 401, got {status}")
        elif not 400 <= status < 500 or status == 401:
            problems.append(f"{persona} {label}: expected 403/404/422, got {status}")
        if leaked := _leaks(_text(response), CASE_SECRETS):
            problems.append(f"{persona} {label}: shows the case's {leaked}")
        if method != "GET" and _case_fingerprint(world) != before:
            problems.append(f"{persona} {label}: LEAK - a refused write changed the case")
    client = world.clients[persona]
    for name in CASE_PAGES:
        entry = PAGES[name]
        url = reverse(name, kwargs=entry.kwargs(world)) + entry.query(world)
        allowed = persona in history.readers
        if "GET" in entry.methods:
            response = client.get(url)
            _check_page_get(persona, "read", allowed, f"GET {url}", response, problems)
            if not allowed and (leaked := _leaks(_text(response), CASE_SECRETS)):
                problems.append(f"{persona} GET {url}: shows the case's {leaked}")
        if "POST" in entry.methods and entry.data is not None:
            before = _case_fingerprint(world)
            response = client.post(url, entry.data(world))
            status = response.status_code
            if allowed:
                if status != 302 or _is_login_redirect(response):
                    problems.append(f"{persona} POST {url}: a valid write by a writer got {status}")
            elif _case_fingerprint(world) != before:
                problems.append(f"{persona} POST {url}: LEAK - a refused write changed the case")
            elif persona != "anonymous" and status not in (403, 404):
                problems.append(f"{persona} POST {url}: expected 403/404, got {status}")


def _walk_stopped_token(persona: str, world: World, problems: list) -> None:
    """Every API operation answers 401 to a stopped token, and changes nothing."""
    client = world.api_clients[persona]
    for key, entry in API.items():
        method, path = key.split(" ", 1)
        url = path.format(**entry.kwargs(world)) + entry.query(world)
        data = entry.data(world) if entry.data else None
        before = _fingerprint()
        response = _api_request(client, method, url, data, entry.multipart)
        if response.status_code != 401:
            problems.append(f"{persona} {method} {url}: a stopped token got {response.status_code}")
        if method != "GET" and _fingerprint() != before:
            problems.append(f"{persona} {method} {url}: LEAK - a stopped token changed data")


def _make_everything(world) -> None:
    """Everything the entries point at, made before the state (as the fixtures would have)."""
    for entry in [*API.values(), *PAGES.values()]:
        entry.kwargs(world)
        entry.query(world)
        if entry.data is not None:
            entry.data(world)


@pytest.mark.parametrize("state", CASE_HISTORY)
def test_history_takes_access_away_as_the_case_rule_says(state, world):
    history = CASE_HISTORY[state]
    _make_everything(world)
    history.build(world)
    problems: list[str] = []
    for persona in PERSONAS:
        _walk_case_history(persona, world, history, problems)
    for persona in sorted(history.stopped):
        _walk_stopped_token(persona, world, problems)
    assert not problems, "\n".join(problems)


# Referrals: a withdrawn referral's link stops and nobody answers it; once the person's consent
# is withdrawn, links stop and the partner's pages show nothing of the person.

REFERRAL_PERSON = ("ผู้รับบริการ ส่งต่อ", "ที่พักชั่วคราว", "ทางลิงก์")  # name, needs


def _withdraw_referrals(world) -> None:
    from asa.referrals.actions import withdraw_referral
    from asa.referrals.models import Referral

    made = _referral_pages(world)
    for referral in Referral.objects.filter(case=made["case"], need__in=["ที่พักชั่วคราว", "ทางลิงก์"]):
        withdraw_referral(actor=None, referral=referral, reason="ญาติรับไปดูแล")


def _withdraw_consent(world) -> None:
    from asa.registry.actions import withdraw_consent
    from asa.registry.models import Consent

    consent = Consent.objects.get(person=_referral_pages(world)["case"].person)
    withdraw_consent(actor=None, consent=consent, reason="เจ้าของข้อมูลขอถอน")


REFERRAL_HISTORY = {
    "withdrawn_referral": _withdraw_referrals,
    "withdrawn_consent": _withdraw_consent,
}


@pytest.mark.parametrize("state", REFERRAL_HISTORY)
def test_history_stops_links_and_the_partners_view(state, world):
    made = _referral_pages(world)
    referral = made["referral"]
    REFERRAL_HISTORY[state](world)
    referral.refresh_from_db()
    problems: list[str] = []
    link = reverse("referrals:link_page", kwargs={"token": made["token"]})
    readers = KINDS["referral_readers"]
    for persona in PERSONAS:
        client, api = world.clients[persona], world.api_clients[persona]
        response = client.get(link)  # the link needs no sign-in: the same for everyone
        if response.status_code != 410:
            problems.append(f"{persona} GET {link}: expected 410, got {response.status_code}")
        if leaked := _leaks(_text(response), REFERRAL_PERSON):
            problems.append(f"{persona} GET {link}: shows {leaked}")
        detail = reverse("referrals:referral_detail", kwargs={"pk": referral.pk})
        page = client.get(detail)
        one = api.get(f"/api/v1/referrals/{referral.pk}")
        if persona in readers:
            for label, response in ((f"GET {detail}", page), (f"GET api {referral.pk}", one)):
                if response.status_code != 200:
                    problems.append(f"{persona} {label}: allowed but got {response.status_code}")
        else:
            _check_page_get(persona, "read", False, f"GET {detail}", page, problems)
        if persona == "agency_user" and state == "withdrawn_consent":
            for label, response in ((f"GET {detail}", page), ("GET api", one)):
                if leaked := _leaks(_text(response), REFERRAL_PERSON):
                    problems.append(f"{persona} {label}: consent withdrawn, still shows {leaked}")
            listed = _text(api.get("/api/v1/referrals"))
            if leaked := _leaks(listed, REFERRAL_PERSON):
                problems.append(f"{persona} GET /api/v1/referrals: still shows {leaked}")
        if state == "withdrawn_referral" and persona != "anonymous":
            before = _fingerprint()
            response = api.post(
                f"/api/v1/referrals/{referral.pk}/answer",
                {"status": "accepted", "version": referral.version},
                content_type="application/json",
            )
            if not 400 <= response.status_code < 500 or _fingerprint() != before:
                problems.append(f"{persona} answered a withdrawn referral: {response.status_code}")
    assert not problems, "\n".join(problems)
