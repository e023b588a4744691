"""Login, logout and the second factor (TOTP) pages."""

from __future__ import annotations

from base64 import b32encode
from typing import Any, cast

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from lienthong.accounts.forms import LoginForm, TOTPTokenForm
from lienthong.accounts.models import User
from lienthong.accounts.services import confirm_totp_device, pending_totp_device


class LoginView(auth_views.LoginView):
    """Password login; django-axes counts the failures and locks after five."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """Logout by POST only (a link could be triggered by another site)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("Bạn đã đăng xuất."))
        return response


def safe_next(request: HttpRequest) -> str:
    """The `next` target if it stays on this site, else the home page."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _qr_svg(device: TOTPDevice) -> SafeString:
    """The otpauth:// URI as an inline SVG QR code (drawn here: no network, no image file)."""
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=5, title=_("Mã QR để thêm tài khoản vào ứng dụng xác thực")
    )
    # segno escapes the title itself and emits only its own markup.
    return mark_safe(svg)


def _grouped_secret(device: TOTPDevice) -> str:
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _throttle_message(device: TOTPDevice) -> str | None:
    allowed, _info = device.verify_is_allowed()
    if allowed:
        return None
    return _("Bạn vừa nhập sai mã. Hãy đợi vài giây rồi thử lại.")


@sensitive_post_parameters("token")
@never_cache
@login_required
def otp(request: HttpRequest) -> HttpResponse:
    """Set up TOTP (first time: QR code and secret) or verify a code; then go to `next`."""
    user = cast(User, request.user)
    next_url = safe_next(request)
    if user.is_verified():  # type: ignore[attr-defined]
        return HttpResponseRedirect(next_url)
    devices = list(TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk"))
    if devices:
        return _verify(request, user, devices, next_url)
    return _setup(request, user, next_url)


def _verify(
    request: HttpRequest, user: User, devices: list[TOTPDevice], next_url: str
) -> HttpResponse:
    form = TOTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        for device in devices:
            if (blocked := _throttle_message(device)) is not None:
                form.add_error("token", blocked)
                break
            if device.verify_token(form.cleaned_data["token"]):
                otp_login(request, device)
                return HttpResponseRedirect(next_url)
        else:
            form.add_error("token", _("Mã xác thực không đúng hoặc đã hết hạn."))
    return render(request, "accounts/otp_verify.html", {"form": form, "next": next_url})


def _setup(request: HttpRequest, user: User, next_url: str) -> HttpResponse:
    device = pending_totp_device(user)
    form = TOTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if (blocked := _throttle_message(device)) is not None:
            form.add_error("token", blocked)
        elif confirm_totp_device(device=device, token=form.cleaned_data["token"], by=user):
            otp_login(request, device)
            messages.success(request, _("Đã bật xác thực hai lớp cho tài khoản của bạn."))
            return HttpResponseRedirect(next_url)
        else:
            form.add_error(
                "token",
                _("Mã xác thực không đúng. Hãy kiểm tra giờ trên điện thoại và nhập mã mới."),
            )
    context = {
        "form": form,
        "next": next_url,
        "qr_svg": _qr_svg(device),
        "secret": _grouped_secret(device),
        "required": user.needs_second_factor,
    }
    return render(request, "accounts/otp_setup.html", context)
