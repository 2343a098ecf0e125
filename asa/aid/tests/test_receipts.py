"""Receipts: printable HTML and PDF (Sarabun embedded, Thai shaped), BE dates, Thai digits."""

import base64
import datetime as dt
import io
import shutil
import subprocess

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image

from asa.aid import actions, receipts
from asa.aid.models import Item
from asa.registry.actions import create_household, register_person

OPENING = dt.date(2019, 3, 11)  # 11 มีนาคม 2562


def item(code):
    return Item.objects.get(code=code)


@pytest.fixture
def donation(chair_a, center_a):
    return actions.receive_donation(
        actor=chair_a,
        center=center_a,
        donor_kind="agency",
        donor_name="กรมพัฒนาสังคมและสวัสดิการ (พส.)",
        received_on=OPENING,
        lines=[
            (item("bicycle"), 2, ["BK-2562-01", "BK-2562-02"]),
            (item("consumer-kit"), 50, []),
        ],
    )


@pytest.fixture
def distribution(chair_a, center_a, donation):
    head = register_person(
        actor=chair_a,
        first_name="บุญมี",
        last_name="ศรีสุข",
        birth_date=dt.date(1950, 5, 1),
        subdistrict="100502",
    )
    household = create_household(actor=chair_a, head=head)
    buffer = io.BytesIO()
    Image.new("RGB", (300, 100), "white").save(buffer, format="PNG")
    return actions.distribute_items(
        actor=chair_a,
        center=center_a,
        household=household,
        distributed_on=OPENING,
        lines=[(item("consumer-kit"), 3)],
        signature=ContentFile(buffer.getvalue(), name="s.png"),
        signed_by_name="นายบุญมี ศรีสุข",
    )


def _pdf_text(content: bytes) -> str:
    """The text layer of a PDF, when poppler's pdftotext is installed."""
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("poppler-utils is not installed")
    done = subprocess.run(  # noqa: S603 - a fixed tool on our own bytes
        [tool, "-", "-"], input=content, capture_output=True, check=True
    )
    return done.stdout.decode()


def test_the_donation_receipt_page(client_for, chair_a, donation):
    response = client_for(chair_a).get(reverse("aid:donation_receipt", args=[donation.pk]))
    text = response.content.decode()
    assert "ใบอนุโมทนาบัตร" in text and donation.receipt_number in text
    assert "11 มีนาคม 2562" in text
    assert "กรมพัฒนาสังคมและสวัสดิการ (พส.)" in text


def test_the_donation_pdf(client_for, chair_a, donation):
    response = client_for(chair_a).get(
        reverse("aid:donation_receipt", args=[donation.pk]) + "?format=pdf"
    )
    assert response["Content-Type"] == "application/pdf"
    content = response.content
    assert content.startswith(b"%PDF-")
    assert b"Sarabun" in content  # the Thai font is embedded
    text = _pdf_text(content)
    assert donation.receipt_number in text
    assert "2562" in text


def test_thai_digits_in_the_pdf(donation):
    content = receipts.donation_pdf(donation, thai_digits=True)
    text = _pdf_text(content)
    assert "๒๕๖๒" in text


def test_the_distribution_receipt_has_the_signature(client_for, chair_a, distribution):
    client = client_for(chair_a)
    page = client.get(reverse("aid:distribution_receipt", args=[distribution.pk]))
    text = page.content.decode()
    assert "ใบรับสิ่งของ" in text and distribution.receipt_number in text
    assert reverse("aid:distribution_signature", args=[distribution.pk]) in text
    pdf = client.get(reverse("aid:distribution_receipt", args=[distribution.pk]) + "?format=pdf")
    assert pdf.content.startswith(b"%PDF-")
    assert b"/Subtype /Image" in pdf.content  # the signature is drawn into the PDF
    assert distribution.receipt_number in _pdf_text(pdf.content)


def test_receipts_of_another_center_are_refused(client_for, chair_b, volunteer_b, distribution):
    for user in (chair_b, volunteer_b):
        client = client_for(user)
        for name in ("aid:distribution_receipt", "aid:distribution_signature"):
            assert client.get(reverse(name, args=[distribution.pk])).status_code == 404
        url = reverse("aid:distribution_receipt", args=[distribution.pk]) + "?format=pdf"
        assert client.get(url).status_code == 404


def test_a_signature_data_url_must_really_be_a_png():
    from django.core.exceptions import ValidationError

    from asa.aid.forms import _png_from_data_url

    gif = base64.b64encode(b"GIF89a" + b"\0" * 20).decode()
    with pytest.raises(ValidationError):
        _png_from_data_url("data:image/png;base64," + gif)
    with pytest.raises(ValidationError):
        _png_from_data_url("data:image/png;base64,!!!")
