"""`lienthong procedures …`: the procedure catalogue from the command line.

    lienthong procedures load [PATH.json]        (default: the shared procedures.json)
    lienthong procedures import FILE.json|FILE.xlsx
    lienthong procedures export [--format json|xlsx] -o FILE
    lienthong procedures list [--field CODE|NAME] [--q WORDS]
    lienthong procedures show CODE

Imports are all-or-nothing: a bad row prints its errors on stderr, nothing is written, and
the command exits with status 1. The command acts as the platform itself (no user).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from django.utils.translation import gettext as _

from lienthong.core.context import acting
from lienthong.core.text import fold
from lienthong.onestop import catalogue
from lienthong.onestop.models import Field, Procedure
from lienthong.search.services import check_query

DEFAULT_SOURCE = ("data", "procedures", "procedures.json")


class Command(BaseCommand):
    help = _("Danh mục thủ tục hành chính: nạp, nhập, xuất, liệt kê, xem một thủ tục.")

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(
            dest="action", required=True, metavar="{load,import,export,list,show}"
        )
        load = actions.add_parser("load", help=_("Nạp tệp JSON (procedures.json hoặc tệp xuất)."))
        load.add_argument(
            "path",
            nargs="?",
            help=_("Tệp JSON; mặc định: procedures.json trong thư mục dữ liệu dùng chung."),
        )
        imp = actions.add_parser("import", help=_("Nhập tệp .json hoặc .xlsx."))
        imp.add_argument("path", help=_("Tệp .json hoặc .xlsx."))
        exp = actions.add_parser("export", help=_("Xuất toàn bộ danh mục."))
        exp.add_argument("--format", choices=["json", "xlsx"], default=None)
        exp.add_argument("-o", "--output", required=True, help=_("Tệp ghi ra."))
        listing = actions.add_parser("list", help=_("Liệt kê thủ tục đang áp dụng."))
        listing.add_argument("--field", help=_("Mã hoặc tên lĩnh vực."))
        listing.add_argument("--q", help=_("Từ khóa (không cần dấu)."))
        show = actions.add_parser("show", help=_("Xem một thủ tục."))
        show.add_argument("code", help=_("Mã thủ tục, ví dụ 1.001193."))

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        with acting(via=f"lienthong procedures {action}"):
            getattr(self, f"_{action}")(options)

    # -- writing --

    def _report(self, run: Any) -> None:
        try:
            report = run()
        except catalogue.CatalogueImportError as exc:
            for error in exc.errors:
                self.stderr.write(_("Lỗi: %(error)s") % {"error": error})
            raise CommandError(
                _("Không nhập: có %(n)d lỗi, chưa có gì được ghi.") % {"n": len(exc.errors)}
            ) from exc
        self.stdout.write(self.style.SUCCESS(report.summary()))
        if report.fields_created:
            self.stdout.write(
                _("Lĩnh vực mới: %(names)s") % {"names": ", ".join(report.fields_created)}
            )
        created = report.templates_created + report.templates_updated
        if created:
            self.stdout.write(
                _("Quy trình nội bộ mới hoặc cập nhật: %(codes)s") % {"codes": ", ".join(created)}
            )

    def _read(self, path: Path) -> bytes:
        try:
            return path.read_bytes()
        except OSError as exc:
            raise CommandError(
                _("Không đọc được tệp %(path)s: %(error)s")
                % {"path": path, "error": exc.strerror or exc}
            ) from exc

    def _load(self, options: dict[str, Any]) -> None:
        path = (
            Path(options["path"])
            if options["path"]
            else settings.SHARED_DIR.joinpath(*DEFAULT_SOURCE)
        )
        if path.suffix.lower() != ".json":
            raise CommandError(_("`load` chỉ nhận tệp .json; tệp .xlsx dùng `import`."))
        content = self._read(path)
        self._report(lambda: catalogue.import_file(path.name, content))

    def _import(self, options: dict[str, Any]) -> None:
        path = Path(options["path"])
        content = self._read(path)
        self._report(lambda: catalogue.import_file(path.name, content))

    def _export(self, options: dict[str, Any]) -> None:
        output = Path(options["output"])
        fmt = options["format"] or ("xlsx" if output.suffix.lower() == ".xlsx" else "json")
        if fmt == "xlsx":
            body = catalogue.export_xlsx()
        else:
            data = catalogue.export_procedures()
            body = (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode()
        try:
            output.write_bytes(body)
        except OSError as exc:
            raise CommandError(
                _("Không ghi được tệp %(path)s: %(error)s")
                % {"path": output, "error": exc.strerror or exc}
            ) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _("Đã xuất %(n)d thủ tục ra %(path)s.")
                % {"n": Procedure.objects.count(), "path": output}
            )
        )

    # -- reading --

    def _list(self, options: dict[str, Any]) -> None:
        procedures = Procedure.objects.active().select_related("field")
        if options["field"]:
            wanted = options["field"].strip()
            field = Field.objects.filter(Q(code=wanted) | Q(name=wanted)).first()
            if field is None:
                field = next((f for f in Field.objects.all() if fold(f.name) == fold(wanted)), None)
            if field is None:
                raise CommandError(_("Không có lĩnh vực “%(field)s”.") % {"field": wanted})
            procedures = procedures.filter(field=field)
        rows: list[Procedure]
        if options["q"]:
            try:
                check_query(options["q"])
            except ValidationError as exc:
                raise CommandError(exc.messages[0]) from exc
            ids = catalogue.ranked_procedure_ids(options["q"])
            found = procedures.in_bulk(ids)
            rows = [found[pk] for pk in ids if pk in found]
        else:
            rows = list(procedures.order_by("field__name", "code"))
        for procedure in rows:
            self.stdout.write(f"{procedure.code}\t{procedure.field.name}\t{procedure.name}")
        self.stdout.write(_("%(n)d thủ tục.") % {"n": len(rows)})

    def _show(self, options: dict[str, Any]) -> None:
        procedure = (
            Procedure.objects.select_related("field", "process_template")
            .filter(code=options["code"].strip())
            .first()
        )
        if procedure is None:
            raise CommandError(_("Không có thủ tục mã %(code)s.") % {"code": options["code"]})
        missing_text = _("Nguồn không có thông tin")
        missing = set(procedure.missing)

        def value(name: str, text: Any) -> str:
            return missing_text if name in missing and not text else str(text or "—")

        time_limit = missing_text
        if procedure.time_limit_value is not None:
            unit = (
                procedure.get_time_limit_unit_display().lower()
                if procedure.time_limit_unit
                else _("(đơn vị: %(missing)s)") % {"missing": missing_text}
            )
            time_limit = f"{procedure.time_limit_value.normalize():f} {unit}"
        if procedure.fee_amount is None:
            fee = missing_text
        elif procedure.fee_amount == 0:
            fee = _("Miễn phí")
        else:
            fee = _("%(amount)s đồng") % {"amount": f"{procedure.fee_amount:,}".replace(",", ".")}
        lines = [
            f"{procedure.code} — {procedure.name}",
            _("Lĩnh vực: %(v)s") % {"v": procedure.field.name},
            _("Cấp thực hiện: %(v)s") % {"v": value("levels", ", ".join(procedure.level_labels))},
            _("Cơ quan thực hiện: %(v)s") % {"v": value("agency_text", procedure.agency_text)},
            _("Thời hạn giải quyết: %(v)s") % {"v": time_limit},
            _("Phí, lệ phí: %(v)s") % {"v": fee},
            _("Mức độ trực tuyến: %(v)s")
            % {"v": value("online_level", procedure.get_online_level_display())},
            _("Liên thông: %(v)s")
            % {
                "v": _("Có")
                if procedure.is_inter_agency
                else value("is_inter_agency", "")
                if "is_inter_agency" in missing
                else _("Không")
            },
            _("Căn cứ pháp lý: %(v)s")
            % {"v": value("legal_basis", ", ".join(procedure.legal_basis))},
            _("Quy trình nội bộ: %(v)s")
            % {"v": procedure.process_template.code if procedure.process_template else "—"},
            _("Thành phần hồ sơ:"),
        ]
        components = list(procedure.components.order_by("order"))
        if not components:
            lines.append(f"  {value('components', '')}")
        for c in components:
            note = "" if c.is_required else _(" (ghi chú)")
            kind = c.get_copy_type_display() if c.copy_type else "—"
            lines.append(f"  {c.order}. {c.name[:160]}{note} — {kind}, {c.originals}/{c.copies}")
        if procedure.missing:
            lines.append(
                _("Nguồn không có thông tin về: %(names)s")
                % {"names": ", ".join(catalogue.missing_labels(procedure))}
            )
        url = procedure.source.get("original_url") if procedure.source else None
        if url:
            lines.append(_("Trang nguồn: %(url)s") % {"url": url})
        for line in lines:
            self.stdout.write(line)
