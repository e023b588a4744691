"""The platform's NinjaAPI: every answer the framework gives is in the OpenAPI schema, and an
unknown /api/ address answers JSON.

Some answers come from the framework, not from an endpoint's code, so no `response={…}` names
them: 422 from request validation (the `errors` are a list of {loc, msg, type}, beside the
per-field object an endpoint documents for its own 422), 400 for a body that is not JSON, 401
without a session or key, 403 when a cookie-authenticated write lacks its CSRF token, and 404 for
a path parameter naming nothing. `complete_error_responses` adds those to every operation they
can happen on, so clients and the API fuzzer (tests/test_api_fuzz.py) know them.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, URLPattern, URLResolver, re_path, resolve
from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

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


class DocumentedAPI(NinjaAPI):
    """NinjaAPI whose schema names the framework's error answers and whose unknown addresses
    answer JSON (a path parameter the URL converter refuses, e.g. a negative id, included)."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        complete_error_responses(schema)
        return schema

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        return [*super()._get_urls(), re_path(r"^(?P<rest>.*)$", not_found)]
