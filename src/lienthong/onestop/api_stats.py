"""API router (filled in by the feature)."""

from ninja import Router

router = Router(tags=["onestop"])
