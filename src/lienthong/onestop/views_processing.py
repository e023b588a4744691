"""Processing pages: the officials' dossier page with its actions, the applicant's actions on
their own dossier, the slips (supplement request, apology) and the result file.

Who may see a dossier is decided in the query (`Dossier.objects.visible_to`): anyone else gets
the same 404 as for a code that does not exist. Each action is a POST that parses a form and
calls one service; the service decides who may act (403) and in which state (409, shown on the
page with the reason), and writes nothing otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lienthong.accounts.models import User
from lienthong.core.permissions import get_visible_or_404, official_required
from lienthong.core.uploads import content_type_of, display_name
from lienthong.onestop import processing, results
from lienthong.onestop.forms_processing import (
    ApologyForm,
    ApplicantSupplementForm,
    ForwardForm,
    HandOverForm,
    NoteForm,
    ObligationForm,
    ObligationPaidForm,
    ReasonForm,
    ResultForm,
    ReturnResultForm,
    ReturnStepForm,
    SupplementRequestForm,
    add_service_errors,
)
from lienthong.onestop.models import (
    ApologyLetter,
    CitizenDocument,
    Dossier,
    DossierResult,
    SupplementRequest,
)
from lienthong.workflow import engine
from lienthong.workflow.engine import WrongState
from lienthong.workflow.models import Case, ProcessStep

_RELATED = ("procedure", "agency", "field", "received_by", "late_unit", "applicant")


def _dossiers() -> QuerySet[Dossier]:
    return Dossier.objects.select_related(*_RELATED)


def _visible(request: HttpRequest, code: str) -> Dossier:
    return get_visible_or_404(_dossiers(), request.user, code=code)


def _own(request: HttpRequest, code: str) -> Dossier:
    """The applicant's own dossier (officials use the officials' page); 404 otherwise."""
    return get_object_or_404(_dossiers(), code=code, applicant=request.user)


def _file_response(stored: Any, *, inline: bool = False) -> FileResponse:
    if not stored or not stored.name:
        raise Http404(_("Không tìm thấy tệp."))
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404(_("Không tìm thấy tệp.")) from None
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=display_name(stored.name),
        content_type=content_type_of(stored.name),
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- The officials' dossier page ------------------------------------------------------------


def _earlier_steps(case: Case | None) -> list[ProcessStep]:
    if case is None or case.current_step is None:
        return []
    return list(case.template.steps.filter(order__lt=case.current_step.order).order_by("order"))


def _page_context(
    request: HttpRequest, dossier: Dossier, bound: dict[str, forms.Form] | None = None
) -> dict[str, Any]:
    user = cast(User, request.user)
    case = (
        Case.objects.select_related("current_step", "agency", "template")
        .filter(dossier=dossier)
        .first()
    )
    task = engine.current_task(case) if case is not None else None
    actions = processing.available_actions(dossier, user)
    seen = {"task": task.pk if task is not None else None}
    forms_: dict[str, forms.Form] = {
        "forward": ForwardForm(prefix="forward", initial=seen),
        "return_step": ReturnStepForm(
            prefix="return_step", steps=_earlier_steps(case), initial=seen
        ),
        "supplement": SupplementRequestForm(prefix="supplement"),
        "supply": NoteForm(prefix="supply"),
        "obligation": ObligationForm(prefix="obligation"),
        "obligation_paid": ObligationPaidForm(prefix="obligation_paid"),
        "handover": HandOverForm(
            prefix="handover", exclude=case.agency if case else None, initial=seen
        ),
        "stop": ReasonForm(prefix="stop"),
        "withdraw": ReasonForm(prefix="withdraw"),
        "apology": ApologyForm(prefix="apology"),
        "upload_result": ResultForm(prefix="upload_result"),
        "return_result": ReturnResultForm(prefix="return_result"),
    }
    forms_.update(bound or {})
    return {
        "dossier": dossier,
        "case": case,
        "task": task,
        "risk": engine.risk_of(case) if case is not None else None,
        "steps": list(case.template.steps.order_by("order")) if case is not None else [],
        "components": dossier.components.select_related("component").order_by(
            "component__order", "pk"
        ),
        "history": dossier.history.select_related("by", "org_unit").order_by("at", "pk"),
        "supplements": dossier.supplements.select_related("requested_by").prefetch_related(
            "components"
        ),
        "obligations": dossier.obligations.all(),
        "apologies": dossier.apologies.select_related("late_unit"),
        "result": DossierResult.objects.filter(dossier=dossier).first(),
        "actions": actions,
        "forms": forms_,
        "blocker": processing.apology_blocker(dossier)
        if dossier.case_id is not None and dossier.status == 4
        else None,
    }


@official_required
def dossier_page(request: HttpRequest, code: str) -> HttpResponse:
    """A dossier as officials see it: applicant, papers, history, step, and what they may do."""
    dossier = _visible(request, code)
    return render(request, "onestop/processing_dossier.html", _page_context(request, dossier))


@official_required
def dossier_by_id(request: HttpRequest, pk: int) -> HttpResponse:
    """A task's link (it knows the dossier's id, not its code): on to the dossier page."""
    dossier = get_visible_or_404(Dossier.objects.all(), request.user, pk=pk)
    return redirect("onestop:processing_dossier", code=dossier.code)


def _act(
    request: HttpRequest,
    code: str,
    name: str,
    form_class: Callable[..., forms.Form],
    call: Callable[[Dossier, forms.Form, User], object],
    done: str,
    *,
    form_kwargs: Callable[[Dossier], dict[str, Any]] | None = None,
) -> HttpResponse:
    """Run one action from the officials' page: parse, call the service, answer."""
    dossier = _visible(request, code)
    user = cast(User, request.user)
    extra = form_kwargs(dossier) if form_kwargs else {}
    form = form_class(request.POST, request.FILES, prefix=name, **extra)
    status = 200
    if form.is_valid():
        try:
            call(dossier, form, user)
        except ValidationError as exc:
            add_service_errors(form, exc)
            status = 422
        except WrongState as exc:
            messages.error(request, str(exc))
            status = 409
        else:
            messages.success(request, done)
            return redirect("onestop:processing_dossier", code=dossier.code)
    else:
        status = 422
    dossier.refresh_from_db()
    context = _page_context(request, dossier, {name: form})
    context["open_action"] = name
    return render(request, "onestop/processing_dossier.html", context, status=status)


def _steps_of(dossier: Dossier) -> dict[str, Any]:
    case = Case.objects.select_related("current_step", "template").filter(dossier=dossier).first()
    return {"steps": _earlier_steps(case)}


def _case_agency(dossier: Dossier) -> dict[str, Any]:
    case = Case.objects.select_related("agency").filter(dossier=dossier).first()
    return {"exclude": case.agency if case else None}


@official_required
@require_POST
def forward(request: HttpRequest, code: str) -> HttpResponse:
    """Finish the current step (chuyển bước; the leader's approval)."""
    return _act(
        request,
        code,
        "forward",
        ForwardForm,
        lambda d, f, u: processing.forward_dossier(
            d, by=u, note=f.cleaned_data["note"], seen_task=f.cleaned_data["task"]
        ),
        _("Đã chuyển hồ sơ sang bước tiếp theo."),
    )


@official_required
@require_POST
def return_step(request: HttpRequest, code: str) -> HttpResponse:
    """Send the dossier back to an earlier step."""
    return _act(
        request,
        code,
        "return_step",
        ReturnStepForm,
        lambda d, f, u: processing.return_to_step(
            d,
            step=f.cleaned_data["step"],
            by=u,
            note=f.cleaned_data["note"],
            seen_task=f.cleaned_data["task"],
        ),
        _("Đã trả hồ sơ về bước trước."),
        form_kwargs=_steps_of,
    )


@official_required
@require_POST
def request_supplement(request: HttpRequest, code: str) -> HttpResponse:
    """Ask the applicant to complete the dossier."""
    return _act(
        request,
        code,
        "supplement",
        SupplementRequestForm,
        lambda d, f, u: processing.request_supplement(
            d,
            items=cast(SupplementRequestForm, f).item_list(),
            reason=f.cleaned_data["reason"],
            by=u,
        ),
        _("Đã gửi yêu cầu bổ sung; thời hạn giải quyết tạm dừng."),
    )


@official_required
@require_POST
def confirm_supplement(request: HttpRequest, code: str) -> HttpResponse:
    """The complete dossier is back: the time limit counts again from the start."""
    return _act(
        request,
        code,
        "supply",
        NoteForm,
        lambda d, f, u: processing.confirm_supplement(d, by=u, note=f.cleaned_data["note"]),
        _("Đã nhận đủ hồ sơ bổ sung; thời hạn giải quyết được tính lại từ đầu."),
    )


@official_required
@require_POST
def request_obligation(request: HttpRequest, code: str) -> HttpResponse:
    """Ask the applicant to pay a fee or tax."""
    return _act(
        request,
        code,
        "obligation",
        ObligationForm,
        lambda d, f, u: processing.request_obligation(
            d, amount=f.cleaned_data["amount"], description=f.cleaned_data["description"], by=u
        ),
        _("Đã gửi đề nghị thực hiện nghĩa vụ tài chính."),
    )


@official_required
@require_POST
def obligation_paid(request: HttpRequest, code: str) -> HttpResponse:
    """Record the payment; the clock runs on."""
    return _act(
        request,
        code,
        "obligation_paid",
        ObligationPaidForm,
        lambda d, f, u: processing.confirm_obligation_paid(
            d, by=u, reference=f.cleaned_data["reference"]
        ),
        _("Đã ghi nhận việc thực hiện nghĩa vụ tài chính."),
    )


@official_required
@require_POST
def hand_over(request: HttpRequest, code: str) -> HttpResponse:
    """Hand the dossier to another agency (một cửa liên thông)."""
    return _act(
        request,
        code,
        "handover",
        HandOverForm,
        lambda d, f, u: processing.hand_over_dossier(
            d,
            to_agency=f.cleaned_data["agency"],
            by=u,
            note=f.cleaned_data["note"],
            seen_task=f.cleaned_data["task"],
        ),
        _("Đã chuyển hồ sơ sang cơ quan phối hợp giải quyết."),
        form_kwargs=_case_agency,
    )


@official_required
@require_POST
def stop(request: HttpRequest, code: str) -> HttpResponse:
    """Stop processing, with the reason."""
    return _act(
        request,
        code,
        "stop",
        ReasonForm,
        lambda d, f, u: processing.stop_dossier(d, reason=f.cleaned_data["reason"], by=u),
        _("Đã dừng xử lý hồ sơ."),
    )


@official_required
@require_POST
def withdraw(request: HttpRequest, code: str) -> HttpResponse:
    """Withdraw the dossier at the applicant's request made at the counter."""
    return _act(
        request,
        code,
        "withdraw",
        ReasonForm,
        lambda d, f, u: processing.withdraw_dossier(d, reason=f.cleaned_data["reason"], by=u),
        _("Đã rút hồ sơ theo yêu cầu của người nộp."),
    )


@official_required
@require_POST
def apology(request: HttpRequest, code: str) -> HttpResponse:
    """Write the apology letter with the new return date."""
    return _act(
        request,
        code,
        "apology",
        ApologyForm,
        lambda d, f, u: processing.write_apology(
            d,
            reason=f.cleaned_data["reason"],
            days=f.cleaned_data["days"],
            new_due_date=f.cleaned_data["new_due_date"],
            by=u,
        ),
        _("Đã lập phiếu xin lỗi và hẹn lại ngày trả kết quả."),
    )


@official_required
@require_POST
def upload_result(request: HttpRequest, code: str) -> HttpResponse:
    """Attach the result document."""
    return _act(
        request,
        code,
        "upload_result",
        ResultForm,
        lambda d, f, u: results.upload_result(
            d,
            title=f.cleaned_data["title"],
            number=f.cleaned_data["number"],
            file=f.cleaned_data["file"],
            by=u,
        ),
        _("Đã tải kết quả giải quyết lên."),
    )


@official_required
@require_POST
def return_result(request: HttpRequest, code: str) -> HttpResponse:
    """Return the result at the counter, or send it online."""
    return _act(
        request,
        code,
        "return_result",
        ReturnResultForm,
        lambda d, f, u: results.return_result(
            d, by=u, channel=f.cleaned_data["channel"], note=f.cleaned_data["note"]
        ),
        _("Đã trả kết quả cho người nộp."),
    )


# --- Slips and the result file (officials in scope and the applicant) -----------------------


@login_required
def result_file(request: HttpRequest, code: str) -> HttpResponseBase:
    """The result document, for officials in scope and the applicant."""
    dossier = _visible(request, code)
    result = get_object_or_404(DossierResult, dossier=dossier)
    if result.returned_at is None and dossier.applicant_id == request.user.pk:
        # The applicant gets the result when it is returned to them, not before.
        raise Http404(_("Kết quả chưa được trả."))
    return _file_response(result.file)


@login_required
def supplement_pdf(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """The supplement request slip (form 02)."""
    dossier = _visible(request, code)
    supplement = get_object_or_404(
        SupplementRequest.objects.select_related("requested_by"), dossier=dossier, pk=pk
    )
    supplement.dossier = dossier
    return _pdf(processing.supplement_slip_pdf(supplement), f"phieu-bo-sung-{dossier.code}.pdf")


@login_required
def apology_pdf(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """The apology letter (form 04)."""
    dossier = _visible(request, code)
    letter = get_object_or_404(
        ApologyLetter.objects.select_related("late_unit", "created_by"), dossier=dossier, pk=pk
    )
    letter.dossier = dossier
    return _pdf(processing.apology_letter_pdf(letter), f"phieu-xin-loi-{dossier.code}.pdf")


# --- The applicant's actions ----------------------------------------------------------------


def _applicant_context(
    request: HttpRequest, dossier: Dossier, bound: dict[str, forms.Form] | None = None
) -> dict[str, Any]:
    supplement = processing.open_supplement(dossier)
    context: dict[str, Any] = {
        "dossier": dossier,
        "actions": processing.available_actions(dossier, request.user),
        "supplement": supplement,
        "supplements": dossier.supplements.all(),
        "obligation": dossier.obligations.filter(paid_at__isnull=True).first(),
        "apologies": dossier.apologies.select_related("late_unit"),
        "result": DossierResult.objects.filter(dossier=dossier, returned_at__isnull=False).first(),
        "withdraw_form": ReasonForm(prefix="withdraw"),
        "supplement_form": ApplicantSupplementForm(
            prefix="submit", items=supplement.items if supplement else ()
        ),
    }
    for name, form in (bound or {}).items():
        context[f"{name}_form"] = form
    return context


def _applicant_page(
    request: HttpRequest,
    dossier: Dossier,
    bound: dict[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    partial = bool(request.headers.get("HX-Request"))
    template = (
        "onestop/processing_applicant_panel.html"
        if partial
        else ("onestop/processing_applicant.html")
    )
    return render(request, template, _applicant_context(request, dossier, bound), status=status)


@login_required
def my_dossier(request: HttpRequest, code: str) -> HttpResponse:
    """What the applicant can do on their dossier: supplement, withdraw, get the result."""
    return _applicant_page(request, _own(request, code))


@login_required
@require_POST
def my_withdraw(request: HttpRequest, code: str) -> HttpResponse:
    """The applicant withdraws their dossier online."""
    dossier = _own(request, code)
    form = ReasonForm(request.POST, prefix="withdraw")
    status = 422
    if form.is_valid():
        try:
            processing.withdraw_dossier(
                dossier, reason=form.cleaned_data["reason"], by=cast(User, request.user)
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except WrongState as exc:
            messages.error(request, str(exc))
            status = 409
        else:
            messages.success(request, _("Đã rút hồ sơ."))
            return redirect("onestop:my_dossier", code=dossier.code)
    dossier.refresh_from_db()
    return _applicant_page(request, dossier, {"withdraw": form}, status=status)


@login_required
@require_POST
def my_supplement(request: HttpRequest, code: str) -> HttpResponse:
    """The applicant sends the missing documents online."""
    dossier = _own(request, code)
    supplement = processing.open_supplement(dossier)
    form = ApplicantSupplementForm(
        request.POST, request.FILES, prefix="submit", items=supplement.items if supplement else ()
    )
    status = 422
    if form.is_valid():
        try:
            processing.submit_supplement(
                dossier,
                files=form.files_given(),
                note=form.cleaned_data["note"],
                by=cast(User, request.user),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except WrongState as exc:
            messages.error(request, str(exc))
            status = 409
        else:
            messages.success(request, _("Đã gửi giấy tờ bổ sung; cán bộ sẽ kiểm tra."))
            return redirect("onestop:my_dossier", code=dossier.code)
    dossier.refresh_from_db()
    return _applicant_page(request, dossier, {"supplement": form}, status=status)


@login_required
def my_documents(request: HttpRequest) -> HttpResponse:
    """The applicant's data store (kho dữ liệu): results kept for reuse."""
    if getattr(request.user, "is_official", False):
        raise PermissionDenied(_("Trang này dành cho công dân, tổ chức."))
    documents = results.reusable_documents(request.user).select_related("source_dossier")
    return render(request, "onestop/processing_documents.html", {"documents": documents})


@login_required
def my_document_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    """One document of the applicant's data store."""
    document = get_object_or_404(CitizenDocument.objects.owned_by(cast(User, request.user)), pk=pk)
    return _file_response(document.file)
