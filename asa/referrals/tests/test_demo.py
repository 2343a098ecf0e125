"""The demo One Home network: realistic, only the shelter has users, and `asa demo` stays
idempotent."""

import io

from django.core.management import call_command

from asa.accounts.models import AuditEvent, Role, RoleAssignment
from asa.centers.demo import SHELTER_NAME
from asa.referrals.demo import load_one_home_demo
from asa.referrals.models import Agency, AgencyContact


def test_asa_demo_builds_the_network_and_is_idempotent(db):
    call_command("demo", stdout=io.StringIO())
    agencies = Agency.objects.count()
    contacts = AgencyContact.objects.count()
    events = AuditEvent.objects.count()
    assert agencies >= 14
    call_command("demo", stdout=io.StringIO())
    load_one_home_demo()
    assert Agency.objects.count() == agencies
    assert AgencyContact.objects.count() == contacts
    assert AuditEvent.objects.count() == events

    shelter = Agency.objects.get(name_th=SHELTER_NAME)
    assert set(shelter.services.values_list("code", flat=True)) == {
        "shelter",
        "identity_documents",
        "job_training",
    }
    assert list(shelter.areas.values_list("area_code", flat=True)) == ["10"]
    # Only the shelter answers in Asa; the others get links at their contact.
    with_users = set(
        RoleAssignment.objects.filter(role=Role.AGENCY_USER).values_list("agency_id", flat=True)
    )
    assert with_users == {shelter.pk}
    for agency in Agency.objects.prefetch_related("services", "areas", "contacts"):
        assert agency.services.all(), agency
        assert agency.areas.all(), agency
        contact = agency.contacts.all()[0]
        assert contact.email.endswith("@example.org") and contact.phone
    bang_khen = Agency.objects.filter(areas__area_code="1005")
    assert {"สำนักงานเขตบางเขน", "สถานีตำรวจนครบาลบางเขน"} <= set(
        bang_khen.values_list("name_th", flat=True)
    )


def test_asa_demo_runs_again_after_centers_were_opened_without_a_venue(db):
    # `make bench` opens a center in every other district (no venue), then runs the demo
    # again on its next run: the second run failed on the openings' missing place.
    import datetime as dt

    from asa.centers.actions import open_center
    from asa.centers.models import Center
    from asa.geo.models import Subdistrict

    call_command("demo", stdout=io.StringIO())
    open_center(
        actor=None,
        code="C-1001",
        name_th="ศูนย์ประสานงาน อพม. เขตพระนคร",
        subdistrict=Subdistrict.objects.filter(district_id="1001").order_by("code").first(),
        opened_on=dt.date(2019, 10, 1),
    )
    call_command("demo", stdout=io.StringIO())
    center = Center.objects.get(code="C-1001")
    assert center.events.get().place == "ที่ทำการศูนย์ประสานงาน อพม. เขตพระนคร"
