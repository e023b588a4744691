"""Pages: address lookup (both eras), a unit's page, the agency tree and an agency's page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lienthong.core.api_units import org_tree, sibling_order
from lienthong.core.models import AdminUnit, OrgUnit
from lienthong.core.units import AddressNotRecognised, UnitsNotLoaded, parse_address


class AddressForm(forms.Form):
    """One free-form address."""

    address = forms.CharField(
        label=gettext_lazy("Địa chỉ"),
        max_length=300,
        help_text=gettext_lazy(
            "Ví dụ: phường Phú Cường, TP Thủ Dầu Một, Bình Dương — có dấu hoặc không dấu."
        ),
        error_messages={"required": gettext_lazy("Hãy nhập địa chỉ cần tra cứu.")},
    )


def units_lookup(request: HttpRequest) -> HttpResponse:
    """Find the legacy and 2025 units named by an address (GET, so results can be linked)."""
    form = AddressForm(request.GET or None)
    context: dict[str, Any] = {"form": form, "match": None, "error": None}
    status = 200
    if form.is_bound and form.is_valid():
        try:
            context["match"] = parse_address(form.cleaned_data["address"])
        except AddressNotRecognised as exc:
            form.add_error("address", exc.message)
            context["recognised"] = exc.recognised
            status = 422
        except UnitsNotLoaded as exc:
            context["error"] = str(exc)
            status = 503
    elif form.is_bound:
        status = 422
    return render(request, "core/units_lookup.html", context, status=status)


def unit_detail(request: HttpRequest, era: str, code: str) -> HttpResponse:
    """One unit: its parents, successor or predecessors, and its children."""
    unit = (
        AdminUnit.objects.select_related("parent__parent", "successor__parent")
        .filter(era=era, code=code)
        .first()
    )
    if unit is None:
        raise Http404(_("Không có đơn vị hành chính này."))
    ancestors: list[AdminUnit] = []
    node = unit.parent
    while node is not None:
        ancestors.insert(0, node)
        node = node.parent
    children = Paginator(unit.children.order_by("code"), 100).get_page(request.GET.get("page"))
    context = {
        "unit": unit,
        "ancestors": ancestors,
        "children": children,
        "predecessors": unit.predecessors.select_related("parent__parent").order_by("code"),
        "org_units": unit.org_units.order_by("name"),
    }
    return render(request, "core/units_detail.html", context)


def agencies_tree(request: HttpRequest) -> HttpResponse:
    """The whole org tree, agencies with their codes, in one query."""
    units = list(OrgUnit.objects.select_related("admin_unit").order_by("path"))
    context = {
        "tree": org_tree(units),
        "agency_count": sum(1 for u in units if u.is_agency),
        "demo_count": sum(1 for u in units if u.code_is_demo),
    }
    return render(request, "core/agencies_tree.html", context)


def agency_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One agency or division: where it sits, what is below it, where it works."""
    unit = OrgUnit.objects.select_related("admin_unit__successor__parent").filter(pk=pk).first()
    if unit is None:
        raise Http404(_("Không có cơ quan, đơn vị này."))
    context = {
        "unit": unit,
        "ancestors": [a for a in unit.ancestors() if a.pk != unit.pk],
        "children": sorted(unit.children.all(), key=sibling_order),
    }
    return render(request, "core/agencies_detail.html", context)
