"""Django admin for the kernel models; each area registers its models in its own module."""

from lienthong.core import admin_audit, admin_calendar, admin_orgs, admin_units  # noqa: F401
