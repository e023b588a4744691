"""Second-factor enforcement: officials with admin rights must verify a TOTP device."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

# Paths an unverified admin may still reach: the login/OTP pages, logout, static files and
# the language switch. The admin is deliberately not here: it needs the second factor most.
_OPEN_PREFIXES = ("/accounts/", "/static/", "/i18n/")
_API_PREFIX = "/api/"


class RequireOTPMiddleware:
    """Send a logged-in admin who has not passed TOTP to set it up or to verify it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(_OPEN_PREFIXES)
            and user.needs_second_factor
            and not user.is_verified()
        ):
            if request.path.startswith(_API_PREFIX):
                # An API client cannot follow a redirect to a form; it gets a plain refusal.
                return JsonResponse(
                    {"detail": _("Tài khoản quản trị phải xác thực hai lớp (TOTP) trước.")},
                    status=403,
                )
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('accounts:otp')}?{query}")
        return self.get_response(request)
