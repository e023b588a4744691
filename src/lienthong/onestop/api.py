"""One-stop API: procedures, dossiers (citizen and official), statistics."""

from ninja import Router

from lienthong.onestop.api_catalogue import router as catalogue_router
from lienthong.onestop.api_intake import router as intake_router
from lienthong.onestop.api_processing import router as processing_router
from lienthong.onestop.api_stats import router as stats_router

router = Router(tags=["onestop"])
router.add_router("/", catalogue_router)
router.add_router("/", intake_router)
router.add_router("/", processing_router)
router.add_router("/stats/", stats_router)
