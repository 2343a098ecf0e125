from asa.accounts.models import AuditEvent
from asa.registry.models import TargetGroup


def test_an_admin_extends_a_catalogue_and_it_is_audited(client_for, admin_user):
    response = client_for(admin_user).post(
        "/admin/registry/targetgroup/add/",
        {
            "code": "migrant_worker",
            "name_th": "แรงงานข้ามชาติ",
            "name_en": "Migrant worker",
            "sort_order": 50,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    group = TargetGroup.objects.get(code="migrant_worker")
    assert AuditEvent.objects.filter(action="admin_add", object_id=str(group.pk)).exists()


def test_a_chair_cannot_reach_the_catalogues(client_for, chair_a):
    response = client_for(chair_a).get("/admin/aid/item/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
