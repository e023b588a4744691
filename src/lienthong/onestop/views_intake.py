"""Intake pages: counter intake, the queue of online dossiers, online submission, "my
dossiers", the public lookup, slips and the files of a dossier.

Views parse input and call `onestop.intake`; who may see a dossier is decided in the query
(`Dossier.objects.visible_to`, or the applicant's own rows), never after the fact.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from lienthong.accounts.models import Role, User
from lienthong.core.permissions import get_visible_or_404, is_official_user, is_real_user
from lienthong.core.text import fold
from lienthong.core.uploads import content_type_of, display_name
from lienthong.onestop import intake, slips
from lienthong.onestop.forms_intake import (
    CounterIntakeForm,
    LookupForm,
    OnlineSubmitForm,
    RefuseForm,
    add_service_errors,
)
from lienthong.onestop.models import Dossier, DossierComponent, DossierStatus, Procedure
from lienthong.privacy import services as privacy
from lienthong.registries.base.access import attach_reference, prefill
from lienthong.registries.base.models import DataAccess
from lienthong.workflow.engine import WrongState

PAGE_SIZE = 50
PROCEDURE_RESULTS = 50


def _officer(request: HttpRequest) -> User:
    """The one-stop officer making the request; 403 for anyone else (logged in)."""
    user = cast(User, request.user)
    if (
        not is_official_user(user)
        or not user.role_assignments.filter(role=Role.ONESTOP_OFFICER).exists()
    ):
        raise PermissionDenied(_("Trang này dành cho cán bộ một cửa."))
    return user


def _citizen(request: HttpRequest) -> User:
    """The citizen making the request; 403 for an official."""
    user = cast(User, request.user)
    if not getattr(user, "is_citizen", False):
        raise PermissionDenied(_("Trang này dành cho công dân, tổ chức nộp hồ sơ."))
    return user


def _partial(request: HttpRequest) -> bool:
    # HTMX restoring a page missing from its history cache needs the whole page.
    return bool(request.headers.get("HX-Request")) and not request.headers.get(
        "HX-History-Restore-Request"
    )


def _visible_dossier(request: HttpRequest, code: str) -> Dossier:
    """A dossier the user may see: an official in scope, or its applicant; else 404."""
    return get_visible_or_404(
        Dossier.objects.select_related("procedure", "agency", "field", "received_by"),
        request.user,
        code=code,
    )


# --- Counter intake -------------------------------------------------------------------------


@login_required
def counter_pick(request: HttpRequest) -> HttpResponse:
    """Step 1 at the counter: find the procedure (by name or code, with or without accents)."""
    user = _officer(request)
    query = request.GET.get("q", "").strip()[:200]
    procedures = (
        Procedure.objects.filter(is_active=True, agencies__in=intake.officer_agencies(user))
        .distinct()
        .only("code", "name", "time_limit_value", "time_limit_unit")
        .order_by("name")
    )
    results: list[Procedure] = []
    if query:
        folded = fold(query)
        for procedure in procedures.iterator():
            if folded in fold(procedure.name) or query.lower() in procedure.code.lower():
                results.append(procedure)
                if len(results) >= PROCEDURE_RESULTS:
                    break
    else:
        results = list(procedures[:PROCEDURE_RESULTS])
    context = {"query": query, "procedures": results}
    template = "onestop/intake_procedure_list.html" if _partial(request) else None
    response = render(request, template or "onestop/intake_counter_pick.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def counter_form(request: HttpRequest, procedure_code: str) -> HttpResponse:
    """Step 2 at the counter: the applicant and the components received; receives it."""
    user = _officer(request)
    agencies = intake.officer_agencies(user)
    procedure = get_object_or_404(
        Procedure.objects.filter(agencies__in=agencies).distinct(), code=procedure_code
    )
    agencies = intake.officer_agencies(user, procedure)
    if request.method == "POST" and "prefill" in request.POST:
        # "Điền từ CSDL dân cư": look the applicant up by personal ID (once-only).
        form = _prefilled(request, procedure, agencies, user)
        context = {
            "procedure": procedure,
            "form": form,
            "time_limit": slips.time_limit_text(procedure),
        }
        return render(request, "onestop/intake_counter_form.html", context)
    form = CounterIntakeForm(
        request.POST or None, procedure=procedure, agencies=agencies, initial=None
    )
    if request.method == "POST" and form.is_valid():
        note = form.cleaned_data.get("note") or ""
        try:
            dossier = intake.receive_at_counter(
                procedure=procedure,
                agency=form.cleaned_data["agency"],
                applicant=form.applicant(),
                components_received=form.received(),
                form_data={"noi_dung": note} if note else {},
                by=user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            # The registry reads made to pre-fill this dossier now name it.
            attach_reference(form.registry_access_ids(), dossier.code, by=user)
            messages.success(
                request,
                _("Đã tiếp nhận hồ sơ %(code)s, hẹn trả ngày %(day)s.")
                % {"code": dossier.code, "day": f"{dossier.due_date:%d/%m/%Y}"},
            )
            return redirect("onestop:intake_received", code=dossier.code)
    context = {
        "procedure": procedure,
        "form": form,
        "time_limit": slips.time_limit_text(procedure),
    }
    status = 422 if request.method == "POST" else 200
    return render(request, "onestop/intake_counter_form.html", context, status=status)


@dataclass(frozen=True)
class PrefillSource:
    """What one pre-fill button looks up, and what it says."""

    kind: str  # the registries' lookup kind
    key_field: str  # the form field holding the personal ID or tax code
    applicant_kind: str
    missing_key: str
    not_found: str  # with %(id)s or %(code)s: the key typed
    filled: str


PREFILL_SOURCES = {
    "person": PrefillSource(
        "person",
        "applicant_personal_id",
        Dossier.ApplicantKind.PERSON,
        gettext_noop("Nhập số định danh cá nhân rồi bấm “Điền từ CSDL dân cư”."),
        gettext_noop("Không tìm thấy số định danh %(id)s trong CSDL dân cư."),
        gettext_noop(
            "Đã điền thông tin người nộp từ CSDL dân cư (lượt khai thác được ghi nhật ký)."
        ),
    ),
    "organisation": PrefillSource(
        "organisation",
        "applicant_tax_code",
        Dossier.ApplicantKind.ORGANISATION,
        gettext_noop("Nhập mã số thuế rồi bấm “Điền từ CSDL doanh nghiệp”."),
        gettext_noop("Không tìm thấy mã số thuế %(code)s trong CSDL doanh nghiệp."),
        gettext_noop(
            "Đã điền thông tin tổ chức từ CSDL doanh nghiệp (lượt khai thác được ghi nhật ký)."
        ),
    ),
}


def _prefilled(
    request: HttpRequest, procedure: Procedure, agencies: Any, user: User
) -> CounterIntakeForm:
    """The counter form as typed, with the applicant filled in from a registry: the population
    registry by personal ID ("Điền từ CSDL dân cư") or the enterprise registry by tax code
    ("Điền từ CSDL doanh nghiệp").

    The read is logged (purpose: receiving a dossier of this procedure); the form carries the
    log row's id so that the dossier's code is added to it once received.
    """
    data = request.POST.copy()
    source = PREFILL_SOURCES.get(data.get("prefill") or "", PREFILL_SOURCES["person"])
    key = (data.get(source.key_field) or "").strip()
    problem = ""
    found = None
    if not key:
        problem = _(source.missing_key)
    else:
        try:
            found = prefill(
                source.kind,
                key,
                by=user,
                purpose=_("Tiếp nhận hồ sơ thủ tục %(code)s") % {"code": procedure.code},
                channel=DataAccess.Channel.INTAKE,
            )
        except PermissionDenied as exc:
            problem = str(exc)
        else:
            if found is None:
                problem = _(source.not_found) % {"id": key, "code": key}
    if found is not None:
        data["applicant_kind"] = source.applicant_kind
        data["applicant_name"] = found.name
        data["applicant_address"] = found.address
        for field in ("phone", "email"):
            if found.data.get(field) and not data.get(f"applicant_{field}"):
                data[f"applicant_{field}"] = found.data[field]
        carried = [part for part in (data.get("registry_access") or "").split(",") if part]
        data["registry_access"] = ",".join([*carried, str(found.access_id)])
        messages.info(request, _(source.filled))
        if found.data.get("status") not in (None, "active"):
            messages.warning(
                request,
                _("Lưu ý: doanh nghiệp đang ở tình trạng “%(status)s”.")
                % {"status": found.data.get("status_label")},
            )
    if problem:
        messages.error(request, problem)
    # Unbound, with what was typed as initial values: the fields not filled in yet are not
    # shown as errors before the officer has had the chance to fill them.
    initial = {key: data.get(key) for key in data if key != "csrfmiddlewaretoken"}
    return CounterIntakeForm(procedure=procedure, agencies=agencies, initial=initial)


@login_required
def received(request: HttpRequest, code: str) -> HttpResponse:
    """After receipt: the code, the appointed date and the slip to print."""
    _officer(request)
    dossier = get_visible_or_404(
        Dossier.objects.select_related("procedure", "agency"),
        request.user,
        roles=[Role.ONESTOP_OFFICER],
        code=code,
    )
    return render(request, "onestop/intake_received.html", {"dossier": dossier})


# --- Queue of online dossiers ---------------------------------------------------------------


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """Online dossiers of the officer's agencies waiting to be accepted, oldest first."""
    user = _officer(request)
    page = Paginator(intake.awaiting_acceptance(user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "onestop/intake_queue.html", {"page": page})


def _queued(request: HttpRequest, code: str) -> Dossier:
    return get_visible_or_404(
        Dossier.objects.select_related("procedure", "agency", "applicant"),
        request.user,
        roles=[Role.ONESTOP_OFFICER],
        code=code,
    )


@login_required
def review(request: HttpRequest, code: str) -> HttpResponse:
    """One online dossier for the officer: its content and files; accept or refuse."""
    _officer(request)
    dossier = _queued(request, code)
    return render(request, "onestop/intake_review.html", _review_context(dossier, RefuseForm()))


def _review_context(dossier: Dossier, refuse_form: RefuseForm) -> dict[str, Any]:
    return {
        "dossier": dossier,
        "components": dossier.components.select_related("component", "reused_document").order_by(
            "component__order", "pk"
        ),
        "history": dossier.history.order_by("at", "pk"),
        "refuse_form": refuse_form,
        "time_limit": slips.time_limit_text(dossier.procedure),
        "is_new": dossier.status == DossierStatus.NEW,
    }


@require_POST
@login_required
def accept(request: HttpRequest, code: str) -> HttpResponse:
    """Accept the dossier: it goes to processing; the receipt can be printed."""
    user = _officer(request)
    dossier = _queued(request, code)
    try:
        dossier = intake.accept(dossier=dossier, by=user)
    except (ValidationError, WrongState) as exc:
        for message in getattr(exc, "messages", [str(exc)]):
            messages.error(request, message)
        return redirect("onestop:intake_review", code=code)
    messages.success(
        request,
        _("Đã tiếp nhận hồ sơ %(code)s, hẹn trả ngày %(day)s.")
        % {"code": dossier.code, "day": f"{dossier.due_date:%d/%m/%Y}"},
    )
    return redirect("onestop:intake_received", code=dossier.code)


@require_POST
@login_required
def refuse(request: HttpRequest, code: str) -> HttpResponse:
    """Refuse the dossier with reasons; the refusal slip can be printed."""
    user = _officer(request)
    dossier = _queued(request, code)
    form = RefuseForm(request.POST)
    if form.is_valid():
        try:
            intake.refuse(dossier=dossier, reasons=form.cleaned_data["reasons"], by=user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except WrongState as exc:
            messages.error(request, str(exc))
            return redirect("onestop:intake_review", code=code)
        else:
            messages.success(request, _("Đã từ chối tiếp nhận hồ sơ %(code)s.") % {"code": code})
            return redirect("onestop:intake_review", code=code)
    return render(request, "onestop/intake_review.html", _review_context(dossier, form), status=422)


# --- Online submission and "my dossiers" ---------------------------------------------------


@login_required
def online_submit(request: HttpRequest, procedure_code: str) -> HttpResponse:
    """A citizen submits a dossier online (pre-filled from the account)."""
    user = _citizen(request)
    procedure = get_object_or_404(Procedure, code=procedure_code, is_active=True)
    agencies = intake.receiving_agencies(procedure)
    if not agencies.exists():
        raise Http404(_("Thủ tục này chưa có cơ quan tiếp nhận trực tuyến."))
    form = OnlineSubmitForm(
        request.POST or None,
        request.FILES or None,
        procedure=procedure,
        agencies=agencies,
        user=user,
    )
    if request.method == "POST" and form.is_valid():
        content = form.cleaned_data.get("content") or ""
        try:
            dossier = intake.submit_online(
                procedure=procedure,
                agency=form.cleaned_data["agency"],
                applicant=user,
                form_data={"noi_dung": content} if content else {},
                components=form.uploads(),
                contact=form.contact(),
                consents=form.consents(),
                by=user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Đã nộp hồ sơ, mã hồ sơ %(code)s. Cán bộ một cửa sẽ xem xét và tiếp nhận; "
                    "bạn theo dõi tình trạng tại đây hoặc tra cứu bằng mã hồ sơ."
                )
                % {"code": dossier.code},
            )
            return redirect("onestop:intake_mine_detail", code=dossier.code)
    context = {
        "procedure": procedure,
        "form": form,
        "time_limit": slips.time_limit_text(procedure),
    }
    status = 422 if request.method == "POST" else 200
    return render(request, "onestop/intake_online_form.html", context, status=status)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The citizen's dossiers (hồ sơ của tôi), newest first."""
    user = _citizen(request)
    page = Paginator(intake.my_dossiers(user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "onestop/intake_mine.html", {"page": page})


@login_required
def mine_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One of the citizen's dossiers: status, history, files and slips."""
    user = _citizen(request)
    dossier = get_object_or_404(
        intake.my_dossiers(user).select_related("field", "received_by"), code=code
    )
    context = {
        "dossier": dossier,
        "components": dossier.components.select_related("component").order_by(
            "component__order", "pk"
        ),
        "history": dossier.history.order_by("at", "pk"),
        "time_limit": slips.time_limit_text(dossier.procedure),
        "lookup_url": intake.lookup_url(dossier.code),
        "refused_status": DossierStatus.REFUSED,
    }
    return render(request, "onestop/intake_mine_detail.html", context)


# --- Public lookup --------------------------------------------------------------------------


def lookup(request: HttpRequest) -> HttpResponse:
    """Public lookup by dossier code (tra cứu hồ sơ): status and public history only.

    Cheap by design (a well-formedness check, then two indexed queries), and the same answer
    for an unknown code as for a malformed one.
    """
    code = request.GET.get("ma", "")
    form = LookupForm(request.GET or None)
    result = intake.public_lookup(code) if code else None
    context = {"form": form, "code": code.strip(), "result": result, "searched": bool(code)}
    status = 404 if code and result is None else 200
    template = "onestop/lookup_result.html" if _partial(request) else "onestop/lookup_page.html"
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- Slips and files ------------------------------------------------------------------------


def _login_first(request: HttpRequest) -> HttpResponse | None:
    if not is_real_user(request.user):
        return redirect_to_login(request.get_full_path())
    return None


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def receipt_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """The receipt and appointment slip, for officials in scope and the applicant."""
    if (redirect_response := _login_first(request)) is not None:
        return redirect_response
    dossier = _visible_dossier(request, code)
    if dossier.received_at is None:
        raise Http404(_("Hồ sơ chưa được tiếp nhận nên chưa có giấy tiếp nhận."))
    return _pdf(slips.receipt_pdf(dossier), f"giay-tiep-nhan-{dossier.code}.pdf")


def refusal_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """The refusal slip, for officials in scope and the applicant."""
    if (redirect_response := _login_first(request)) is not None:
        return redirect_response
    dossier = _visible_dossier(request, code)
    if dossier.status != DossierStatus.REFUSED:
        raise Http404(_("Hồ sơ không bị từ chối tiếp nhận."))
    return _pdf(slips.refusal_pdf(dossier), f"phieu-tu-choi-{dossier.code}.pdf")


def component_file(request: HttpRequest, code: str, pk: int) -> HttpResponseBase:
    """A file of the dossier (uploaded, or reused from the data store), for officials in
    scope and the applicant only: files have no public URL."""
    if (redirect_response := _login_first(request)) is not None:
        return redirect_response
    dossier = _visible_dossier(request, code)
    component = get_object_or_404(
        DossierComponent.objects.select_related("reused_document", "component").filter(
            Q(file__gt="") | Q(reused_document__isnull=False)
        ),
        dossier=dossier,
        pk=pk,
    )
    stored = component.file if component.file else None
    if stored is None and component.reused_document is not None:
        stored = component.reused_document.file
    if not stored or not stored.name:
        raise Http404
    name = stored.name
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404(_("Không tìm thấy tệp.")) from None
    sensitive = component.component is not None and component.component.sensitive
    # The applicant reading their own file is not an access by someone else: not logged.
    if sensitive and dossier.applicant_id != request.user.pk:
        try:
            privacy.log_sensitive_access(
                by=cast(User, request.user),
                what=component.name,
                object_ref=f"onestop.dossiercomponent:{component.pk}",
                purpose=f"{request.method} {request.path}",
                subject=dossier.applicant,
                subject_personal_id=dossier.applicant_personal_id,
                agency=dossier.agency,
                record_code=dossier.code,
            )
        except BaseException:
            handle.close()
            raise
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=display_name(name),
        content_type=content_type_of(name),
    )
    response["Cache-Control"] = "private, no-store"
    return response


def intake_home_link(user: Any) -> str | None:
    """Where a user starts intake work from, for menus (None if they do none)."""
    if is_official_user(user) and user.role_assignments.filter(role=Role.ONESTOP_OFFICER).exists():
        return reverse("onestop:intake_counter")
    if getattr(user, "is_citizen", False):
        return reverse("onestop:intake_mine")
    return None
