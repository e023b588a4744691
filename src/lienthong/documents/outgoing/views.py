"""Pages of the outgoing documents, under /van-ban/di/: list, new draft, a document with its
step buttons, files, the outgoing register (HTML, XLSX, PDF) and the signature check."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lienthong.core.permissions import official_required
from lienthong.documents.outgoing import forms, selectors, services, signing
from lienthong.documents.outgoing.models import OutgoingFile, OutgoingStatus
from lienthong.documents.registers import register_pdf, register_xlsx

PAGE_SIZE = 50


def _form_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@official_required
def document_list(request: HttpRequest) -> HttpResponse:
    """Outgoing documents the official sees, newest first, with a filter."""
    status = request.GET.get("status", "")
    if status not in OutgoingStatus.values:
        status = ""
    q = request.GET.get("q", "")[:200]
    documents = selectors.search(request.user, q=q, status=status)
    page = list(documents[: PAGE_SIZE + 1])
    return render(
        request,
        "documents_outgoing/list.html",
        {
            "documents": page[:PAGE_SIZE],
            "more": len(page) > PAGE_SIZE,
            "q": q,
            "status": status,
            "statuses": OutgoingStatus.choices,
        },
    )


@official_required
def document_new(request: HttpRequest) -> HttpResponse:
    """Start a draft (with its main PDF)."""
    form = forms.DraftForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            document = services.create_draft(
                drafting_unit=data["drafting_unit"],
                document_type=data["document_type"],
                subject=data["subject"],
                content=data["content"],
                urgency=data["urgency"],
                secrecy=data["secrecy"],
                is_legal=data["is_legal"],
                recipients=form.recipients(),
                recipients_text=data["recipients_text"],
                due_date=data["due_date"],
                place=data["place"],
                by=request.user,  # type: ignore[arg-type]
            )
            if data["main_file"]:
                services.add_file(document, upload=data["main_file"], by=request.user)  # type: ignore[arg-type]
        except ValidationError as exc:
            _form_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Đã tạo dự thảo."))
            return redirect(document.get_absolute_url())
    return render(request, "documents_outgoing/new.html", {"form": form})


def _action_forms(document: Any, actions: set[str], data: Any = None) -> dict[str, Any]:
    agency = document.agency
    built: dict[str, Any] = {}
    if "submit" in actions:
        built["submit"] = forms.SubmitForm(data, agency=agency, prefix="submit")
    if "approve" in actions:
        built["approve"] = forms.ApproveForm(
            data, agency=agency, prefix="approve", initial={"signer": document.signer_id}
        )
    if "return" in actions:
        built["return"] = forms.ReturnForm(data, prefix="return")
    if "sign" in actions:
        built["sign"] = forms.SignForm(
            data, prefix="sign", initial={"position": getattr(document.signer, "position", "")}
        )
    if "issue" in actions:
        built["issue"] = forms.IssueForm(
            data,
            prefix="issue",
            initial={"issued_date": timezone.localdate(), "copies": document.copies},
        )
    return built


@official_required
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A document: facts, files, recipients and their replies, history, the next steps."""
    document = selectors.get_visible(request.user, pk)
    actions = services.allowed_actions(request.user, document)
    return _detail(request, document, actions, _action_forms(document, actions))


def _detail(
    request: HttpRequest, document: Any, actions: set[str], action_forms: dict[str, Any]
) -> HttpResponse:
    return render(
        request,
        "documents_outgoing/detail.html",
        {
            "document": document,
            "actions": actions,
            "forms": action_forms,
            "files": list(document.files.all()),
            "recipients": list(document.recipients.all()),
            "history": list(document.history.all()),
            "certificate": services.active_certificate(request.user)  # type: ignore[arg-type]
            if "sign" in actions
            else None,
        },
    )


@require_POST
@official_required
def document_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One step (submit, approve, return, sign, number, issue, send, file) from the page."""
    document = selectors.get_visible(request.user, pk)
    actions = services.allowed_actions(request.user, document)
    if action != "file" and action not in actions:
        raise PermissionDenied(_("Bạn không thực hiện được thao tác này."))
    if action == "file" and "edit" not in actions:
        raise PermissionDenied(_("Bạn không sửa được dự thảo này."))
    action_forms = _action_forms(document, actions, request.POST)
    by: Any = request.user
    try:
        if action == "file":
            upload = request.FILES.get("file")
            if upload is None:
                raise ValidationError({"file": _("Hãy chọn tệp.")})
            kind = request.POST.get("kind", OutgoingFile.Kind.MAIN)
            services.add_file(document, upload=upload, kind=kind, by=by)
        elif action in ("number", "send"):
            step = services.assign_number if action == "number" else services.send
            step(document, by=by)
        else:
            form = action_forms[action]
            if not form.is_valid():
                return _detail(request, document, actions, action_forms)
            data = form.cleaned_data
            if action == "submit":
                services.submit_for_review(
                    document,
                    reviewer=data["reviewer"],
                    signer=data["signer"],
                    comment=data["comment"],
                    by=by,
                )
            elif action == "approve":
                services.approve(document, signer=data["signer"], comment=data["comment"], by=by)
            elif action == "return":
                services.return_draft(document, comment=data["comment"], by=by)
            elif action == "sign":
                services.sign(
                    document,
                    passphrase=data["passphrase"],
                    position=data["position"],
                    competence=data["competence"],
                    by=by,
                )
            elif action == "issue":
                services.issue(
                    document, issued_date=data["issued_date"], copies=data["copies"], by=by
                )
    except ValidationError as exc:
        form = action_forms.get(action)
        if form is not None:
            _form_errors(form, exc)
            return _detail(request, document, actions, action_forms)
        for message in exc.messages:
            messages.error(request, message)
    except services.InvalidState as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Đã thực hiện."))
    return redirect(document.get_absolute_url())


@official_required
def document_file(request: HttpRequest, pk: int, file_id: int) -> HttpResponse:
    """Download a file of a document the official sees."""
    document = selectors.get_visible(request.user, pk)
    file = get_object_or_404(OutgoingFile, pk=file_id, document=document)
    response = FileResponse(
        file.file.open("rb"), as_attachment=True, filename=file.name, content_type=file.content_type
    )
    return response  # type: ignore[return-value]  # a streaming response, served as is


@official_required
def register(request: HttpRequest) -> HttpResponse:
    """The outgoing register (sổ đăng ký văn bản đi): ten columns; XLSX and PDF export."""
    data = request.GET.copy()
    form = forms.RegisterForm(data or None, user=request.user)
    if not data:
        first = form.fields["agency"].queryset.first()  # type: ignore[attr-defined]
        if first is not None:
            form = forms.RegisterForm({"agency": first.pk}, user=request.user)
    rows: list[list[Any]] = []
    title = _("Sổ đăng ký văn bản đi")
    if form.is_bound and form.is_valid():
        clean = form.cleaned_data
        documents = selectors.register_documents(
            request.user,
            agency=clean["agency"],
            year=clean["year"],
            series=clean["series"],
            date_from=clean["date_from"],
            date_to=clean["date_to"],
        )
        rows = [selectors.register_row(document) for document in documents]
        subtitle = _("%(agency)s — năm %(year)d") % {
            "agency": clean["agency"].name,
            "year": clean["year"],
        }
        columns = selectors.register_columns()
        name = f"so-van-ban-di-{clean['year']}"
        if clean["format"] == "xlsx":
            body = register_xlsx(title, columns, rows, subtitle=subtitle, sheet_title=title[:31])
            response = HttpResponse(
                body,
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
            return response
        if clean["format"] == "pdf":
            body = register_pdf(title, columns, rows, subtitle=subtitle)
            response = HttpResponse(body, content_type="application/pdf")
            response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
            return response
    return render(
        request,
        "documents_outgoing/register.html",
        {"form": form, "rows": rows, "columns": selectors.register_columns(), "title": title},
    )


@official_required
def verify(request: HttpRequest) -> HttpResponse:
    """Check the digital signatures of a PDF against the trusted roots."""
    form = forms.VerifyForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > signing.DEFAULT_MAX_PDF_BYTES:
            form.add_error("file", _("Tệp quá lớn."))
        else:
            try:
                result = services.verify_pdf(upload.read())
            except signing.InvalidPdf as exc:
                form.add_error("file", str(exc))
    return render(request, "documents_outgoing/verify.html", {"form": form, "result": result})
