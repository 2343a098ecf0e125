"""Goods API: scoped lists and details, writes through the actions, 422 naming the field with
nothing saved, the ledger equal to the balance, and list query counts that do not grow."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from asa.aid import actions
from asa.aid.models import (
    Distribution,
    Donation,
    Item,
    Loan,
    Piece,
    StockBalance,
    StockMovement,
    StockTake,
)
from asa.centers.models import Volunteer
from asa.registry.actions import create_household, register_person


def item(code):
    return Item.objects.get(code=code)


def balance(center, code):
    row = StockBalance.objects.filter(center=center, item__code=code).first()
    return row.quantity if row else 0


def ledger_sum(center, code):
    total = StockMovement.objects.filter(center=center, item__code=code).aggregate(
        total=Sum("quantity")
    )["total"]
    return total or 0


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


@pytest.fixture
def household(chair_a):
    head = register_person(
        actor=chair_a,
        first_name="บุญมี",
        last_name="ศรีสุข",
        birth_date=dt.date(1950, 5, 1),
        subdistrict="100502",
    )
    return create_household(actor=chair_a, head=head)


@pytest.fixture
def stocked(api_client_for, chair_a, center_a):
    response = post(
        api_client_for(chair_a),
        "/api/v1/donations",
        {
            "center": center_a.pk,
            "donor_kind": "agency",
            "donor_name": "กรมพัฒนาสังคมและสวัสดิการ",
            "received_on": str(timezone.localdate()),
            "lines": [
                {"item": item("bicycle").pk, "quantity": 3, "serial_numbers": ["A1", "A2", "A3"]},
                {"item": item("consumer-kit").pk, "quantity": 10},
            ],
        },
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_a_donation_then_a_distribution_and_a_loan(
    api_client_for, chair_a, volunteer_a, center_a, stocked, household
):
    client = api_client_for(chair_a)
    assert stocked["receipt_number"].startswith("D")
    assert balance(center_a, "bicycle") == 3 == ledger_sum(center_a, "bicycle")
    response = post(
        client,
        "/api/v1/distributions",
        {
            "center": center_a.pk,
            "household": household.pk,
            "lines": [{"item": item("consumer-kit").pk, "quantity": 3}],
            "signed_by_name": "นายบุญมี ศรีสุข",
        },
    )
    assert response.status_code == 201, response.content
    assert balance(center_a, "consumer-kit") == 7 == ledger_sum(center_a, "consumer-kit")
    member = Volunteer.objects.get(user=volunteer_a)
    piece = Piece.objects.get(serial_number="A1")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = post(
        client,
        "/api/v1/loans",
        {
            "piece": piece.pk,
            "volunteer": member.pk,
            "loaned_on": str(yesterday - dt.timedelta(days=5)),
            "expected_return_on": str(yesterday),
            "condition_out": "ใหม่",
        },
    )
    assert response.status_code == 201, response.content
    loan_id = response.json()["id"]
    overdue = client.get(f"/api/v1/loans?center={center_a.pk}&overdue=true").json()
    assert [row["id"] for row in overdue["items"]] == [loan_id] and overdue["count"] == 1
    again = post(
        client,
        "/api/v1/loans",
        {
            "piece": piece.pk,
            "volunteer": member.pk,
            "expected_return_on": str(timezone.localdate()),
            "condition_out": "ดี",
        },
    )
    assert again.status_code == 422 and again.json()["errors"][0]["field"] == "piece"
    returned = post(client, f"/api/v1/loans/{loan_id}/return", {"condition_in": "ดี"})
    assert returned.status_code == 200 and returned.json()["status"] == "returned"
    assert balance(center_a, "bicycle") == 3 == ledger_sum(center_a, "bicycle")
    movements = client.get(
        f"/api/v1/stock/movements?center={center_a.pk}&item={item('bicycle').pk}"
    ).json()
    assert movements["count"] == 5  # 3 received, 1 loaned, 1 returned
    stock = client.get(f"/api/v1/stock?center={center_a.pk}").json()
    assert {row["item"]["code"]: row["quantity"] for row in stock["items"]} == {
        "bicycle": 3,
        "consumer-kit": 7,
    }
    pieces = client.get(f"/api/v1/pieces?center={center_a.pk}").json()
    assert pieces["count"] == 3


BAD = [
    (
        "/api/v1/distributions",
        lambda ids: {
            "center": ids["a"],
            "household": ids["household"],
            "lines": [{"item": ids["kit"], "quantity": -1}],
        },
        "lines",
    ),
    (
        "/api/v1/distributions",
        lambda ids: {
            "center": ids["a"],
            "household": ids["household"],
            "lines": [{"item": ids["kit"], "quantity": 1.5}],
        },
        "lines",
    ),
    (
        "/api/v1/distributions",
        lambda ids: {
            "center": ids["a"],
            "household": ids["household"],
            "lines": [{"item": ids["kit"], "quantity": 11}],
        },
        "lines",
    ),
    (
        "/api/v1/distributions",
        lambda ids: {
            "center": ids["b"],
            "household": ids["household"],
            "lines": [{"item": ids["kit"], "quantity": 1}],
        },
        "center",
    ),
    (
        "/api/v1/distributions",
        lambda ids: {
            "center": ids["a"],
            "household": ids["household"],
            "lines": [{"item": ids["kit"], "quantity": 1}],
            "signature": "data:image/png;base64,AAAA",
        },
        "signature",
    ),
    (
        "/api/v1/donations",
        lambda ids: {
            "center": ids["a"],
            "donor_kind": "anonymous",
            "received_on": ids["today"],
            "lines": [{"item": ids["bicycle"], "quantity": 2, "serial_numbers": ["A1", "Z9"]}],
        },
        "lines",
    ),
    (
        "/api/v1/donations",
        lambda ids: {
            "center": ids["a"],
            "donor_kind": "anonymous",
            "received_on": ids["today"],
            "lines": [{"item": ids["kit"], "quantity": 0.5}],
        },
        "lines",
    ),
    (
        "/api/v1/transfers",
        lambda ids: {
            "from_center": ids["a"],
            "to_center": ids["a"],
            "item": ids["kit"],
            "quantity": 1,
        },
        "to_center",
    ),
    (
        "/api/v1/transfers",
        lambda ids: {
            "from_center": ids["b"],
            "to_center": ids["a"],
            "item": ids["kit"],
            "quantity": 1,
        },
        "from_center",
    ),
    (
        "/api/v1/stock-takes",
        lambda ids: {"center": ids["a"], "counts": [{"item": ids["kit"], "counted": -2}]},
        "counts",
    ),
]


@pytest.mark.parametrize(("url", "body", "field"), BAD)
def test_bad_input_is_a_422_naming_the_field_and_saves_nothing(
    api_client_for, chair_a, center_a, center_b, stocked, household, url, body, field
):
    ids = {
        "a": center_a.pk,
        "b": center_b.pk,
        "household": household.pk,
        "kit": item("consumer-kit").pk,
        "bicycle": item("bicycle").pk,
        "today": str(timezone.localdate()),
    }
    before = (
        StockMovement.objects.count(),
        Donation.objects.count(),
        Distribution.objects.count(),
        StockTake.objects.count(),
    )
    response = post(api_client_for(chair_a), url, body(ids))
    assert response.status_code == 422, response.content
    assert field in [error["field"] for error in response.json()["errors"]]
    assert any("\u0e00" <= char <= "\u0e7f" for char in response.json()["detail"])
    after = (
        StockMovement.objects.count(),
        Donation.objects.count(),
        Distribution.objects.count(),
        StockTake.objects.count(),
    )
    assert after == before
    assert balance(center_a, "consumer-kit") == 10 == ledger_sum(center_a, "consumer-kit")


def test_a_stock_take_on_a_closed_period_is_refused(api_client_for, chair_a, center_a, stocked):
    client = api_client_for(chair_a)
    body = {"center": center_a.pk, "counts": [{"item": item("consumer-kit").pk, "counted": 9}]}
    assert post(client, "/api/v1/stock-takes", body | {"closes_period": True}).status_code == 201
    response = post(client, "/api/v1/stock-takes", body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "counted_on"
    assert StockTake.objects.count() == 1
    assert balance(center_a, "consumer-kit") == 9 == ledger_sum(center_a, "consumer-kit")


def test_write_offs_and_thresholds_as_on_the_stock_page(
    api_client_for, chair_a, volunteer_b, center_a, stocked
):
    kit = item("consumer-kit")
    body = {"center": center_a.pk, "item": kit.pk, "quantity": 2, "reason": "ถุงยังชีพหมดอายุ"}
    outsider = post(api_client_for(volunteer_b), "/api/v1/write-offs", body)
    assert outsider.status_code == 422 and outsider.json()["errors"][0]["field"] == "center"
    client = api_client_for(chair_a)
    no_reason = post(client, "/api/v1/write-offs", body | {"reason": " "})
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "reason"
    assert balance(center_a, "consumer-kit") == 10
    written = post(client, "/api/v1/write-offs", body)
    assert written.status_code == 201 and written.json()["kind"] == "written_off"
    assert balance(center_a, "consumer-kit") == 8 == ledger_sum(center_a, "consumer-kit")
    bike = post(client, "/api/v1/write-offs", body | {"item": item("bicycle").pk})
    assert bike.status_code == 422 and bike.json()["errors"][0]["field"] == "piece"

    threshold = {"center": center_a.pk, "item": kit.pk, "threshold": 9}
    refused = post(api_client_for(volunteer_b), "/api/v1/stock-thresholds", threshold)
    assert refused.status_code == 422
    assert post(client, "/api/v1/stock-thresholds", threshold).status_code == 204
    low = client.get("/api/v1/stock", {"low": "true", "center": center_a.pk}).json()
    assert [row["item"]["id"] for row in low["items"]] == [kit.pk]


def test_another_center_sees_nothing(
    api_client_for, chair_a, chair_b, volunteer_b, center_a, stocked
):
    donation_id = stocked["id"]
    for user in (chair_b, volunteer_b):
        client = api_client_for(user)
        assert client.get(f"/api/v1/donations/{donation_id}").status_code == 404
        for url in (
            "/api/v1/stock",
            "/api/v1/stock/movements",
            "/api/v1/pieces",
            "/api/v1/donations",
            "/api/v1/distributions",
            "/api/v1/loans",
        ):
            answer = client.get(f"{url}?center={center_a.pk}").json()
            assert answer == {"items": [], "count": 0}, url
        piece = Piece.objects.get(serial_number="A2")
        response = post(
            client,
            "/api/v1/loans",
            {
                "piece": piece.pk,
                "volunteer": None,
                "expected_return_on": "2030-01-01",
                "condition_out": "ดี",
                "household": None,
            },
        )
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "piece"
    assert not Loan.objects.exists()
    assert api_client_for(chair_a).get("/api/v1/items").json()["count"] >= 11


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def test_list_query_counts_do_not_grow(api_client_for, chair_a, center_a, household):
    client = api_client_for(chair_a)
    member = Volunteer.objects.get(user__username="chair.a")
    urls = [
        f"/api/v1/stock?center={center_a.pk}",
        f"/api/v1/stock/movements?center={center_a.pk}",
        f"/api/v1/pieces?center={center_a.pk}",
        f"/api/v1/donations?center={center_a.pk}",
        f"/api/v1/distributions?center={center_a.pk}",
        f"/api/v1/loans?center={center_a.pk}",
        "/api/v1/items",
    ]

    def grow(round_number):
        serials = [f"Q{round_number}-{n}" for n in range(2)]
        actions.receive_donation(
            actor=chair_a,
            center=center_a,
            donor_kind="anonymous",
            received_on=timezone.localdate(),
            lines=[(item("wheelchair"), 2, serials), (item("rice-5kg"), 4, [])],
        )
        actions.lend_piece(
            actor=chair_a,
            piece=Piece.objects.get(serial_number=serials[0]),
            volunteer=member,
            condition_out="ดี",
            expected_return_on=timezone.localdate(),
        )
        actions.distribute_items(
            actor=chair_a, center=center_a, household=household, lines=[(item("rice-5kg"), 1)]
        )

    grow(1)
    client.get(urls[0])  # the token's first use of the day writes its last-used time
    first = [_count(client, url) for url in urls]
    for round_number in range(2, 5):
        grow(round_number)
    assert [_count(client, url) for url in urls] == first
