"""`lienthong search …`: query the full-text index, show its figures, rebuild it.

    lienthong search query "khieu nai" [--limit 20] [--offset 0] [--user USERNAME | --all]
    lienthong search stats
    lienthong search rebuild

`query` prints one hit per line, best first: rank, score, model, object id, title, URL.
Without --user it searches as an anonymous visitor (public entries only); --all searches
every entry. Bad input prints a Vietnamese message on stderr and exits with status 2.
"""

from __future__ import annotations

import json
from typing import Any, NoReturn

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from lienthong.search import services
from lienthong.search.forms import SearchForm

BAD_INPUT = 2
_OPTIONS = {"q": _("từ khóa"), "limit": "--limit", "offset": "--offset"}


class Command(BaseCommand):
    help = _("Tìm kiếm toàn văn: tìm (query), số liệu chỉ mục (stats), dựng lại chỉ mục (rebuild).")

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(
            dest="action", required=True, metavar="{query,stats,rebuild}"
        )
        query = actions.add_parser("query", help=_("Tìm và in kết quả, tốt nhất trước."))
        query.add_argument("text", help=_('Từ khóa, vd "khieu nai", "\\"giai quyet khieu nai\\"".'))
        query.add_argument("--limit", default="20", help=_("Số kết quả (1–100)."))
        query.add_argument("--offset", default="0", help=_("Bỏ qua bấy nhiêu kết quả đầu."))
        who = query.add_mutually_exclusive_group()
        who.add_argument("--user", help=_("Tìm với quyền của người dùng này (tên đăng nhập)."))
        who.add_argument(
            "--all", action="store_true", help=_("Tìm trong mọi mục, kể cả mục nội bộ.")
        )
        actions.add_parser("stats", help=_("Số liệu về chỉ mục tìm kiếm."))
        actions.add_parser("rebuild", help=_("Dựng lại chỉ mục toàn văn từ nội dung đã lưu."))

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "query":
            self._query(options)
        elif action == "stats":
            self.stdout.write(json.dumps(services.stats(), ensure_ascii=False, indent=2))
        else:
            done = services.rebuild()
            self.stdout.write(_("Đã dựng lại chỉ mục cho %(n)d mục.") % {"n": done})

    def _fail(self, messages: list[str]) -> NoReturn:
        for message in messages:
            self.stderr.write(_("Lỗi: %(message)s") % {"message": message})
        raise SystemExit(BAD_INPUT)

    def _query(self, options: dict[str, Any]) -> None:
        form = SearchForm(
            {"q": options["text"], "limit": options["limit"], "offset": options["offset"]}
        )
        if not form.is_valid():
            self._fail(
                [
                    f"{_OPTIONS.get(name, name)}: {error}"
                    for name, errors in form.errors.items()
                    for error in errors
                ]
            )
        user = None
        scope_paths: Any = services.ALL_SCOPES if options["all"] else None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                self._fail([_("Không có người dùng “%(name)s”.") % {"name": options["user"]}])
        query = form.cleaned_data["q"]
        offset = form.cleaned_data["offset"]
        hits = services.search(
            query,
            user=user,
            scope_paths=scope_paths,
            limit=form.cleaned_data["limit"],
            offset=offset,
        )
        total = services.count(query, user=user, scope_paths=scope_paths)
        for rank, hit in enumerate(hits, start=offset + 1):
            self.stdout.write(
                f"{rank}\t{hit.score:.6g}\t{hit.content_type}:{hit.object_id}\t{hit.title}"
                + (f"\t{hit.url}" if hit.url else "")
            )
        self.stderr.write(
            _("%(shown)d/%(total)d kết quả cho “%(query)s”.")
            % {"shown": len(hits), "total": total, "query": query}
        )
