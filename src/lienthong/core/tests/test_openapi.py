"""The API schema names the framework's error answers; an unknown /api/ address answers JSON."""

from __future__ import annotations

from django.test import Client

from lienthong.api import api


def _responses(path: str, method: str) -> set[str]:
    schema = api.get_openapi_schema(path_prefix="/api/")
    return {str(status) for status in schema["paths"][path][method]["responses"]}


def test_a_secured_write_with_a_path_parameter_documents_every_framework_answer() -> None:
    # given an operation with a path parameter, a JSON body and session authentication
    responses = _responses("/api/inbox/cases/{case_id}/forward", "post")
    # then its own answers and the framework's are all there
    assert responses == {"200", "400", "401", "403", "404", "409", "422"}


def test_a_422_documented_per_field_also_accepts_the_request_validation_list() -> None:
    schema = api.get_openapi_schema(path_prefix="/api/")
    answer = schema["paths"]["/api/inbox/cases/{case_id}/forward"]["post"]["responses"][422]
    variants = answer["content"]["application/json"]["schema"]["anyOf"]
    assert variants[1]["properties"]["errors"]["type"] == "array"
    assert len(variants) == 2


def test_an_unknown_api_address_answers_json_404(client: Client) -> None:
    # a negative id is refused by the URL converter before any endpoint runs
    response = client.get("/api/registries/land/parcels/-5")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Không tìm thấy."}


def test_an_address_served_with_a_trailing_slash_is_still_redirected(client: Client) -> None:
    response = client.get("/api/registries/land/parcels?limit=1")
    assert response.status_code == 301
    assert response["Location"] == "/api/registries/land/parcels/?limit=1"
