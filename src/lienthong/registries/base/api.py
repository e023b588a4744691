"""The REST API every registry gets (django-ninja), built from its `RegistryType`.

`build_router(...)` returns a router with, under /api/registries/<registry>/<records>/:

    GET    /                 paging (limit, offset), filters, folded search `q`
    GET    /{id}             one record (personal records: `purpose` required, the read logged)
    POST   /                 create          PATCH /{id}  update       DELETE /{id}  soft delete
    POST   /{id}/restore     restore         GET   /{id}/history  changes, newest first
    POST   /import           CSV/XLSX file (multipart): 201 imported, 422 with the row report
    GET    /export           the same filters, streamed as CSV or XLSX

Reads are limited by `.visible_to(user)`, writes by `.editable_by(user)` (the owner agency's
registry officials); a record outside the caller's scope is 404 like a missing one. Bad input
is 422: `{"detail": …, "errors": {field: [messages]}}`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponseBase
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.security import django_auth

from lienthong.core.permissions import get_visible_or_404, is_official_user
from lienthong.registries.base import access, importing, services
from lienthong.registries.base.models import DataAccess, ImportJob, RegistryRecord
from lienthong.registries.base.registry import RegistryType
from lienthong.registries.base.views import count_capped, export_response, filtered

MAX_LIMIT = 100
MAX_OFFSET = 1_000_000


class ErrorOut(Schema):
    """An error with its Vietnamese explanation."""

    detail: str


class FieldErrorsOut(Schema):
    """Bad input: a summary and the messages per field."""

    detail: str
    errors: dict[str, list[str]]


class PageOut(Schema):
    """A page of records; `count` stops at 1,000 (`count_capped` says it did)."""

    count: int
    count_capped: bool
    limit: int
    offset: int
    items: list[dict[str, Any]]


class ChangeOut(Schema):
    field: str
    label: str
    before: Any = None
    after: Any = None


class VersionOut(Schema):
    """One entry of a record's history."""

    seq: int
    action: str
    at: datetime
    actor: str
    changes: list[ChangeOut]


class ImportRowError(Schema):
    row: int
    column: str
    message: str


class ImportOut(Schema):
    """The outcome of an import: counts and the row-level report (first 1,000 errors)."""

    job: int
    status: str
    total_rows: int
    valid_rows: int
    imported_rows: int
    error_count: int
    errors: list[ImportRowError]


class ImportRejectedOut(ImportOut):
    detail: str


def _unprocessable(errors: dict[str, list[str]]) -> Status[dict[str, Any]]:
    return Status(422, {"detail": _("Dữ liệu không hợp lệ."), "errors": errors})


def _service_errors(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {name: list(messages) for name, messages in exc.message_dict.items()}
    return {"__all__": list(exc.messages)}


def _official(request: HttpRequest) -> Any:
    if not is_official_user(request.user):
        raise HttpError(403, _("Chỉ cán bộ, công chức mới dùng được chức năng này."))
    return request.user


def _reader(request: HttpRequest, registry_type: RegistryType) -> Any:
    user = _official(request)
    if not access.can_read(user, registry_type.grant):
        raise HttpError(403, _("Cơ quan của bạn chưa được cấp quyền khai thác cơ sở dữ liệu này."))
    return user


def _editor(request: HttpRequest) -> Any:
    user = _official(request)
    if not services.owner_agencies(user).exists():
        raise HttpError(403, _("Chỉ cán bộ quản lý cơ sở dữ liệu mới được sửa dữ liệu."))
    return user


def _int(
    value: str | None, name: str, default: int, low: int, high: int, errors: dict[str, list[str]]
) -> int:
    if value in (None, ""):
        return default
    try:
        number = int(str(value))
    except ValueError:
        number = low - 1
    if not low <= number <= high:
        errors[name] = [
            _("%(name)s phải là số nguyên từ %(low)d đến %(high)d.")
            % {"name": name, "low": low, "high": high}
        ]
    return number


def _job_out(job: ImportJob) -> dict[str, Any]:
    return {
        "job": job.pk,
        "status": job.status,
        "total_rows": job.total_rows,
        "valid_rows": job.valid_rows,
        "imported_rows": job.imported_rows,
        "error_count": job.error_count,
        "errors": job.errors,
    }


def import_upload(
    registry_type: RegistryType,
    file: UploadedFile,
    *,
    owner: Any,
    by: Any,
    valid_only: bool,
) -> Status[dict[str, Any]]:
    """Check and import an uploaded file (the caller checked `by` may import for `owner`):
    201 with the counts, or 422 with the row-level report when nothing was imported."""
    from lienthong.registries.base.views import uploaded_path

    try:
        with uploaded_path(file) as path:
            job = importing.import_file(
                registry_type,
                path,
                owner=owner,
                by=by,
                valid_only=valid_only,
                original_name=file.name or "tep",
                keep_file=True,
            )
    except ValidationError as exc:
        return Status(
            422,
            {
                "detail": " ".join(exc.messages),
                "job": 0,
                "status": "rejected",
                "total_rows": 0,
                "valid_rows": 0,
                "imported_rows": 0,
                "error_count": 1,
                "errors": [{"row": 0, "column": "", "message": " ".join(exc.messages)}],
            },
        )
    if job.status != ImportJob.Status.IMPORTED:
        detail = (
            _("Tệp có lỗi nên không nhập dòng nào (gửi valid_only=true để nhập các dòng hợp lệ).")
            if job.status == ImportJob.Status.REJECTED
            else _("Lỗi khi ghi: không dòng nào được nhập.")
        )
        return Status(422, {"detail": detail, **_job_out(job)})
    return Status(201, _job_out(job))


def build_router(
    registry_type: RegistryType,
    *,
    out: Callable[[Any], dict[str, Any]],
    create_schema: type[Schema],
    update_schema: type[Schema],
    apply: Callable[[Any, dict[str, Any]], dict[str, list[str]]],
    tags: list[str] | None = None,
) -> Router:
    """A router with the registry endpoints (see the module notes).

    `out(record)` is the JSON of one record; `apply(record, data)` copies validated input
    onto a record (returning field errors it finds, e.g. an unknown owner).
    """
    router = Router(tags=tags or [registry_type.key], auth=django_auth)
    model = registry_type.model
    filters_help = ", ".join(f"`{f.name}` ({f.label})" for f in registry_type.filters)

    def _run(call: Callable[[], RegistryRecord]) -> RegistryRecord | Status[dict[str, Any]]:
        try:
            return call()
        except ValidationError as exc:
            return _unprocessable(_service_errors(exc))
        except PermissionDenied as exc:
            raise HttpError(403, str(exc) or _("Bạn không có quyền.")) from exc

    @router.get(
        "/",
        response={200: PageOut, 401: ErrorOut, 403: ErrorOut, 422: FieldErrorsOut},
        summary=f"Danh sách {registry_type.label_plural}",
        operation_id=f"registry_{registry_type.key}_list",
        description=(
            "Trang bản ghi: `limit` (1–100, mặc định 20), `offset`, tìm kiếm `q` (không cần "
            f"dấu; toàn chữ số: tìm theo mã), lọc: {filters_help or '—'}."
        ),
    )
    def list_records(
        request: HttpRequest, q: str = "", limit: str | None = None, offset: str | None = None
    ) -> Any:
        user = _reader(request, registry_type)
        errors: dict[str, list[str]] = {}
        limit_value = _int(limit, "limit", 20, 1, MAX_LIMIT, errors)
        offset_value = _int(offset, "offset", 0, 0, MAX_OFFSET, errors)
        qs: Any = model.objects.visible_to(user)
        if registry_type.export_related:
            qs = qs.select_related(*registry_type.export_related)
        qs, filter_errors = filtered(registry_type, qs, request.GET)
        errors.update(filter_errors)
        if errors:
            return _unprocessable(errors)
        if not q.strip():
            qs = qs.order_by("pk")
        count, capped = count_capped(qs)
        items = [out(obj) for obj in qs[offset_value : offset_value + limit_value]]
        return {
            "count": count,
            "count_capped": capped,
            "limit": limit_value,
            "offset": offset_value,
            "items": items,
        }

    @router.get(
        "/export",
        response={200: None, 401: ErrorOut, 403: ErrorOut, 422: FieldErrorsOut},
        summary=f"Xuất {registry_type.label_plural} (CSV/XLSX)",
        operation_id=f"registry_{registry_type.key}_export",
    )
    def export(request: HttpRequest, format: str = "csv", q: str = "") -> Any:
        user = _reader(request, registry_type)
        if format not in importing.FORMATS:
            return _unprocessable({"format": [_("Định dạng phải là csv hoặc xlsx.")]})
        qs, errors = filtered(registry_type, model.objects.visible_to(user), request.GET)
        if errors:
            return _unprocessable(errors)
        if not q.strip():
            qs = qs.order_by("pk")
        response: HttpResponseBase = export_response(registry_type, qs, format, user)
        return response

    @router.post(
        "/import",
        response={201: ImportOut, 401: ErrorOut, 403: ErrorOut, 422: ImportRejectedOut},
        summary=f"Nhập {registry_type.label_plural} từ tệp CSV/XLSX",
        operation_id=f"registry_{registry_type.key}_import",
        description=(
            "Tệp có dòng lỗi không nhập dòng nào (422 kèm báo cáo theo dòng), trừ khi "
            "`valid_only=true`: khi đó nhập các dòng hợp lệ."
        ),
    )
    def import_(
        request: HttpRequest,
        file: File[UploadedFile],
        owner: Form[int],
        valid_only: Form[bool] = False,
    ) -> Any:
        user = _editor(request)
        owner_unit = services.owner_agencies(user).filter(pk=owner).first()
        if owner_unit is None:
            raise HttpError(403, _("Bạn không có quyền nhập dữ liệu cho cơ quan này."))
        return import_upload(registry_type, file, owner=owner_unit, by=user, valid_only=valid_only)

    @router.get(
        "/{int:record_id}",
        response={
            200: dict[str, Any],
            401: ErrorOut,
            403: ErrorOut,
            404: ErrorOut,
            422: FieldErrorsOut,
        },
        summary=f"Một bản ghi {registry_type.label}",
        operation_id=f"registry_{registry_type.key}_detail",
        description=(
            "Bản ghi về một người: bắt buộc `purpose` (mục đích khai thác), lượt đọc được ghi "
            "vào nhật ký mà người dân xem được."
            if registry_type.logs_access()
            else ""
        ),
    )
    def detail(request: HttpRequest, record_id: int, purpose: str = "") -> Any:
        user = _reader(request, registry_type)
        obj = get_visible_or_404(model.objects, user, pk=record_id)
        if registry_type.subject_key is not None:
            purpose = " ".join(purpose.split())
            if len(purpose) < 5:
                return _unprocessable(
                    {"purpose": [_("Hãy cho biết mục đích khai thác dữ liệu (ít nhất 5 ký tự).")]}
                )
            access.log_read(
                registry=registry_type.grant,
                object_id=obj.pk,
                subject_key=registry_type.subject_key(obj),
                subject_repr=str(obj),
                by=user,
                purpose=purpose,
                channel=DataAccess.Channel.API,
            )
        return out(obj)

    def create(request: HttpRequest, payload: Any) -> Any:
        user = _editor(request)
        obj = model()
        errors = apply(obj, payload.dict())
        if errors:
            return _unprocessable(errors)
        result = _run(lambda: services.create_record(obj, by=user))
        return result if isinstance(result, Status) else Status(201, out(result))

    def update(request: HttpRequest, record_id: int, payload: Any) -> Any:
        user = _editor(request)
        obj = get_visible_or_404(model.objects.editable_by(user), user, pk=record_id)
        errors = apply(obj, payload.dict(exclude_unset=True))
        if errors:
            return _unprocessable(errors)
        result = _run(lambda: services.update_record(obj, by=user))
        return result if isinstance(result, Status) else out(result)

    # The payload schemas are given at run time: the annotations ninja reads are set here
    # (this module's annotations are strings, which it could not resolve).
    create.__annotations__ = {"request": HttpRequest, "payload": create_schema, "return": Any}
    update.__annotations__ = {
        "request": HttpRequest,
        "record_id": int,
        "payload": update_schema,
        "return": Any,
    }
    router.post(
        "/",
        response={201: dict[str, Any], 401: ErrorOut, 403: ErrorOut, 422: FieldErrorsOut},
        summary=f"Thêm {registry_type.label}",
        operation_id=f"registry_{registry_type.key}_create",
    )(create)
    router.patch(
        "/{int:record_id}",
        response={
            200: dict[str, Any],
            401: ErrorOut,
            403: ErrorOut,
            404: ErrorOut,
            422: FieldErrorsOut,
        },
        summary=f"Sửa {registry_type.label}",
        operation_id=f"registry_{registry_type.key}_update",
    )(update)

    @router.delete(
        "/{int:record_id}",
        response={204: None, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
        summary=f"Xoá {registry_type.label} (khôi phục được)",
        operation_id=f"registry_{registry_type.key}_delete",
    )
    def delete(request: HttpRequest, record_id: int) -> Any:
        user = _editor(request)
        obj = get_visible_or_404(model.objects.editable_by(user), user, pk=record_id)
        _run(lambda: (registry_type.delete or services.delete_record)(obj, by=user))
        return Status(204, None)

    @router.post(
        "/{int:record_id}/restore",
        response={
            200: dict[str, Any],
            401: ErrorOut,
            403: ErrorOut,
            404: ErrorOut,
            422: FieldErrorsOut,
        },
        summary=f"Khôi phục {registry_type.label} đã xoá",
        operation_id=f"registry_{registry_type.key}_restore",
    )
    def restore(request: HttpRequest, record_id: int) -> Any:
        user = _editor(request)
        obj = get_visible_or_404(model.all_objects.editable_by(user), user, pk=record_id)
        result = _run(lambda: services.restore_record(obj, by=user))
        return result if isinstance(result, Status) else out(result)

    @router.get(
        "/{int:record_id}/history",
        response={200: list[VersionOut], 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
        summary=f"Lịch sử thay đổi của {registry_type.label}",
        operation_id=f"registry_{registry_type.key}_history",
    )
    def history(request: HttpRequest, record_id: int) -> Any:
        user = _reader(request, registry_type)
        obj = model.all_objects.editable_by(user).filter(pk=record_id).first()
        if obj is None:
            obj = get_visible_or_404(model.objects, user, pk=record_id)
        return [
            {
                "seq": v.entry.seq,
                "action": v.action,
                "at": v.entry.created_at,
                "actor": v.entry.actor_repr,
                "changes": [c.__dict__ for c in v.changes],
            }
            for v in services.history(obj)
        ]

    return router


def iso(value: date | None) -> str | None:
    """A date as ISO text (None stays None)."""
    return value.isoformat() if value is not None else None
