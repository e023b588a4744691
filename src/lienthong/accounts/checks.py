"""System checks for the login rules: `lienthong check` (and `check --deploy`) run them."""

from __future__ import annotations

from typing import Any

from django.core import checks

from lienthong.accounts.models import OTP_SCOPES, otp_required_for


@checks.register(checks.Tags.security)
def otp_scope(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """An unknown OTP scope is an error; anything short of every official is a deploy warning."""
    scope = otp_required_for()
    if scope not in OTP_SCOPES:
        return [
            checks.Error(
                f"LIENTHONG_OTP_REQUIRED_FOR is {scope!r}; "
                f"expected one of {', '.join(OTP_SCOPES)}.",
                id="lienthong.E101",
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def otp_for_every_official(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Level 3 asks a second factor of every official, not only of administrators."""
    if otp_required_for() == "officials":
        return []
    return [
        checks.Warning(
            "Only administrators must pass TOTP (LIENTHONG_OTP_REQUIRED_FOR=admins).",
            hint="Unset LIENTHONG_OTP_REQUIRED_FOR in production: every official needs TOTP.",
            id="lienthong.W101",
        )
    ]
