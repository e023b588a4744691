"""Pages of the legal registry under /csdl/van-ban/.

Reading is public (no login): search with filters, a document's page with its full text,
table of contents, relations both ways, a print view, and the export of a list. Registry
owners (and superusers) add, edit, delete (soft) and restore documents and their relations,
import files of documents, and read their history; others get the login page (anonymous) or
403.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lienthong.core.models import AuditEntry, OrgUnit
from lienthong.core.permissions import is_official_user
from lienthong.registries.base import importing
from lienthong.registries.base.forms import ConfirmImportForm, ImportForm
from lienthong.registries.base.models import ImportJob
from lienthong.registries.base.views import (
    check_upload,
    confirm_import,
    error_report_response,
    export_response,
)
from lienthong.registries.legal import files, selectors, services
from lienthong.registries.legal.forms import DocumentForm, RelationForm, SearchForm
from lienthong.registries.legal.models import (
    DocumentRelation,
    DocumentStatus,
    DocumentType,
    LegalDocument,
)
from lienthong.registries.legal.parsing import DocumentData
from lienthong.registries.legal.render import render_text

PAGE_SIZE = 20
_SEARCH_KEYS = ("q", "type", "issuer", "year", "status")


def _page_number(raw: str | None) -> int:
    try:
        return max(1, min(int(raw or 1), 500))
    except ValueError:
        return 1


@require_GET
def document_list(request: HttpRequest) -> HttpResponse:
    """GET /csdl/van-ban/: search (folded words or a number) and filter the documents."""
    page_number = _page_number(request.GET.get("page"))
    data = {key: request.GET.get(key, "") for key in _SEARCH_KEYS}
    form = SearchForm(
        {**data, "limit": PAGE_SIZE, "offset": (page_number - 1) * PAGE_SIZE}
        if request.GET
        else None
    )
    status = 200
    page = None
    if form.is_bound and form.is_valid():
        page = selectors.search_documents(
            form.cleaned_data["q"],
            form.filters(),
            limit=PAGE_SIZE,
            offset=form.cleaned_data["offset"],
        )
    elif form.is_bound:
        status = 422
    else:
        page = selectors.search_documents(None, limit=PAGE_SIZE)
    params = request.GET.copy()
    params.pop("page", None)
    pages = 0
    if page is not None and page.total:
        pages = (page.total + PAGE_SIZE - 1) // PAGE_SIZE
    context: dict[str, Any] = {
        "form": form,
        "page": page,
        "page_number": page_number,
        "pages": pages,
        "params": params.urlencode(),
        "types": DocumentType.choices,
        "statuses": DocumentStatus.choices,
        "issuers": selectors.issuers(),
        "years": selectors.years(),
        "filtered": any(data.values()),
        "can_add": services.can_edit_registry(request.user),
    }
    template = (
        "legal/document_results.html"
        if request.headers.get("HX-Request")
        else "legal/document_list.html"
    )
    return render(request, template, context, status=status)


def _document(request: HttpRequest, slug: str, *, allow_deleted: bool = False) -> LegalDocument:
    """The document of `slug`; a deleted one only for those who may restore it."""
    document = LegalDocument.objects.select_related("owner").filter(slug=slug).first()
    if document is None:
        raise Http404(_("Không có văn bản này."))
    if document.is_deleted and not (allow_deleted and services.can_edit(request.user, document)):
        raise Http404(_("Không có văn bản này."))
    return document


def _relations(document: LegalDocument) -> tuple[list[DocumentRelation], list[DocumentRelation]]:
    """(what the document acts on, what acts on it), without removed or deleted ones."""
    outgoing = list(
        document.relations.filter(rejected=False)
        .select_related("target")
        .order_by("kind", "target_number")
    )
    outgoing = [r for r in outgoing if r.target is None or not r.target.is_deleted]
    incoming = list(
        document.incoming.shown().select_related("source").order_by("kind", "-source__issued_date")
    )
    return outgoing, incoming


@require_GET
def document_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """GET /csdl/van-ban/<slug>/: the document, its contents, its relations both ways."""
    document = _document(request, slug, allow_deleted=True)
    outgoing, incoming = _relations(document)
    rendered = render_text(document.text)
    context = {
        "document": document,
        "rendered": rendered,
        "outgoing": outgoing,
        "incoming": incoming,
        "can_edit": services.can_edit(request.user, document),
        "relation_form": RelationForm(),
    }
    return render(request, "legal/document_detail.html", context)


@require_GET
def document_print(request: HttpRequest, slug: str) -> HttpResponse:
    """GET /csdl/van-ban/<slug>/in/: the document alone, laid out for paper."""
    document = _document(request, slug)
    return render(
        request,
        "legal/document_print.html",
        {"document": document, "rendered": render_text(document.text)},
    )


def _editor_gate(request: HttpRequest) -> HttpResponse | None:
    """Anonymous visitors go to log in; users who may not edit the registry get 403."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not is_official_user(request.user) or not services.can_edit_registry(request.user):
        raise PermissionDenied(_("Bạn không có quyền cập nhật cơ sở dữ liệu văn bản."))
    return None


def _owners(request: HttpRequest) -> tuple[Any, bool]:
    """(units the user may choose as owner, whether the owner is required)."""
    if request.user.is_superuser:
        return OrgUnit.objects.filter(is_agency=True).order_by("name"), False
    return services.editor_units(request.user).order_by("name"), True


@require_http_methods(["GET", "POST"])
def document_create(request: HttpRequest) -> HttpResponse:
    """GET/POST /csdl/van-ban/them/: add a document (registry owners, superusers)."""
    gate = _editor_gate(request)
    if gate is not None:
        return gate
    owners, owner_required = _owners(request)
    form = DocumentForm(request.POST or None, owners=owners, owner_required=owner_required)
    if request.method == "POST" and form.is_valid():
        values = form.values()
        owner = values.pop("owner")
        status = values.pop("status", "")
        values.pop("status_locked")
        try:
            document = services.create_document(
                DocumentData(**values, status=status), owner=owner, by=request.user
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request, _("Đã thêm văn bản %(number)s.") % {"number": document.number}
            )
            return HttpResponseRedirect(document.get_absolute_url())
    status_code = 422 if request.method == "POST" else 200
    return render(
        request, "legal/document_form.html", {"form": form, "document": None}, status=status_code
    )


def _editable(request: HttpRequest, slug: str, *, allow_deleted: bool = False) -> LegalDocument:
    document = _document(request, slug, allow_deleted=allow_deleted)
    if not services.can_edit(request.user, document):
        raise PermissionDenied(_("Bạn không có quyền sửa văn bản này."))
    return document


@require_http_methods(["GET", "POST"])
def document_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """GET/POST /csdl/van-ban/<slug>/sua/: change a document."""
    gate = _editor_gate(request)
    if gate is not None:
        return gate
    document = _editable(request, slug)
    owners, owner_required = _owners(request)
    form = DocumentForm(
        request.POST or None, instance=document, owners=owners, owner_required=owner_required
    )
    if request.method == "POST" and form.is_valid():
        try:
            document = services.update_document(document, by=request.user, **form.values())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Đã lưu văn bản %(number)s.") % {"number": document.number})
            return HttpResponseRedirect(document.get_absolute_url())
    status_code = 422 if request.method == "POST" else 200
    return render(
        request,
        "legal/document_form.html",
        {"form": form, "document": document},
        status=status_code,
    )


@require_http_methods(["GET", "POST"])
def document_delete(request: HttpRequest, slug: str) -> HttpResponse:
    """GET/POST /csdl/van-ban/<slug>/xoa/: confirm, then soft-delete."""
    gate = _editor_gate(request)
    if gate is not None:
        return gate
    document = _editable(request, slug)
    if request.method == "POST":
        services.delete_document(document, by=request.user)
        messages.success(
            request,
            _("Đã xóa văn bản %(number)s; có thể khôi phục trong danh sách văn bản đã xóa.")
            % {"number": document.number},
        )
        return HttpResponseRedirect(reverse("legal:list"))
    return render(request, "legal/document_delete.html", {"document": document})


@require_POST
def document_restore(request: HttpRequest, slug: str) -> HttpResponse:
    """POST /csdl/van-ban/<slug>/khoi-phuc/: bring a deleted document back."""
    gate = _editor_gate(request)
    if gate is not None:
        return gate
    document = _editable(request, slug, allow_deleted=True)
    services.restore_document(document, by=request.user)
    messages.success(request, _("Đã khôi phục văn bản %(number)s.") % {"number": document.number})
    return HttpResponseRedirect(document.get_absolute_url())


@require_GET
def deleted_list(request: HttpRequest) -> HttpResponse:
    """GET /csdl/van-ban/da-xoa/: deleted documents the user may restore."""
    gate = _editor_gate(request)
    if gate is not None:
        return gate
    documents = LegalDocument.objects.deleted().select_related("owner")
    if not request.user.is_superuser:
        units = services.editor_units(request.user)
        documents = documents.filter(owner__in=_subtree(units))
    return render(
        request,
        "legal/document_deleted.html",
        {"documents": documents.order_by("-deleted_at")[:200]},
    )


def _subtree(units: Any) -> Any:
    """Org units at or below `units` (a role covers its unit's subtree)."""
    condition = Q(pk__in=[])
    for path in units.values_list("path", flat=True):
        condition |= Q(path__startswith=path)
    return OrgUnit.objects.filter(condition)


@require_POST
def relation_add(request: HttpRequest, slug: str) -> HttpResponse:
    """POST /csdl/van-ban/<slug>/quan-he/: record a relation by hand."""
    gate = _editor_gate(request)
    if gate is not None:
        return gate
    document = _editable(request, slug)
    form = RelationForm(request.POST)
    if form.is_valid():
        try:
            services.add_relation(document, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, _("Đã thêm quan hệ văn bản."))
            return HttpResponseRedirect(document.get_absolute_url() + "#quan-he")
    outgoing, incoming = _relations(document)
    context = {
        "document": document,
        "rendered": render_text(document.text),
        "outgoing": outgoing,
        "incoming": incoming,
        "can_edit": True,
        "relation_form": form,
    }
    return render(request, "legal/document_detail.html", context, status=422)


@require_POST
def relation_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """POST /csdl/van-ban/<slug>/quan-he/<id>/xoa/: remove a relation."""
    gate = _editor_gate(request)
    if gate is not None:
        return gate
    document = _editable(request, slug)
    relation = get_object_or_404(DocumentRelation, pk=pk, source=document, rejected=False)
    services.remove_relation(relation, by=request.user)
    messages.success(request, _("Đã gỡ quan hệ văn bản."))
    return HttpResponseRedirect(document.get_absolute_url() + "#quan-he")


@require_GET
def document_history(request: HttpRequest, slug: str) -> HttpResponse:
    """GET /csdl/van-ban/<slug>/lich-su/: who changed what, from the audit log."""
    gate = _editor_gate(request)
    if gate is not None:
        return gate
    document = _editable(request, slug, allow_deleted=True)
    entries = AuditEntry.objects.of_object(document).reverse()[:200]
    return render(
        request, "legal/document_history.html", {"document": document, "entries": entries}
    )


# --- Import and export (the shared machinery of registries.base, see files.py) -------------


def _file_pages() -> dict[str, str]:
    """What the shared import templates link to."""
    return {"list": reverse("legal:list"), "import": reverse("legal:import")}


def _import_job(request: HttpRequest, pk: int) -> ImportJob:
    """A legal import of the user's agencies (superusers: any), else 404."""
    jobs = ImportJob.objects.filter(registry=files.DOCUMENTS.key)
    if not request.user.is_superuser:
        jobs = jobs.filter(owner__in=_subtree(services.editor_units(request.user)))
    job: ImportJob = get_object_or_404(jobs, pk=pk)
    return job


@require_http_methods(["GET", "POST"])
def document_import(request: HttpRequest) -> HttpResponse:
    """GET/POST /csdl/van-ban/nhap/: upload a CSV or XLSX file; it is checked row by row at
    once and the report shown before anything is imported."""
    gate = _editor_gate(request)
    if gate is not None:
        return gate
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        job = check_upload(files.DOCUMENTS, form, request.user)
        if job is not None:
            return HttpResponseRedirect(reverse("legal:import_job", args=[job.pk]))
    jobs = ImportJob.objects.filter(registry=files.DOCUMENTS.key, uploaded_by=request.user.pk)
    context = {"form": form, "rt": files.DOCUMENTS, "urls": _file_pages(), "jobs": jobs[:10]}
    status_code = 422 if request.method == "POST" else 200
    return render(request, "registry/import.html", context, status=status_code)


@require_http_methods(["GET", "POST"])
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    """GET/POST /csdl/van-ban/nhap/<id>/: the row-level report; confirm to import (all rows,
    or only the valid ones)."""
    gate = _editor_gate(request)
    if gate is not None:
        return gate
    job = _import_job(request, pk)
    form = ConfirmImportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        valid_only = form.cleaned_data["valid_only"]
        job = confirm_import(request, files.DOCUMENTS, job, valid_only=valid_only)
        return HttpResponseRedirect(reverse("legal:import_job", args=[job.pk]))
    context = {"job": job, "form": form, "rt": files.DOCUMENTS, "urls": _file_pages()}
    return render(request, "registry/import_job.html", context)


@require_GET
def import_errors(request: HttpRequest, pk: int) -> HttpResponse:
    """GET /csdl/van-ban/nhap/<id>/loi.csv: the report as CSV."""
    gate = _editor_gate(request)
    if gate is not None:
        return gate
    return error_report_response(_import_job(request, pk))


@require_GET
def document_export(request: HttpRequest) -> HttpResponseBase:
    """GET /csdl/van-ban/xuat/?format=csv|xlsx&toan_van=1: what the list shows (same search
    and filters), streamed, in the columns the import reads. Public, like the list."""
    form = SearchForm({key: request.GET.get(key, "") for key in _SEARCH_KEYS})
    fmt = request.GET.get("format", "csv")
    if fmt not in importing.FORMATS or not form.is_valid():
        problems = [str(m) for ms in form.errors.values() for m in ms]
        if fmt not in importing.FORMATS:
            problems.append(_("Định dạng phải là csv hoặc xlsx."))
        messages.error(request, " ".join(problems))
        return HttpResponseRedirect(reverse("legal:list"))
    text = request.GET.get("toan_van") == "1"
    documents = files.export_queryset(form.cleaned_data["q"], form.filters(), text=text)
    problem = files.too_long_for_xlsx(documents) if text and fmt == "xlsx" else ""
    if problem:
        messages.error(request, problem)
        filters = urlencode({key: value for key, value in form.data.items() if value})
        return HttpResponseRedirect(f"{reverse('legal:list')}?{filters}")
    return export_response(files.export_type(text=text), documents, fmt, request.user)
