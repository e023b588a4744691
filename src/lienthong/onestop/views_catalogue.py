"""Pages of the procedure catalogue: the public list and procedure pages, import and export.

The catalogue is public (no login): anyone may look procedures up. Exports are for officials;
imports for IT administrators and superusers (`catalogue.can_manage_catalogue`).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from lienthong.accounts.models import Role
from lienthong.core.models import OrgUnit
from lienthong.core.permissions import is_official_user, official_required
from lienthong.onestop import catalogue, intake
from lienthong.onestop.forms_catalogue import CatalogueFilterForm, ImportForm
from lienthong.onestop.models import Procedure, ProcedureComponent
from lienthong.search.services import check_query

PAGE_SIZE = 25
EXPORT_TYPES = {
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _page_number(raw: str | None) -> int:
    try:
        return max(int(raw or 1), 1)
    except ValueError:
        return 1


def _ranked(queryset: QuerySet[Procedure], ids: list[int]) -> list[Procedure]:
    """The rows of `queryset` among `ids`, in the order of `ids` (the kernel's ranking)."""
    rows = queryset.in_bulk(ids)
    return [rows[pk] for pk in ids if pk in rows]


@require_GET
def catalogue_list(request: HttpRequest) -> HttpResponse:
    """GET /motcua/thu-tuc/: search the catalogue (folded words) and filter it."""
    form = CatalogueFilterForm(request.GET or None)
    procedures: QuerySet[Procedure] = Procedure.objects.active().select_related("field")
    query = ""
    status = 200
    if form.is_bound and form.is_valid():
        procedures = form.filter(procedures)
        query = form.cleaned_data["q"].strip()
        if query:
            try:
                check_query(query)
            except ValidationError as exc:
                form.add_error("q", exc.messages[0])
                status = 422
    elif form.is_bound:
        status = 422
    results: list[Procedure] | QuerySet[Procedure]
    if status != 200:
        results = Procedure.objects.none()
    elif query:
        results = _ranked(procedures, catalogue.ranked_procedure_ids(query))
    else:
        results = procedures.order_by("field__name", "code")
    page = Paginator(results, PAGE_SIZE).get_page(_page_number(request.GET.get("page")))
    params = request.GET.copy()
    params.pop("page", None)
    context: dict[str, Any] = {
        "form": form,
        "page": page,
        "query": query,
        "params": params.urlencode(),
        "filtered": form.is_bound and any(form.data.get(k) for k in form.fields),
    }
    template = (
        "onestop/catalogue_results.html"
        if request.headers.get("HX-Request")
        else "onestop/catalogue_list.html"
    )
    return render(request, template, context, status=status)


def _visible_procedure(request: HttpRequest, code: str) -> Procedure:
    queryset = Procedure.objects.select_related("field", "process_template").prefetch_related(
        Prefetch("components", queryset=ProcedureComponent.objects.order_by("order")),
        Prefetch("agencies", queryset=OrgUnit.objects.order_by("name")),
    )
    if not catalogue.can_manage_catalogue(request.user):
        queryset = queryset.active()
    procedure = queryset.filter(code=code).first()
    if procedure is None:
        raise Http404(_("Không có thủ tục hành chính mã này."))
    return procedure


def _role_label(role: str) -> str:
    return str(Role(role).label) if role in Role.values else role


@require_GET
def catalogue_detail(request: HttpRequest, code: str) -> HttpResponse:
    """GET /motcua/thu-tuc/<code>/: the whole procedure, and what the source did not give."""
    procedure = _visible_procedure(request, code)
    components = list(procedure.components.all())
    groups: list[tuple[str, list[ProcedureComponent]]] = []
    for component in components:
        if groups and groups[-1][0] == component.group:
            groups[-1][1].append(component)
        else:
            groups.append((component.group, [component]))
    source_url = procedure.source.get("original_url", "") if procedure.source else ""
    context = {
        "procedure": procedure,
        "missing": set(procedure.missing),
        "missing_labels": catalogue.missing_labels(procedure),
        "component_groups": groups,
        "component_count": len(components),
        "required_count": sum(1 for c in components if c.is_required),
        "steps": [
            {"step": step, "budget": budget, "role_label": _role_label(step.role)}
            for step, budget in catalogue.step_budgets(procedure)
        ],
        "agencies": list(procedure.agencies.all()),
        "source_url": source_url if catalogue.safe_url(source_url) else "",
        "can_manage": catalogue.can_manage_catalogue(request.user),
        **_intake_links(request, procedure),
    }
    return render(request, "onestop/catalogue_detail.html", context)


def _intake_links(request: HttpRequest, procedure: Procedure) -> dict[str, str]:
    """Where to submit a dossier of `procedure` from its page: online for citizens (and
    visitors, who log in first), at the counter for its one-stop officers; nothing while the
    procedure cannot be received (no receiving agency, time limit or internal process)."""
    receivable = (
        procedure.is_active
        and procedure.process_template_id is not None
        and procedure.time_limit_value is not None
        and bool(procedure.time_limit_unit)
        and intake.receiving_agencies(procedure).exists()
    )
    if not receivable:
        return {}
    user = request.user
    if is_official_user(user):
        if intake.officer_agencies(user, procedure).exists():
            return {"counter_url": reverse("onestop:intake_counter_form", args=[procedure.code])}
        return {}
    return {"online_url": reverse("onestop:intake_online", args=[procedure.code])}


@require_GET
def catalogue_form_file(request: HttpRequest, code: str, order: int) -> FileResponse:
    """Download a component's form template (public, like the procedure)."""
    procedure = _visible_procedure(request, code)
    component = procedure.components.filter(order=order).first()
    if component is None or not component.form_file:
        raise Http404(_("Thành phần hồ sơ này không có tệp mẫu."))
    try:
        handle = component.form_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("Tệp mẫu không còn trong kho tệp.")) from exc
    name = (component.form_file.name or "").rsplit("/", 1)[-1]
    return FileResponse(handle, as_attachment=True, filename=name)


@official_required
@require_http_methods(["GET", "POST"])
def catalogue_transfer(request: HttpRequest) -> HttpResponse:
    """Import and export: officials download; IT administrators also upload JSON or XLSX."""
    can_manage = catalogue.can_manage_catalogue(request.user)
    form = ImportForm()
    context: dict[str, Any] = {"can_manage": can_manage, "report": None, "errors": []}
    status = 200
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied(_("Chỉ quản trị CNTT mới được nhập danh mục thủ tục."))
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                context["report"] = catalogue.import_file(
                    upload.name, upload.read(), by=request.user
                )
            except catalogue.CatalogueImportError as exc:
                context["errors"] = exc.errors
                status = 422
        else:
            status = 422
    context["form"] = form
    context["procedure_count"] = Procedure.objects.count()
    return render(request, "onestop/catalogue_transfer.html", context, status=status)


@official_required
@require_GET
def catalogue_export(request: HttpRequest) -> HttpResponse:
    """Download the whole catalogue as JSON or XLSX (?format=json|xlsx)."""
    fmt = request.GET.get("format", "json")
    if fmt not in EXPORT_TYPES:
        return HttpResponse(
            _("Định dạng phải là json hoặc xlsx."), status=400, content_type="text/plain"
        )
    return export_response(fmt)


def export_response(fmt: str) -> HttpResponse:
    """The catalogue as a download in `fmt` (json or xlsx)."""
    if fmt == "xlsx":
        body = catalogue.export_xlsx()
    else:
        import json

        data = catalogue.export_procedures()
        body = json.dumps(data, ensure_ascii=False, indent=1).encode()
    response = HttpResponse(body, content_type=EXPORT_TYPES[fmt])
    filename = catalogue.export_filename(fmt)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
