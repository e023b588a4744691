"""The officials' page of the adapters: national portal synchronisation, edXML packages sent
and received, shared code lists from the LGSP."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from lienthong.accounts.models import Role
from lienthong.core.permissions import official_required
from lienthong.exchange.adapters import portal
from lienthong.exchange.adapters.models import EdxmlPackage, PortalUpdate, SharedCodeList

#: Who sees the adapters' page: IT administrators and clerks (văn thư, who handle incoming
#: documents), anywhere in the tree; superusers.
VIEWER_ROLES = (Role.IT_ADMIN, Role.CLERK)
LIMIT = 50


def can_view(user: object) -> bool:
    """Whether `user` may see the adapters' page."""
    if getattr(user, "is_superuser", False):
        return True
    assignments = getattr(user, "role_assignments", None)
    return assignments is not None and assignments.filter(role__in=VIEWER_ROLES).exists()


@official_required
def overview(request: HttpRequest) -> HttpResponse:
    """Portal sync status, edXML packages, shared code lists."""
    if not can_view(request.user):
        raise PermissionDenied(_("Trang này dành cho quản trị CNTT và văn thư."))
    counts = dict(
        PortalUpdate.objects.values_list("state").annotate(n=Count("id")).values_list("state", "n")
    )
    context = {
        "portal_enabled": portal.enabled(),
        "portal_counts": [
            (label, counts.get(value, 0), value) for value, label in PortalUpdate.State.choices
        ],
        "unsent": list(PortalUpdate.objects.unsent()[:LIMIT]),
        "recent_sent": list(
            PortalUpdate.objects.filter(state=PortalUpdate.State.SENT).order_by("-id")[:20]
        ),
        "received": list(EdxmlPackage.objects.received().select_related("client")[:LIMIT]),
        "sent": list(EdxmlPackage.objects.sent()[:LIMIT]),
        "code_lists": list(SharedCodeList.objects.order_by("name")),
    }
    return render(request, "exchange_adapters/overview.html", context)
