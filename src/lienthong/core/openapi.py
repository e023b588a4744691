"""The platform's NinjaAPI: every answer the framework gives is in the OpenAPI schema, and an
unknown /api/ address answers JSON.

Some answers come from the framework, not from an endpoint's code, so no `response={…}` names
them: 422 from request validation (the `errors` are a list of {loc, msg, type}, beside the
per-field object an endpoint documents for its own 422), 400 for a body that is not JSON, 401
without a session or key (a write without a session too, whatever its CSRF token), 403 when a
logged-in caller's write lacks its CSRF token, and 404 for a path parameter naming nothing.
`complete_error_responses` adds those to every operation they can happen on, so clients and
the API fuzzer (tests/test_api_fuzz.py) know them.

Schemas are named by their class, and several apps have a class of the same name (`MeOut`,
`StepOut`, …). django-ninja builds each operation's schema on its own and keeps the last
definition of a name, so an operation would document another app's shape. `UniqueNamesSchema`
gives a name to the first class that uses it and the module-qualified name
(`lienthong__exchange__clients__api__MeOut`) to the others, unless their definitions are the
same (the many `ErrorOut`s: `merge_twins`); a name defined twice differently is refused when
the schema is built.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, URLPattern, URLResolver, re_path, resolve
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.openapi.schema import REF_TEMPLATE, OpenAPISchema
from ninja.schema import NinjaGenerateJsonSchema
from pydantic.json_schema import CoreModeRef, DefsRef, JsonSchemaMode

DETAIL: dict[str, Any] = {
    "type": "object",
    "required": ["detail"],
    "properties": {"detail": {"type": "string"}},
}
REQUEST_ERRORS: dict[str, Any] = {
    "type": "object",
    "required": ["detail", "errors"],
    "properties": {
        "detail": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"}},
    },
}
COMPONENTS = "#/components/schemas/"
#: django-ninja's message when a cookie-authenticated write lacks its CSRF token.
NINJA_CSRF_REFUSAL = "CSRF check Failed"
UNSAFE_METHODS = frozenset({"post", "put", "patch", "delete"})


def _response(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _add(responses: dict[Any, Any], status: int, description: str, schema: dict[str, Any]) -> None:
    if status not in responses and str(status) not in responses:
        responses[status] = _response(description, schema)


def _accept_request_errors(responses: dict[Any, Any]) -> None:
    """422: the endpoint's own answer, or the request-validation one."""
    key = 422 if 422 in responses else "422" if "422" in responses else None
    if key is None:
        responses[422] = _response("Dữ liệu vào không hợp lệ", REQUEST_ERRORS)
        return
    content = responses[key].setdefault("content", {})
    body = content.setdefault("application/json", {})
    documented = body.get("schema")
    if documented is None or documented == REQUEST_ERRORS:
        body["schema"] = REQUEST_ERRORS
    elif REQUEST_ERRORS not in documented.get("anyOf", []):
        body["schema"] = {"anyOf": [documented, REQUEST_ERRORS]}


def complete_error_responses(schema: dict[str, Any]) -> None:
    """Add the framework's error answers to every operation of `schema` (in place)."""
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            parameters = operation.get("parameters", [])
            if parameters or "requestBody" in operation:
                _accept_request_errors(responses)
            if "requestBody" in operation:
                _add(responses, 400, "Thân yêu cầu không đọc được", DETAIL)
            if operation.get("security"):
                _add(responses, 401, "Chưa đăng nhập", DETAIL)
                if method in UNSAFE_METHODS:
                    _add(responses, 403, "Không có quyền, hoặc thiếu mã CSRF", DETAIL)
            if any(parameter.get("in") == "path" for parameter in parameters):
                _add(responses, 404, "Không tìm thấy", DETAIL)


def _rename_refs(node: Any, names: dict[str, str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(COMPONENTS):
            node["$ref"] = COMPONENTS + names.get(ref[len(COMPONENTS) :], ref[len(COMPONENTS) :])
        for value in node.values():
            _rename_refs(value, names)
    elif isinstance(node, list):
        for value in node:
            _rename_refs(value, names)


def merge_twins(schema: dict[str, Any]) -> None:
    """Refer to a module-qualified component by its short name where both define the same
    shape, and drop it (in place)."""
    schemas = schema.get("components", {}).get("schemas", {})
    while True:
        twins = {
            name: name.rsplit("__", 1)[1]
            for name, definition in schemas.items()
            if "__" in name and schemas.get(name.rsplit("__", 1)[1]) == definition
        }
        if not twins:
            return
        for name in twins:
            del schemas[name]
        _rename_refs(schema, twins)


@csrf_exempt  # it writes nothing; else a write to a missing address got Django's HTML 403
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """An /api/ address no operation serves: 404 in JSON, like a missing object; an address
    served with a trailing slash is redirected there, as CommonMiddleware's APPEND_SLASH did."""
    if settings.APPEND_SLASH and not request.path_info.endswith("/"):
        try:
            match = resolve(request.path_info + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not not_found:
            return HttpResponsePermanentRedirect(request.get_full_path(force_append_slash=True))
    return JsonResponse({"detail": "Không tìm thấy."}, status=404)


class UniqueNamesSchema(OpenAPISchema):
    """The OpenAPI schema with one component name per schema class (see the module notes)."""

    def __init__(self, api: NinjaAPI, path_prefix: str) -> None:
        owners: dict[str, str] = {}

        class Generator(NinjaGenerateJsonSchema):
            def get_defs_ref(self, core_mode_ref: CoreModeRef) -> DefsRef:
                defs_ref = super().get_defs_ref(core_mode_ref)
                choices = self._prioritized_defsref_choices[defs_ref]
                # pydantic's choices: name, name-Mode, then module-qualified ones (unique).
                owner = choices[2]
                self._prioritized_defsref_choices[defs_ref] = [
                    choice for choice in choices if owners.setdefault(choice, owner) == owner
                ]
                return defs_ref

        self.generator = Generator
        super().__init__(api, path_prefix)

    def _create_schema_from_model(
        self,
        model: Any,
        by_alias: bool = True,
        remove_level: bool = True,
        mode: JsonSchemaMode = "validation",
    ) -> tuple[dict[str, Any], bool]:
        # django-ninja's own, with the generator above instead of NinjaGenerateJsonSchema.
        if hasattr(model, "__ninja_flatten_map__"):
            return super()._create_schema_from_model(model, by_alias, remove_level, mode)
        schema = model.model_json_schema(
            ref_template=REF_TEMPLATE,
            by_alias=by_alias,
            schema_generator=self.generator,
            mode=mode,
        ).copy()
        if schema.get("$defs"):
            self.add_schema_definitions(schema.pop("$defs"))
        if remove_level and len(schema["properties"]) == 1:
            name, details = next(iter(schema["properties"].items()))
            return details, name in schema.get("required", {})
        return schema, True

    def add_schema_definitions(self, definitions: dict[str, Any]) -> None:
        for name, definition in definitions.items():
            if self.schemas.get(name, definition) != definition:
                raise ImproperlyConfigured(f"two OpenAPI schemas are named {name!r}")
        super().add_schema_definitions(definitions)


class DocumentedAPI(NinjaAPI):
    """NinjaAPI whose schema names the framework's error answers and whose unknown addresses
    answer JSON (a path parameter the URL converter refuses, e.g. a negative id, included)."""

    def on_exception(self, request: HttpRequest, exc: Exception | type[Exception]) -> HttpResponse:
        # django-ninja's session auth checks the CSRF token before it looks for a session, so
        # an anonymous write got 403 "CSRF check Failed" where an anonymous read gets 401.
        # Without a session there is nothing to forge: answer the same 401. A logged-in
        # caller's write without its token is still refused with the 403.
        if (
            isinstance(exc, HttpError)
            and not isinstance(exc, AuthenticationError)
            and exc.status_code == 403
            and str(exc) == NINJA_CSRF_REFUSAL
            and not getattr(request, "user", AnonymousUser()).is_authenticated
        ):
            exc = AuthenticationError()
        return super().on_exception(request, exc)

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        schema = UniqueNamesSchema(self, path_prefix)
        merge_twins(schema)
        complete_error_responses(schema)
        return schema

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        return [*super()._get_urls(), re_path(r"^(?P<rest>[\s\S]*)$", not_found)]
