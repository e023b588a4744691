"""The gateway's pages under /lien-thong/: the catalogue (public), client systems, their keys
and grants, and the grants an owner agency decides. Views parse input and call services."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lienthong.core.permissions import official_required
from lienthong.exchange.clients import catalogue, menu, services
from lienthong.exchange.clients.forms import (
    ClientForm,
    CredentialForm,
    DecisionForm,
    GrantRequestForm,
    OwnerForm,
    StatusForm,
)
from lienthong.exchange.clients.models import Credential, Grant
from lienthong.exchange.clients.permissions import (
    can_decide,
    can_manage,
    clients_visible_to,
    grants_to_decide,
    is_platform_admin,
)
from lienthong.exchange.messagelog.access import can_read_log


def _form_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            field = name if name in form.fields else None
            for error in errors:
                form.add_error(field, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


# --- Home and catalogue ---------------------------------------------------------------------


def home_view(request: HttpRequest) -> HttpResponse:
    """What the exchange layer offers, and links for officials."""
    user = request.user
    official = user.is_authenticated and not getattr(user, "is_citizen", False)
    return render(
        request,
        "exchange_clients/home.html",
        {
            "official": official,
            "can_read_log": can_read_log(user),
            "links": menu.links_for(user) if official else [],
            "pending": grants_to_decide(user).filter(status=Grant.Status.REQUESTED).count()
            if official
            else 0,
        },
    )


def catalogue_view(request: HttpRequest) -> HttpResponse:
    """Every service, grouped by owner agency; filter by kind and by client access."""
    kind = request.GET.get("kind", "")
    only_clients = request.GET.get("client") == "1"
    services_ = [
        s
        for s in catalogue.all_services()
        if (kind not in ("api", "event") or s.kind == kind)
        and (not only_clients or s.client_access)
    ]
    return render(
        request,
        "exchange_clients/catalogue.html",
        {
            "groups": catalogue.grouped_by_owner(services_),
            "kind": kind,
            "only_clients": only_clients,
            "count": len(services_),
        },
    )


def service_view(request: HttpRequest, code: str) -> HttpResponse:
    """One service: its operations with their OpenAPI objects, or its event's JSON Schema."""
    found = catalogue.get_service(code)
    if found is None:
        raise Http404(_("Không có dịch vụ này trong danh mục."))
    operations = [
        (op, json.dumps(op.spec, ensure_ascii=False, indent=2)) for op in found.operations
    ]
    schema = json.dumps(found.schema, ensure_ascii=False, indent=2) if found.schema else ""
    owner_form = None
    if request.user.is_authenticated and is_platform_admin(request.user):
        owner_form = OwnerForm(initial={"agency": found.owner_id})
    return render(
        request,
        "exchange_clients/service.html",
        {"service": found, "operations": operations, "schema": schema, "owner_form": owner_form},
    )


@require_POST
@official_required
def service_owner_view(request: HttpRequest, code: str) -> HttpResponse:
    """The platform's IT administrators name (or clear) the owner agency of a service."""
    form = OwnerForm(request.POST)
    if form.is_valid():
        try:
            services.set_service_owner(code, form.cleaned_data["agency"], by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except PermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        else:
            messages.success(request, _("Đã cập nhật cơ quan chủ quản."))
    return redirect("exchange_clients:service", code=code)


# --- Client systems -------------------------------------------------------------------------


@official_required
def clients_view(request: HttpRequest) -> HttpResponse:
    """The systems the official manages or decides grants for."""
    systems = clients_visible_to(request.user).order_by("name")
    return render(request, "exchange_clients/clients.html", {"systems": systems})


@official_required
def client_create_view(request: HttpRequest) -> HttpResponse:
    """Register a system."""
    form = ClientForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            client = services.register_client(
                code=data["code"],
                name=data["name"],
                agency=data["agency"],
                purpose=data["purpose"],
                contact_name=data["contact_name"],
                contact_email=data["contact_email"],
                contact_phone=data["contact_phone"],
                rate_limit_per_minute=data["rate_limit_per_minute"],
                by=request.user,
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Đã đăng ký hệ thống kết nối."))
            return redirect("exchange_clients:client", code=client.code)
    return render(request, "exchange_clients/client_form.html", {"form": form})


def _visible(request: HttpRequest, code: str) -> Any:
    return get_object_or_404(clients_visible_to(request.user), code=code)


@official_required
def client_view(request: HttpRequest, code: str) -> HttpResponse:
    """One system: details, credentials, grants, and the forms its managers use."""
    client = _visible(request, code)
    manager = can_manage(request.user, client)
    new_secret = request.session.pop("exchange_new_secret", None)
    if new_secret and new_secret.get("client") != client.code:
        new_secret = None
    return render(
        request,
        "exchange_clients/client.html",
        {
            "client": client,
            "manager": manager,
            "credentials": client.credentials.all(),
            "grants": client.grants.all(),
            "credential_form": CredentialForm(),
            "grant_form": GrantRequestForm() if manager else None,
            "status_form": StatusForm(initial={"status": client.status}),
            "new_secret": new_secret,
        },
    )


def _show_once(request: HttpRequest, client: Any, credential: Credential, secret: str) -> None:
    # The secret lives in the session until the next page shows it, then is gone.
    request.session["exchange_new_secret"] = {
        "client": client.code,
        "key_id": credential.key_id,
        "kind": credential.kind,
        "secret": secret,
    }


@require_POST
@official_required
def credential_create_view(request: HttpRequest, code: str) -> HttpResponse:
    client = _visible(request, code)
    form = CredentialForm(request.POST)
    if form.is_valid():
        try:
            credential, secret = services.issue_credential(
                client,
                kind=form.cleaned_data["kind"],
                label=form.cleaned_data["label"],
                by=request.user,
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            _show_once(request, client, credential, secret)
    return redirect("exchange_clients:client", code=client.code)


def _credential(request: HttpRequest, code: str, key_id: str) -> Credential:
    client = _visible(request, code)
    return get_object_or_404(
        Credential.objects.select_related("client"), client=client, key_id=key_id
    )


@require_POST
@official_required
def credential_rotate_view(request: HttpRequest, code: str, key_id: str) -> HttpResponse:
    credential = _credential(request, code, key_id)
    try:
        new, secret = services.rotate_credential(credential, by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        _show_once(request, credential.client, new, secret)
    return redirect("exchange_clients:client", code=code)


@require_POST
@official_required
def credential_revoke_view(request: HttpRequest, code: str, key_id: str) -> HttpResponse:
    credential = _credential(request, code, key_id)
    try:
        services.revoke_credential(credential, by=request.user)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Đã thu hồi khoá %s.") % credential.key_id)
    return redirect("exchange_clients:client", code=code)


@require_POST
@official_required
def client_status_view(request: HttpRequest, code: str) -> HttpResponse:
    client = _visible(request, code)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.set_client_status(client, form.cleaned_data["status"], by=request.user)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("Đã cập nhật trạng thái hệ thống."))
    return redirect("exchange_clients:client", code=code)


@require_POST
@official_required
def grant_request_view(request: HttpRequest, code: str) -> HttpResponse:
    client = _visible(request, code)
    form = GrantRequestForm(request.POST)
    if form.is_valid():
        try:
            services.request_grant(
                client,
                service=form.cleaned_data["service"],
                operation=form.cleaned_data["operation"],
                purpose=form.cleaned_data["purpose"],
                by=request.user,
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("Đã gửi đề nghị cấp quyền tới cơ quan chủ quản."))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("exchange_clients:client", code=code)


# --- Grants (owner agency) ------------------------------------------------------------------


@official_required
def grants_view(request: HttpRequest) -> HttpResponse:
    """Grants of the services the official's agency owns: pending first."""
    status = request.GET.get("status", Grant.Status.REQUESTED)
    qs = grants_to_decide(request.user).order_by("-requested_at", "-pk")
    if status in Grant.Status.values:
        qs = qs.filter(status=status)
    return render(
        request,
        "exchange_clients/grants.html",
        {
            "grants": qs[:500],
            "status": status,
            "statuses": Grant.Status.choices,
            "form": DecisionForm(),
        },
    )


@require_POST
@official_required
def grant_decide_view(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    grant = get_object_or_404(Grant.objects.select_related("client", "client__agency"), pk=pk)
    if not (can_decide(request.user, grant.service) or can_manage(request.user, grant.client)):
        raise Http404
    form = DecisionForm(request.POST)
    note = form.data.get("note", "") if form.is_valid() else ""
    actions = {
        "duyet": lambda: services.approve_grant(grant, by=request.user, note=note),
        "tu-choi": lambda: services.refuse_grant(grant, by=request.user, note=note),
        "thu-hoi": lambda: services.revoke_grant(grant, by=request.user, note=note),
    }
    if decision not in actions:
        raise Http404
    try:
        actions[decision]()
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("Đã ghi nhận quyết định."))
    target = request.POST.get("next", "")
    if target.startswith("/lien-thong/"):
        return redirect(target)
    return redirect("exchange_clients:grants")
