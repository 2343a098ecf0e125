"""The issue's browser test: the DPO answers an access request with a generated PDF and JSON
copy, then runs the retention dry run, all through the pages."""

import json
from pathlib import Path

import pytest

from asa.conftest import log_in
from asa.privacy.models import PrivacyRequest

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_dpo_answers_an_access_request_and_runs_the_retention_dry_run(page, dpo, subject):
    person, _ = subject
    log_in(page, "dpo.user")
    page.get_by_role("link", name="คุ้มครองข้อมูล").click()
    page.get_by_role("link", name="บันทึกคำขอใหม่").click()

    # 1. The request as it came in (the received date defaults to today).
    page.select_option("#id_kind", "access")
    page.get_by_label("ชื่อผู้ยื่นคำขอ").fill("นายบุญมี ศรีสุข")
    page.get_by_label("ช่องทางติดต่อผู้ขอ").fill("0812345670")
    page.get_by_role("button", name="บันทึก").click()
    page.wait_for_selector("#due")
    assert "เหลือ 30 วัน" in page.inner_text("#due")

    # 2. Identity checked against the ID card; the registry person named by record number.
    page.select_option("#id_identity_method", "id_card_in_person")
    page.fill("#id_person", str(person.pk))
    page.get_by_role("button", name="บันทึกการยืนยันตัวตน").click()
    page.wait_for_selector("text=บันทึกการยืนยันตัวตนแล้ว")
    assert "บุญมี" in page.inner_text(".facts")

    # 3. The copy: a Thai PDF and a JSON file, both downloaded.
    page.click("#generate")
    page.wait_for_selector("#download-pdf")
    with page.expect_download() as pdf_download:
        page.click("#download-pdf")
    assert Path(pdf_download.value.path()).read_bytes().startswith(b"%PDF-")
    with page.expect_download() as json_download:
        page.click("#download-json")
    data = json.loads(Path(json_download.value.path()).read_text(encoding="utf-8"))
    assert data["person"]["first_name"] == "บุญมี"
    assert data["cases"][0]["visits"][0]["observations"] == "บ้านทรุดโทรม หลังคารั่ว"

    # 4. The answer closes the request.
    page.get_by_label("คำตอบที่แจ้งผู้ขอ").fill("ส่งสำเนาข้อมูลให้ทางอีเมลตามที่ขอแล้ว")
    page.click("#answer-button")
    page.wait_for_selector("#answer")
    assert PrivacyRequest.objects.get().status == "answered"
    assert "ตอบแล้ว" in page.inner_text("#status")

    # 5. The retention dry run: counts per policy, nothing changed.
    page.get_by_role("link", name="ระยะเวลาเก็บรักษา").click()
    page.wait_for_selector("#retention-report")
    rows = page.locator("#retention-report tbody tr")
    assert rows.count() == 4
    assert page.inner_text("tr[data-policy='closed_cases'] .count").strip() == "0"
    page.click("#run-retention")
    page.wait_for_selector("text=ส่งงานทำให้ข้อมูลเป็นนิรนามเข้าคิวแล้ว")
    person.refresh_from_db()
    assert person.first_name == "บุญมี"  # nothing was past retention
