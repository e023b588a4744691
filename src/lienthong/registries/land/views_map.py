"""The land registry's map and base-layer pages, under /csdl/dat-dai/.

- /csdl/dat-dai/ban-do/ — the Leaflet map (vendored: no CDN, no online base tiles). It draws
  the base layers and asks /api/registries/land/map for the parcels of its view as it moves.
- /csdl/dat-dai/lop-nen/ — the base layers: list for officials; upload, replace, delete for
  the registry officials of the owner agency.

Officials only (anonymous visitors go to the login page, citizens get 403); the map also
needs a read right on the land registry (403 without).
"""

from __future__ import annotations

import json
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max, Min
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lienthong.core.permissions import official_required
from lienthong.registries.base import access
from lienthong.registries.base import registry as registries
from lienthong.registries.base.services import owner_agencies
from lienthong.registries.base.views import filtered
from lienthong.registries.land import geojson_export, landuse, selectors, services
from lienthong.registries.land.forms import LayerForm
from lienthong.registries.land.models import REGISTRY, BaseLayer, ParcelSummary

#: Where the map opens when the user sees no parcel yet: the demo province's centre.
DEFAULT_BOUNDS = [106.55, 10.9, 106.75, 11.05]


def _start_bounds(user: Any) -> list[float]:
    qs = ParcelSummary.objects.filter(located__gt=0)
    owners = selectors.visible_owners(user)
    if owners is not None:
        qs = qs.filter(owner_id__in=owners)
    box = qs.aggregate(x0=Min("minx"), y0=Min("miny"), x1=Max("maxx"), y1=Max("maxy"))
    if box["x0"] is None:
        return DEFAULT_BOUNDS
    return [box["x0"], box["y0"], box["x1"], box["y1"]]


def _map_strings() -> dict[str, str]:
    """Every text the map script shows, translated here (the script holds no words)."""
    return {
        "loading": _("Đang tải…"),
        "error": _("Không tải được dữ liệu bản đồ. Hãy thử lại."),
        "parcels": _("%(n)s thửa đất trong khung nhìn."),
        "truncated": _("Đang hiện %(n)s thửa đầu tiên: hãy phóng to để xem đủ các thửa."),
        "communes": _("Phóng to để xem từng thửa; số trên bản đồ là số thửa của mỗi xã, phường."),
        "commune_tip": _("%(name)s: %(n)s thửa"),
        "parcel_title": _("Thửa %(number)s, tờ bản đồ %(sheet)s"),
        "area": _("Diện tích"),
        "land_use": _("Loại đất"),
        "commune": _("Xã, phường"),
        "owners": _("Người sử dụng đất"),
        "certificate": _("Số giấy chứng nhận"),
        "none": _("Chưa có"),
        "details": _("Xem chi tiết thửa đất"),
        "parcels_layer": _("Thửa đất"),
        "zoom_to": _("Bấm để phóng tới xã, phường này"),
    }


def _require_reader(request: HttpRequest) -> None:
    if not access.can_read(request.user, REGISTRY):
        raise PermissionDenied(
            _("Cơ quan của bạn chưa được cấp quyền khai thác cơ sở dữ liệu đất đai.")
        )


@require_GET
@official_required
def map_page(request: HttpRequest) -> HttpResponse:
    """GET /csdl/dat-dai/ban-do/: the Leaflet map of parcels and base layers."""
    _require_reader(request)
    land_use = request.GET.get("loai_dat", "").strip().upper()
    context = {
        "bounds": json.dumps(_start_bounds(request.user)),
        "strings": _map_strings(),
        "land_use_names": {t.code: t.name for t in landuse.all_types()},
        "land_use_choices": landuse.choices(),
        "land_use": land_use if land_use in landuse.by_code() else "",
        "min_feature_zoom": selectors.MIN_FEATURE_ZOOM,
        "layers": selectors.visible_layers(request.user).defer("geojson"),
    }
    return render(request, "land/map.html", context)


@require_GET
@official_required
def export_geojson(request: HttpRequest) -> HttpResponse:
    """GET /csdl/dat-dai/xuat.geojson: the parcels of the list (same filters) as GeoJSON."""
    _require_reader(request)
    registry_type = registries.get(REGISTRY)
    qs, errors = filtered(registry_type, selectors.visible_parcels(request.user), request.GET)
    if errors:
        messages.error(request, " ".join(m for ms in errors.values() for m in ms))
        return HttpResponseRedirect(reverse("land:parcel_list"))
    if not request.GET.get("q"):
        qs = qs.order_by("pk")
    # A streamed response: not an HttpResponse, but served the same way.
    return cast(HttpResponse, geojson_export.response(qs))


# --- Base layers ----------------------------------------------------------------------------


@require_GET
@official_required
def layer_list(request: HttpRequest) -> HttpResponse:
    """GET /csdl/dat-dai/lop-nen/: the base layers, with the upload form for editors."""
    layers = list(selectors.visible_layers(request.user).defer("geojson").select_related("owner"))
    owners = owner_agencies(request.user)
    editable = {layer.pk for layer in layers if services.can_edit_layer(request.user, layer)}
    context = {
        "layers": layers,
        "editable": editable,
        "form": LayerForm(owners=owners) if owners.exists() else None,
    }
    return render(request, "land/layer_list.html", context)


def _save_layer(request: HttpRequest, form: LayerForm, layer: BaseLayer | None) -> bool:
    upload = form.cleaned_data.get("file")
    fields = {
        name: form.cleaned_data[name]
        for name in ("name", "kind", "description", "color", "shown_by_default", "position")
    }
    if layer is None:
        fields["owner"] = form.cleaned_data["owner"]
        if form.cleaned_data.get("slug"):
            fields["slug"] = form.cleaned_data["slug"]
    try:
        services.save_layer(
            layer, by=request.user, geojson=upload.read() if upload else None, **fields
        )
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            target = "file" if field == "geojson" else field
            form.add_error(target if target in form.fields else None, errors)
        return False
    return True


@require_POST
@official_required
def layer_create(request: HttpRequest) -> HttpResponse:
    """POST /csdl/dat-dai/lop-nen/: upload a new base layer (GeoJSON file)."""
    owners = owner_agencies(request.user)
    if not owners.exists():
        raise PermissionDenied(_("Bạn không có quyền thêm lớp bản đồ nền."))
    form = LayerForm(request.POST, request.FILES, owners=owners)
    if form.is_valid() and _save_layer(request, form, None):
        messages.success(request, _("Đã thêm lớp bản đồ nền."))
        return HttpResponseRedirect(reverse("land:layer_list"))
    layers = list(selectors.visible_layers(request.user).defer("geojson"))
    context = {
        "layers": layers,
        "editable": {layer.pk for layer in layers if services.can_edit_layer(request.user, layer)},
        "form": form,
    }
    return render(request, "land/layer_list.html", context, status=422)


def _editable_layer(request: HttpRequest, slug: str) -> BaseLayer:
    layer = get_object_or_404(selectors.visible_layers(request.user), slug=slug)
    if not services.can_edit_layer(request.user, layer):
        raise PermissionDenied(_("Bạn không có quyền sửa lớp bản đồ nền này."))
    return layer


@require_http_methods(["GET", "POST"])
@official_required
def layer_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """GET/POST /csdl/dat-dai/lop-nen/<slug>/sua/: rename, restyle or replace a layer."""
    layer = _editable_layer(request, slug)
    if request.method == "POST":
        form = LayerForm(request.POST, request.FILES, instance=layer)
        if form.is_valid() and _save_layer(request, form, layer):
            messages.success(request, _("Đã lưu lớp bản đồ nền."))
            return HttpResponseRedirect(reverse("land:layer_list"))
        return render(request, "land/layer_form.html", {"layer": layer, "form": form}, status=422)
    form = LayerForm(instance=layer)
    return render(request, "land/layer_form.html", {"layer": layer, "form": form})


@require_POST
@official_required
def layer_delete(request: HttpRequest, slug: str) -> HttpResponse:
    """POST /csdl/dat-dai/lop-nen/<slug>/xoa/: remove a layer from the map."""
    layer = _editable_layer(request, slug)
    services.delete_layer(layer, by=request.user)
    messages.success(request, _("Đã xoá lớp “%(name)s”.") % {"name": layer.name})
    return HttpResponseRedirect(reverse("land:layer_list"))
