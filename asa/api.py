"""The JSON API at /api/v1/: each app's router, one authentication, one error shape."""

import inspect

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.http.request import RawPostDataException
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, HttpBearer

from asa.accounts.actions import user_for_token
from asa.accounts.reads import AccessReasonRequired


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>` from `asa token create` or the tokens page."""

    def authenticate(self, request, token):
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The signed-in browser session (CSRF-checked for writes), so pages can call the API."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request):
        # Without a session cookie there is nothing to check CSRF for: a bad or missing token
        # must answer 401, not the CSRF failure's 403.
        if self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


DESCRIPTION = """API ของ Asa (อาสา): ศูนย์ประสานงาน อพม. และ อพม.

**Authentication.** Every endpoint needs `Authorization: Bearer <token>` (make one with
`asa token create USERNAME` or on the tokens page) or a signed-in browser session (writes then
need the CSRF token). Missing, unknown or revoked token: **401**.

**Conventions.** Lists answer `{"items": [...], "count": N}` and take `limit` and `offset`.
One resource lives at `/{id}` (areas at `/{code}`). Filters are query parameters named after the
field (`?center=<id>`). Dates are ISO, Common Era (`YYYY-MM-DD`); a Buddhist Era year typed into
a date (2562-03-11) is refused with a message saying so.

**Errors.** Every error has the same shape, in Thai, naming the field:
`{"detail": "...", "errors": [{"field": "national_id", "message": "..."}]}`.

Every operation documents the error answers it may give, with this body (`ApiError`).

* **400** the request cannot be read: a body that is not JSON (a form or multipart body sent to
  an operation that takes JSON), a NUL character anywhere.
* **401** not signed in.
* **404** the object does not exist *or is outside your scope* (its existence is not revealed).
* **403** you may read the object but not change it.
* **428** reading one person, household or case outside your routine work (an officer or the
  ministry opening a record of someone they have not worked on) needs a reason: send it in the
  `X-Access-Reason` header (URL-encoded UTF-8) or as `?reason=` (at least 10 characters). Every
  such read is logged with the reason for the data protection officer (`/api/v1/audit-events`).
* **409** the object changed since you read it (writes that take its `version`).
* **429** too many requests: wait `Retry-After` seconds.
* **422** the input is invalid; nothing was saved. A whole number past 64 bits (an id, an
  `offset`) is a 422 on its field. Naming a center or area you may not use in
  the body (e.g. `center` when registering a volunteer) is a 422 on that field.

Area data: GeoThai (DOPA codes), CC BY 4.0.
"""


class ApiFieldError(Schema):
    field: str | None = Field(
        None, description="the field (body, query, path or header) at fault; null: the request"
    )
    message: str


class ApiError(Schema):
    """Every error answer: a Thai message, and for bad input one entry per field at fault."""

    detail: str = Field(..., description="what went wrong, in Thai")
    errors: list[ApiFieldError] = Field(default_factory=list)


# The error answers an operation may give, documented on every operation they apply to.
ERROR_ANSWERS = {
    400: "Malformed request: a body that is not JSON (or not the content type the operation "
    "takes), a NUL character in the address, query, body or a header.",
    401: "Not signed in: missing, unknown, expired or revoked token.",
    403: "You may see the object but not change it, or a session write without its CSRF token.",
    404: "The object does not exist or is outside your scope (its existence is not revealed).",
    409: "The object changed since you read it: send the current `version` (read it again).",
    413: "The request body is larger than the server accepts.",
    422: "Invalid input, nothing was saved: `errors` names each field at fault.",
    428: "An out-of-routine read of one person, household or case: give a reason "
    "(`X-Access-Reason` header or `reason` query parameter, at least 10 characters).",
    429: "Too many requests: wait the seconds in `Retry-After` and try again.",
}
ALWAYS = (400, 401, 403, 404, 422, 429)
REASON_PARAMETERS = [
    {
        "in": "header",
        "name": "X-Access-Reason",
        "required": False,
        "schema": {"type": "string", "maxLength": 1500},
        "description": "Why you open this record, when it is outside your routine work "
        "(URL-encoded UTF-8, at least 10 characters once decoded); without one such a read "
        "answers 428. Logged with the read for the data protection officer.",
    },
    {
        "in": "query",
        "name": "reason",
        "required": False,
        "schema": {"type": "string", "maxLength": 500},
        "description": "The same reason as a query parameter (when a header cannot be sent).",
    },
]


class AsaAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI document also shows the error answers every operation gives (they
    come from exception handlers and middleware, which ninja does not see) and the access
    reason of the operations that read one person's, household's or case's record."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        document = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schemas = document["components"]["schemas"]
        error_schema = ApiError.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(error_schema.pop("$defs", {}))
        schemas["ApiError"] = error_schema
        reads_a_record = self._operations_reading_a_record()
        for item in document["paths"].values():
            for operation in item.values():
                self._document_errors(operation, operation["operationId"] in reads_a_record)
        return document

    def _operations_reading_a_record(self) -> set[str]:
        """The operations whose view logs a record read (and so may answer 428)."""
        found = set()
        for router in self._get_bound_routers():
            for path_view in router.path_operations.values():
                for operation in path_view.operations:
                    view = inspect.unwrap(operation.view_func)  # through @paginate
                    if "read_api" in view.__code__.co_names:
                        found.add(
                            operation.operation_id or self.get_openapi_operation_id(operation)
                        )
        return found

    @staticmethod
    def _document_errors(operation: dict, reads_a_record: bool) -> None:
        answers = operation["responses"]
        codes = list(ALWAYS)
        if "requestBody" in operation:
            codes.append(413)
        if reads_a_record:
            codes.append(428)
            names = {parameter["name"] for parameter in operation.get("parameters", [])}
            operation.setdefault("parameters", []).extend(
                parameter for parameter in REASON_PARAMETERS if parameter["name"] not in names
            )
        if 409 in answers:
            codes.append(409)
        reference = {"$ref": "#/components/schemas/ApiError"}
        for code in sorted(codes):
            declared = answers.get(code)
            if declared and declared.get("content", {}).get("application/json", {}).get("schema"):
                schema = declared["content"]["application/json"]["schema"]
                if schema.get("type") != "object" or "properties" in schema:
                    continue  # the operation documents its own error body (e.g. candidates)
            answer = {
                "description": ERROR_ANSWERS[code],
                "content": {"application/json": {"schema": reference}},
            }
            if code == 429:
                answer["headers"] = {
                    "Retry-After": {
                        "description": "seconds to wait",
                        "schema": {"type": "integer"},
                    }
                }
            answers[code] = answer


api = AsaAPI(
    title="Asa API",
    version="1",
    description=DESCRIPTION,
    auth=[BearerToken(), SessionAuth(csrf=True)],
    urls_namespace="api",
)


def _field_errors(error: ValidationError) -> list[dict]:
    if hasattr(error, "error_dict"):
        return [
            {"field": field, "message": " ".join(str(m) for message in messages for m in message)}
            for field, messages in error.error_dict.items()
        ]
    return [{"field": None, "message": " ".join(error.messages)}]


@api.exception_handler(ValidationError)
def on_validation_error(request, error: ValidationError):
    errors = _field_errors(error)
    return api.create_response(
        request,
        {"detail": errors[0]["message"] if errors else "ข้อมูลไม่ถูกต้อง", "errors": errors},
        status=422,
    )


@api.exception_handler(NinjaValidationError)
def on_schema_error(request, error: NinjaValidationError):
    errors = []
    for item in error.errors:
        # ("body", "payload", "skills", 0) names the field "skills": list positions are not fields.
        location = [
            str(part)
            for part in item.get("loc", [])
            if part not in ("body", "payload") and not isinstance(part, int)
        ]
        field = location[-1] if location else None
        errors.append({"field": field, "message": _thai_schema_message(item)})
    return api.create_response(
        request,
        {"detail": errors[0]["message"] if errors else "ข้อมูลไม่ถูกต้อง", "errors": errors},
        status=422,
    )


def _thai_schema_message(item: dict) -> str:
    kind = item.get("type", "")
    messages = {
        "missing": "จำเป็นต้องกรอกช่องนี้",
        "date_from_datetime_parsing": "รูปแบบวันที่ไม่ถูกต้อง (ใช้ YYYY-MM-DD ปี ค.ศ.)",
        "date_parsing": "รูปแบบวันที่ไม่ถูกต้อง (ใช้ YYYY-MM-DD ปี ค.ศ.)",
        "int_parsing": "ต้องเป็นตัวเลขจำนวนเต็ม",
        "string_too_long": "ข้อความยาวเกินกำหนด",
        "enum": "ค่าที่เลือกไม่อยู่ในรายการที่กำหนด",
        "literal_error": "ค่าที่เลือกไม่อยู่ในรายการที่กำหนด",
        "bool_parsing": "ต้องเป็น true หรือ false",
        "string_type": "ต้องเป็นข้อความ",
        "string_pattern_mismatch": "รูปแบบไม่ถูกต้อง",
        "string_too_short": "ข้อความสั้นเกินไป",
        "greater_than_equal": "ค่าน้อยเกินกำหนด",
        "greater_than": "ค่าน้อยเกินกำหนด",
        "less_than_equal": "ค่ามากเกินกำหนด",
        "less_than": "ค่ามากเกินกำหนด",
        "int_type": "ต้องเป็นตัวเลขจำนวนเต็ม",
        "list_type": "ต้องเป็นรายการ (list)",
        "extra_forbidden": "ไม่มีช่องนี้ หรือช่องนี้แก้ไขด้วยคำขอนี้ไม่ได้",
        "model_attributes_type": "ข้อมูลต้องเป็น JSON object",
        "dict_type": "ข้อมูลต้องเป็น JSON object",
        "value_error": str(item.get("msg", "")).removeprefix("Value error, "),
    }
    return messages.get(kind) or messages.get(kind.split(".")[0]) or "ข้อมูลไม่ถูกต้อง"


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, error):
    return api.create_response(request, {"detail": "ไม่มีสิทธิ์ดำเนินการนี้"}, status=403)


@api.exception_handler(Http404)
def on_not_found(request, error):
    # Endpoints may say what was not found ("ไม่พบจังหวัดรหัส 99"); Django's own English
    # messages are not shown.
    message = str(error)
    detail = message if any("\u0e00" <= char <= "\u0e7f" for char in message) else "ไม่พบข้อมูล"
    return api.create_response(request, {"detail": detail}, status=404)


@api.exception_handler(HttpError)
def on_http_error(request, error: HttpError):
    messages = {
        400: "คำขอไม่ถูกต้อง (ตรวจสอบรูปแบบ JSON)",
        403: "ไม่มีสิทธิ์ดำเนินการนี้ (ตรวจสอบ CSRF token)",
        404: "ไม่พบข้อมูล",
    }
    detail = messages.get(error.status_code, "คำขอไม่ถูกต้อง")
    return api.create_response(request, {"detail": detail}, status=error.status_code)


@api.exception_handler(RawPostDataException)
def on_unreadable_body(request, error):
    # A form or multipart body sent to an operation that takes JSON: the NUL-byte check has
    # read it as a form already, and it is not JSON anyway.
    message = "ส่งข้อมูลในรูปแบบ JSON (Content-Type: application/json)"
    return api.create_response(
        request, {"detail": message, "errors": [{"field": None, "message": message}]}, status=400
    )


@api.exception_handler(AccessReasonRequired)
def on_reason_required(request, error: AccessReasonRequired):
    return api.create_response(
        request,
        {"detail": error.message, "errors": [{"field": "reason", "message": error.message}]},
        status=428,
    )


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, error):
    return api.create_response(request, {"detail": "กรุณายืนยันตัวตน"}, status=401)


def _mount_routers() -> None:
    from asa.accounts.api import router as accounts_router
    from asa.accounts.audit_api import router as audit_router
    from asa.aid.api import router as aid_router
    from asa.cases.api import router as cases_router
    from asa.centers.api import router as centers_router
    from asa.field.api import router as field_router
    from asa.geo.api import router as geo_router
    from asa.privacy.api import router as privacy_router
    from asa.referrals.api import router as referrals_router
    from asa.registry.api import router as registry_router
    from asa.reports.api import router as reports_router

    api.add_router("", geo_router)
    api.add_router("", centers_router)
    api.add_router("", accounts_router)
    api.add_router("", audit_router)
    api.add_router("", registry_router)
    api.add_router("", cases_router)
    api.add_router("", referrals_router)
    api.add_router("", aid_router)
    api.add_router("", privacy_router)
    api.add_router("", reports_router)
    api.add_router("", field_router)


_mount_routers()
