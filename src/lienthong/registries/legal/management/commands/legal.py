"""`lienthong legal …`: load a corpus folder, search, refresh statuses, rebuild the index.

    lienthong legal load ../shared/data/legal [--owner 000.00.05.H99] [--skip-invalid]
    lienthong legal search "khieu nai" [--limit 20] [--offset 0] [--type law] [--year 2011]
    lienthong legal refresh-status
    lienthong legal reindex

`load` is idempotent: an unchanged file writes nothing, a changed one updates its record.
If any file is bad, nothing is loaded and each fault is printed with its file name (status
1), unless --skip-invalid loads the valid files and still lists the faults (status 1).
`search` prints one hit per line, best first: the document number, a space, the title.
Bad input prints a Vietnamese message on stderr and exits with status 2.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from lienthong.core.context import acting
from lienthong.core.models import OrgUnit
from lienthong.registries.legal import fulltext, selectors, services
from lienthong.registries.legal.forms import SearchForm

BAD_INPUT = 2
FAILED = 1
_OPTIONS = {"q": _("từ khóa"), "limit": "--limit", "offset": "--offset", "type": "--type"}
_OPTIONS.update({"issuer": "--issuer", "year": "--year", "status": "--status"})


class Command(BaseCommand):
    help = _(
        "Cơ sở dữ liệu văn bản quy phạm pháp luật: nạp thư mục (load), tìm (search),"
        " tính lại tình trạng hiệu lực (refresh-status), dựng lại chỉ mục (reindex)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(
            dest="action", required=True, metavar="{load,search,refresh-status,reindex}"
        )
        load = actions.add_parser("load", help=_("Nạp các tệp .md của một thư mục (lặp lại được)."))
        load.add_argument(
            "folder", help=_("Thư mục chứa các tệp văn bản, vd ../shared/data/legal.")
        )
        load.add_argument(
            "--owner", help=_("Mã cơ quan (hoặc id đơn vị) quản lý các văn bản mới nạp.")
        )
        load.add_argument(
            "--skip-invalid",
            action="store_true",
            help=_("Vẫn nạp các tệp hợp lệ khi có tệp lỗi."),
        )
        search = actions.add_parser("search", help=_("Tìm văn bản, in mỗi kết quả một dòng."))
        search.add_argument("text", help=_('Từ khóa, vd "khieu nai" hoặc số hiệu 02/2011/QH13.'))
        search.add_argument("--limit", default="20", help=_("Số kết quả (1–100)."))
        search.add_argument("--offset", default="0", help=_("Bỏ qua bấy nhiêu kết quả đầu."))
        search.add_argument("--type", default="", help=_("Loại văn bản (law, decree, …)."))
        search.add_argument("--issuer", default="", help=_("Cơ quan ban hành."))
        search.add_argument("--year", default="", help=_("Năm ban hành."))
        search.add_argument("--status", default="", help=_("Tình trạng hiệu lực."))
        actions.add_parser("refresh-status", help=_("Tính lại tình trạng hiệu lực theo ngày."))
        actions.add_parser("reindex", help=_("Dựng lại chỉ mục toàn văn từ nội dung đã lưu."))

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        with acting(via=f"lienthong legal {action}"):
            if action == "load":
                self._load(options)
            elif action == "search":
                self._search(options)
            elif action == "refresh-status":
                changed = services.refresh_statuses()
                self.stdout.write(
                    _("Tình trạng hiệu lực thay đổi ở %(n)d văn bản.") % {"n": len(changed)}
                )
                for number in changed:
                    self.stdout.write(number)
            else:
                done = fulltext.rebuild()
                self.stdout.write(_("Đã dựng lại chỉ mục cho %(n)d văn bản.") % {"n": done})

    def _fail(self, messages: list[str], status: int = BAD_INPUT) -> NoReturn:
        for message in messages:
            self.stderr.write(_("Lỗi: %(message)s") % {"message": message})
        raise SystemExit(status)

    def _owner(self, ref: str | None) -> OrgUnit | None:
        if not ref:
            return None
        owner = OrgUnit.objects.filter(code=ref).first()
        if owner is None and ref.isdigit():
            owner = OrgUnit.objects.filter(pk=int(ref)).first()
        if owner is None:
            self._fail([_("Không có cơ quan, đơn vị “%(ref)s”.") % {"ref": ref}])
        return owner

    def _load(self, options: dict[str, Any]) -> None:
        owner = self._owner(options["owner"])
        try:
            report = services.load_folder(
                options["folder"], owner=owner, skip_invalid=options["skip_invalid"]
            )
        except FileNotFoundError:
            self._fail([_("Không có thư mục %(folder)s.") % {"folder": options["folder"]}])
        except services.LoadError as exc:
            self._fail(
                [
                    *exc.report.errors,
                    _(
                        "Không nạp văn bản nào vì có %(n)d tệp lỗi"
                        " (dùng --skip-invalid để nạp các tệp hợp lệ)."
                    )
                    % {"n": len(exc.report.errors)},
                ],
                FAILED,
            )
        self.stdout.write(report.summary())
        if report.errors:
            self._fail(report.errors, FAILED)

    def _search(self, options: dict[str, Any]) -> None:
        form = SearchForm(
            {
                "q": options["text"],
                "limit": options["limit"],
                "offset": options["offset"],
                "type": options["type"],
                "issuer": options["issuer"],
                "year": options["year"],
                "status": options["status"],
            },
            require_query=True,
        )
        if not form.is_valid():
            self._fail(
                [
                    f"{_OPTIONS.get(name, name)}: {error}"
                    for name, errors in form.errors.items()
                    for error in errors
                ]
            )
        page = selectors.search_documents(
            form.cleaned_data["q"],
            form.filters(),
            limit=form.cleaned_data["limit"],
            offset=form.cleaned_data["offset"],
            snippets=False,
        )
        for hit in page.hits:
            self.stdout.write(f"{hit.document.number} {hit.document.title}")
        self.stderr.write(
            _("%(shown)d/%(total)d văn bản cho “%(query)s”.")
            % {"shown": len(page.hits), "total": page.total, "query": page.query}
        )
