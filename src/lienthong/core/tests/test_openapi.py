"""The API schema names the framework's error answers; an unknown /api/ address answers JSON."""

from __future__ import annotations

import json
import re
from typing import Any

from django.test import Client
from ninja import Router, Schema

from lienthong.api import api
from lienthong.core.openapi import DocumentedAPI


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


def _component(schema: dict[str, Any], path: str, method: str = "get") -> dict[str, Any]:
    ref = schema["paths"][path][method]["responses"][200]["content"]["application/json"]
    name = ref["schema"]["$ref"].removeprefix("#/components/schemas/")
    component: dict[str, Any] = schema["components"]["schemas"][name]
    return component


def test_two_schema_classes_of_one_name_keep_their_own_shapes() -> None:
    # given accounts' and the exchange's MeOut, one for sessions and one for client systems
    schema = api.get_openapi_schema(path_prefix="/api/")
    # then each operation documents its own class's fields
    assert set(_component(schema, "/api/accounts/me")["required"]) == {
        "username",
        "full_name",
        "kind",
        "org_unit_id",
        "org_unit_name",
        "roles",
    }
    assert "grants" in _component(schema, "/api/exchange/me")["required"]
    # and a template's steps are the workflow's StepOut, without a case's due_at
    templates = schema["paths"]["/api/inbox/templates"]["get"]["responses"][200]
    step_ref = schema["components"]["schemas"]["TemplateOut"]["properties"]["steps"]["items"]
    step = schema["components"]["schemas"][step_ref["$ref"].removeprefix("#/components/schemas/")]
    assert templates["content"]["application/json"]["schema"]["type"] == "array"
    assert "due_at" not in step["properties"]


def _router_answering(out: type[Schema], path: str) -> Router:
    router = Router()
    router.get(path, response=out)(lambda request: None)
    return router


def test_a_name_is_shared_by_equal_shapes_and_qualified_for_a_different_one() -> None:
    # given three classes named Out: two alike, one with another field
    def alike() -> type[Schema]:
        class Out(Schema):
            detail: str

        return Out

    def different() -> type[Schema]:
        class Out(Schema):
            count: int

        return Out

    local = DocumentedAPI(urls_namespace="test-openapi-names")
    local.add_router("/a/", _router_answering(alike(), "/x"))
    local.add_router("/b/", _router_answering(alike(), "/x"))
    local.add_router("/c/", _router_answering(different(), "/x"))
    # when the schema is built
    schema = local.get_openapi_schema(path_prefix="/")
    # then the alike ones are one component "Out", the different one has a qualified name
    names = [_component(schema, f"/{p}/x") for p in "abc"]
    components = schema["components"]["schemas"]
    assert set(components) == {
        "Out",
        "lienthong__core__tests__test_openapi__"
        "test_a_name_is_shared_by_equal_shapes_and_qualified_for_a_different_one__"
        "_locals___different___locals___Out",
    }
    assert [set(n["properties"]) for n in names] == [{"detail"}, {"detail"}, {"count"}]


def test_every_schema_reference_names_a_component() -> None:
    schema = api.get_openapi_schema(path_prefix="/api/")
    refs = set(re.findall(r'"#/components/schemas/([^"]+)"', json.dumps(schema)))
    assert refs <= set(schema["components"]["schemas"])
