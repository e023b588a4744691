from importlib import import_module

from django.apps import AppConfig, apps
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "lienthong.exchange"
    verbose_name = _("Trao đổi dữ liệu")

    def ready(self) -> None:
        """Import each platform app's `handlers` module so its outbox consumers register.

        Only our apps: third-party packages have unrelated modules of that name
        (django.contrib.staticfiles.handlers).
        """
        for config in apps.get_app_configs():
            if config.name.startswith("lienthong.") and module_has_submodule(
                config.module, "handlers"
            ):
                import_module(f"{config.name}.handlers")
