"""`lienthong registry import|export|reindex|list` — the registries from the command line."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from django.utils.translation import gettext as _

from lienthong.accounts.models import User
from lienthong.core.context import acting
from lienthong.core.models import OrgUnit
from lienthong.registries.base import exporting, fulltext, importing
from lienthong.registries.base import registry as registries
from lienthong.registries.base.models import REGISTRY_OWNER_ROLE, ImportJob


def _registry(key: str) -> registries.RegistryType:
    try:
        return registries.get(key)
    except KeyError:
        names = ", ".join(t.key for t in registries.all_types())
        raise CommandError(
            _("Không có cơ sở dữ liệu “%(key)s” (có: %(names)s).") % {"key": key, "names": names}
        ) from None


def _user(username: str | None) -> User | None:
    if not username:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(_("Không có tài khoản “%(name)s”.") % {"name": username})
    return user


def _owner(text: str | None, user: User | None) -> OrgUnit:
    if text:
        query = Q(code=text.upper()) | (Q(pk=int(text)) if text.isdigit() else Q())
        owner = OrgUnit.objects.filter(query).first()
        if owner is None:
            raise CommandError(_("Không có cơ quan “%(code)s”.") % {"code": text})
        return owner
    units = (
        OrgUnit.objects.filter(
            role_assignments__user=user, role_assignments__role=REGISTRY_OWNER_ROLE
        ).distinct()
        if user is not None
        else OrgUnit.objects.none()
    )
    if units.count() == 1:
        return units.get()
    raise CommandError(
        _("Hãy chỉ rõ cơ quan quản lý các bản ghi: --owner <mã định danh cơ quan hoặc id>.")
    )


class Command(BaseCommand):
    help = _("Cơ sở dữ liệu dùng chung: nhập, xuất, lập lại chỉ mục tìm kiếm.")

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("list", help=_("Liệt kê các cơ sở dữ liệu và số bản ghi."))
        imp = actions.add_parser("import", help=_("Nhập tệp CSV hoặc XLSX."))
        imp.add_argument("registry", help=_("Tên cơ sở dữ liệu, ví dụ population."))
        imp.add_argument("file", help=_("Tệp .csv hoặc .xlsx."))
        imp.add_argument(
            "--valid-only",
            action="store_true",
            help=_("Nhập các dòng hợp lệ dù tệp có dòng lỗi (mặc định: có lỗi thì không nhập gì)."),
        )
        imp.add_argument("--owner", help=_("Cơ quan quản lý các bản ghi (mã định danh hoặc id)."))
        imp.add_argument(
            "--by", help=_("Tài khoản thực hiện (mặc định: chính nền tảng, từ dòng lệnh).")
        )
        imp.add_argument(
            "--errors", help=_("Ghi toàn bộ báo cáo lỗi (tối đa 1.000 lỗi) ra tệp CSV này.")
        )
        exp = actions.add_parser("export", help=_("Xuất ra CSV hoặc XLSX."))
        exp.add_argument("registry")
        exp.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        exp.add_argument("-o", "--output", help=_("Tệp kết quả (mặc định: in ra màn hình, CSV)."))
        exp.add_argument("-q", "--query", default="", help=_("Chỉ xuất bản ghi khớp từ khoá."))
        reindex = actions.add_parser(
            "reindex", help=_("Dựng lại chỉ mục tìm kiếm (sau khi đổi cấu trúc bảng).")
        )
        reindex.add_argument("registry")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        with acting(via=f"lienthong registry {action}"):
            getattr(self, f"do_{action}")(options)

    def do_list(self, options: dict[str, Any]) -> None:
        for registry_type in registries.all_types():
            count = registry_type.model.objects.count()
            self.stdout.write(f"{registry_type.key}\t{registry_type.label_plural}\t{count}")

    def do_import(self, options: dict[str, Any]) -> None:
        registry_type = _registry(options["registry"])
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("Không có tệp “%(path)s”.") % {"path": path})
        by = _user(options["by"])
        owner = _owner(options["owner"], by)
        started = time.monotonic()

        def progress(count: int) -> None:
            if options["verbosity"] > 1:
                self.stderr.write(_("… đã ghi %(count)d dòng") % {"count": count})

        try:
            with acting(via="lienthong registry import", user=by):
                job = importing.import_file(
                    registry_type,
                    path,
                    owner=owner,
                    by=by,
                    valid_only=options["valid_only"],
                    progress=progress,
                )
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from exc
        for error in job.errors[:20]:
            self.stderr.write(_("Dòng %(row)s, cột “%(column)s”: %(message)s") % error)
        if job.error_count > 20:
            self.stderr.write(_("… và %(n)d lỗi khác.") % {"n": job.error_count - 20})
        if options["errors"]:
            Path(options["errors"]).write_text(importing.error_report_csv(job), encoding="utf-8")
        seconds = time.monotonic() - started
        summary = _(
            "Lần nhập #%(id)d: %(total)d dòng, %(valid)d hợp lệ, %(errors)d lỗi; "
            "đã nhập %(imported)d bản ghi trong %(seconds).1f giây."
        ) % {
            "id": job.pk,
            "total": job.total_rows,
            "valid": job.valid_rows,
            "errors": job.error_count,
            "imported": job.imported_rows,
            "seconds": seconds,
        }
        self.stdout.write(summary)
        if job.status == ImportJob.Status.REJECTED:
            raise CommandError(
                _(
                    "Tệp có lỗi nên không nhập dòng nào. Sửa các dòng lỗi, hoặc chạy lại với "
                    "--valid-only để chỉ nhập các dòng hợp lệ."
                )
            )
        if job.status == ImportJob.Status.FAILED:
            raise CommandError(_("Lỗi khi ghi: không dòng nào được nhập."))

    def do_export(self, options: dict[str, Any]) -> None:
        registry_type = _registry(options["registry"])
        qs = registry_type.model.objects.search(options["query"]).order_by("pk")
        rows = exporting.export_rows(registry_type, qs)
        output = options["output"]
        try:
            if options["format"] == "xlsx":
                if not output:
                    raise CommandError(_("Xuất XLSX cần tệp kết quả: -o <tệp>.xlsx"))
                count = exporting.write_xlsx(rows, Path(output), title=registry_type.label_plural)
            elif output:
                with Path(output).open("w", encoding="utf-8-sig", newline="") as handle:
                    count = exporting.write_csv(rows, handle)
            else:
                count = exporting.write_csv(rows, sys.stdout)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if output:
            self.stdout.write(
                _("Đã xuất %(count)d bản ghi ra %(path)s.") % {"count": count, "path": output}
            )

    def do_reindex(self, options: dict[str, Any]) -> None:
        registry_type = _registry(options["registry"])
        fulltext.rebuild(registry_type.model)
        self.stdout.write(
            _("Đã dựng lại chỉ mục tìm kiếm của %(key)s.") % {"key": registry_type.key}
        )
