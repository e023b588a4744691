from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "lienthong.dashboard"
    label = "dashboard"
    verbose_name = "Bảng điều hành"
