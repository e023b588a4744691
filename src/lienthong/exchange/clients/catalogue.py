"""The service catalogue (danh mục dịch vụ): every API operation and event type the platform
offers to other systems, grouped into services, each with its owner agency.

- **API services** come from the NinjaAPI's own OpenAPI schema, so the catalogue can never
  drift from the code: a service is one mounted router (`/api/registries/population/` →
  `api.registries.population`), its operations are the router's operations, each with its
  OpenAPI operation object. `client_access` says whether the operation accepts a client
  system's credentials (`ClientAuth`); the others need an official's session.
- **Event services** are event types (`event.dossier.submitted`), each with a JSON Schema of
  its CloudEvent (the envelope and the `data` the publisher writes). The declared types are
  listed here (the publishers live in apps above this one); event types found in the outbox
  but not declared are listed too, without a data schema, so none is hidden.

The owner agency of a service is a `ServiceOwner` row; a service without one belongs to the
platform (the provincial IT department decides its grants).

This module reads the project's API object and the outbox: like the portal, it looks at the
whole platform from the top, so it imports `lienthong.api` inside its functions only.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from lienthong.exchange.clients.models import ServiceOwner

API_PREFIX = "/api/"
#: The `ServiceOwner` row of the platform's own agency (owner of services without one).
PLATFORM_OWNER = "*"
#: The security scheme name `ClientAuth` shows in the OpenAPI schema.
CLIENT_SCHEME = "ClientAuth"

#: Titles of the API services, by code; others take their router's first tag.
API_TITLES: dict[str, Any] = {
    "api.core": _("Danh mục đơn vị hành chính và cơ quan"),
    "api.accounts": _("Tài khoản"),
    "api.inbox": _("Hộp việc và quy trình"),
    "api.search": _("Tìm kiếm"),
    "api.onestop": _("Một cửa điện tử: thủ tục, hồ sơ, kết quả, thống kê"),
    "api.registries.population": _("Cơ sở dữ liệu dân cư"),
    "api.registries.enterprises": _("Cơ sở dữ liệu doanh nghiệp, dự án đầu tư"),
    "api.registries.legal": _("Cơ sở dữ liệu văn bản quy phạm pháp luật"),
    "api.registries.land": _("Cơ sở dữ liệu đất đai"),
    "api.registries.staff": _("Cơ sở dữ liệu cán bộ, công chức, viên chức"),
    "api.registries.labour": _("Cơ sở dữ liệu thị trường lao động"),
    "api.registries.budget": _("Cơ sở dữ liệu ngân sách"),
    "api.exchange": _("Liên thông: danh mục, hệ thống kết nối, quyền, nhật ký"),
    "api.exchange.services.population": _("Liên thông: tra cứu công dân theo số định danh"),
    "api.exchange.services.dossiers": _("Liên thông: tra cứu tình trạng hồ sơ"),
}

# --- Event types ----------------------------------------------------------------------------

_DOSSIER_DATA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "code": {"type": "string", "description": "Mã hồ sơ"},
        "procedure": {"type": "string", "description": "Mã thủ tục hành chính"},
        "agency": {"type": "string", "description": "Mã định danh cơ quan"},
        "agency_id": {"type": "integer"},
        "field_id": {"type": ["integer", "null"]},
        "channel": {"type": "string"},
        "status": {"type": "integer", "description": "Trạng thái hồ sơ (mã theo quy định)"},
        "submitted_at": {"type": ["string", "null"], "format": "date-time"},
        "received_at": {"type": ["string", "null"], "format": "date-time"},
        "due_date": {"type": ["string", "null"], "format": "date"},
        "due_at": {"type": ["string", "null"], "format": "date-time"},
    },
    "required": ["id", "code", "status"],
}
_DOSSIER_STATUS_DATA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "code": {"type": "string"},
        "from": {"type": ["integer", "null"]},
        "to": {"type": "integer"},
        "at": {"type": "string", "format": "date-time"},
    },
    "required": ["id", "code"],
}
_PROCEDURE_DATA = {
    "type": "object",
    "properties": {
        "code": {"type": "string", "description": "Mã thủ tục"},
        "name": {"type": "string"},
        "changed": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["code", "name"],
}
_CASE_DATA = {
    "type": "object",
    "properties": {
        "case": {"type": "integer"},
        "module": {"type": "string"},
        "subject_type": {"type": "string"},
        "subject_id": {"type": "integer"},
        "agency": {"type": "integer"},
        "status": {"type": "string"},
        "from_step": {"type": ["integer", "null"]},
        "to_step": {"type": ["integer", "null"]},
    },
    "required": ["case", "module", "status"],
}
_RECORD_DATA = {
    "type": "object",
    "description": "Không có dữ liệu cá nhân: bên nhận đọc bản ghi qua API (lượt đọc được ghi).",
    "properties": {
        "registry": {"type": "string"},
        "id": {"type": "integer"},
        "owner": {"type": ["integer", "null"], "description": "Cơ quan quản lý bản ghi"},
        "changed": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["registry", "id"],
}
_LEGAL_DATA = {
    "type": "object",
    "properties": {"number": {"type": "string", "description": "Số, ký hiệu văn bản"}},
    "additionalProperties": True,
}
_CALENDAR_DATA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "uid": {"type": "string", "description": "UID iCalendar của sự kiện"},
        "agency": {"type": "string", "description": "Mã định danh cơ quan"},
        "agency_id": {"type": "integer"},
        "title": {"type": "string"},
        "starts_at": {"type": "string", "format": "date-time"},
        "ends_at": {"type": "string", "format": "date-time"},
        "place": {"type": "string"},
        "chair_id": {"type": ["integer", "null"]},
        "state": {"type": "string"},
        "sequence": {"type": "integer"},
    },
    "required": ["id", "uid", "title", "starts_at", "ends_at", "state"],
}
_EXCHANGE_DATA = {
    "type": "object",
    "properties": {
        "client": {"type": "string", "description": "Mã hệ thống kết nối"},
        "service": {"type": "string"},
        "operation": {"type": "string"},
        "status": {"type": "string"},
    },
    "required": ["client"],
}

_DOCUMENT_DATA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "direction": {"type": "string", "enum": ["incoming", "outgoing"]},
        "agency": {"type": "string", "description": "Mã định danh cơ quan"},
        "number": {"type": "string", "description": "Số, ký hiệu văn bản"},
    },
    "required": ["id", "direction"],
    "additionalProperties": True,
}
_DOCUMENT_EVENTS = {
    "registered": _("Văn bản đến được vào sổ"),
    "assigned": _("Văn bản đến được phân công xử lý"),
    "completed": _("Văn bản đến đã xử lý xong"),
    "issued": _("Văn bản đi được ban hành"),
    "sent": _("Văn bản đi được gửi"),
}

_COMPLAINT_DATA = {
    "type": "object",
    "description": "Không bao giờ có danh tính người khiếu nại, tố cáo.",
    "properties": {
        "id": {"type": "integer"},
        "code": {"type": "string", "description": "Mã đơn"},
        "kind": {"type": "string", "description": "Khiếu nại, tố cáo, kiến nghị phản ánh"},
        "stage": {"type": "string"},
        "agency": {"type": "string", "description": "Mã định danh cơ quan"},
        "agency_id": {"type": "integer"},
        "field": {"type": "string"},
        "channel": {"type": "string"},
        "status": {"type": "string"},
        "received_at": {"type": ["string", "null"], "format": "date-time"},
        "accept_due_date": {"type": ["string", "null"], "format": "date"},
        "due_date": {"type": ["string", "null"], "format": "date"},
        "outcome": {"type": "string"},
    },
    "required": ["id", "code", "kind", "agency"],
    "additionalProperties": True,
}
_COMPLAINT_EVENTS = {
    "received": _("Đơn khiếu nại, tố cáo được tiếp nhận"),
    "accepted": _("Đơn được thụ lý"),
    "refused": _("Đơn không được thụ lý"),
    "forwarded": _("Đơn được chuyển cơ quan có thẩm quyền"),
    "assigned": _("Đơn được giao xác minh"),
    "extended": _("Thời hạn giải quyết được gia hạn"),
    "reported": _("Báo cáo kết quả xác minh"),
    "concluded": _("Có kết luận, quyết định giải quyết"),
    "overdue": _("Đơn quá hạn giải quyết"),
    "at_risk": _("Đơn sắp đến hạn giải quyết"),
}

_DOSSIER_EVENTS = {
    "submitted": _("Hồ sơ được nộp trực tuyến"),
    "received": _("Hồ sơ được tiếp nhận"),
    "refused": _("Hồ sơ bị từ chối tiếp nhận"),
    "forwarded": _("Hồ sơ được chuyển bước xử lý"),
    "processed": _("Hồ sơ đã xử lý xong"),
    "step_returned": _("Hồ sơ bị trả lại bước trước"),
    "handed_over": _("Hồ sơ chuyển cơ quan khác (liên thông)"),
    "supplement_requested": _("Yêu cầu bổ sung hồ sơ"),
    "supplement_submitted": _("Công dân nộp bổ sung"),
    "supplemented": _("Bổ sung được xác nhận"),
    "obligation_requested": _("Thông báo nghĩa vụ tài chính"),
    "obligation_paid": _("Đã thực hiện nghĩa vụ tài chính"),
    "stopped": _("Dừng xử lý hồ sơ"),
    "withdrawn": _("Công dân rút hồ sơ"),
    "apologised": _("Thư xin lỗi, hẹn lại ngày trả"),
    "result_ready": _("Có kết quả giải quyết"),
    "returned": _("Đã trả kết quả"),
}
_REGISTRIES = {
    "population": _("công dân"),
    "population_household": _("hộ gia đình"),
    "enterprises": _("doanh nghiệp"),
    "investment_projects": _("dự án đầu tư"),
    "labour": _("người tìm việc"),
    "labour_vacancy": _("nhu cầu tuyển dụng"),
    "land": _("thửa đất"),
    "staff": _("cán bộ"),
    "budget": _("dòng thu, chi"),
}
_RECORD_ACTIONS = {
    "created": _("thêm"),
    "updated": _("sửa"),
    "deleted": _("xoá"),
    "restored": _("khôi phục"),
    "imported": _("nhập từ tệp"),
}
_CASE_ACTIONS = ("start", "forward", "return", "handover", "pause", "resume", "stop", "finish")
#: Events only the platform's own consumers handle; not offered to other systems.
INTERNAL_EVENTS = frozenset({"notification.requested", "test.aged"})


def declared_events() -> dict[str, tuple[Any, dict[str, Any], str]]:
    """Declared event types: type → (title, JSON Schema of `data`, publishing module)."""
    events: dict[str, tuple[Any, dict[str, Any], str]] = {}
    for name, title in _DOSSIER_EVENTS.items():
        events[f"dossier.{name}"] = (title, _DOSSIER_DATA, "onestop")
    events["dossier.status_changed"] = (
        _("Hồ sơ đổi trạng thái"),
        _DOSSIER_STATUS_DATA,
        "onestop",
    )
    for name in ("created", "updated", "deactivated", "reactivated"):
        events[f"procedure.{name}"] = (
            _("Thủ tục hành chính: %s") % name,
            _PROCEDURE_DATA,
            "onestop",
        )
    for action in _CASE_ACTIONS:
        events[f"workflow.case.{action}"] = (
            _("Hồ sơ công việc: %s") % action,
            _CASE_DATA,
            "workflow",
        )
    for key, label in _REGISTRIES.items():
        for action, verb in _RECORD_ACTIONS.items():
            events[f"registry.{key}.{action}"] = (
                _("CSDL %(registry)s: %(verb)s bản ghi") % {"registry": label, "verb": verb},
                _RECORD_DATA,
                "registries",
            )
    for name in (
        "enterprises.status_changed",
        "enterprises.branch_added",
        "enterprises.branch_closed",
        "investment_projects.amended",
        "investment_projects.terminated",
        "land.layer_changed",
        "grant.changed",
    ):
        events[f"registry.{name}"] = (name, _RECORD_DATA, "registries")
    for name, title in _COMPLAINT_EVENTS.items():
        events[f"complaint.{name}"] = (title, _COMPLAINT_DATA, "complaints")
    for name, title in _DOCUMENT_EVENTS.items():
        events[f"document.{name}"] = (title, _DOCUMENT_DATA, "documents")
    for name in ("created", "updated", "deleted", "restored", "status_changed"):
        events[f"legal.document.{name}"] = (
            _("Văn bản QPPL: %s") % name,
            _LEGAL_DATA,
            "registries.legal",
        )
    events["legal.document.relations_changed"] = (
        _("Văn bản QPPL: quan hệ văn bản"),
        _LEGAL_DATA,
        "registries.legal",
    )
    for name, title in {
        "event_published": _("Lịch công tác: sự kiện được công bố"),
        "event_updated": _("Lịch công tác: sự kiện đã công bố được sửa"),
        "event_cancelled": _("Lịch công tác: sự kiện đã công bố bị hủy"),
    }.items():
        events[f"calendar.{name}"] = (title, _CALENDAR_DATA, "documents.calendar")
    for name, title in {
        "client.registered": _("Hệ thống kết nối được đăng ký"),
        "client.status_changed": _("Hệ thống kết nối đổi trạng thái"),
        "grant.requested": _("Đề nghị cấp quyền khai thác dịch vụ"),
        "grant.approved": _("Quyền khai thác được duyệt"),
        "grant.refused": _("Đề nghị cấp quyền bị từ chối"),
        "grant.revoked": _("Quyền khai thác bị thu hồi"),
    }.items():
        events[f"exchange.{name}"] = (title, _EXCHANGE_DATA, "exchange")
    return events


def cloudevent_schema(event_type: str, data_schema: dict[str, Any] | None) -> dict[str, Any]:
    """The JSON Schema (2020-12) of a CloudEvent 1.0 of this type, in JSON format."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": event_type,
        "type": "object",
        "properties": {
            "specversion": {"const": "1.0"},
            "id": {"type": "string"},
            "source": {"type": "string"},
            "type": {"const": event_type},
            "subject": {"type": "string"},
            "time": {"type": "string", "format": "date-time"},
            "datacontenttype": {"const": "application/json"},
            "data": data_schema or {"type": "object"},
        },
        "required": ["specversion", "id", "source", "type", "time", "data"],
    }


# --- The catalogue --------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    """One API operation of a service (its OpenAPI operation object in `spec`)."""

    operation_id: str
    method: str
    path: str
    summary: str
    client_access: bool
    spec: dict[str, Any] = field(hash=False, compare=False)


@dataclass
class Service:
    """One entry of the catalogue."""

    code: str
    kind: str  # "api" or "event"
    title: str
    operations: list[Operation] = field(default_factory=list)
    schema: dict[str, Any] | None = None
    publisher: str = ""
    declared: bool = True
    owner_id: int | None = None
    owner_name: str = ""

    @property
    def client_access(self) -> bool:
        """Whether a client system can use it (events always; APIs when an operation can)."""
        return self.kind == "event" or any(op.client_access for op in self.operations)

    def operation(self, operation_id: str) -> Operation | None:
        return next((op for op in self.operations if op.operation_id == operation_id), None)


_lock = threading.Lock()
_api_cache: dict[str, Any] = {}


def _openapi() -> dict[str, Any]:
    from lienthong.api import api

    with _lock:
        schema = _api_cache.get("schema")
        if schema is None:
            schema = dict(api.get_openapi_schema())
            _api_cache["schema"] = schema
            # Only the routers mounted on the API itself make services; the routers nested
            # in them (a registry's persons and households) are parts of their service.
            nested = {id(sub[1]) for _p, router in api._routers for sub in router._routers}
            _api_cache["prefixes"] = sorted(
                {
                    API_PREFIX + prefix.strip("/") + "/"
                    for prefix, router in api._routers
                    if prefix and id(router) not in nested
                },
                key=len,
                reverse=True,
            )
        return schema


def _prefixes() -> list[str]:
    _openapi()
    prefixes: list[str] = _api_cache["prefixes"]
    return prefixes


def service_code_for_path(path: str) -> str:
    """The API service a path belongs to: its router's mount point, dotted."""
    for prefix in _prefixes():
        if path.startswith(prefix):
            return "api." + prefix[len(API_PREFIX) :].strip("/").replace("/", ".")
    return "api"


def api_services() -> list[Service]:
    """Every API operation of the OpenAPI schema, grouped by service."""
    schema = _openapi()
    services: dict[str, Service] = {}
    for path, methods in schema["paths"].items():
        code = service_code_for_path(path)
        for method, spec in methods.items():
            if not isinstance(spec, dict) or "operationId" not in spec:
                continue
            service = services.get(code)
            if service is None:
                tags = spec.get("tags") or [code]
                service = services[code] = Service(
                    code=code, kind="api", title=str(API_TITLES.get(code, tags[-1]))
                )
            security = spec.get("security") or []
            service.operations.append(
                Operation(
                    operation_id=spec["operationId"],
                    method=method.upper(),
                    path=path,
                    summary=str(spec.get("summary") or ""),
                    client_access=any(CLIENT_SCHEME in s for s in security),
                    spec=spec,
                )
            )
    return sorted(services.values(), key=lambda s: s.code)


def event_services(*, observed: bool = True) -> list[Service]:
    """Every declared event type, and (with `observed`) undeclared ones seen in the outbox."""
    services = {
        f"event.{event_type}": Service(
            code=f"event.{event_type}",
            kind="event",
            title=str(title),
            schema=cloudevent_schema(event_type, data),
            publisher=publisher,
        )
        for event_type, (title, data, publisher) in declared_events().items()
    }
    if observed:
        from lienthong.exchange.models import OutboxEvent

        seen = OutboxEvent.objects.order_by().values_list("type", flat=True).distinct()
        for event_type in seen:
            code = f"event.{event_type}"
            if code not in services and event_type not in INTERNAL_EVENTS:
                services[code] = Service(
                    code=code,
                    kind="event",
                    title=event_type,
                    schema=cloudevent_schema(event_type, None),
                    declared=False,
                )
    return sorted(services.values(), key=lambda s: s.code)


def all_services(*, observed: bool = True) -> list[Service]:
    """The whole catalogue, with each service's owner agency."""
    services = api_services() + event_services(observed=observed)
    owners = {
        row.service: row
        for row in ServiceOwner.objects.select_related("agency").filter(
            service__in=[s.code for s in services] + [PLATFORM_OWNER]
        )
    }
    for service in services:
        owner = owners.get(service.code) or owners.get(PLATFORM_OWNER)
        if owner is not None:
            service.owner_id, service.owner_name = owner.agency_id, owner.agency.name
    return services


def get_service(code: str) -> Service | None:
    """One service of the catalogue by its code (None when there is none)."""
    if code.startswith("event."):
        declared = declared_events().get(code[len("event.") :])
        if declared is not None:
            title, data, publisher = declared
            service = Service(
                code=code,
                kind="event",
                title=str(title),
                schema=cloudevent_schema(code[6:], data),
                publisher=publisher,
            )
        else:
            service = next((s for s in event_services() if s.code == code), None)  # type: ignore[assignment]
            if service is None:
                return None
    else:
        found = next((s for s in api_services() if s.code == code), None)
        if found is None:
            return None
        service = found
    rows = {
        row.service: row
        for row in ServiceOwner.objects.select_related("agency").filter(
            service__in=[code, PLATFORM_OWNER]
        )
    }
    owner = rows.get(code) or rows.get(PLATFORM_OWNER)
    if owner is not None:
        service.owner_id, service.owner_name = owner.agency_id, owner.agency.name
    return service


def grouped_by_owner(services: list[Service]) -> list[tuple[str, list[Service]]]:
    """Services grouped by owner agency name (the platform's own first)."""
    groups: dict[str, list[Service]] = {}
    for service in services:
        groups.setdefault(service.owner_name, []).append(service)
    platform = str(_("Nền tảng Liên Thông (Sở Thông tin và Truyền thông)"))
    return sorted(
        ((name or platform, items) for name, items in groups.items()),
        key=lambda pair: (pair[0] != platform, pair[0]),
    )


# --- From a request to its operation --------------------------------------------------------

_ROUTE_PARAM = re.compile(r"<(?:[^>:]+:)?([^>]+)>")
_operations_by_route: dict[tuple[str, str], tuple[str, str]] = {}


def operation_of(route: str, method: str) -> tuple[str, str]:
    """(service, operationId) of the API operation a resolved URL route and method name.

    `route` is Django's `request.resolver_match.route` ("api/x/<int:pk>"); the OpenAPI path is
    the same with `{pk}`.
    """
    key = (route, method.lower())
    found = _operations_by_route.get(key)
    if found is None:
        path = "/" + _ROUTE_PARAM.sub(r"{\1}", route)
        spec = _openapi()["paths"].get(path, {}).get(method.lower(), {})
        found = (service_code_for_path(path), str(spec.get("operationId", "")))
        _operations_by_route[key] = found
    return found
