"""Forms of the login pages: password login and the TOTP code."""

from __future__ import annotations

import re

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """Username and password, with Vietnamese labels and messages."""

    error_messages = {
        "invalid_login": _(
            "Tên đăng nhập hoặc mật khẩu không đúng. Lưu ý: mật khẩu phân biệt chữ hoa và "
            "chữ thường. Sau 5 lần sai liên tiếp, tài khoản bị tạm khoá 15 phút."
        ),
        "inactive": _("Tài khoản này đã bị vô hiệu hoá. Hãy liên hệ quản trị CNTT."),
    }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["username"].label = _("Tên đăng nhập")
        self.fields["username"].widget.attrs.update(
            {"class": "form-control", "autocomplete": "username", "autocapitalize": "none"}
        )
        self.fields["password"].label = _("Mật khẩu")
        self.fields["password"].widget.attrs.update(
            {"class": "form-control", "autocomplete": "current-password"}
        )


_TOKEN = re.compile(r"^\d{6}$")


class TOTPTokenForm(forms.Form):
    """The 6-digit code shown by the authenticator app."""

    token = forms.CharField(
        label=_("Mã xác thực (6 chữ số)"),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "class": "form-control",
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": r"[0-9 ]*",
                "autofocus": True,
            }
        ),
    )

    def clean_token(self) -> str:
        """Accept the code with spaces (apps show "123 456"), require six digits."""
        token = self.cleaned_data["token"].replace(" ", "")
        if not _TOKEN.match(token):
            raise forms.ValidationError(_("Mã xác thực gồm đúng 6 chữ số."))
        return token
