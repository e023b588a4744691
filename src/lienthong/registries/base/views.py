"""The pages every registry gets: browse and search, detail, create and edit, history and
revert, soft delete and restore, import (upload, report, confirm), export.

A registry app mounts them with `registry_urls(registry_type)`; the views find the registry
type from the URL. Templates are looked up per model first (`<app>/<model>_<page>.html`), then
the shared ones (`registry/<page>.html`). Reading a record about a person or organisation
asks the official for a purpose once per session and logs the read (`access.log_read`).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import select_template
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lienthong.core.models import AuditEntry
from lienthong.core.permissions import get_visible_or_404, is_official_user, official_required
from lienthong.registries.base import access, exporting, importing, services
from lienthong.registries.base import registry as registries
from lienthong.registries.base.forms import ConfirmImportForm, ImportForm, PurposeForm
from lienthong.registries.base.models import DataAccess, ImportJob, RegistryRecord
from lienthong.registries.base.registry import RegistryType

PAGE_SIZE = 25
#: Counting stops here: "more than 1,000" is all a person needs to refine a search, and
#: counting ten times further cost 80 ms of a search over 3.2 million names (the bench).
COUNT_CAP = 1_000
PURPOSE_SESSION_KEY = "registry_purpose:{registry}"


# --- Helpers --------------------------------------------------------------------------------


def _type(kwargs: dict[str, Any]) -> RegistryType:
    return registries.get(kwargs.pop("registry"))


def _templates(registry_type: RegistryType, page: str) -> list[str]:
    meta = registry_type.model._meta
    return [f"{meta.app_label}/{meta.model_name}_{page}.html", f"registry/{page}.html"]


def _render(
    request: HttpRequest,
    registry_type: RegistryType,
    page: str,
    context: dict[str, Any],
    status: int = 200,
) -> HttpResponse:
    template = select_template(_templates(registry_type, page))
    context = {"rt": registry_type, "urls": _urls(registry_type), **context}
    obj = context.get("obj")
    if obj is not None and getattr(obj, "pk", None):
        context["obj_urls"] = {
            p: url_of(registry_type, p, obj.pk)
            for p in ("detail", "edit", "delete", "restore", "history")
        }
    return HttpResponse(template.render(context, request), status=status)


def _urls(registry_type: RegistryType) -> dict[str, str]:
    """The registry's page URLs without arguments, for templates."""
    name = _name(registry_type)
    ns = registry_type.namespace
    return {
        page: reverse(f"{ns}:{name}_{page}")
        for page in ("list", "create", "import", "export", "deleted")
    }


def _name(registry_type: RegistryType) -> str:
    return str(registry_type.model._meta.model_name)


def url_of(registry_type: RegistryType, page: str, *args: Any) -> str:
    """The URL of one of a registry's pages (detail, edit, history, …)."""
    return reverse(f"{registry_type.namespace}:{_name(registry_type)}_{page}", args=args)


def _require_reader(request: HttpRequest, registry_type: RegistryType) -> None:
    if not access.can_read(request.user, registry_type.grant):
        raise PermissionDenied(
            _("Cơ quan của bạn chưa được cấp quyền khai thác cơ sở dữ liệu này.")
        )


def _require_editor(request: HttpRequest) -> None:
    if not services.owner_agencies(request.user).exists():
        raise PermissionDenied(_("Chỉ cán bộ quản lý cơ sở dữ liệu mới được sửa dữ liệu."))


def _editable(request: HttpRequest, registry_type: RegistryType, pk: int) -> RegistryRecord:
    """A record (soft-deleted ones too) the user may edit, else 404 either way."""
    qs = registry_type.model.all_objects.editable_by(request.user)
    obj: RegistryRecord = get_object_or_404(qs, pk=pk)
    return obj


def filtered(
    registry_type: RegistryType, qs: QuerySet[Any], params: Any
) -> tuple[QuerySet[Any], dict[str, list[str]]]:
    """`qs` narrowed by the registry's filters and `q`; field errors for bad filter values."""
    result: Any = qs
    errors: dict[str, list[str]] = {}
    for list_filter in registry_type.filters:
        value = (params.get(list_filter.name) or "").strip()
        if not value:
            continue
        if list_filter.choices is not None and value not in dict(list_filter.choices()):
            errors[list_filter.name] = [_("Giá trị “%(value)s” không hợp lệ.") % {"value": value}]
            continue
        try:
            result = list_filter.filter(result, value)
        except ValidationError as exc:
            errors[list_filter.name] = exc.messages
    q = (params.get("q") or "").strip()
    if len(q) > 200:
        errors["q"] = [_("Từ khoá dài quá 200 ký tự.")]
    elif q:
        result = result.search(q)
    return result, errors


def count_capped(qs: QuerySet[Any], cap: int = COUNT_CAP) -> tuple[int, bool]:
    """How many rows, counting no further than `cap` (and whether it stopped there)."""
    count = qs.order_by()[: cap + 1].count()
    return min(count, cap), count > cap


def page_of(qs: QuerySet[Any], page_text: str | None, size: int = PAGE_SIZE) -> dict[str, Any]:
    """One page by offset, knowing only whether a next page exists (no count needed)."""
    try:
        number = max(1, min(int(page_text or 1), 10_000))
    except ValueError:
        number = 1
    offset = (number - 1) * size
    rows = list(qs[offset : offset + size + 1])
    return {
        "rows": rows[:size],
        "number": number,
        "has_previous": number > 1,
        "has_next": len(rows) > size,
        "offset": offset,
    }


# --- Browse ---------------------------------------------------------------------------------


@official_required
def list_view(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    """Browse and search the live records the user may read."""
    registry_type = _type(kwargs)
    _require_reader(request, registry_type)
    qs: Any = registry_type.model.objects.visible_to(request.user)
    if registry_type.select_related:
        qs = qs.select_related(*registry_type.select_related)
    qs, errors = filtered(registry_type, qs, request.GET)
    if "q" not in request.GET or not request.GET.get("q", "").strip():
        qs = qs.order_by("search_text", "pk")
    page = page_of(qs, request.GET.get("page"))
    count, capped = count_capped(qs) if not errors else (0, False)
    params = {k: v for k, v in request.GET.items() if k != "page" and v}
    rows = [
        {
            "obj": obj,
            "url": url_of(registry_type, "detail", obj.pk),
            "cells": [(column, column.value(obj)) for column in registry_type.list_columns],
        }
        for obj in page["rows"]
    ]
    context = {
        "page": page,
        "rows": rows,
        "count": count,
        "capped": capped,
        "errors": errors,
        "params": params,
        "query_string": urlencode(params),
        "filters": [
            {
                "filter": f,
                "value": request.GET.get(f.name, ""),
                "choices": f.choices() if f.choices else None,
            }
            for f in registry_type.filters
        ],
        "can_edit": services.owner_agencies(request.user).exists(),
    }
    return _render(request, registry_type, "list", context, status=422 if errors else 200)


def _purpose(request: HttpRequest, registry_type: RegistryType) -> str | HttpResponse:
    """The purpose of reading a personal record: from the session, or asked now."""
    key = PURPOSE_SESSION_KEY.format(registry=registry_type.grant)
    asking = "preset" in request.GET or "purpose" in request.GET
    if asking:
        form = PurposeForm(request.GET)
        if form.is_valid():
            request.session[key] = form.cleaned_data["text"]
            return str(form.cleaned_data["text"])
    elif request.GET.get("doi_muc_dich") != "1" and request.session.get(key):
        return str(request.session[key])
    else:
        form = PurposeForm()
    return _render(
        request,
        registry_type,
        "purpose",
        {"form": form},
        status=422 if asking else 200,
    )


def _log(
    request: HttpRequest, registry_type: RegistryType, obj: RegistryRecord, purpose: str
) -> DataAccess | None:
    if registry_type.subject_key is None:
        return None
    return access.log_read(
        registry=registry_type.grant,
        object_id=obj.pk,
        subject_key=registry_type.subject_key(obj),
        subject_repr=str(obj),
        by=request.user,
        purpose=purpose,
        channel=DataAccess.Channel.PAGE,
    )


@official_required
def detail_view(request: HttpRequest, pk: int, **kwargs: Any) -> HttpResponse:
    """One record; a personal record asks for (and logs) the purpose of the read."""
    registry_type = _type(kwargs)
    _require_reader(request, registry_type)
    obj = get_visible_or_404(registry_type.model.objects, request.user, pk=pk)
    purpose = ""
    if registry_type.logs_access():
        answer = _purpose(request, registry_type)
        if isinstance(answer, HttpResponse):
            return answer
        purpose = answer
        _log(request, registry_type, obj, purpose)
    editable = registry_type.model.objects.editable_by(request.user).filter(pk=obj.pk).exists()
    fields = [
        (field.verbose_name, _display(obj, field))
        for field in obj._meta.concrete_fields
        if field.editable and field.name not in ("id", "search_text")
    ]
    context = {"obj": obj, "editable": editable, "purpose": purpose, "fields": fields}
    if registry_type.detail_context is not None:
        context.update(registry_type.detail_context(obj))
    return _render(request, registry_type, "detail", context)


def _display(obj: RegistryRecord, field: Any) -> Any:
    if field.choices:
        return getattr(obj, f"get_{field.name}_display")()
    value = getattr(obj, field.name)
    return "" if value is None else value


# --- Edit -----------------------------------------------------------------------------------


@official_required
def edit_view(request: HttpRequest, pk: int | None = None, **kwargs: Any) -> HttpResponse:
    """Create a record (no pk) or edit one; the services check, write and audit."""
    registry_type = _type(kwargs)
    _require_editor(request)
    obj = _editable(request, registry_type, pk) if pk is not None else None
    if obj is not None and obj.deleted_at is not None:
        raise Http404
    if obj is not None and request.method == "GET" and registry_type.subject_key is not None:
        _log(request, registry_type, obj, _("Cập nhật, chỉnh sửa dữ liệu"))
    form_class: Any = registry_type.form_class
    form = form_class(request.POST or None, instance=obj, user=request.user)
    if request.method == "POST" and form.is_valid():
        record = form.save(commit=False)
        try:
            if obj is None:
                record = services.create_record(record, by=request.user)
            else:
                record = services.update_record(record, by=request.user)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Đã lưu %(record)s.") % {"record": record})
            return redirect(url_of(registry_type, "detail", record.pk))
    status = 422 if request.method == "POST" else 200
    return _render(request, registry_type, "form", {"form": form, "obj": obj}, status=status)


@require_POST
@official_required
def delete_view(request: HttpRequest, pk: int, **kwargs: Any) -> HttpResponse:
    """Soft-delete a record (it can be restored from the list of deleted records)."""
    registry_type = _type(kwargs)
    _require_editor(request)
    obj = _editable(request, registry_type, pk)
    (registry_type.delete or services.delete_record)(obj, by=request.user)
    messages.success(request, _("Đã xoá %(record)s; có thể khôi phục.") % {"record": obj})
    return redirect(registry_type_list(registry_type))


def registry_type_list(registry_type: RegistryType) -> str:
    return _urls(registry_type)["list"]


@require_POST
@official_required
def restore_view(request: HttpRequest, pk: int, **kwargs: Any) -> HttpResponse:
    """Bring a soft-deleted record back."""
    registry_type = _type(kwargs)
    _require_editor(request)
    obj = _editable(request, registry_type, pk)
    try:
        services.restore_record(obj, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(_urls(registry_type)["deleted"])
    messages.success(request, _("Đã khôi phục %(record)s.") % {"record": obj})
    return redirect(url_of(registry_type, "detail", obj.pk))


@official_required
def deleted_view(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    """Soft-deleted records the user may restore, newest deletion first."""
    registry_type = _type(kwargs)
    _require_editor(request)
    qs = (
        registry_type.model.all_objects.deleted()
        .editable_by(request.user)
        .select_related("deleted_by")
        .order_by("-deleted_at", "-pk")
    )
    page = page_of(qs, request.GET.get("page"))
    return _render(request, registry_type, "deleted", {"page": page})


@official_required
def history_view(request: HttpRequest, pk: int, **kwargs: Any) -> HttpResponse:
    """Every change of a record with before/after; editors may revert to a version."""
    registry_type = _type(kwargs)
    _require_reader(request, registry_type)
    editable_qs = registry_type.model.all_objects.editable_by(request.user)
    obj = editable_qs.filter(pk=pk).first()
    if obj is None:
        obj = get_visible_or_404(registry_type.model.objects, request.user, pk=pk)
    if registry_type.subject_key is not None:
        _log(request, registry_type, obj, _("Xem lịch sử thay đổi dữ liệu"))
    versions = services.history(obj)
    context = {
        "obj": obj,
        "versions": versions,
        "editable": editable_qs.filter(pk=pk).exists(),
        "action_labels": services.ACTION_LABELS,
    }
    return _render(request, registry_type, "history", context)


@require_POST
@official_required
def revert_view(request: HttpRequest, pk: int, seq: int, **kwargs: Any) -> HttpResponse:
    """Put the record back as one version of its history left it (through the service)."""
    registry_type = _type(kwargs)
    _require_editor(request)
    obj = _editable(request, registry_type, pk)
    entry = get_object_or_404(AuditEntry.objects.of_object(obj), seq=seq)
    try:
        services.revert_record(obj, entry=entry, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Đã trả bản ghi về phiên bản #%(seq)d.") % {"seq": seq})
    return redirect(url_of(registry_type, "history", obj.pk))


# --- Import and export ----------------------------------------------------------------------


@contextmanager
def uploaded_path(upload: UploadedFile) -> Iterator[Path]:
    """The uploaded file's path on disk (a temporary copy, removed after, for small uploads
    Django kept in memory)."""
    temporary = getattr(upload, "temporary_file_path", None)
    if callable(temporary):
        yield Path(temporary())
        return
    with tempfile.NamedTemporaryFile(suffix=Path(upload.name or "").suffix) as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
        handle.flush()
        yield Path(handle.name)


@official_required
def import_view(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    """Upload a file: it is checked at once and the row-level report shown before importing."""
    registry_type = _type(kwargs)
    _require_editor(request)
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        job = check_upload(registry_type, form, request.user)
        if job is not None:
            return redirect(url_of(registry_type, "import_job", job.pk))
    jobs = ImportJob.objects.filter(registry=registry_type.key, uploaded_by=request.user.pk)[:10]
    status = 422 if request.method == "POST" else 200
    return _render(request, registry_type, "import", {"form": form, "jobs": jobs}, status=status)


def check_upload(registry_type: RegistryType, form: ImportForm, user: Any) -> ImportJob | None:
    """The file of a valid ImportForm kept as a job and checked row by row (None: the form
    says what is wrong)."""
    upload = form.cleaned_data["file"]
    try:
        with uploaded_path(upload) as path:
            job = importing.new_job(
                registry_type,
                path,
                original_name=upload.name or "tep",
                owner=form.cleaned_data["owner"],
                by=user,
                keep_file=True,
            )
        importing.check_job(job, importing.job_path(job), by=user, registry_type=registry_type)
    except ValidationError as exc:
        form.add_error("file", exc.messages)
        return None
    return job


def confirm_import(
    request: HttpRequest, registry_type: RegistryType, job: ImportJob, *, valid_only: bool
) -> ImportJob:
    """Import a checked job (all rows, or only the valid ones) and tell the official how it
    went."""
    try:
        job = importing.run_job(
            job,
            importing.job_path(job),
            by=request.user,
            valid_only=valid_only,
            registry_type=registry_type,
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        if job.status == ImportJob.Status.IMPORTED:
            messages.success(request, _("Đã nhập %(n)d bản ghi.") % {"n": job.imported_rows})
        elif job.status == ImportJob.Status.REJECTED:
            messages.error(
                request,
                _(
                    "Tệp có lỗi nên chưa nhập dòng nào. Sửa tệp, hoặc chọn "
                    "“Chỉ nhập các dòng hợp lệ”."
                ),
            )
        else:
            messages.error(request, _("Lỗi khi ghi dữ liệu: không dòng nào được nhập."))
    return job


def error_report_response(job: ImportJob) -> HttpResponse:
    """An import's row-level report as a CSV download."""
    response = HttpResponse(
        "\ufeff" + importing.error_report_csv(job), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="bao-cao-loi-{job.pk}.csv"'
    return response


@official_required
def import_job_view(request: HttpRequest, pk: int, **kwargs: Any) -> HttpResponse:
    """The report of an uploaded file; confirm to import (optionally only the valid rows)."""
    registry_type = _type(kwargs)
    _require_editor(request)
    job = get_object_or_404(
        ImportJob,
        pk=pk,
        registry=registry_type.key,
        owner__in=services.owner_agencies(request.user),
    )
    form = ConfirmImportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        valid_only = form.cleaned_data["valid_only"]
        job = confirm_import(request, registry_type, job, valid_only=valid_only)
        return redirect(url_of(registry_type, "import_job", job.pk))
    return _render(request, registry_type, "import_job", {"job": job, "form": form})


@official_required
def import_errors_view(request: HttpRequest, pk: int, **kwargs: Any) -> HttpResponse:
    """The row-level report as CSV."""
    registry_type = _type(kwargs)
    _require_editor(request)
    job = get_object_or_404(
        ImportJob,
        pk=pk,
        registry=registry_type.key,
        owner__in=services.owner_agencies(request.user),
    )
    return error_report_response(job)


def export_view(request: HttpRequest, **kwargs: Any) -> HttpResponseBase:
    """Export what the list shows (same search and filters), streamed."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not is_official_user(request.user):
        raise PermissionDenied(_("Trang này chỉ dành cho cán bộ, công chức."))
    registry_type = _type(kwargs)
    _require_reader(request, registry_type)
    qs: Any = registry_type.model.objects.visible_to(request.user)
    qs, errors = filtered(registry_type, qs, request.GET)
    if errors:
        messages.error(request, " ".join(m for ms in errors.values() for m in ms))
        return redirect(registry_type_list(registry_type))
    if not request.GET.get("q"):
        qs = qs.order_by("pk")
    return export_response(registry_type, qs, request.GET.get("format", "csv"), request.user)


def export_response(
    registry_type: RegistryType, qs: QuerySet[Any], fmt: str, user: Any
) -> HttpResponseBase:
    """A streamed CSV or XLSX download of `qs`; one logged read for a personal registry."""
    filename = f"{registry_type.slug}.{'xlsx' if fmt == 'xlsx' else 'csv'}"
    if registry_type.subject_key is not None:
        # One entry for the whole export (not one per person): the log says who took what.
        access.log_read(
            registry=registry_type.grant,
            object_id="*",
            subject_key="*",
            subject_repr=_("Xuất dữ liệu %(name)s") % {"name": registry_type.label_plural},
            by=user,
            purpose=_("Xuất dữ liệu ra tệp"),
            channel=DataAccess.Channel.PAGE,
        )
    rows = exporting.export_rows(registry_type, qs)
    if fmt == "xlsx":
        try:
            handle = exporting.xlsx_tempfile(rows, title=registry_type.label_plural)
        except ValidationError as exc:
            return HttpResponse(" ".join(exc.messages), status=422, content_type="text/plain")
        return FileResponse(
            handle,
            as_attachment=True,
            filename=filename,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response = StreamingHttpResponse(
        exporting.csv_chunks(rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Citizens: who read my data -------------------------------------------------------------


@login_required
def my_data_access_view(request: HttpRequest) -> HttpResponse:
    """A citizen's view of the reads of their data: who, which agency, why, when."""
    qs = DataAccess.objects.for_user(request.user)
    page = page_of(qs, request.GET.get("page"), size=50)
    has_id = bool(getattr(request.user, "personal_id", None))
    return render(request, "registry/my_data_access.html", {"page": page, "has_id": has_id})


# --- URLs -----------------------------------------------------------------------------------


def registry_urls(registry_type: RegistryType, prefix: str = "") -> list[URLPattern]:
    """The URL patterns of one registry type's pages, under `prefix` (e.g. "ho-gia-dinh/")."""
    name = _name(registry_type)
    extra = {"registry": registry_type.key}
    return [
        path(f"{prefix}", list_view, extra, name=f"{name}_list"),
        path(f"{prefix}them/", edit_view, extra, name=f"{name}_create"),
        path(f"{prefix}nhap/", import_view, extra, name=f"{name}_import"),
        path(f"{prefix}nhap/<int:pk>/", import_job_view, extra, name=f"{name}_import_job"),
        path(
            f"{prefix}nhap/<int:pk>/loi.csv",
            import_errors_view,
            extra,
            name=f"{name}_import_errors",
        ),
        path(f"{prefix}xuat/", export_view, extra, name=f"{name}_export"),
        path(f"{prefix}da-xoa/", deleted_view, extra, name=f"{name}_deleted"),
        path(f"{prefix}<int:pk>/", detail_view, extra, name=f"{name}_detail"),
        path(f"{prefix}<int:pk>/sua/", edit_view, extra, name=f"{name}_edit"),
        path(f"{prefix}<int:pk>/xoa/", delete_view, extra, name=f"{name}_delete"),
        path(f"{prefix}<int:pk>/khoi-phuc/", restore_view, extra, name=f"{name}_restore"),
        path(f"{prefix}<int:pk>/lich-su/", history_view, extra, name=f"{name}_history"),
        path(
            f"{prefix}<int:pk>/lich-su/<int:seq>/tra-ve/",
            revert_view,
            extra,
            name=f"{name}_revert",
        ),
    ]
