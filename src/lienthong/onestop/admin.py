"""Django admin for the one-stop shop; each area registers its models in its own module."""

from lienthong.onestop import admin_catalogue, admin_dossiers  # noqa: F401
