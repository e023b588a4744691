"""Second-factor enforcement (officials with admin rights must verify a TOTP device) and the
session limits (12 hours in all; 15 minutes idle for officials, 30 for citizens)."""

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
    """Send a logged-in user who must pass TOTP (`User.needs_second_factor`) and has not, to set it
    up or to verify it; the API answers 403."""

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
                    {"detail": _("Tài khoản cán bộ phải xác thực hai lớp (TOTP) trước.")},
                    status=403,
                )
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('accounts:otp')}?{query}")
        return self.get_response(request)


# --- Session limits -------------------------------------------------------------------------

#: Session keys: when the session began (its login) and when it was last seen, epoch seconds.
STARTED_KEY = "_lienthong_started"
SEEN_KEY = "_lienthong_seen"
#: The last-seen stamp is rewritten at most this often: a session is saved (one UPDATE) about
#: once a minute of activity, not on every request.
SEEN_GRANULARITY = 60


def session_limits() -> dict[str, int]:
    """Absolute and idle limits in seconds (`LIENTHONG["SESSION_…"]`, docs/security.md)."""
    from django.conf import settings

    conf = getattr(settings, "LIENTHONG", {})
    return {
        "absolute": int(conf.get("SESSION_ABSOLUTE_SECONDS", 12 * 3600)),
        "idle_official": int(conf.get("SESSION_IDLE_SECONDS_OFFICIAL", 15 * 60)),
        "idle_citizen": int(conf.get("SESSION_IDLE_SECONDS_CITIZEN", 30 * 60)),
    }


def start_session_clocks(sender: object, request: HttpRequest | None, **kwargs: object) -> None:
    """At login (`user_logged_in`): both clocks start now, saved with the login itself."""
    import time

    if request is not None and hasattr(request, "session"):
        request.session[STARTED_KEY] = request.session[SEEN_KEY] = int(time.time())


class SessionLimitsMiddleware:
    """End a login session 12 hours after it began, or after 15 minutes without a request for
    an official (30 for a citizen): the user is logged out and sent to the login page (an API
    call gets 401). Runs after the authentication middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            ended = self._check(request, user)
            if ended is not None:
                return ended
        return self.get_response(request)

    def _check(self, request: HttpRequest, user: object) -> HttpResponse | None:
        import time

        from django.contrib import messages
        from django.contrib.auth import logout

        session = request.session
        now = int(time.time())
        limits = session_limits()
        started = session.get(STARTED_KEY)
        seen = session.get(SEEN_KEY)
        idle = limits["idle_official" if getattr(user, "is_official", False) else "idle_citizen"]
        if started is None:  # a session from before the limits: its clocks start now
            session[STARTED_KEY] = session[SEEN_KEY] = now
            return None
        if now - int(started) > limits["absolute"]:
            reason = _("Phiên làm việc đã quá 12 giờ; vui lòng đăng nhập lại.")
        elif seen is not None and now - int(seen) > idle:
            reason = _(
                "Phiên làm việc đã hết hạn sau %(minutes)d phút không thao tác; vui lòng đăng nhập "
                "lại."
            ) % {"minutes": idle // 60}
        else:
            if seen is None or now - int(seen) >= SEEN_GRANULARITY:
                session[SEEN_KEY] = now
            return None
        logout(request)
        if request.path.startswith(_API_PREFIX):
            return JsonResponse({"detail": reason, "code": "session_expired"}, status=401)
        messages.warning(request, reason)
        query = urlencode({"next": request.get_full_path()})
        return redirect(f"{reverse('accounts:login')}?{query}")
