"""The platform's REST API (django-ninja): one router per app, OpenAPI at /api/docs."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import django_auth

from lienthong import __version__
from lienthong.core.openapi import DocumentedAPI

api = DocumentedAPI(
    title="Liên Thông API",
    version=__version__,
    description="API của nền tảng Liên Thông. Lỗi dữ liệu vào trả về 422 kèm lỗi từng trường.",
    urls_namespace="api",
)


@api.exception_handler(NinjaValidationError)
def validation_errors(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    """422 with one entry per field, and a Vietnamese summary."""
    return api.create_response(
        request,
        {"detail": "Dữ liệu không hợp lệ.", "errors": exc.errors},
        status=422,
    )


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    """404 in Vietnamese; the same answer for "does not exist" and "not yours"."""
    return api.create_response(request, {"detail": "Không tìm thấy."}, status=404)


def _register_routers() -> None:
    from lienthong.accounts.api import router as accounts_router
    from lienthong.complaints.api import router as complaints_router
    from lienthong.core.api import router as core_router
    from lienthong.documents.api import router as documents_router
    from lienthong.documents.calendar.api import router as calendar_router
    from lienthong.onestop.api import router as onestop_router
    from lienthong.registries.budget.api import router as budget_router
    from lienthong.registries.enterprises.api import router as enterprises_router
    from lienthong.registries.labour.api import router as labour_router
    from lienthong.registries.land.api import router as land_router
    from lienthong.registries.legal.api import router as legal_router
    from lienthong.registries.population.api import router as population_router
    from lienthong.registries.staff.api import router as staff_router
    from lienthong.search.api import router as search_router
    from lienthong.workflow.api import router as workflow_router

    api.add_router("/core/", core_router)
    api.add_router("/accounts/", accounts_router)
    api.add_router("/inbox/", workflow_router)
    api.add_router("/search/", search_router)
    api.add_router("/onestop/", onestop_router)
    api.add_router("/complaints/", complaints_router)
    from lienthong.privacy.api import router as privacy_router

    api.add_router("/privacy/", privacy_router)
    api.add_router("/calendar/", calendar_router)
    from lienthong.documents.outgoing.api import router as outgoing_router
    from lienthong.documents.outgoing.api import verify_router as outgoing_verify_router

    api.add_router("/documents/outgoing/", outgoing_router)
    api.add_router("/documents/", outgoing_verify_router)
    api.add_router("/documents/", documents_router)
    from lienthong.documents.api import install_handlers as install_documents_handlers

    install_documents_handlers(api)
    api.add_router("/registries/legal/", legal_router)
    api.add_router("/registries/land/", land_router)
    api.add_router("/registries/population/", population_router)
    api.add_router("/registries/staff/", staff_router)
    api.add_router("/registries/enterprises/", enterprises_router)
    api.add_router("/registries/labour/", labour_router)
    api.add_router("/registries/budget/", budget_router)
    from lienthong.exchange.clients.api import install as install_exchange

    install_exchange(api)
    from lienthong.exchange.delivery.api import router as delivery_router

    api.add_router("/exchange/subscriptions/", delivery_router)
    from lienthong.exchange.adapters.api import router as adapters_router

    api.add_router("/exchange/edxml/", adapters_router)
    from lienthong.portal.api import router as portal_router

    api.add_router("/portal/", portal_router)
    from lienthong.dashboard.api import router as dashboard_router

    api.add_router("/dashboard/", dashboard_router)
    from lienthong.ict.api import router as ict_router

    api.add_router("/ict/", ict_router)


_register_routers()

__all__ = ["api", "django_auth"]
