def test_login_page_speaks_thai(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "เข้าสู่ระบบ" in response.content.decode()


def test_chair_sees_own_center_only(client_for, chair_a, center_a, center_b):
    response = client_for(chair_a).get("/centers/")
    body = response.content.decode()
    assert center_a.name_th in body
    assert center_b.name_th not in body
    assert client_for(chair_a).get(f"/centers/{center_b.pk}/").status_code == 404
