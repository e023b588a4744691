"""Core API: administrative units, agencies, the working-day calendar."""

from ninja import Router

router = Router(tags=["core"])
