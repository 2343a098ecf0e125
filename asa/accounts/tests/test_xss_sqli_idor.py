"""Abuse: stored XSS in free text, SQL injection in searches, ID probing, dead credentials.

Built on the scope walker's world and its PAGES / API tables (asa/accounts/tests/test_scope.py),
so every page and operation someone classifies there is covered here too:
- XSS: each field of each page write and API write is set, one at a time, to a script payload
  through the real page or operation; then every page is rendered and none may contain the
  payload unescaped (and the escaped payload must show up somewhere: it was stored).
- SQL injection: every query parameter of every page and list operation (the schema's for the
  API), set to injection strings: 200 or 4xx, never more rows than without the filter, and
  every table still there.
- IDOR: an ID of center A's object and an ID that does not exist look the same (status and
  body) to someone outside A, for every `/{id}` operation and object page.
- Dead credentials: revoked tokens, deactivated users, signed-out sessions, tampered tokens.
"""

import json
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from asa.accounts.actions import create_api_token, revoke_api_token
from asa.accounts.models import ApiToken
from asa.accounts.tests import test_scope
from asa.accounts.tests.test_scope import world  # noqa: F401  (the scope walker's world, a fixture)

# One payload per field: a script URL (for fields shown as links), a script element, an
# attribute break-out with an event handler, and a template tag.
PAYLOAD = (
    "javascript:alert({n})//<script>alert('{n}')</script>"
    '"><img src=x onerror=alert({n})>{{{{7*7}}}}'
)


class Injected(HTMLParser):
    """Collects markup that came from a payload: script text, event handlers, script URLs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self._in_script = tag == "script"
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action", "formaction") and value.strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}={value!r}>")

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script and "alert(" in data:
            self.found.append(f"<script>{data[:60]}</script>")


def _injected(html: str) -> list[str]:
    parser = Injected()
    parser.feed(html)
    parser.close()
    return parser.found


SQL = [
    "' OR 1=1 --",
    "%' ; DROP TABLE registry_person; --",
    "\u2019 OR \u20181\u2019=\u20181",  # typographic quotes
    "1 UNION SELECT username, password FROM accounts_user --",
    "\x00",
]


def _payload_values(number: int) -> list[str]:
    return [PAYLOAD.format(n=number)]


def _html(response) -> str:
    if response.streaming:
        return ""
    if not response.get("Content-Type", "").startswith("text/html"):
        return ""
    return response.content.decode(errors="replace")


def _all_pages(the_world, persona: str):
    client = the_world.clients[persona]
    for name, entry in sorted(test_scope.PAGES.items()):
        if "GET" not in entry.methods or entry.kind == "nobody":
            continue
        url = reverse(name, kwargs=entry.kwargs(the_world)) + entry.query(the_world)
        yield name, url, client.get(url)


def _store_payloads(the_world) -> int:
    """Write payloads through every page write and API write; how many were accepted."""
    stored = 0
    number = 0
    client = the_world.clients["admin_user"]
    for name, entry in sorted(test_scope.PAGES.items()):
        if "POST" not in entry.methods or entry.data is None:
            continue
        url = reverse(name, kwargs=entry.kwargs(the_world)) + entry.query(the_world)
        for field in sorted(entry.data(the_world)):
            if not isinstance(entry.data(the_world)[field], str):
                continue
            for value in _payload_values(number):
                number += 1
                data = entry.data(the_world) | {field: value}
                response = client.post(url, data)
                assert response.status_code < 500, (name, field)
                stored += response.status_code == 302
    api_client = the_world.api_clients["admin_user"]
    for key, entry in sorted(test_scope.API.items()):
        method, path = key.split(" ", 1)
        if method == "GET" or entry.data is None:
            continue
        url = path.format(**entry.kwargs(the_world)) + entry.query(the_world)
        for field in sorted(entry.data(the_world)):
            if not isinstance(entry.data(the_world)[field], str):
                continue
            for value in _payload_values(number):
                number += 1
                body = json.dumps(entry.data(the_world) | {field: value})
                response = api_client.generic(method, url, body, content_type="application/json")
                assert response.status_code < 500, (key, field)
                stored += response.status_code < 300
    return stored


def test_stored_markup_is_shown_escaped_on_every_page(world):  # noqa: F811
    assert _store_payloads(world) > 20
    problems, escaped_seen = [], 0
    for persona in ("admin_user", "volunteer_a"):
        for name, url, response in _all_pages(world, persona):
            assert response.status_code < 500, (persona, url)
            html = _html(response)
            problems += [f"{persona} {name} {url}: {found}" for found in _injected(html)]
            escaped_seen += html.count("&lt;script&gt;alert(")
    assert not problems, "\n".join(sorted(set(problems)))
    assert escaped_seen, "no page showed a stored payload: the test stored nothing visible"


def test_the_injection_detector_sees_injected_markup():
    assert _injected("<p>" + PAYLOAD.format(n=1) + "</p>")
    assert _injected(f'<a href="{PAYLOAD.format(n=1)}">x</a>')
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"
    assert not _injected(f'<p title="{escaped}">{escaped}</p>')


def test_api_answers_stored_markup_as_json_only(world):  # noqa: F811
    _store_payloads(world)
    client = world.api_clients["admin_user"]
    for key, entry in sorted(test_scope.API.items()):
        method, path = key.split(" ", 1)
        if method != "GET":
            continue
        response = client.get(path.format(**entry.kwargs(world)) + entry.query(world))
        assert response.status_code < 500, key
        content_type = response.get("Content-Type", "")
        assert not content_type.startswith("text/html"), (key, content_type)
        if content_type.startswith("application/json"):
            assert response["X-Content-Type-Options"] == "nosniff", key


# --- SQL injection ----------------------------------------------------------------------------


def _build_everything(the_world) -> None:
    """Make the world's lazily made objects (casework, goods, events) before counting rows."""
    for entry in [*test_scope.PAGES.values(), *test_scope.API.values()]:
        entry.kwargs(the_world)
        entry.query(the_world)


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        # The domain's tables (accounts logs reads and sign-in steps: those may grow).
        if model._meta.app_label in {"centers", "registry", "cases", "referrals", "aid"}
        and model._meta.managed
    }


def _count(response) -> int | None:
    if not response.get("Content-Type", "").startswith("application/json"):
        return None
    body = response.json()
    return body.get("count") if isinstance(body, dict) else None


def test_sql_injection_in_api_filters_is_harmless(world):  # noqa: F811
    from asa.api import api

    schema = api.get_openapi_schema()
    _build_everything(world)
    before = _row_counts()
    problems = []
    for persona in ("volunteer_b", "admin_user"):
        client = world.api_clients[persona]
        for path, item in sorted(schema["paths"].items()):
            operation = item.get("get")
            if operation is None or "{" in path:
                continue
            names = [
                parameter["name"]
                for parameter in operation.get("parameters", [])
                if parameter.get("in") == "query"
            ]
            entry = test_scope.API.get(f"GET {path}")
            base = dict(parse_qsl(entry.query(world).lstrip("?"))) if entry else {}
            plain = client.get(path, base)
            unfiltered = _count(plain)
            for name in names:
                if name in ("limit", "offset"):
                    continue
                for value in SQL:
                    response = client.get(path, base | {name: value})
                    label = f"{persona} GET {path}?{name}={value!r}"
                    if response.status_code >= 500 or response.status_code in (301, 302):
                        problems.append(f"{label}: {response.status_code}")
                        continue
                    count = _count(response)
                    if unfiltered is not None and count is not None and count > unfiltered:
                        problems.append(f"{label}: {count} rows, {unfiltered} without it")
    assert not problems, "\n".join(problems)
    assert _row_counts() == before


class SearchFields(HTMLParser):
    """The names of the inputs of a page's GET forms (its searches and filters)."""

    def __init__(self):
        super().__init__()
        self.names: set[str] = set()
        self._in_get_form = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._in_get_form = (attrs.get("method") or "get").lower() == "get"
        elif self._in_get_form and tag in ("input", "select", "textarea") and attrs.get("name"):
            self.names.add(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_get_form = False


def _search_fields(html: str) -> set[str]:
    parser = SearchFields()
    parser.feed(html)
    parser.close()
    return parser.names - {"csrfmiddlewaretoken"}


def test_sql_injection_in_page_filters_is_harmless(world):  # noqa: F811
    """Every input of every page's search and filter forms, and the page's own query."""
    _build_everything(world)
    before = _row_counts()
    problems, searched = [], 0
    client = world.clients["admin_user"]
    for name, entry in sorted(test_scope.PAGES.items()):
        if "GET" not in entry.methods or entry.kind == "nobody":
            continue
        path = reverse(name, kwargs=entry.kwargs(world))
        base = dict(parse_qsl(entry.query(world).lstrip("?")))
        fields = _search_fields(_html(client.get(path + entry.query(world))))
        searched += bool(fields)
        for parameter in sorted(set(base) | fields):
            for value in SQL:
                response = client.get(path + "?" + urlencode(base | {parameter: value}))
                if response.status_code >= 500:
                    problems.append(f"{name} ?{parameter}={value!r}: 5xx")
    assert not problems, "\n".join(problems)
    assert searched >= 5  # the people, cases, volunteers, directory... searches were found
    assert _row_counts() == before


# --- IDOR: existing and missing IDs look the same from outside ---------------------------------

OUTSIDERS = ("volunteer_b", "chair_b", "agency_user")
# Objects whose existence is public, where 403 ("you may not") is the documented answer:
# coordination centers (their names are shown to partners) and the One Home directory.
PUBLIC_EXISTENCE = {
    "GET /api/v1/dashboards/centers/{center_id}",
    "GET /api/v1/dashboards/centers/{center_id}/outcomes",
    "reports:center",
    "reports:center_outcomes",
    "referrals:agency_edit",
}


def _missing_kwargs(kwargs: dict) -> dict:
    return {
        key: (value + 10_000_000 if isinstance(value, int) else value)
        for key, value in kwargs.items()
    }


def _shape(response) -> tuple:
    body = response.content if not response.streaming else b""
    if response.get("Content-Type", "").startswith("application/json"):
        body = json.loads(body or b"{}")
        body = {key: value for key, value in body.items() if key == "detail"}
    return response.status_code, body


def test_an_outsider_cannot_tell_a_hidden_id_from_a_missing_one_in_the_api(world):  # noqa: F811
    problems = []
    for persona in OUTSIDERS:
        client = world.api_clients[persona]
        for key, entry in sorted(test_scope.API.items()):
            method, path = key.split(" ", 1)
            if method != "GET" or "{" not in path or persona in test_scope.KINDS[entry.kind]:
                continue
            if key in PUBLIC_EXISTENCE:
                continue
            kwargs = entry.kwargs(world)
            if not any(isinstance(value, int) for value in kwargs.values()):
                continue
            hidden = client.get(path.format(**kwargs))
            missing = client.get(path.format(**_missing_kwargs(kwargs)))
            if hidden.status_code < 400:
                problems.append(f"{persona} {key}: an out-of-scope object answered")
            if _shape(hidden) != _shape(missing):
                problems.append(
                    f"{persona} {key}: hidden {_shape(hidden)} vs missing {_shape(missing)}"
                )
    assert not problems, "\n".join(problems)


def test_an_outsider_cannot_tell_a_hidden_object_page_from_a_missing_one(world):  # noqa: F811
    problems = []
    for persona in OUTSIDERS:
        client = world.clients[persona]
        for name, entry in sorted(test_scope.PAGES.items()):
            if "GET" not in entry.methods or persona in test_scope.KINDS[entry.kind]:
                continue
            if name in PUBLIC_EXISTENCE:
                continue
            kwargs = entry.kwargs(world)
            if not any(isinstance(value, int) for value in kwargs.values()):
                continue
            query = entry.query(world)
            hidden = client.get(reverse(name, kwargs=kwargs) + query)
            missing = client.get(reverse(name, kwargs=_missing_kwargs(kwargs)) + query)
            if hidden.status_code < 400:
                problems.append(f"{persona} {name}: an out-of-scope page answered")
            if hidden.status_code != missing.status_code:
                problems.append(
                    f"{persona} {name}: hidden {hidden.status_code} vs missing "
                    f"{missing.status_code}"
                )
    assert not problems, "\n".join(problems)


# --- Dead credentials -------------------------------------------------------------------------


def _bearer(secret: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {secret}"})


def test_a_revoked_token_cannot_write_and_changes_nothing(chair_a, center_a):
    token, secret = create_api_token(actor=chair_a, user=chair_a, name="stolen")
    revoke_api_token(actor=chair_a, token=token)
    response = _bearer(secret).patch(
        f"/api/v1/centers/{center_a.pk}", {"venue": "ถูกแก้"}, content_type="application/json"
    )
    assert response.status_code == 401
    center_a.refresh_from_db()
    assert center_a.venue != "ถูกแก้"


def test_a_token_of_a_deleted_user_is_refused(db):
    from asa.conftest import make_user

    user = make_user("leaver")
    _, secret = create_api_token(actor=None, user=user, name="t")
    user.delete()
    assert _bearer(secret).get("/api/v1/centers").status_code == 401


@pytest.mark.parametrize(
    "mangle",
    [
        lambda secret: secret[:-1] + ("A" if secret[-1] != "A" else "B"),  # one character off
        lambda secret: secret.upper(),
        lambda secret: secret + " ",
        lambda secret: secret[:12],  # the prefix shown in the UI is not the token
        lambda secret: " " + secret,
    ],
)
def test_a_tampered_token_is_refused(chair_a, mangle):
    _, secret = create_api_token(actor=chair_a, user=chair_a, name="t")
    response = Client(headers={"Authorization": f"Bearer {mangle(secret)}"}).get("/api/v1/centers")
    assert response.status_code == 401


def test_a_token_hash_from_the_database_is_not_a_token(chair_a):
    token, _ = create_api_token(actor=chair_a, user=chair_a, name="t")
    stored = ApiToken.objects.get(pk=token.pk).key_hash
    assert _bearer(stored).get("/api/v1/centers").status_code == 401
    assert _bearer("asa_" + stored).get("/api/v1/centers").status_code == 401


def test_a_signed_out_session_cannot_use_the_api(client_for, chair_a):
    client = client_for(chair_a)
    assert client.get("/api/v1/centers").status_code == 200
    client.post(reverse("accounts:logout"))
    assert client.get("/api/v1/centers").status_code == 401


def test_an_expired_session_cannot_use_the_api(client_for, chair_a):
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client = client_for(chair_a)
    assert client.get("/api/v1/centers").status_code == 200
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timezone.timedelta(seconds=1)
    )
    assert client.get("/api/v1/centers").status_code == 401
    assert client.get(reverse("home")).status_code == 302  # back to the login page


def test_a_token_follows_its_users_roles_at_once(officer, center_a):
    """A role taken away applies to the very next request of the token (no cached scope)."""
    from asa.accounts.actions import remove_role

    _, secret = create_api_token(actor=officer, user=officer, name="t")
    client = _bearer(secret)
    assert client.get(f"/api/v1/centers/{center_a.pk}").status_code == 200
    for assignment in officer.role_assignments.all():
        remove_role(actor=None, assignment=assignment)
    assert client.get(f"/api/v1/centers/{center_a.pk}").status_code == 404


# --- NUL bytes (PostgreSQL cannot hold them: a DataError, once a 500) ---------------------------


def test_a_nul_byte_anywhere_is_a_400_that_names_the_field(client_for, chair_a, center_a):
    client = client_for(chair_a)
    response = client.get(f"/centers/{center_a.pk}/", {"q": "สม\x00ใจ"})
    assert response.status_code == 400
    assert "q" in response.content.decode()
    response = client.get("/api/v1/volunteers", {"q": "\x00"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "q"
    response = client.post(
        "/api/v1/cases", '{"story": "a\\u0000b"}', content_type="application/json"
    )
    assert response.status_code == 400
    response = client.post(f"/centers/{center_a.pk}/edit/", {"venue": "x\x00"})
    assert response.status_code == 400
    center_a.refresh_from_db()
    assert "\x00" not in center_a.venue
