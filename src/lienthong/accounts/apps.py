from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "lienthong.accounts"
    verbose_name = _("Tài khoản")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from lienthong.accounts import checks  # noqa: F401  (registers the system checks)
        from lienthong.accounts.middleware import start_session_clocks

        user_logged_in.connect(start_session_clocks, dispatch_uid="lienthong-session-clocks")
