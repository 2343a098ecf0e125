"""asa.lib.crypto: authenticated field encryption with key ids, keyed lookup hashes, the
field that refuses lookups on ciphertext, and the deploy check on the public demo keys."""

import hashlib
import hmac

import pytest
from django.core.exceptions import FieldError, ImproperlyConfigured

from asa.lib import crypto
from asa.lib.crypto import (
    DEMO_FIELD_KEY,
    DEMO_LOOKUP_KEY,
    DecryptionError,
    decrypt,
    encrypt,
    generate_key,
    identity_hash,
    lookup_hash,
    phone_hash,
    stored_key_id,
)

KEY_A, KEY_B = generate_key(), generate_key()


def test_it_round_trips_and_never_stores_the_plaintext(settings):
    settings.ASA_FIELD_KEYS = [KEY_A]
    sealed = encrypt("1103702071811")
    assert "1103702071811" not in sealed
    assert decrypt(sealed) == "1103702071811"
    assert decrypt(encrypt("ก ข ค ๑๒๓")) == "ก ข ค ๑๒๓"
    # A random nonce each time: equal values do not look equal at rest.
    assert encrypt("0812345678") != encrypt("0812345678")
    assert encrypt("") == "" and decrypt("") == ""


def test_each_value_names_its_key_and_old_keys_still_decrypt(settings):
    settings.ASA_FIELD_KEYS = [KEY_A]
    under_a = encrypt("0812345678")
    settings.ASA_FIELD_KEYS = [KEY_B, KEY_A]
    under_b = encrypt("0812345678")
    assert stored_key_id(under_a) != stored_key_id(under_b) == crypto.current_key_id()
    assert decrypt(under_a) == decrypt(under_b) == "0812345678"
    settings.ASA_FIELD_KEYS = [KEY_B]
    with pytest.raises(DecryptionError):
        decrypt(under_a)


def test_a_tampered_value_is_refused(settings):
    settings.ASA_FIELD_KEYS = [KEY_A]
    sealed = encrypt("1103702071811")
    key_id, body = sealed.split(":")
    flipped = body[:-3] + ("A" if body[-3] != "A" else "B") + body[-2:]
    with pytest.raises(DecryptionError):
        decrypt(f"{key_id}:{flipped}")


def test_bad_key_settings_are_named(settings):
    settings.ASA_FIELD_KEYS = ["c2hvcnQ="]  # "short": 5 bytes
    with pytest.raises(ImproperlyConfigured, match="32 bytes"):
        encrypt("x")
    settings.ASA_FIELD_KEYS = []
    with pytest.raises(ImproperlyConfigured, match="empty"):
        encrypt("x")


def test_lookup_hashes_are_keyed_and_normalised(settings):
    for key in ("k" * 40, "ก" * 30, "x" * 100):  # short, multi-byte, longer than a block
        settings.ASA_LOOKUP_KEY = key
        expected = hmac.new(key.encode(), b"1103702071811", hashlib.sha256).hexdigest()
        assert lookup_hash("1103702071811") == expected  # plain HMAC-SHA256
    assert identity_hash("1-1037-02071-81-1") == identity_hash("1103702071811")
    assert identity_hash("aa 123") == identity_hash("AA123")
    assert phone_hash("+66 81-234 5678, 02-111-1111") == phone_hash("0812345678")
    assert lookup_hash("") == identity_hash("") == phone_hash("") == ""
    before = identity_hash("1103702071811")
    settings.ASA_LOOKUP_KEY = "other" * 8
    assert identity_hash("1103702071811") != before


@pytest.mark.django_db
def test_the_encrypted_field_refuses_lookups_on_ciphertext():
    from asa.centers.models import Volunteer
    from asa.registry.models import Person

    assert list(Person.objects.filter(id_number="")) == []  # "is it filled?" still works
    assert not Volunteer.objects.filter(phone__isnull=True).exists()
    with pytest.raises(FieldError, match="id_number_hash"):
        list(Person.objects.filter(id_number="1103702071811"))
    with pytest.raises(FieldError):
        list(Volunteer.objects.filter(national_id__startswith="110"))
    with pytest.raises(FieldError):
        list(Person.objects.filter(phone__contains="0812"))


def test_check_deploy_refuses_the_demo_keys_and_passes_real_ones(settings):
    settings.DEBUG = False
    settings.ASA_FIELD_KEYS = [DEMO_FIELD_KEY]
    settings.ASA_LOOKUP_KEY = DEMO_LOOKUP_KEY
    assert {error.id for error in crypto.check_field_keys()} == {"asa.E001", "asa.E002"}
    settings.ASA_FIELD_KEYS = [KEY_A, DEMO_FIELD_KEY]  # the demo key kept only to read old rows
    settings.ASA_LOOKUP_KEY = "short"
    assert {error.id for error in crypto.check_field_keys()} == {"asa.W001"}
    settings.ASA_LOOKUP_KEY = generate_key()
    assert crypto.check_field_keys() == []
    settings.DEBUG = True
    settings.ASA_FIELD_KEYS = [DEMO_FIELD_KEY]
    assert crypto.check_field_keys() == []
