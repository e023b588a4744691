from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "lienthong.portal"
    verbose_name = "Cổng thông tin điện tử"
