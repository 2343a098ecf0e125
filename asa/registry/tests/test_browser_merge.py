"""Merging two records of one person in a real browser, then undoing it: the survivor's page
and the household ledger show the merged history, and lose it again on undo."""

import pytest
from django.urls import reverse

from asa.cases.models import Case
from asa.conftest import log_in
from asa.registry.actions import _remember_candidate, create_household
from asa.registry.models import DuplicateCandidate, Merge, Person
from asa.registry.tests.test_merge import two_records

pytestmark = pytest.mark.django_db(transaction=True)


def history(page):
    return page.locator("#help-history").inner_text()


def test_a_chair_merges_two_records_with_help_and_undoes_it(page, chair_a, center_a):
    survivor, merged = two_records(chair_a, center_a)
    home = create_household(actor=chair_a, head=survivor)
    _remember_candidate(survivor, merged, score=0.9, reasons=["ชื่อ-นามสกุลออกเสียงเหมือนกัน"])
    candidate = DuplicateCandidate.objects.get()
    survivor_case = Case.objects.get(person=survivor).number
    merged_case = Case.objects.get(person=merged).number
    survivor_side = "บุคคลที่ 1" if candidate.person_a_id == survivor.pk else "บุคคลที่ 2"

    log_in(page, "chair.a")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(reverse("registry:duplicate_detail", args=[candidate.pk]))
    page.get_by_label(survivor_side).check()
    page.get_by_role("button", name="รวมข้อมูล", exact=True).click()
    page.wait_for_url(f"**{reverse('registry:person_detail', args=[survivor.pk])}")
    page.get_by_text("รวมข้อมูลแล้ว").first.wait_for()
    shown = history(page)
    for text in (survivor_case, merged_case, "เงินสงเคราะห์บุญมี", "เงินสงเคราะห์บุญมีอีกรายการ"):
        assert text in shown
    assert "WC-001" in shown and "WC-002" in shown

    page.goto(reverse("registry:household_detail", args=[home.pk]))
    ledger = history(page)
    assert merged_case in ledger and "เงินสงเคราะห์บุญมีอีกรายการ" in ledger
    assert "WC-002" in ledger

    page.goto(reverse("registry:person_detail", args=[survivor.pk]))
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="ยกเลิกการรวม").click()
    page.get_by_text("ยกเลิกการรวมข้อมูลแล้ว").wait_for()
    assert Merge.objects.get().undone_at is not None
    shown = history(page)
    assert survivor_case in shown and merged_case not in shown
    assert "WC-001" in shown and "WC-002" not in shown

    page.goto(reverse("registry:household_detail", args=[home.pk]))
    ledger = history(page)
    assert merged_case not in ledger and "WC-002" not in ledger and survivor_case in ledger

    page.goto(
        reverse("registry:person_detail", args=[merged.pk])
    )  # active again, with its own history
    assert Person.objects.get(pk=merged.pk).merged_into_id is None
    shown = history(page)
    assert merged_case in shown and "WC-002" in shown and survivor_case not in shown
