"""`lienthong documents …`: incoming documents, the register, the documents search.

lienthong documents register-incoming --agency CODE --as USER --json FILE|-
    (or --issuer --subject --type --number --notation --issued-date [--confirm-duplicate])
lienthong documents list [--agency CODE] [--year N] [--status S] [--as USER]
lienthong documents register --agency CODE --year N --format xlsx|pdf -o FILE
lienthong documents search "words" [--direction incoming|outgoing] [--year N] [--as USER]
lienthong documents reindex
"""

from __future__ import annotations

import datetime
import json
import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lienthong.core.context import acting


def _agency(code: str) -> Any:
    from lienthong.core.models import OrgUnit

    agency = OrgUnit.objects.filter(code=code, is_agency=True).first()
    if agency is None and code.isdigit():
        agency = OrgUnit.objects.filter(pk=int(code), is_agency=True).first()
    if agency is None:
        raise CommandError(f"Không có cơ quan mã {code}.")
    return agency


def _user(username: str | None) -> Any:
    from lienthong.accounts.models import User

    if not username:
        return None
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"Không có tài khoản {username}.")
    return user


def _date(value: str | None) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Ngày không hợp lệ (YYYY-MM-DD): {value}") from None


class Command(BaseCommand):
    help = "Văn bản đến, sổ đăng ký và tìm kiếm văn bản."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        reg = sub.add_parser("register-incoming", help="Vào sổ một văn bản đến.")
        reg.add_argument("--agency", required=True)
        reg.add_argument("--as", dest="username", required=True)
        reg.add_argument("--json", dest="json_file")
        reg.add_argument("--issuer", default="")
        reg.add_argument("--subject", default="")
        reg.add_argument("--type", dest="type_code", default="CV")
        reg.add_argument("--number", default="")
        reg.add_argument("--notation", default="")
        reg.add_argument("--issued-date")
        reg.add_argument("--urgency", type=int, default=0)
        reg.add_argument("--secrecy", type=int, default=0)
        reg.add_argument("--recipient", default="")
        reg.add_argument("--confirm-duplicate", action="store_true")
        lst = sub.add_parser("list", help="Liệt kê văn bản đến (JSON lines).")
        lst.add_argument("--agency")
        lst.add_argument("--year", type=int)
        lst.add_argument("--status", default="")
        lst.add_argument("--as", dest="username")
        lst.add_argument("--limit", type=int, default=50)
        book = sub.add_parser("register", help="Xuất sổ đăng ký văn bản đến.")
        book.add_argument("--agency", required=True)
        book.add_argument("--year", type=int, required=True)
        book.add_argument("--format", choices=["xlsx", "pdf"], default="xlsx")
        book.add_argument("-o", "--output", required=True)
        find = sub.add_parser("search", help="Tìm văn bản đến và đi.")
        find.add_argument("query")
        find.add_argument("--direction", default="")
        find.add_argument("--year", type=int)
        find.add_argument("--as", dest="username")
        find.add_argument("--limit", type=int, default=20)
        sub.add_parser("reindex", help="Đánh chỉ mục lại văn bản đến.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"].replace("-", "_")
        try:
            getattr(self, f"do_{action}")(options)
        except ValidationError as exc:
            messages = (
                [f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()]
                if hasattr(exc, "error_dict")
                else exc.messages
            )
            raise CommandError("; ".join(messages)) from None
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None

    def do_register_incoming(self, options: dict[str, Any]) -> None:
        from lienthong.documents import services
        from lienthong.documents.models import DocumentType

        values: dict[str, Any] = {}
        if options["json_file"]:
            raw = (
                sys.stdin.read()
                if options["json_file"] == "-"
                else Path(options["json_file"]).read_text(encoding="utf-8")
            )
            try:
                values = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise CommandError(f"JSON không hợp lệ: {exc}") from None
        code = values.get("document_type", options["type_code"])
        document_type = DocumentType.objects.filter(code=code).first()
        if document_type is None:
            raise CommandError(f"Không có loại văn bản {code}.")
        data = services.IncomingData(
            issuer=values.get("issuer", options["issuer"]),
            subject=values.get("subject", options["subject"]),
            document_type=document_type,
            code_number=str(values.get("code_number", options["number"])),
            code_notation=values.get("code_notation", options["notation"]),
            issued_date=_date(values.get("issued_date", options["issued_date"])),
            urgency=int(values.get("urgency", options["urgency"])),
            secrecy=int(values.get("secrecy", options["secrecy"])),
            recipient=values.get("recipient", options["recipient"]),
        )
        user = _user(options["username"])
        agency = _agency(options["agency"])
        with acting(user=user, via="lienthong documents register-incoming"):
            try:
                document = services.register_incoming(
                    agency=agency,
                    data=data,
                    confirm_duplicate=options["confirm_duplicate"],
                    by=user,
                )
            except services.DuplicateDocument as exc:
                raise CommandError(
                    f"{exc.messages[0]} (--confirm-duplicate để vẫn vào sổ)"
                ) from None
        self.stdout.write(
            json.dumps(
                {
                    "id": document.pk,
                    "arrival_number": document.arrival_number,
                    "year": document.arrival_year,
                    "number_notation": document.number_notation,
                },
                ensure_ascii=False,
            )
        )

    def do_list(self, options: dict[str, Any]) -> None:
        from lienthong.documents import selectors
        from lienthong.documents.models import IncomingDocument

        user = _user(options["username"])
        documents: Any
        if user is None:
            documents = IncomingDocument.objects.order_by("-arrived_at", "-pk")
            if options["year"]:
                documents = documents.filter(arrival_year=options["year"])
            if options["status"]:
                documents = documents.filter(status=options["status"])
        else:
            documents = selectors.incoming_list(
                user, year=options["year"], status=options["status"]
            )
        if options["agency"]:
            documents = documents.filter(agency=_agency(options["agency"]))
        for d in documents.select_related("document_type")[: options["limit"]]:
            self.stdout.write(
                json.dumps(
                    {
                        "id": d.pk,
                        "arrival_number": d.arrival_number,
                        "year": d.arrival_year,
                        "status": d.status,
                        "number_notation": d.number_notation,
                        "issuer": d.issuer,
                        "subject": d.subject,
                    },
                    ensure_ascii=False,
                )
            )

    def do_register(self, options: dict[str, Any]) -> None:
        from lienthong.documents import selectors

        agency = _agency(options["agency"])
        content, _type, _name = selectors.incoming_register_file(
            None, agency, options["year"], options["format"]
        )
        Path(options["output"]).write_bytes(content)
        self.stdout.write(f"{options['output']}: {len(content)} bytes")

    def do_search(self, options: dict[str, Any]) -> None:
        from lienthong.accounts.models import User
        from lienthong.documents import selectors

        user = _user(options["username"])
        if user is None:  # the command sees everything, like `lienthong search query --all`
            user = User(is_superuser=True, is_active=True)
        result = selectors.search_documents(
            user,
            q=options["query"],
            direction=options["direction"],
            year=options["year"],
            limit=options["limit"],
        )
        self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False, default=str))

    def do_reindex(self, options: dict[str, Any]) -> None:
        from lienthong.documents import services

        done = services.reindex_all()
        self.stdout.write(f"{done} văn bản đến đã được đánh chỉ mục lại.")
