"""Pages of the documents module: incoming documents, the incoming register, the search.

/van-ban/                     start page: what waits for the user
/van-ban/den/                 the incoming register (10 columns), filters, XLSX / PDF
/van-ban/den/them/            register a paper document (clerk)
/van-ban/den/<id>/            one document: files, assignment, opinions, actions
/van-ban/den/<id>/tep/<f>/    a file of the document
/van-ban/tim-kiem/            search incoming and outgoing documents
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lienthong.core.permissions import official_required
from lienthong.documents import selectors, services
from lienthong.documents.forms import (
    AssignForm,
    IncomingForm,
    RegisterFilterForm,
    SearchForm,
    TextForm,
)
from lienthong.documents.models import Assignment, IncomingDocument, IncomingFile
from lienthong.documents.visibility import agencies_of, has_role_at, is_office_of

if TYPE_CHECKING:
    from lienthong.accounts.models import User

PAGE_SIZE = 50


@official_required
def home(request: HttpRequest) -> HttpResponse:
    """The module's start page: what waits for the user, links to registers and search."""
    visible = IncomingDocument.objects.visible_to(request.user)
    counts = {
        status: visible.filter(status=status).count()
        for status in (
            IncomingDocument.Status.ARRIVED,
            IncomingDocument.Status.PRESENTED,
            IncomingDocument.Status.ASSIGNED,
        )
    }
    overdue = visible.filter(
        status=IncomingDocument.Status.ASSIGNED, deadline__lt=timezone.now()
    ).count()
    can_register = agencies_of(request.user, frozenset({"clerk"})).exists()
    return render(
        request,
        "documents/home.html",
        {"counts": counts, "overdue": overdue, "can_register": can_register},
    )


def _me(request: HttpRequest) -> User:
    return cast("User", request.user)


def _page(request: HttpRequest) -> int:
    raw = request.GET.get("page", "")
    return max(1, int(raw)) if raw.isdigit() else 1


@official_required
def incoming_list(request: HttpRequest) -> HttpResponse:
    """The incoming register: ten columns, filters, export for the agency's office."""
    office_agencies = selectors.agencies_for_register(request.user)
    form = RegisterFilterForm(request.GET or None, agencies=agencies_of(request.user))
    filters: dict[str, Any] = {"year": timezone.localdate().year}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "year": data["year"],
            "status": data["status"],
            "overdue": data["overdue"],
            "agency": data["agency"].pk if data["agency"] else None,
            "date_from": data["date_from"],
            "date_to": data["date_to"],
            "type_code": data["type"].code if data["type"] else "",
        }
    documents = selectors.incoming_list(request.user, **filters)
    page = _page(request)
    total = documents.count()
    items = list(documents[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])
    first_office = office_agencies.first()
    export_agency = filters.get("agency") or (first_office.pk if first_office else None)
    return render(
        request,
        "documents/incoming_list.html",
        {
            "form": form,
            "documents": items,
            "total": total,
            "page": page,
            "has_next": page * PAGE_SIZE < total,
            "year": filters["year"],
            "export_agency": export_agency
            if office_agencies.filter(pk=export_agency or 0).exists()
            else None,
            "can_register": agencies_of(request.user, frozenset({"clerk"})).exists(),
            "query": request.GET.urlencode(),
        },
    )


@official_required
def incoming_register_file(request: HttpRequest, fmt: str) -> HttpResponse:
    """The register as XLSX or PDF, for the agency's clerks and leaders."""
    if fmt not in ("xlsx", "pdf"):
        raise Http404
    try:
        agency_id = int(request.GET.get("agency", ""))
        year = int(request.GET.get("year", "") or timezone.localdate().year)
    except ValueError:
        raise Http404 from None
    agency = selectors.agencies_for_register(request.user).filter(pk=agency_id).first()
    if agency is None:
        raise Http404
    form = RegisterFilterForm(request.GET)
    form.is_valid()
    data = form.cleaned_data if hasattr(form, "cleaned_data") else {}
    content, content_type, name = selectors.incoming_register_file(
        request.user,
        agency,
        year,
        fmt,
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        type_code=data["type"].code if data.get("type") else "",
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@official_required
def incoming_create(request: HttpRequest) -> HttpResponse:
    """Register a paper document (the agency's clerk)."""
    agencies = agencies_of(request.user, frozenset({"clerk"}))
    if not agencies.exists():
        raise PermissionDenied(_("Chỉ văn thư được vào sổ văn bản đến."))
    form = IncomingForm(request.POST or None, request.FILES or None, agencies=agencies)
    duplicate = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = services.IncomingData(
            issuer=d["issuer"],
            subject=d["subject"],
            document_type=d["document_type"],
            code_number=d["code_number"],
            code_notation=d["code_notation"],
            issued_date=d["issued_date"],
            urgency=d["urgency"],
            secrecy=d["secrecy"],
            recipient=d["recipient"],
            signer=d["signer"],
            due_date=d["due_date"],
            notes=d["notes"],
        )
        files = [
            services.NewFile(
                name=f.name,
                data=f.read(),
                content_type=f.content_type or "application/octet-stream",
            )
            for f in d["attachments"]
        ]
        try:
            document = services.register_incoming(
                agency=d["agency"],
                data=data,
                files=files,
                confirm_duplicate=d["confirm_duplicate"],
                by=_me(request),
            )
        except services.DuplicateDocument as exc:
            duplicate = exc.existing
            form.add_error(None, exc.messages[0])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request,
                _("Đã vào sổ văn bản đến số %(n)s.") % {"n": document.arrival_number},
            )
            return redirect(document.get_absolute_url())
    return render(request, "documents/incoming_form.html", {"form": form, "duplicate": duplicate})


def _add_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@official_required
def incoming_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One incoming document with the actions the user may take."""
    document = selectors.incoming_for(request.user, pk)
    user = request.user
    is_clerk = has_role_at(user, document.agency, frozenset({"clerk"}))
    is_leader = has_role_at(user, document.agency, frozenset({"leader"}))
    lead_member = document.lead_unit is not None and has_role_at(
        user, document.lead_unit, frozenset(r for r in _all_roles())
    )
    status = IncomingDocument.Status
    return render(
        request,
        "documents/incoming_detail.html",
        {
            "document": document,
            "files": list(document.files.all()),
            "assignments": list(document.assignments.select_related("unit", "task")),
            "opinions": list(document.opinions.select_related("author", "unit")),
            "can_accept": is_clerk and document.status == status.ARRIVED,
            "can_assign": is_leader and document.status == status.PRESENTED,
            "can_complete": (lead_member or is_leader) and document.status == status.ASSIGNED,
            "can_follow_up": is_office_of(user, document.agency)
            and document.status == status.ASSIGNED,
            "can_comment": document.status not in (status.ARRIVED, status.REFUSED),
            "assign_form": AssignForm(document=document),
            "text_form": TextForm(),
            "parts": Assignment.Part,
        },
    )


def _all_roles() -> list[str]:
    from lienthong.accounts.models import Role

    return [str(role) for role in Role if role != Role.CITIZEN]


def _act(request: HttpRequest, pk: int, action: Any) -> HttpResponse:
    document = selectors.incoming_for(request.user, pk)
    try:
        action(document)
    except (services.WrongState, services.DuplicateDocument) as exc:
        messages.error(request, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("Bạn không có quyền."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã lưu."))
    return redirect(document.get_absolute_url())


def _text(request: HttpRequest) -> str:
    return str(request.POST.get("text", ""))


@require_POST
@official_required
def incoming_accept(request: HttpRequest, pk: int) -> HttpResponse:
    confirm = request.POST.get("confirm_duplicate") == "on"
    return _act(
        request,
        pk,
        lambda d: services.accept_arrived(d, confirm_duplicate=confirm, by=_me(request)),
    )


@require_POST
@official_required
def incoming_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request, pk, lambda d: services.refuse_arrived(d, reason=_text(request), by=_me(request))
    )


@require_POST
@official_required
def incoming_assign(request: HttpRequest, pk: int) -> HttpResponse:
    document = selectors.incoming_for(request.user, pk)
    form = AssignForm(request.POST, document=document)
    if not form.is_valid():
        messages.error(
            request,
            " ".join(str(e) for errors in form.errors.values() for e in errors),
        )
        return redirect(document.get_absolute_url())
    d = form.cleaned_data
    return _act(
        request,
        pk,
        lambda doc: services.assign(
            doc,
            lead_unit=d["lead_unit"],
            cooperating=list(d["cooperating"]),
            informed=list(d["informed"]),
            deadline=d["deadline"],
            instruction=d["instruction"],
            by=_me(request),
        ),
    )


@require_POST
@official_required
def incoming_opinion(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request, pk, lambda d: services.add_opinion(d, text=_text(request), by=_me(request))
    )


@require_POST
@official_required
def incoming_complete(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, lambda d: services.complete(d, result=_text(request), by=_me(request)))


@require_POST
@official_required
def incoming_follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request, pk, lambda d: services.follow_up(d, message=_text(request), by=_me(request))
    )


@official_required
def incoming_file(request: HttpRequest, pk: int, file_pk: int) -> HttpResponse:
    """A file of a document the user sees."""
    document = selectors.incoming_for(request.user, pk)
    item = IncomingFile.objects.filter(document=document, pk=file_pk).first()
    if item is None:
        raise Http404
    download = FileResponse(item.file.open("rb"), as_attachment=True, filename=item.name)
    return cast(HttpResponse, download)


@official_required
def search(request: HttpRequest) -> HttpResponse:
    """Search incoming and outgoing documents (folded Vietnamese), with filters."""
    form = SearchForm(request.GET or None)
    result = None
    page = 1
    if request.GET and form.is_valid():
        d = form.cleaned_data
        page = d["page"] or 1
        try:
            result = selectors.search_documents(
                request.user,
                q=d["q"],
                direction=d["direction"],
                year=d["year"],
                type_code=d["type"].code if d["type"] else "",
                issuer=d["issuer"],
                urgency=d["urgency"],
                date_from=d["date_from"],
                date_to=d["date_to"],
                limit=20,
                offset=(page - 1) * 20,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "documents/search.html",
        {
            "form": form,
            "result": result,
            "page": page,
            "has_next": result is not None and page * 20 < result.total,
            "query": params.urlencode(),
        },
    )
