"""The service catalogue: every OpenAPI operation once, event types with JSON Schemas, owners,
the API and the browsable pages."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client

from lienthong.api import api
from lienthong.core.testing import make_org_unit
from lienthong.exchange import outbox
from lienthong.exchange.clients import catalogue, services

pytestmark = pytest.mark.django_db


def test_every_openapi_operation_is_in_the_catalogue_once() -> None:
    schema = api.get_openapi_schema()
    expected = sorted(
        spec["operationId"]
        for methods in schema["paths"].values()
        for spec in methods.values()
        if isinstance(spec, dict) and "operationId" in spec
    )
    listed = sorted(op.operation_id for s in catalogue.api_services() for op in s.operations)
    assert listed == expected and len(expected) > 100
    codes = {s.code for s in catalogue.api_services()}
    assert {
        "api.onestop",
        "api.registries.population",
        "api.exchange",
        "api.exchange.services.population",
        "api.exchange.services.dossiers",
    } <= codes
    population = catalogue.get_service("api.exchange.services.population")
    assert population is not None and population.client_access
    (op,) = population.operations
    assert (op.operation_id, op.method, op.path) == (
        "exchange_population_person",
        "GET",
        "/api/exchange/services/population/persons/{personal_id}",
    )
    assert op.spec["security"] == [{"ClientAuth": []}]
    onestop = catalogue.get_service("api.onestop")
    assert onestop is not None and not onestop.client_access


def test_event_types_have_a_cloudevent_schema_and_undeclared_ones_are_listed() -> None:
    submitted = catalogue.get_service("event.dossier.submitted")
    assert submitted is not None and submitted.kind == "event" and submitted.client_access
    assert submitted.schema is not None
    assert submitted.schema["properties"]["type"] == {"const": "dossier.submitted"}
    assert "code" in submitted.schema["properties"]["data"]["properties"]
    assert catalogue.get_service("event.registry.population.updated") is not None
    for declared in ("complaint.received", "complaint.concluded", "document.sent"):
        service = catalogue.get_service(f"event.{declared}")
        assert service is not None and service.declared, declared
    assert catalogue.get_service("event.brand.new") is None
    with transaction.atomic():
        outbox.publish("brand.new", subject="x", data={})
    found = catalogue.get_service("event.brand.new")
    assert found is not None and not found.declared
    assert catalogue.get_service("event.notification.requested") is None  # internal


def test_services_are_grouped_by_owner_agency() -> None:
    agency = make_org_unit("Công an tỉnh thử")
    services.set_service_owner("api.exchange.services.population", agency, by=None)
    groups = dict(catalogue.grouped_by_owner(catalogue.all_services()))
    assert [s.code for s in groups["Công an tỉnh thử"]] == ["api.exchange.services.population"]
    platform = next(iter(groups))
    assert platform.startswith("Nền tảng Liên Thông")


def test_the_catalogue_api(client: Client) -> None:
    groups = client.get("/api/exchange/catalogue", {"client": "1"}).json()
    codes = [s["code"] for g in groups for s in g["services"]]
    assert "api.exchange.services.dossiers" in codes and "event.dossier.submitted" in codes
    assert "api.onestop" not in codes
    detail = client.get("/api/exchange/catalogue/event.dossier.received").json()
    assert detail["kind"] == "event" and detail["schema_"]["title"] == "dossier.received"
    detail = client.get("/api/exchange/catalogue/api.exchange.services.dossiers").json()
    assert detail["operations"][0]["openapi"]["operationId"] == "exchange_dossier_status"
    assert client.get("/api/exchange/catalogue/api.nothing").status_code == 404


def test_the_catalogue_pages(client: Client) -> None:
    html = client.get("/lien-thong/danh-muc/").content.decode()
    assert "api.exchange.services.population" in html and "event.dossier.submitted" in html
    html = client.get("/lien-thong/danh-muc/", {"kind": "event"}).content.decode()
    assert "event.dossier.submitted" in html and "api.onestop" not in html
    html = client.get("/lien-thong/danh-muc/event.dossier.submitted/").content.decode()
    assert "Lược đồ JSON" in html and "specversion" in html
    html = client.get("/lien-thong/danh-muc/api.exchange.services.dossiers/").content.decode()
    assert "/api/exchange/services/dossiers/{code}" in html
    assert client.get("/lien-thong/danh-muc/api.nothing/").status_code == 404
