"""Every action leaves an audit event, and nothing edits or deletes one (DESIGN.md rule 2)."""

import ast
import importlib
import inspect
import pkgutil

import pytest
from django.core.exceptions import ValidationError

import asa
from asa.accounts import events
from asa.accounts.actions import (
    assign_role,
    create_api_token,
    create_user,
    revoke_api_token,
    set_thai_digits,
)
from asa.accounts.models import AuditEvent, Role
from asa.centers.actions import change_volunteer_role, change_volunteer_status, update_volunteer
from asa.centers.models import VolunteerRole, VolunteerStatus
from asa.conftest import make_volunteer


def _last(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).order_by("-id").first()


def test_it_records_register_volunteer(chair_a, center_a):
    volunteer = make_volunteer(center_a, actor=chair_a, first_name="บันทึก")
    event = _last("register_volunteer")
    assert event.actor == chair_a
    assert event.actor_label == "chair.a"
    assert event.object_type == "centers.volunteer"
    assert event.object_id == str(volunteer.pk)
    assert "บันทึก" in event.object_repr
    assert event.changes == {"center": center_a.code, "role": "member"}
    assert event.at is not None


def test_it_records_change_volunteer_status_with_the_reason(chair_a, center_a):
    volunteer = make_volunteer(center_a, actor=chair_a)
    change_volunteer_status(
        actor=chair_a, volunteer=volunteer, status=VolunteerStatus.INACTIVE, reason="ย้ายบ้าน"
    )
    event = _last("change_volunteer_status")
    assert event.actor == chair_a
    assert event.object_id == str(volunteer.pk)
    assert event.changes == {"status": ["active", "inactive"]}
    assert event.reason == "ย้ายบ้าน"


def test_it_records_change_volunteer_role(chair_a, center_a):
    volunteer = make_volunteer(center_a, actor=chair_a)
    change_volunteer_role(actor=chair_a, volunteer=volunteer, role=VolunteerRole.SECRETARY)
    event = _last("change_volunteer_role")
    assert event.actor == chair_a
    assert event.object_id == str(volunteer.pk)


def test_it_records_update_volunteer_without_copying_the_national_id_or_phone(chair_a, center_a):
    volunteer = make_volunteer(center_a, actor=chair_a)
    old_id = volunteer.national_id
    update_volunteer(actor=chair_a, volunteer=volunteer, phone="0899999999")
    event = _last("update_volunteer")
    # The phone is encrypted at rest: the audit row says it changed, never what it was or became.
    assert event.changes == {"phone": ["***", "***"]}
    every_change = str(AuditEvent.objects.values_list("changes", flat=True)[::1])
    for secret in (old_id, "0812345678", "0899999999"):
        assert secret not in every_change


def test_it_records_token_creation_and_revocation(chair_a):
    token, secret = create_api_token(actor=chair_a, user=chair_a, name="x")
    created = _last("create_api_token")
    assert created.actor == chair_a
    assert created.object_type == "accounts.user"
    assert created.changes == {"token": token.prefix}
    revoke_api_token(actor=chair_a, token=token)
    revoked = _last("revoke_api_token")
    assert revoked.changes == {"token": token.prefix}
    # The secret itself never reaches the log.
    assert not any(secret in str(event.changes) for event in AuditEvent.objects.all())


def test_it_records_users_roles_and_preferences(admin_user, center_b):
    user = create_user(actor=admin_user, username="new.user", password=None)
    assert _last("create_user").actor == admin_user
    assign_role(actor=admin_user, user=user, role=Role.CENTER_CHAIR, scope=center_b)
    event = _last("assign_role")
    assert event.object_id == str(user.pk)
    assert event.changes["role"] == Role.CENTER_CHAIR
    set_thai_digits(user=user, enabled=True)
    assert _last("set_thai_digits").changes == {"enabled": True}


def test_it_records_nothing_when_an_action_refuses(chair_a, center_a):
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError):
        make_volunteer(center_a, actor=chair_a, national_id="1234567890123")
    assert AuditEvent.objects.count() == before


def test_it_records_nothing_for_a_write_outside_the_scope(chair_b, center_a):
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError):
        make_volunteer(center_a, actor=chair_b)
    assert AuditEvent.objects.count() == before


def _action_modules():
    for module in pkgutil.walk_packages(asa.__path__, "asa."):
        if module.name.endswith(".actions") or module.name == "asa.accounts.events":
            yield importlib.import_module(module.name)


def test_it_has_no_way_to_edit_or_delete_an_audit_event():
    modules = list(_action_modules())
    assert len(modules) >= 3
    for module in modules:
        tree = ast.parse(inspect.getsource(module))
        for node in ast.walk(tree):
            # No function named like a change to audit rows (activity events, centers.Event,
            # are ordinary records: update_event edits one of those).
            if isinstance(node, ast.FunctionDef):
                assert not (
                    "audit" in node.name
                    and any(verb in node.name for verb in ("update", "edit", "delete", "remove"))
                ), f"{module.__name__}.{node.name}"
            # No AuditEvent.objects...update() or .delete() anywhere.
            if isinstance(node, ast.Attribute) and node.attr in ("update", "delete", "save"):
                source = ast.unparse(node.value)
                assert "AuditEvent" not in source, f"{module.__name__}: {source}.{node.attr}"
    public = [name for name, _ in inspect.getmembers(events, inspect.isfunction)]
    assert "record_event" in public
    assert not [name for name in public if "delete" in name or "update" in name]
