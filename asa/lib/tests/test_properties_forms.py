"""Every form of every app, fed garbage: it is valid or says which field is wrong, never crashes.

Forms are found, not listed: each Form class in `asa/<app>/forms.py` and `asa/lib/forms.py`
is fed random, Thai, huge, control-character, markup and SQL values for every field (and
random bytes for file fields). The properties:
- `is_valid()` never raises; every error is keyed by a field of the form (or `__all__`) and
  says something;
- the bound form renders (a page with errors shows the form again);
- a form that says it is valid has cleaned data for every field.

The pages behind the forms are fuzzed too: every page write the scope walker knows
(`PAGES` in asa/accounts/tests/test_scope.py, with valid data) is posted with one field
replaced by garbage, as the ministry admin (who may write everything): never a 5xx, and a
refused write (the form shown again) changes nothing.

A form whose constructor takes an argument this file does not know fails
`test_it_knows_how_to_build_every_form`: add a line to `_argument`.
"""

import datetime as dt
import importlib
import inspect
import pkgutil

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from hypothesis import given, note, settings
from hypothesis import strategies as st

import asa
from asa.accounts.models import AuditEvent, Channel
from asa.accounts.tests.test_scope import world  # noqa: F401  (the scope walker's world, a fixture)
from asa.lib.tests.strategies import TEXT


def _form_modules():
    names = [
        f"asa.{module.name}.forms" for module in pkgutil.iter_modules(asa.__path__) if module.ispkg
    ]
    found = []
    for name in [*names, "asa.lib.forms"]:
        try:
            found.append(importlib.import_module(name))
        except ModuleNotFoundError as error:
            if error.name != name:
                raise
    return found


def _form_classes() -> list[type[forms.BaseForm]]:
    classes = {}
    for module in _form_modules():
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, forms.BaseForm)
                and value.__module__ == module.__name__
            ):
                classes[f"{module.__name__}.{name}"] = value
    return [classes[key] for key in sorted(classes)]


FORMS = _form_classes()


def _keyword_arguments(form_class) -> list[inspect.Parameter]:
    signature = inspect.signature(form_class.__init__)
    return [
        parameter
        for parameter in signature.parameters.values()
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY
    ]


class Things:
    """Real objects the forms' constructors take (a case, an agency, querysets), made once."""

    def __init__(self, center):
        from asa.aid.models import Item, Piece
        from asa.cases.actions import open_case
        from asa.centers.models import Center, Volunteer
        from asa.geo.models import District, Province
        from asa.referrals.actions import hold_conference, register_agency
        from asa.referrals.models import AgencyKind, Service
        from asa.registry.actions import register_person

        person = register_person(
            actor=None,
            first_name="ทดสอบ",
            last_name="แบบฟอร์ม",
            birth_date=dt.date(1950, 1, 1),
            subdistrict=center.subdistrict.code,
            check_duplicates=False,
        )
        self.case = open_case(actor=None, person=person, source="field", story="ทดสอบ")
        from asa.accounts.models import Role
        from asa.conftest import make_user

        self.ministry_admin = make_user("forms.admin", Role.MINISTRY_ADMIN)
        self.agency = register_agency(
            actor=None, name_th="หน่วยงานทดสอบแบบฟอร์ม", kind=AgencyKind.SHELTER_DESTITUTE
        )
        self.conference = hold_conference(
            actor=None,
            case=self.case,
            held_on=timezone.localdate(),
            decisions="มติทดสอบ",
            agencies=[self.agency],
        )
        self.querysets = {
            "centers": Center.objects.all(),
            "partner_centers": Center.objects.all(),
            "items": Item.objects.all(),
            "pieces": Piece.objects.all(),
            "volunteers": Volunteer.objects.all(),
            "services": Service.objects.all(),
            "provinces": Province.objects.all(),
            "districts": District.objects.filter(province_id="10"),
        }


def _argument(name: str, things: Things):
    """The value to pass a form constructor's keyword-only argument `name`."""
    if name in things.querysets:
        return things.querysets[name]
    known = {
        "case": things.case,
        "agency": things.agency,
        "conference": things.conference,
        "channel": Channel.EMAIL,
        "creating": True,
        "with_serials": True,
    }
    if name in known:
        return known[name]
    if name == "grantor":  # user management: who gives the roles (the ministry: any role)
        return things.ministry_admin
    raise LookupError(name)


def _build(form_class, things: Things, data=None, files=None):
    kwargs = {}
    for parameter in _keyword_arguments(form_class):
        try:
            kwargs[parameter.name] = _argument(parameter.name, things)
        except LookupError:
            if parameter.default is inspect.Parameter.empty:
                raise
    return form_class(data, files, **kwargs)


@pytest.fixture
def things(center_a):
    return Things(center_a)


def test_it_finds_the_forms():
    names = {form.__name__ for form in FORMS}
    assert {"PersonForm", "VisitForm", "VolunteerForm", "DonationForm", "AddressForm"} <= names
    assert len(FORMS) >= 40


def _each_form(check) -> None:
    """Run check(form_class) for every form; fail once, listing every form that failed."""
    problems = []
    for form_class in FORMS:
        try:
            check(form_class)
        except Exception as error:  # collect every form's problem, then fail
            problems.append(f"{form_class.__module__}.{form_class.__name__}: {error!r:.3000}")
    assert not problems, "\n".join(problems)


def test_it_knows_how_to_build_every_form(things):
    def check(form_class):
        try:
            form = _build(form_class, things)
        except LookupError as error:
            raise AssertionError(
                f"it takes `{error}`: say how to make one in _argument "
                "(asa/lib/tests/test_properties_forms.py)"
            ) from None
        str(form)  # the empty form renders

    _each_form(check)


def _field_values(field: forms.Field):
    """A strategy for what a browser could send for one field: a list of values."""
    if isinstance(field, forms.FileField):
        upload = st.builds(
            lambda name, content: SimpleUploadedFile(name or "x", content),
            st.sampled_from(["photo.jpg", "scan.png", "a.exe", "", "ภาพ.jpeg", "../x.png"]),
            st.one_of(
                st.binary(max_size=200),
                st.just(b"\x89PNG\r\n\x1a\n" + b"\x00" * 50),
                st.just(b"\xff\xd8\xff\xe0" + b"junk" * 20),
            ),
        )
        return st.lists(upload, max_size=2)
    values = st.lists(TEXT, min_size=1, max_size=3)
    if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
        choices = [str(value) for value, _label in field.choices if not isinstance(_label, list)]
        if choices:
            values = st.one_of(values, st.lists(st.sampled_from(choices), min_size=1, max_size=2))
    return values


def _form_data(form, draw) -> tuple[MultiValueDict, MultiValueDict]:
    data, files = MultiValueDict(), MultiValueDict()
    for name, field in form.fields.items():
        key = form.add_prefix(name)
        if not draw(st.booleans()) and not field.required:
            continue  # leave some fields out, as a browser does with unchecked boxes
        values = draw(_field_values(field))
        if isinstance(field, forms.FileField):
            files.setlist(key, values)
        else:
            data.setlist(key, values)
    # A field the form does not have, and a management-form-looking key.
    data.setlist("unknown_field", [draw(TEXT)])
    return data, files


def _check_form(form_class, things, draw, *, render: bool = True):
    empty = _build(form_class, things)
    data, files = _form_data(empty, draw)
    note(f"{form_class.__name__} data={dict(data.lists())!r:.2000}")
    form = _build(form_class, things, data=data, files=files)
    valid = form.is_valid()
    allowed = set(form.fields) | {forms.forms.NON_FIELD_ERRORS}
    assert set(form.errors) <= allowed, form.errors
    for field, messages in form.errors.items():
        assert messages, field
        assert all(str(message).strip() for message in messages), (field, messages)
    if valid:
        missing = set(form.fields) - set(form.cleaned_data)
        assert not missing, missing
    if render:
        str(form)  # the page shows the bound form again, errors and all


def test_it_never_crashes_on_garbage(things):
    def check(form_class):
        rendered = []

        @settings(max_examples=6)
        @given(st.data())
        def fuzz(data):
            _check_form(form_class, things, data.draw, render=len(rendered) < 2)
            rendered.append(True)

        fuzz()
        assert len(rendered) >= 3, "hypothesis ran (almost) no examples"

    _each_form(check)


def test_it_refuses_a_key_too_large_for_the_database(things):
    """A tampered select (2**90 as an ID) is a field error: SQLite overflowed on it (a 500)."""

    def check(form_class):
        empty = _build(form_class, things)
        for name, field in empty.fields.items():
            if not isinstance(field, forms.ModelChoiceField):
                continue
            values = [str(2**90)]
            if isinstance(field, forms.ModelMultipleChoiceField):
                values.append("1")
            form = _build(form_class, things, data=MultiValueDict({empty.add_prefix(name): values}))
            assert not form.is_valid()
            assert name in form.errors, (name, form.errors)

    _each_form(check)


def test_an_area_code_with_a_nul_byte_chooses_nothing(things):
    """Regression: a NUL byte in a posted area code reached PostgreSQL (DataError, a 500)."""
    from asa.lib.forms import AddressForm

    data = {"province": "10\x00", "district": "1005\x00", "subdistrict": "\x00100502"}
    form = AddressForm(data)
    assert not form.is_valid()
    assert {"province", "district", "subdistrict"} <= set(form.errors)
    str(form)


# --- The pages behind the forms ---------------------------------------------------------------


def _page_writes():
    from asa.accounts.tests import test_scope

    return sorted(
        (name, entry)
        for name, entry in test_scope.PAGES.items()
        if "POST" in entry.methods and entry.data is not None
    )


def _fingerprint() -> int:
    """Writes leave audit events (reads, if they are ever logged, do not count)."""
    return (
        AuditEvent.objects.exclude(action__startswith="view")
        .exclude(action__startswith="read")
        .count()
    )


def _garbage_poster(client, name: str, url: str, valid: dict):
    fields = sorted(valid) or ["anything"]

    @settings(max_examples=6)
    @given(field=st.sampled_from(fields), value=st.lists(TEXT, min_size=1, max_size=2))
    def check(field, value):
        data = MultiValueDict(
            {
                key: [str(part) for part in (item if isinstance(item, list) else [item])]
                for key, item in valid.items()
            }
        )
        data.setlist(field, value)
        before = _fingerprint()
        response = client.post(url, data)
        assert response.status_code < 500, (name, field, value)
        if response.status_code == 200:
            # The form came back with an error: nothing was written.
            assert _fingerprint() == before, (name, field, value)

    return check


def test_every_page_write_survives_garbage(world):  # noqa: F811 (the imported fixture)
    """Each page write, with one field at a time replaced by garbage: no 5xx, no half-write."""
    from django.urls import reverse

    client = world.clients["admin_user"]
    problems = []
    for name, entry in _page_writes():
        url = reverse(name, kwargs=entry.kwargs(world)) + entry.query(world)
        try:
            _garbage_poster(client, name, url, entry.data(world))()
        except Exception as error:  # collect every page's problem, then fail
            problems.append(f"{name}: {type(error).__name__}: {error}")
    assert not problems, "\n".join(problems)


def test_a_quantity_past_the_database_integer_is_refused(world):  # noqa: F811
    """Quantities go into integer columns: one past their range is a field error, not a 500."""
    from django.urls import reverse

    from asa.accounts.tests.test_scope import PAGES

    entry = PAGES["aid:donation_create"]
    url = reverse("aid:donation_create", kwargs=entry.kwargs(world))
    for quantity in ["999999999999", "1e20", "2147483648"]:
        data = entry.data(world) | {"lines-0-quantity": quantity}
        before = _fingerprint()
        response = world.clients["admin_user"].post(url, data)
        assert response.status_code == 200, quantity
        assert _fingerprint() == before, quantity
