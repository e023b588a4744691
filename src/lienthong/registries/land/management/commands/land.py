"""`lienthong land summary|layer|generate` — the land registry from the command line.

Parcels are imported and exported with `lienthong registry import|export land …` (the shared
registry commands); this command adds what only the land registry has:

    lienthong land summary                          recount the map's commune figures
    lienthong land layer ranh-gioi.geojson --name "Ranh giới xã" --owner 000.00.08.H99
                                                    add or replace a base layer
    lienthong land generate --communes 25747,25750 --count 2000 --owner 000.00.08.H99
                                                    synthetic parcels, to try the map
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from lienthong.accounts.models import User
from lienthong.core.context import acting
from lienthong.core.models import OrgUnit
from lienthong.registries.base.bulk import deferred_word_index
from lienthong.registries.land import demo, services
from lienthong.registries.land.models import BaseLayer, BaseLayerKind, Parcel, ParcelSummary


def _owner(text: str) -> OrgUnit:
    query = Q(code=text.upper()) | (Q(pk=int(text)) if text.isdigit() else Q())
    owner = OrgUnit.objects.filter(query).first()
    if owner is None:
        raise CommandError(_("Không có cơ quan “%(code)s”.") % {"code": text})
    return owner


def _admin() -> User:
    user = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if user is None:
        raise CommandError(_("Chưa có tài khoản quản trị (superuser) để ghi nhật ký thay đổi."))
    return user


class Command(BaseCommand):
    help = _("Cơ sở dữ liệu đất đai: tổng hợp bản đồ, lớp bản đồ nền, dữ liệu thử.")

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("summary", help=_("Đếm lại số thửa theo xã cho bản đồ."))
        layer = actions.add_parser("layer", help=_("Thêm hoặc thay một lớp bản đồ nền (GeoJSON)."))
        layer.add_argument("file", help=_("Tệp GeoJSON (FeatureCollection, WGS 84)."))
        layer.add_argument("--name", required=True, help=_("Tên lớp."))
        layer.add_argument("--slug", default="", help=_("Mã lớp (mặc định: từ tên)."))
        layer.add_argument(
            "--kind", choices=[k for k, _l in BaseLayerKind.choices], default=BaseLayerKind.OTHER
        )
        layer.add_argument("--color", default="#6c757d")
        layer.add_argument("--owner", required=True, help=_("Cơ quan quản lý lớp (mã hoặc id)."))
        gen = actions.add_parser("generate", help=_("Sinh thửa đất giả lập (để thử bản đồ)."))
        gen.add_argument("--communes", required=True, help=_("Mã xã 2025, cách nhau dấu phẩy."))
        gen.add_argument("--count", type=int, default=1000, help=_("Số thửa mỗi xã."))
        gen.add_argument("--owner", required=True, help=_("Cơ quan quản lý (mã hoặc id)."))
        gen.add_argument("--seed", type=int, default=0)
        gen.add_argument("--rural", action="store_true", help=_("Thửa nông thôn (lớn hơn)."))

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        with acting(via=f"lienthong land {action}"):
            getattr(self, f"do_{action}")(options)

    def do_summary(self, options: dict[str, Any]) -> None:
        with transaction.atomic():
            count = ParcelSummary.objects.rebuild()
        self.stdout.write(_("Đã đếm lại số thửa của %(n)d xã, phường.") % {"n": count})

    def do_layer(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("Không có tệp “%(path)s”.") % {"path": path})
        owner = _owner(options["owner"])
        by = _admin()
        fields: dict[str, Any] = {
            "name": options["name"],
            "kind": options["kind"],
            "color": options["color"],
            "owner": owner,
        }
        existing = (
            BaseLayer.objects.alive().filter(slug=options["slug"]).first()
            if options["slug"]
            else None
        )
        if existing is None and options["slug"]:
            fields["slug"] = options["slug"]
        try:
            with acting(via="lienthong land layer", user=by):
                layer = services.save_layer(existing, by=by, geojson=path.read_bytes(), **fields)
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from exc
        self.stdout.write(
            _("Lớp “%(name)s” (%(slug)s): %(n)d đối tượng.")
            % {"name": layer.name, "slug": layer.slug, "n": layer.feature_count}
        )

    def do_generate(self, options: dict[str, Any]) -> None:
        owner = _owner(options["owner"])
        codes = [c.strip() for c in options["communes"].split(",") if c.strip()]
        specs = demo.commune_specs([(c, not options["rural"]) for c in codes], seed=options["seed"])
        missing = set(codes) - {s.code for s in specs}
        if missing:
            raise CommandError(
                _(
                    "Không có xã, phường (2025) có tọa độ: %(codes)s. "
                    "Hãy chạy “lienthong units load”."
                )
                % {"codes": ", ".join(sorted(missing))}
            )
        started = time.monotonic()
        pool = demo.OwnerPool(seed=options["seed"])
        with transaction.atomic(), deferred_word_index(Parcel):
            total = 0
            for spec in specs:
                first = demo.next_sheet(spec.code)
                total += demo.insert_parcels(
                    demo.build_parcels(
                        spec,
                        count=options["count"],
                        owner=owner,
                        seed=options["seed"] + int(spec.code),
                        owners=pool,
                        first_sheet=first,
                    )
                )
            ParcelSummary.objects.refresh(codes)
        self.stdout.write(
            _("Đã sinh %(n)d thửa đất trong %(s).1f giây.")
            % {"n": total, "s": time.monotonic() - started}
        )
