"""Second-factor enforcement: officials with admin rights must verify a TOTP device."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

# Paths an unverified admin may still reach: the OTP pages, logout and static files.
_OPEN_PREFIXES = ("/accounts/", "/static/", "/i18n/")


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
            return redirect(f"{reverse('accounts:otp')}?next={request.get_full_path()}")
        return self.get_response(request)
