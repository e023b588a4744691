"""Core API: administrative units, agencies, the working-day calendar."""

from ninja import Router

from lienthong.core.api_calendar import router as calendar_router
from lienthong.core.api_units import router as units_router

router = Router(tags=["core"])
router.add_router("/", units_router)
router.add_router("/calendar/", calendar_router)
