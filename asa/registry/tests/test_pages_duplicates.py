"""Duplicate review: the queue, side-by-side comparison, merge, mark distinct, undo."""

import pytest
from django.urls import reverse

from asa.registry.actions import _remember_candidate, record_problem
from asa.registry.models import DuplicateCandidate, Merge, Person, ProblemType
from asa.registry.tests.test_pages_people import THAWI_WATTHANA, _count, make_person

pytestmark = pytest.mark.django_db


def pair(actor, **overrides):
    first = make_person(actor, check_duplicates=False, **overrides)
    second = make_person(actor, last_name="ศรีสุก", check_duplicates=False, **overrides)
    _remember_candidate(first, second, score=0.8, reasons=["ชื่อ-นามสกุลออกเสียงเหมือนกัน"])
    low, high = sorted([first.pk, second.pk])
    return DuplicateCandidate.objects.get(person_a_id=low, person_b_id=high)


def test_it_lists_pending_pairs_in_scope_by_score(client_for, chair_a, chair_b):
    mine = pair(chair_a)
    theirs = pair(chair_b, first_name="ทวี", subdistrict=THAWI_WATTHANA)
    html = client_for(chair_a).get(reverse("registry:duplicate_list")).content.decode()
    assert reverse("registry:duplicate_detail", args=[mine.pk]) in html
    assert reverse("registry:duplicate_detail", args=[theirs.pk]) not in html
    assert (
        client_for(chair_a).get(reverse("registry:duplicate_detail", args=[theirs.pk])).status_code
        == 404
    )


def test_it_keeps_the_duplicate_queue_queries_constant(client_for, officer, chair_a):
    client = client_for(officer)
    url = reverse("registry:duplicate_list")
    pair(chair_a, first_name="คู่หนึ่ง")
    _count(client, url)  # the officer's districts are read once per process, then cached
    few = _count(client, url)
    for number in range(12):
        pair(chair_a, first_name=f"คู่ที่{number}")
    assert _count(client, url) == few


def test_it_compares_side_by_side_and_shows_buttons_to_writers_only(
    client_for, chair_a, volunteer_a
):
    candidate = pair(chair_a)
    url = reverse("registry:duplicate_detail", args=[candidate.pk])
    html = client_for(chair_a).get(url).content.decode()
    assert "ศรีสุข" in html and "ศรีสุก" in html and "รวมข้อมูล" in html
    volunteer_html = client_for(volunteer_a).get(url).content.decode()
    assert "ศรีสุก" in volunteer_html and 'name="survivor"' not in volunteer_html


def test_it_refuses_merge_and_distinct_from_a_volunteer_with_403(client_for, chair_a, volunteer_a):
    candidate = pair(chair_a)
    client = client_for(volunteer_a)
    merge = reverse("registry:duplicate_merge", args=[candidate.pk])
    assert client.post(merge, {"survivor": "a"}).status_code == 403
    assert (
        client.post(reverse("registry:duplicate_distinct", args=[candidate.pk])).status_code == 403
    )
    assert client.get(merge).status_code == 405
    assert not Merge.objects.exists()
    candidate.refresh_from_db()
    assert candidate.status == "pending"


def test_it_merges_and_undoes(client_for, chair_a, volunteer_a):
    candidate = pair(chair_a)
    debt = ProblemType.objects.get(code="debt")
    record_problem(actor=chair_a, person=candidate.person_b, problem_type=debt)
    client = client_for(chair_a)
    merge_url = reverse("registry:duplicate_merge", args=[candidate.pk])
    assert client.post(merge_url, {}).status_code == 302  # no survivor chosen: refused
    assert not Merge.objects.exists()
    response = client.post(merge_url, {"survivor": "a", "reason": "คนเดียวกัน"})
    assert response["Location"] == reverse("registry:person_detail", args=[candidate.person_a_id])
    merge = Merge.objects.get()
    html = client.get(response["Location"]).content.decode()
    assert "หนี้สิน" in html and "ยกเลิกการรวม" in html
    # The merged record now leads to the survivor.
    merged_url = reverse("registry:person_detail", args=[candidate.person_b_id])
    assert client.get(merged_url)["Location"] == response["Location"]
    undo = reverse("registry:merge_undo", args=[merge.pk])
    assert client_for(volunteer_a).post(undo).status_code == 403
    assert client.post(undo).status_code == 302
    assert Person.objects.get(pk=candidate.person_b_id).merged_into_id is None
    candidate.refresh_from_db()
    assert candidate.status == "pending"


def test_it_marks_a_pair_distinct(client_for, chair_a):
    candidate = pair(chair_a)
    url = reverse("registry:duplicate_distinct", args=[candidate.pk])
    assert client_for(chair_a).post(url, {"reason": "คนละคน"}).status_code == 302
    candidate.refresh_from_db()
    assert candidate.status == "distinct"
    html = client_for(chair_a).get(reverse("registry:duplicate_list")).content.decode()
    assert reverse("registry:duplicate_detail", args=[candidate.pk]) not in html
